import Foundation
import Testing
@testable import TStateLint

/// A newcomer's run without flags: headers found in the project tree, a CPython source tree
/// given its own flags, and the Python version the project asks for checked.
@Suite struct IncludeInferenceTests {
    static let header = """
    typedef struct { int count; } WorkState;
    #define WORK_RELEASE Py_BEGIN_ALLOW_THREADS
    #define WORK_ACQUIRE Py_END_ALLOW_THREADS
    """

    /// Line 6 touches an object with the thread state released; the macros and the type come
    /// from the project's own header, which no flag names.
    static let module = """
    #include <Python.h>
    #include "worklib/work.h"
    static PyObject *work(PyObject *self, PyObject *arg) {
        WorkState state = {0};
        WORK_RELEASE
        Py_DECREF(arg);
        WORK_ACQUIRE
        return PyLong_FromLong(state.count);
    }
    static PyMethodDef methods[] = {{"work", work, METH_O, NULL}, {NULL}};
    static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "work", NULL, -1, methods};
    PyMODINIT_FUNC PyInit_work(void) { return PyModule_Create(&def); }
    """

    static func project() throws -> String {
        let root = try DriverTests.directory()
        try DriverTests.write("from setuptools import setup\n", to: root + "/setup.py")
        try DriverTests.write(header, to: root + "/include/worklib/work.h")
        try DriverTests.write(module, to: root + "/src/work.c")
        return root
    }

    @Test func aProjectHeaderIsFoundWithoutFlags() throws {
        let root = try Self.project()
        let result = try DriverTests.run(root, ["src"])
        #expect(result.files.map(\.status) == [.analyzed])
        #expect(DriverTests.findings(result) == ["src/work.c:6:TS201"])
        #expect(result.files[0].inferred == ["-I" + root + "/include"])
        #expect(result.inferred.map(\.flag) == ["-I" + root + "/include"])
        #expect(result.inferred.first?.files == 1)
        #expect(result.inferred.first?.reason.contains("worklib/work.h") == true)
    }

    /// A re-run from the cache (units, then the whole result) says what the first run inferred.
    @Test func aCachedRunReportsTheSameInferredFlags() throws {
        let root = try Self.project()
        let cache = root + "/.cache"
        let first = try DriverTests.run(root, ["src"]) { $0.cacheDirectory = cache }
        let second = try DriverTests.run(root, ["src"]) { $0.cacheDirectory = cache }
        #expect(second.statistics.resultReused)
        #expect(second.inferred == first.inferred && !first.inferred.isEmpty)
        #expect(second.files == first.files)
        try DriverTests.write(Self.module + "\n", to: root + "/src/work.c")
        let edited = try DriverTests.run(root, ["src"]) { $0.cacheDirectory = cache }
        #expect(!edited.statistics.resultReused && edited.inferred == first.inferred)
    }

    @Test func aSingleFileFindsItsProjectAbove() throws {
        let root = try Self.project()
        let result = try DriverTests.run(root + "/src", ["work.c"])
        #expect(DriverTests.findings(result) == ["work.c:6:TS201"])
    }

    @Test func inferenceCanBeTurnedOff() throws {
        let root = try Self.project()
        let off = try DriverTests.run(root, ["src"]) { $0.infersIncludes = false }
        #expect(off.files.map(\.status) == [.parseErrors])
        #expect(off.inferred.isEmpty && off.files[0].inferred.isEmpty)
        #expect(DriverTests.findings(off) == ["src/work.c:2:TS003"])

        try DriverTests.write("[tool.tstate-lint]\ninfer-includes = false\n", to: root + "/pyproject.toml")
        var options = RunOptions(paths: ["src"], jobs: 1, workingDirectory: root)
        options.configuration = try Configuration.discover(for: ["src"], workingDirectory: root)
        let configured = try Runner(store: TestSupport.store).run(options)
        #expect(configured.files.map(\.status) == [.parseErrors])
    }

    @Test func aPortToAnotherSystemIsTheLastChoice() throws {
        let root = try DriverTests.directory()
        try DriverTests.write("", to: root + "/setup.py")
        try DriverTests.write("#error \"Windows only\"\n", to: root + "/src/win32/config.h")
        try DriverTests.write("#define CONFIGURED 1\n", to: root + "/src/unix/config.h")
        try DriverTests.write("#include <Python.h>\n#include \"config.h\"\nstatic int configured = CONFIGURED;\nint use(PyObject *o) { return configured + (o != NULL); }\n",
                              to: root + "/src/mod.c")
        let result = try DriverTests.run(root, ["src"])
        #expect(result.files.map(\.status) == [.analyzed])
        #expect(result.files[0].inferred == ["-I" + root + "/src/unix"])
    }

