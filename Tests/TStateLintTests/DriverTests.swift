import Foundation
import Testing
@testable import TStateLint

/// Compilation databases, the unit cache, baselines and parsing in worker processes.
@Suite struct DriverTests {
    static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tstate-lint-driver-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func run(_ root: String, _ paths: [String] = ["."], configure: (inout RunOptions) -> Void = { _ in }) throws -> RunResult {
        var options = RunOptions(paths: paths, jobs: 2, workingDirectory: root)
        configure(&options)
        return try Runner(store: TestSupport.store).run(options)
    }

    static func findings(_ result: RunResult) -> [String] {
        result.diagnostics.map { "\($0.location.file):\($0.location.line):\($0.rule)" }
    }

    /// A function that touches an object with the thread state released only when `BUGGY` is defined.
    static let conditional = """
    #include <Python.h>
    static PyObject *
    work(PyObject *self, PyObject *arg)
    {
        Py_BEGIN_ALLOW_THREADS
    #ifdef BUGGY
        Py_DECREF(arg);
    #endif
        Py_END_ALLOW_THREADS
        Py_RETURN_NONE;
    }
    static PyMethodDef methods[] = {{"work", work, METH_O, NULL}, {NULL, NULL, 0, NULL}};
    """

    // MARK: Compile commands