    @Test func aHeaderLinkedOutOfTheTreeIsNeitherReadNorAdded() throws {
        let root = try DriverTests.directory()
        try DriverTests.write("", to: root + "/setup.py")
        let outside = try DriverTests.directory()
        try DriverTests.write("#define SECRET_VALUE 42\n", to: outside + "/secret.h")
        try FileManager.default.createDirectory(atPath: root + "/inc", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/inc/secret.h", withDestinationPath: outside + "/secret.h")
        try DriverTests.write("#include <Python.h>\n#include \"secret.h\"\nint use(PyObject *o) { return SECRET_VALUE + (o != NULL); }\n", to: root + "/src/mod.c")
        let result = try DriverTests.run(root, ["src"])
        #expect(result.files.map(\.status) == [.parseErrors])
        #expect(result.inferred.isEmpty)
    }

    /// A minimal CPython tree: built-in and shared modules need their own define, the internal
    /// headers and the module's own directory, and the tree's pyconfig.h.
    @Test func aCPythonTreeGetsItsOwnFlags() throws {
        let root = try DriverTests.directory()
        try DriverTests.write("#define PY_MAJOR_VERSION 3\n#define PY_MINOR_VERSION 13\n", to: root + "/Include/patchlevel.h")
        try DriverTests.write("#include \"pyconfig.h\"\n#include \"patchlevel.h\"\ntypedef struct _object { long ob_refcnt; } PyObject;\n", to: root + "/Include/Python.h")
        try DriverTests.write("#ifndef Py_BUILD_CORE\n#  error \"internal\"\n#endif\nstatic inline int pycore_ready(void) { return 1; }\n", to: root + "/Include/internal/pycore_ready.h")
        try DriverTests.write("#define HAVE_READY 1\n", to: root + "/pyconfig.h")
        try DriverTests.write("# built in\n_builtin _builtinmodule.c\n", to: root + "/Modules/Setup.bootstrap.in")
        try DriverTests.write("#define SHARED_LOCAL 1\n", to: root + "/Modules/_shared/local.h")
        let body = "#include \"Python.h\"\n#include \"pycore_ready.h\"\nint ready(PyObject *o) { return pycore_ready() + HAVE_READY + (o != 0); }\n"
        try DriverTests.write("#ifndef Py_BUILD_CORE_BUILTIN\n#error \"built in\"\n#endif\n#define Py_BUILD_CORE 1\n" + body, to: root + "/Modules/_builtinmodule.c")
        try DriverTests.write("#ifndef Py_BUILD_CORE_MODULE\n#error \"shared\"\n#endif\n#define Py_BUILD_CORE 1\n#include \"local.h\"\n" + body, to: root + "/Modules/_shared/sharedmodule.c")
        let result = try DriverTests.run(root, ["Modules"])
        #expect(result.files.map(\.status) == [.analyzed, .analyzed], "\(result.files)")
        let builtin = result.files.first { $0.path.hasSuffix("_builtinmodule.c") }!.inferred
        let shared = result.files.first { $0.path.hasSuffix("sharedmodule.c") }!.inferred
        #expect(builtin.contains("-DPy_BUILD_CORE_BUILTIN") && builtin.contains("-I" + root + "/Include/internal") && builtin.contains("-I" + root))
        #expect(shared.contains("-DPy_BUILD_CORE_MODULE") && shared.contains("-I" + root + "/Modules/_shared"))
        #expect(result.notes.isEmpty, "\(result.notes)")
    }

    @Test func headersOfAVersionTheProjectExcludesAreNamed() throws {
        let root = try Self.project()
        try DriverTests.write("[project]\nname = \"work\"\nrequires-python = \">=3.99\"\n", to: root + "/pyproject.toml")
        let excluded = try DriverTests.run(root, ["src"])
        #expect(excluded.notes.contains { $0.contains("requires-python") && $0.contains(">=3.99") }, "\(excluded.notes)")
        try DriverTests.write("[project]\nname = \"work\"\nrequires-python = \">=3.8\"\n", to: root + "/pyproject.toml")
        let admitted = try DriverTests.run(root, ["src"])
        #expect(!admitted.notes.contains { $0.contains("requires-python") })
    }

    @Test func includeLinesAreReadAsThePreprocessorWouldSeeThem() {
        let text = """
        #include "a.h"
          #  include <sys/b.h>
        #include_next "c.h"
        #include MACRO_HEADER
        #define X "not an include"
        int x; // #include "d.h"
        #include "unterminated
        """
        let found = IncludeScanner.includes(in: Data(text.utf8))
        #expect(found == [.init(spelling: "a.h", quoted: true), .init(spelling: "sys/b.h", quoted: false), .init(spelling: "c.h", quoted: true)])
    }

    @Test func aPkgConfigFileGivesItsIncludeDirectories() {
        let pc = """
        prefix=/usr
        includedir=${prefix}/include
        libdir=${prefix}/lib/x86_64-linux-gnu
        Name: GLib
        Cflags: -I${includedir}/glib-2.0 -I${libdir}/glib-2.0/include -DSOMETHING
        """
        #expect(PkgConfigPackage.includeDirectories(in: pc) == ["/usr/include/glib-2.0", "/usr/lib/x86_64-linux-gnu/glib-2.0/include"])
    }

    @Test func requiresPythonClausesAreEachChecked() {
        func admits(_ specifier: String, _ minor: Int) -> Bool {
            PythonRequirement(specifier: specifier, source: "test").admits(PythonVersion(major: 3, minor: minor))
        }
        #expect(admits(">=3.8", 11) && !admits(">=3.12", 11))
        #expect(admits(">=3.8, <3.13", 12) && !admits(">=3.8, <3.13", 13))
        #expect(!admits("!=3.11.*", 11) && admits("!=3.11.*", 12))
        #expect(admits("~=3.10", 11) && !admits("~=3.10", 9))
        #expect(admits("==3.11.*", 11) && !admits("==3.11.*", 12))
        #expect(admits(">3", 11) && !admits("<=3.10", 11))
    }
}

extension IncludeInferenceTests {
    /// A fresh project directory, on a machine with /usr/include/asm-generic/errno-base.h.
    static func projectBesideKernelHeaders() throws -> String {
        try #require(FileManager.default.fileExists(atPath: "/usr/include/asm-generic/errno-base.h"),
                     "the C library's kernel headers are installed with Python's")
        return try DriverTests.directory()
    }

    /// `<errno-base.h>` is one level under /usr/include (asm-generic/, from the C library's
    /// kernel headers, which every machine that has Python.h's <stdio.h> has), and only there.
    /// A quoted include is taken from there too when one place has it (`"httpd.h"` of an Apache
    /// module), never when several do (`"types.h"`: linux/, asm-generic/, sys/ ...).
    @Test func aSystemHeaderOneLevelDownIsFoundWhenOnePlaceHasIt() throws {
        let root = try Self.projectBesideKernelHeaders()
        try DriverTests.write("", to: root + "/setup.py")
        try DriverTests.write("#include <Python.h>\n#include <errno-base.h>\nint use(PyObject *o) { return EPERM + (o != NULL); }\n", to: root + "/src/angled.c")
        try DriverTests.write("#include <Python.h>\n#include \"errno-base.h\"\nint use(PyObject *o) { return EPERM + (o != NULL); }\n", to: root + "/src/quoted.c")
        try DriverTests.write("#include <Python.h>\n#include \"types.h\"\nint use(PyObject *o) { return o != NULL; }\n", to: root + "/src/ambiguous.c")
        let result = try DriverTests.run(root, ["src"])
        func file(_ name: String) -> FileReport { result.files.first { $0.path.hasSuffix("/" + name) }! }
        #expect(file("angled.c").status == .analyzed && file("angled.c").inferred == ["-I/usr/include/asm-generic"])
        #expect(file("quoted.c").status == .analyzed && file("quoted.c").inferred == ["-I/usr/include/asm-generic"])
        #expect(file("ambiguous.c").status == .parseErrors && file("ambiguous.c").inferred.isEmpty)
    }
}

extension IncludeInferenceTests {
    @Test func headersTheBuildWritesAreNamedByTheirTemplatesAndBuildFiles() {
        #expect(IncludeInference.headersNamed(inBuildFile: "configure_file(output : 'config.h', configuration : cdata)") == ["config.h"])
        #expect(IncludeInference.headersNamed(inBuildFile: "AC_CONFIG_HEADERS([config.h])\nAC_OUTPUT") == ["config.h"])
        #expect(IncludeInference.headersNamed(inBuildFile: "configure_file(${SRC}/version.h.in ${BIN}/include/version.h)") == ["version.h"])
    }

    /// `#include <config.h>` of a meson project whose build was not run: a system package's
    /// config.h (valgrind ships one) is not the project's, so nothing is added.
    @Test func aGeneratedHeaderIsNeverTakenFromAnotherPackage() throws {
        let root = try Self.projectBesideKernelHeaders()
        try DriverTests.write("project('p', 'c')\nconfigure_file(output : 'errno-base.h', configuration : cdata)\n", to: root + "/meson.build")
        try DriverTests.write("#include <Python.h>\n#include <errno-base.h>\nint use(PyObject *o) { return EPERM + (o != NULL); }\n", to: root + "/src/angled.c")
        let result = try DriverTests.run(root, ["src"])
        #expect(result.files.map(\.status) == [.parseErrors] && result.inferred.isEmpty)
    }
}