    @Test func shellWordsSplitAsAShellWouldWithoutRunningOne() {
        #expect(ShellWords.split(#"cc -DNAME="a b" -I 'dir with space' x\ y.c $(rm -rf /) `id`"#)
                == ["cc", "-DNAME=a b", "-I", "dir with space", "x y.c", "$(rm", "-rf", "/)", "`id`"])
        #expect(ShellWords.split(#"gcc -DV=\"1.0\" "a\"b" ''"#) == ["gcc", "-DV=\"1.0\"", "a\"b", ""])
    }

    @Test func compileFlagsKeepWhatParsingNeedsAndDropPlugins() {
        let (arguments, dropped, _) = CompileFlags.reduce(
            ["-Iinclude", "-I", "../other", "-isystem", "/sys", "-DX=1", "-U", "Y", "-std=c11", "-O2", "-Wall", "-c", "-o", "out.o",
             "-MD", "-MF", "dep.d", "-fplugin=/tmp/evil.so", "-Xclang", "-load", "-Xclang", "/tmp/evil2.so", "-fpass-plugin=/tmp/p.so",
             "-Xclang", "-plugin", "-Xclang", "evil", "-fno-semantic-interposition", "-include", "config.h", "src/x.c"],
            directory: "/project/build")
        // No config.h in /project/build: clang looks for it on the include path, so it stays as written.
        #expect(arguments == ["-I/project/build/include", "-I", "/project/other", "-isystem", "/sys", "-DX=1", "-U", "Y", "-std=c11", "-O2",
                              "-include", "config.h"])
        #expect(dropped == ["-fplugin=/tmp/evil.so", "-Xclang -load -Xclang /tmp/evil2.so", "-fpass-plugin=/tmp/p.so", "-Xclang -plugin -Xclang evil"])
    }

    @Test func compileCommandsGiveEachFileItsFlags() throws {
        let root = try Self.directory()
        try Self.write(Self.conditional, to: root + "/src/buggy.c")
        try Self.write(Self.conditional, to: root + "/src/fixed.c")
        try Self.write(Self.conditional, to: root + "/other/unlisted.c")
        let database = """
        [
          {"directory": "\(root)/build", "file": "../src/buggy.c", "arguments": ["cc", "-DBUGGY", "-c", "../src/buggy.c", "-o", "buggy.o"]},
          {"directory": "\(root)/build", "file": "\(root)/src/fixed.c", "command": "ccache cc -DFIXED -fplugin=\(root)/plugin.so -Xclang -load -Xclang \(root)/plugin.so -c \(root)/src/fixed.c"}
        ]
        """
        try Self.write(database, to: root + "/build/compile_commands.json")
        let explicit = try Self.run(root, ["src"]) { $0.compilationDatabase = "build" }
        #expect(Self.findings(explicit) == ["src/buggy.c:7:TS201"])
        #expect(explicit.files.map(\.path) == ["src/buggy.c", "src/fixed.c"])
        #expect(explicit.files.allSatisfy { $0.status == .analyzed }, "\(explicit.files)")
        #expect(explicit.notes.contains { $0.contains("dropped `-fplugin=\(root)/plugin.so`") })
        #expect(explicit.notes.contains { $0.contains("dropped `-Xclang -load -Xclang \(root)/plugin.so`") })

        // Found above the paths without -p; only the database's files under the paths.
        let found = try Self.run(root, ["."])
        #expect(found.files.map(\.path) == ["src/buggy.c", "src/fixed.c"])
        #expect(Self.findings(found) == ["src/buggy.c:7:TS201"])
        // A file named on the command line but not in the database: default flags, and a note.
        let named = try Self.run(root, ["src", "other/unlisted.c"])
        #expect(named.files.map(\.path).sorted() == ["other/unlisted.c", "src/buggy.c", "src/fixed.c"])
        #expect(named.notes.contains { $0.contains("other/unlisted.c is not in") })
    }

    @Test func compileFlagsFileIsTheFallback() throws {
        let root = try Self.directory()
        try Self.write(Self.conditional, to: root + "/src/a.c")
        try Self.write("-DBUGGY\n-fplugin=/nonexistent/evil.so\n", to: root + "/src/compile_flags.txt")
        let result = try Self.run(root, ["src"])
        #expect(Self.findings(result) == ["src/a.c:7:TS201"])
        #expect(result.files.map(\.status) == [.analyzed])
        #expect(result.notes.contains { $0.contains("dropped `-fplugin=/nonexistent/evil.so`") })
    }

    @Test func pluginFlagsOnTheCommandLineAreDroppedToo() throws {
        let root = try Self.directory()
        try Self.write(Self.conditional, to: root + "/a.c")
        let result = try Self.run(root, ["a.c"]) { $0.clangArguments = ["-DBUGGY", "-fplugin=/nonexistent/evil.so"] }
        #expect(Self.findings(result) == ["a.c:7:TS201"])
        #expect(result.files.map(\.status) == [.analyzed])

        // The separated forms too; what is kept keeps its order, relative paths resolved in the
        // run's working directory (not the process's).
        let given = CompileFlags.withoutPluginFlags(
            ["-Xclang", "-load", "-Xclang", "/tmp/evil.so", "-Xclang", "-add-plugin", "-Xclang", "evil", "-fpass-plugin=/tmp/p.so",
             "-Xclang", "-fno-validate-pch", "-I", "include", "-Iother", "-DX=1", "-include", "config.h"], directory: "/project")
        #expect(given.arguments == ["-Xclang", "-fno-validate-pch", "-I", "/project/include", "-I/project/other", "-DX=1",
                                    "-include", "config.h"])
        #expect(given.dropped == ["-Xclang -load -Xclang /tmp/evil.so", "-Xclang -add-plugin -Xclang evil", "-fpass-plugin=/tmp/p.so"])

        // `-include`: a header in the working directory is that one, else the one on the include path.
        try Self.write("#define BUGGY 1\n", to: root + "/settings/buggy.h")
        try Self.write(Self.conditional, to: root + "/c.c")
        let onIncludePath = try Self.run(root, ["c.c"]) { $0.clangArguments = ["-include", "buggy.h", "-I", "settings"] }
        #expect(Self.findings(onIncludePath) == ["c.c:7:TS201"] && onIncludePath.files.map(\.status) == [.analyzed])
        let inWorkingDirectory = try Self.run(root, ["c.c"]) { $0.clangArguments = ["-include", "settings/buggy.h"] }
        #expect(Self.findings(inWorkingDirectory) == ["c.c:7:TS201"] && inWorkingDirectory.files.map(\.status) == [.analyzed])
        try Self.write("#define BUGGY 1\n", to: root + "/include/flags.h")
        try Self.write("#include \"flags.h\"\n" + Self.conditional, to: root + "/b.c")
        let separated = try Self.run(root, ["b.c"]) {
            $0.clangArguments = ["-Xclang", "-load", "-Xclang", "/nonexistent/evil.so", "-I", "include"]
        }
        #expect(Self.findings(separated) == ["b.c:8:TS201"])
        #expect(separated.notes.contains { $0.contains("-Xclang -load -Xclang /nonexistent/evil.so") })
    }

    // MARK: Cache

    @Test func cacheHitsMissesAndSurvivesCorruption() throws {
        let root = try Self.directory()
        try Self.write("#define BUGGY 1\n", to: root + "/include/flags.h")
        try Self.write("#include \"flags.h\"\n" + Self.conditional, to: root + "/src/uses_header.c")
        try Self.write(Self.conditional, to: root + "/src/plain.c")
        let cache = root + "/cache"
        func run(_ arguments: [String] = []) throws -> RunResult {
            try Self.run(root, ["src"]) {
                $0.cacheDirectory = cache
                $0.clangArguments = ["-I", root + "/include"] + arguments
            }
        }
        let cold = try run()
        #expect(cold.statistics.cacheHits == 0 && cold.statistics.filesParsed == 2)
        #expect(Self.findings(cold) == ["src/uses_header.c:8:TS201"])

        let warm = try run()
        #expect(warm.statistics.cacheHits == 2 && warm.statistics.filesParsed == 0)
        #expect(Self.findings(warm) == Self.findings(cold))

        // Editing the header invalidates exactly the file that includes it.
        try Self.write("/* no longer buggy */\n", to: root + "/include/flags.h")
        let edited = try run()
        #expect(edited.statistics.cacheHits == 1 && edited.statistics.filesParsed == 1)
        #expect(Self.findings(edited).isEmpty)

        // Other flags: every file misses.
        let otherFlags = try run(["-DBUGGY"])
        #expect(otherFlags.statistics.cacheHits == 0)
        #expect(Self.findings(otherFlags) == ["src/plain.c:7:TS201", "src/uses_header.c:8:TS201"])

        // A damaged entry is ignored and rewritten.
        let entries = try FileManager.default.subpathsOfDirectory(atPath: cache).filter { $0.hasSuffix(".unit") }
        #expect(entries.count == 4)
        for entry in entries {
            var data = try Data(contentsOf: URL(fileURLWithPath: cache + "/" + entry))
            data[data.count / 2] ^= 0xFF
            try data.write(to: URL(fileURLWithPath: cache + "/" + entry))
        }
        let repaired = try run(["-DBUGGY"])
        #expect(repaired.statistics.cacheHits == 0)
        #expect(Self.findings(repaired) == Self.findings(otherFlags))
        let again = try run(["-DBUGGY"])
        #expect(again.statistics.cacheHits == 2)
        #expect(FileManager.default.fileExists(atPath: cache + "/CACHEDIR.TAG"))

        // Entries unused for a week go (those of the first flags); used ones stay.
        let fm = FileManager.default
        let units = { try fm.subpathsOfDirectory(atPath: cache).filter { $0.hasSuffix(".unit") } }
        let fortnightAgo = Date().addingTimeInterval(-14 * 24 * 3600)
        for entry in try units() { try fm.setAttributes([.modificationDate: fortnightAgo], ofItemAtPath: cache + "/" + entry) }
        try fm.removeItem(atPath: cache + "/last-prune")
        _ = try run(["-DBUGGY"])
        #expect(try units().count == 2)
        #expect(try run(["-DBUGGY"]).statistics.cacheHits == 2)
    }

    /// Files that start alike share one precompiled Python.h: it is built once and every one of
    /// them is parsed on it. (Touching the header it was built from made clang refuse it from
    /// the second file on, and each refusal rebuilt it.)
    @Test func aPrecompiledPreludeIsBuiltOnceAndSharedByItsFiles() throws {
        let root = try Self.directory()
        for name in ["a", "b", "c", "d"] {
            try Self.write("#define PY_SSIZE_T_CLEAN\n#include <Python.h>\nstatic PyObject *\(name)(PyObject *s, PyObject *o) { Py_RETURN_NONE; }\n",
                           to: root + "/src/\(name).c")
        }
        let cold = try Self.run(root, ["src"]) { $0.jobs = 1 }
        #expect(cold.files.allSatisfy { $0.status == .analyzed })
        #expect(cold.statistics.parsing.preludesBuilt == 1)
        #expect(cold.statistics.parsing.filesOnPreludes == 4)

        // Fewer than three files: a precompiled prelude costs more than it saves, with a cache too.
        let cache = root + "/cache"
        func cached(_ paths: [String]) throws -> RunResult {
            try Self.run(root, paths) {
                $0.jobs = 1
                $0.cacheDirectory = cache
            }
        }
        let pair = try cached(["src/a.c", "src/b.c"])
        #expect(pair.statistics.parsing.preludesBuilt == 0 && pair.statistics.parsing.filesOnPreludes == 0)
        let trio = try cached(["src/a.c", "src/b.c", "src/c.c"])
        #expect(trio.statistics.parsing.preludesBuilt == 1 && trio.statistics.parsing.filesOnPreludes == 3)

        // Kept in the cache, the prelude serves a later run, even of one file, without being built again.
        // clang compares the header's time in seconds with the one it recorded: a later second,
        // so that touching the header would show.
        Thread.sleep(forTimeInterval: 1.1)
        let later = try cached(["src/d.c"])
        #expect(later.statistics.parsing.preludesBuilt == 0 && later.statistics.parsing.filesOnPreludes == 1)
    }

    @Test func anUnchangedRunReportsItsPreviousResult() throws {
        let root = try Self.directory()
        try Self.write(Self.conditional.replacingOccurrences(of: "#ifdef BUGGY\n", with: "").replacingOccurrences(of: "#endif\n", with: ""),
                       to: root + "/src/a.c")
        try Self.write("#include <Python.h>\nstatic PyObject *f(PyObject *s, PyObject *a) { Py_RETURN_NONE; }\n", to: root + "/src/b.c")
        try Self.write("int no_python_here;\n", to: root + "/src/c.c")
        let cache = root + "/cache"
        func run(_ configure: (inout RunOptions) -> Void = { _ in }) throws -> RunResult {
            try Self.run(root, ["src"]) {
                $0.cacheDirectory = cache
                configure(&$0)
            }
        }
        let cold = try run()
        #expect(!cold.statistics.resultReused)
        #expect(Self.findings(cold) == ["src/a.c:6:TS201"])
        let warm = try run()
        #expect(warm.statistics.resultReused)
        #expect(warm.diagnostics == cold.diagnostics && warm.files == cold.files && warm.modules == cold.modules)

        // What decides findings besides the files: the selected rules, the configuration.
        let narrower = try run { $0.ignore = ["TS201"] }
        #expect(!narrower.statistics.resultReused && narrower.diagnostics.isEmpty)
        var configuration = Configuration()
        configuration.severity["TS201"] = .note
        let configured = try run { $0.configuration = configuration }
        #expect(!configured.statistics.resultReused && configured.diagnostics.map(\.severity) == [.note])
        #expect(try run { $0.configuration = configuration }.statistics.resultReused)

        // A suppression comment changes the file: not reused, and honoured.
        let path = root + "/src/a.c"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "    Py_DECREF(arg);", with: "    Py_DECREF(arg);  // tstate-lint: ignore[TS201]")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let suppressed = try run()
        #expect(!suppressed.statistics.resultReused && suppressed.diagnostics.isEmpty && suppressed.suppressed.count == 1)
        // A file that starts using the C-API is no longer skipped.
        try Self.write("#include <Python.h>\nint uses_python;\n", to: root + "/src/c.c")
        let grown = try run()
        #expect(!grown.statistics.resultReused && grown.files.first { $0.path == "src/c.c" }?.status == .analyzed)
        // A damaged stored result is ignored.
        for entry in try FileManager.default.contentsOfDirectory(atPath: cache + "/runs") where entry.hasSuffix(".run") {
            try Data("tstate-lint-run\u{1}garbage-garbage".utf8).write(to: URL(fileURLWithPath: cache + "/runs/" + entry))
        }
        let afterDamage = try run()
        #expect(!afterDamage.statistics.resultReused && afterDamage.diagnostics == grown.diagnostics)
    }

    @Test func anEditReexploresOnlyTheFunctionsWhoseAnswersChanged() throws {
        let root = try Self.directory()
        let helper = "#include <Python.h>\nvoid drop(PyObject *o)\n{\n    Py_DECREF(o);\n}\n"
        try Self.write(helper, to: root + "/src/helper.c")
        try Self.write("""
        #include <Python.h>
        void drop(PyObject *o);
        static PyObject *work(PyObject *self, PyObject *arg) {
            Py_INCREF(arg);
            Py_BEGIN_ALLOW_THREADS
            drop(arg);
            Py_END_ALLOW_THREADS
            Py_RETURN_NONE;
        }
        static PyMethodDef methods[] = {{"work", work, METH_O, NULL}, {NULL, NULL, 0, NULL}};
        """, to: root + "/src/caller.c")
        // Mutually recursive: stored as one component, valid only while what they call answers alike.
        try Self.write("""
        #include <Python.h>
        void drop(PyObject *o);
        static int walk_b(PyObject *o, int n);
        static int walk_a(PyObject *o, int n) { if (n <= 0) { drop(o); return 0; } return walk_b(o, n - 1); }
        static int walk_b(PyObject *o, int n) { return walk_a(o, n - 1); }
        static PyObject *walk(PyObject *self, PyObject *arg) {
            int r;
            Py_BEGIN_ALLOW_THREADS
            r = walk_a(arg, 3);
            Py_END_ALLOW_THREADS
            return PyLong_FromLong(r);
        }
        static PyMethodDef methods[] = {{"walk", walk, METH_O, NULL}, {NULL, NULL, 0, NULL}};
        """, to: root + "/src/recursive.c")
        // `nap` is only called with no thread state: analysed as entered detached, and
        // `background`, which calls it, explored a second time in the same (inferred) context.
        try Self.write("""
        #include <Python.h>
        #include <unistd.h>
        static void nap(void) { usleep(10); }
        static void background(void) {
            Py_BEGIN_ALLOW_THREADS
            nap();
            Py_END_ALLOW_THREADS
        }
        """, to: root + "/src/detached.c")
        let other = "#include <Python.h>\nstatic PyObject *other(PyObject *s, PyObject *a) { Py_RETURN_NONE; }\n"
            + "static PyMethodDef methods[] = {{\"other\", other, METH_O, NULL}, {NULL, NULL, 0, NULL}};\n"
        try Self.write(other, to: root + "/src/other.c")
        let cache = root + "/cache"
        func cached() throws -> RunResult { try Self.run(root, ["src"]) { $0.cacheDirectory = cache } }
        func uncached() throws -> RunResult { try Self.run(root, ["src"]) }

        let cold = try cached()
        #expect(Self.findings(cold) == ["src/caller.c:6:TS203", "src/recursive.c:9:TS203"])
        #expect(cold.statistics.reusedExplorations == 0 && cold.statistics.explorations > 0)

        // An unrelated file edited: only its functions are explored again.
        try Self.write(other + "/* edited */\n", to: root + "/src/other.c")
        let unrelated = try cached()
        #expect(unrelated.diagnostics == cold.diagnostics)
        #expect(unrelated.statistics.explorations > 0 && unrelated.statistics.explorations < cold.statistics.explorations)
        #expect(unrelated.statistics.reusedExplorations == cold.statistics.explorations - unrelated.statistics.explorations)

        // Nothing changed (and no stored whole-run result): nothing is explored.
        try FileManager.default.removeItem(atPath: cache + "/runs")
        let unchanged = try cached()
        #expect(unchanged.diagnostics == cold.diagnostics)
        #expect(unchanged.statistics.explorations == 0 && unchanged.statistics.reusedExplorations == cold.statistics.explorations)

        // The callee no longer needs a thread state: its callers in other files, the recursive
        // pair among them, ask again and get another answer.
        try Self.write(helper.replacingOccurrences(of: "Py_DECREF(o);", with: "(void)o;"), to: root + "/src/helper.c")
        let calleeChanged = try cached()
        #expect(Self.findings(calleeChanged).isEmpty)
        #expect(calleeChanged.diagnostics == (try uncached()).diagnostics)
        // Reused: other.c's and detached.c's, which do not call it.
        #expect(calleeChanged.statistics.reusedExplorations > unrelated.statistics.explorations)
        #expect(calleeChanged.statistics.explorations + calleeChanged.statistics.reusedExplorations == cold.statistics.explorations)

        // And back (without the stored whole-run results, so that explorations are looked up):
        // the stored explorations of the first version are used again, and they are current.
        try Self.write(helper, to: root + "/src/helper.c")
        try FileManager.default.removeItem(atPath: cache + "/runs")
        let restored = try cached()
        #expect(!restored.statistics.resultReused && restored.statistics.reusedExplorations > 0)
        #expect(restored.diagnostics == cold.diagnostics)
        #expect(restored.diagnostics == (try uncached()).diagnostics)

        // A damaged stored exploration is ignored.
        for entry in try FileManager.default.contentsOfDirectory(atPath: cache + "/memo") where entry.hasSuffix(".memo") {
            var data = try Data(contentsOf: URL(fileURLWithPath: cache + "/memo/" + entry))
            data[data.count - 3] ^= 0x5A
            try data.write(to: URL(fileURLWithPath: cache + "/memo/" + entry))
        }
        try FileManager.default.removeItem(atPath: cache + "/runs")
        let damaged = try cached()
        #expect(!damaged.statistics.resultReused && damaged.statistics.reusedExplorations == 0)
        #expect(damaged.diagnostics == cold.diagnostics)
    }

    @Test func aFileThatDoesNotParseIsNeverReportedClean() throws {
        let root = try Self.directory()
        try Self.write("#include <Python.h>\n#include \"psycopg/psycopg.h\"\nstatic PyObject *f(PyObject *s, PyObject *a) { Py_RETURN_NONE; }\n",
                       to: root + "/src/adapter.c")
        try Self.write("#include <Python.h>\nstatic PyObject *g(PyObject *s, PyObject *a) { Py_RETURN_NONE; }\n", to: root + "/src/clean.c")
        try Self.write("Python is mentioned, but this is prose, not C.\n", to: root + "/src/notes.c")
        let result = try Self.run(root, ["src"])
        #expect(Self.findings(result) == ["src/adapter.c:2:TS003", "src/notes.c:1:TS003"])
        #expect(result.diagnostics.allSatisfy { $0.severity == .warning })
        #expect(result.diagnostics[0].message.contains("psycopg/psycopg.h") && result.diagnostics[0].message.contains("-I"))
        #expect(result.diagnostics[1].message.contains("does not look like C"))

        // Every format says so, in its own way.
        let text = TextReport(color: false, workingDirectory: root).summaryLine(result)
        #expect(text.contains("2 of 3 files had parse errors") && text.contains("compile database"), "\(text)")
        let junit = JUnitReport.render(result)
        #expect(junit.contains("errors=\"2\"") && junit.contains("<error message=") && !junit.contains("<failure"))
        #expect(GitHubReport.render(result).contains("::warning file=src/adapter.c,line=2,"))
        let sarif = SarifReport.render(result, catalog: TestSupport.store.catalog, version: "0", workingDirectory: root)
        #expect(sarif.contains("\"executionSuccessful\": false") && sarif.contains("\"ruleId\": \"TS003\""))

        // Ignoring the rule lets the run pass, but the summary and SARIF still tell.
        let ignored = try Self.run(root, ["src"]) { $0.ignore = ["TS003"] }
        #expect(ignored.diagnostics.isEmpty)
        #expect(TextReport(color: false, workingDirectory: root).summaryLine(ignored).contains("had parse errors"))
        #expect(SarifReport.render(ignored, catalog: TestSupport.store.catalog, version: "0", workingDirectory: root)
            .contains("\"executionSuccessful\": false"))
    }

    @Test func aFunctionThatAttachesIsEnteredDetachedAlsoFromStoredExplorations() throws {
        let root = try Self.directory()
        try Self.write("""
        #include <Python.h>
        PyThreadState *saved;
        int quiet;
        int on_event(PyObject *o)
        {
            if (quiet)
                return PyObject_IsTrue(o);
            PyEval_RestoreThread(saved);
            Py_DECREF(o);
            saved = PyEval_SaveThread();
            return 0;
        }
        """, to: root + "/src/callback.c")
        let other = "#include <Python.h>\nstatic PyObject *other(PyObject *s, PyObject *a) { Py_RETURN_NONE; }\n"
            + "static PyMethodDef methods[] = {{\"other\", other, METH_O, NULL}, {NULL, NULL, 0, NULL}};\n"
        try Self.write(other, to: root + "/src/other.c")
        let cache = root + "/cache"
        func cached() throws -> RunResult { try Self.run(root, ["src"]) { $0.cacheDirectory = cache } }

        // `on_event` attaches from its entry state at line 8: the path that does not is entered
        // with none too.
        let cold = try cached()
        #expect(Self.findings(cold) == ["src/callback.c:7:TS201"])

        // Its exploration is stored; the reason it is entered detached must be stored with it.
        try Self.write(other + "/* edited */\n", to: root + "/src/other.c")
        try FileManager.default.removeItem(atPath: cache + "/runs")
        let warm = try cached()
        #expect(warm.statistics.reusedExplorations > 0)
        #expect(warm.diagnostics == cold.diagnostics)
    }

    @Test func aFunctionDefinedInSeveralFilesIsLinkedToTheNearestDefinition() throws {
        let root = try Self.directory()
        let helper = """
        #include <Python.h>
        typedef void *Cookie;
        void section_enter(Cookie *cookie) { *cookie = PyEval_SaveThread(); }
        void section_leave(Cookie *cookie) { PyEval_RestoreThread((PyThreadState *)*cookie); }
        """
        let caller = """
        #include <Python.h>
        typedef void *Cookie;
        void section_enter(Cookie *cookie);
        void section_leave(Cookie *cookie);
        static PyObject *work(PyObject *self, PyObject *arg) {
            Cookie cookie;
            section_enter(&cookie);
            if (arg == NULL)
                return NULL;
            section_leave(&cookie);
            Py_RETURN_NONE;
        }
        static PyMethodDef methods[] = {{"work", work, METH_O, NULL}, {NULL, NULL, 0, NULL}};
        """
        // Module a links the real helpers; module b, another extension, its own no-op stand-ins.
        try Self.write(helper, to: root + "/a/helpers.c")
        try Self.write(caller, to: root + "/a/module.c")
        try Self.write("typedef void *Cookie;\nvoid section_enter(Cookie *c) { (void)c; }\nvoid section_leave(Cookie *c) { (void)c; }\n/* Py */\n",
                       to: root + "/b/stubs.c")
        try Self.write(caller, to: root + "/b/module.c")
        for jobs in [1, 3] {
            let result = try Self.run(root) { $0.jobs = jobs }
            #expect(Self.findings(result) == ["a/module.c:9:TS101"])
            let trace = (result.diagnostics.first?.trace.map { "\($0.location.file) \($0.message)" } ?? []).joined(separator: "\n")
            #expect(trace.contains("a/helpers.c:3") && !trace.contains("stubs.c"), "\(trace)")
        }
    }

    // MARK: Baseline

    @Test func baselineReportsOnlyNewFindings() throws {
        let root = try Self.directory()
        let old = Self.conditional.replacingOccurrences(of: "#ifdef BUGGY\n", with: "").replacingOccurrences(of: "#endif\n", with: "")
        try Self.write(old, to: root + "/ext.c")
        let first = try Self.run(root)
        #expect(Self.findings(first) == ["ext.c:6:TS201"])
        try Baseline.write(first.diagnostics, to: root + "/baseline.json")

        // Lines added above move the old finding; it stays accepted. A new one is reported.
        let edited = "/* a new comment */\n/* and another */\n" + old + """

        static PyObject *
        more_work(PyObject *self, PyObject *arg)
        {
            Py_BEGIN_ALLOW_THREADS
            Py_INCREF(arg);
            Py_END_ALLOW_THREADS
            return arg;
        }
        static PyMethodDef more[] = {{"more_work", more_work, METH_O, NULL}, {NULL, NULL, 0, NULL}};
        """
        try Self.write(edited, to: root + "/ext.c")
        let second = try Self.run(root) { $0.baseline = "baseline.json" }
        let newLine = edited.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("Py_INCREF(arg)") }! + 1
        #expect(Self.findings(second) == ["ext.c:\(newLine):TS201"])
        #expect(second.baselined == 1)
        #expect(TextReport(color: false, workingDirectory: root).summaryLine(second).contains("(1 in the baseline)"))

        try Self.write("not json", to: root + "/bad.json")
        #expect(throws: UsageError.self) { try Self.run(root) { $0.baseline = "bad.json" } }
    }

    // MARK: Worker processes

    static var toolExecutable: String? {
        guard let me = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        var directory = (me as NSString).deletingLastPathComponent
        while directory.hasSuffix(".xctest") || directory.contains(".xctest/") { directory = (directory as NSString).deletingLastPathComponent }
        let candidate = directory + "/tstate-lint"
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }

    @Test func aFileThatCrashesOrHangsTheFrontEndCostsOnlyThatFile() throws {
        let executable = try #require(Self.toolExecutable, "the tstate-lint executable is built next to the tests")
        let root = try Self.directory()
        try Self.write("#include <Python.h>\nstatic PyObject *f(PyObject *s, PyObject *a) {\n#pragma clang __debug crash\n Py_RETURN_NONE; }\n",
                       to: root + "/crash.c")
        try Self.write("#include <Python.h>\n#pragma clang __debug llvm_fatal_error\nint x;\n", to: root + "/fatal.c")
        // Exponential macro expansion: clang would take far longer than the limit.
        try Self.write("""
        #include <Python.h>
        #define A(x) x x x x
        #define B(x) A(A(A(A(x))))
        #define C(x) B(B(B(B(x))))
        int values[] = { C(C(1,)) };
        """, to: root + "/slow.c")
        try Self.write(Self.conditional.replacingOccurrences(of: "#ifdef BUGGY\n", with: "").replacingOccurrences(of: "#endif\n", with: ""),
                       to: root + "/good.c")
        let result = try Self.run(root) {
            $0.isolation = .workerProcesses(executable: executable, timeout: 3, memoryLimit: 4 << 30)
        }
        let status = Dictionary(uniqueKeysWithValues: result.files.map { ($0.path, $0) })
        #expect(status["good.c"]?.status == .analyzed)
        #expect(status["crash.c"]?.status == .failed)
        #expect(status["fatal.c"]?.status == .failed)
        #expect(status["slow.c"]?.status == .failed)
        #expect(status["slow.c"]?.message?.contains("time limit") == true, "\(status["slow.c"]?.message ?? "")")
        #expect(Self.findings(result) == ["crash.c:1:TS003", "fatal.c:1:TS003", "good.c:6:TS201", "slow.c:1:TS003"])
        #expect(!result.nothingAnalysable)

        let alone = try Self.run(root, ["crash.c"]) {
            $0.isolation = .workerProcesses(executable: executable, timeout: 3, memoryLimit: 4 << 30)
        }
        #expect(alone.nothingAnalysable)
    }

    @Test func workersAndInProcessParsingAgree() throws {
        let executable = try #require(Self.toolExecutable)
        let fixtures = TestSupport.fixturesDirectory
        let inProcess = try Runner(store: TestSupport.store).run(RunOptions(paths: [fixtures], select: ["ALL"], jobs: 2,
                                                                           workingDirectory: TestSupport.repositoryRoot))
        var options = RunOptions(paths: [fixtures], select: ["ALL"], jobs: 2, workingDirectory: TestSupport.repositoryRoot)
        options.isolation = .workerProcesses(executable: executable, timeout: 120, memoryLimit: 4 << 30)
        options.precompiledPreludes = false
        let workers = try Runner(store: TestSupport.store).run(options)
        #expect(workers.diagnostics == inProcess.diagnostics)
        #expect(workers.files == inProcess.files)
    }
}
