import Foundation
import Testing
@testable import TStateLint

@Suite struct ConfigurationTests {
    func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tstate-lint-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    @Test func readsEveryKey() throws {
        let root = try directory()
        try write("""
        [project]
        name = "ext"

        [tool.tstate-lint]
        select = ["TS1", "TS201"]
        ignore = ["TS104"]
        exclude = ["vendor/*"]
        extend-exclude = ["generated_*.c"]
        include-dirs = ["include"]
        defines = ["WITH_THREAD", "LEVEL=2"]
        python-include = "/opt/python/include/python3.13"
        jobs = 3
        foreign-thread-registrars = ["uv_queue_work"]
        cache-dir = ".cache"
        timeout = 30

        [tool.tstate-lint.per-file-ignores]
        "tests/*" = ["TS201"]

        [tool.tstate-lint.severity]
        TS101 = "warning"

        [tool.tstate-lint.effects]
        MY_RELEASE = "detach"
        my_restore = { effect = "attach", arg = 1 }
        """, to: root.appendingPathComponent("pyproject.toml"))
        let configuration = try Configuration.discover(for: [root.appendingPathComponent("src/ext.c").path], workingDirectory: "/")
        #expect(configuration.path == root.appendingPathComponent("pyproject.toml").path)
        #expect(configuration.select == ["TS1", "TS201"])
        #expect(configuration.ignore == ["TS104"])
        #expect(configuration.exclude == ["vendor/*"])
        #expect(configuration.extendExclude == ["generated_*.c"])
        #expect(configuration.includeDirs == [root.appendingPathComponent("include").path])
        #expect(configuration.defines == ["WITH_THREAD", "LEVEL=2"])
        #expect(configuration.pythonInclude == "/opt/python/include/python3.13")
        #expect(configuration.jobs == 3)
        #expect(configuration.timeout == 30)
        #expect(configuration.foreignThreadRegistrars == ["uv_queue_work"])
        #expect(configuration.perFileIgnores.map(\.pattern) == ["tests/*"])
        #expect(configuration.severity == ["TS101": .warning])
        #expect(Set(configuration.effects) == [DeclaredEffect(name: "MY_RELEASE", effect: .detach, argument: nil),
                                                DeclaredEffect(name: "my_restore", effect: .attach, argument: 1)])
        try configuration.validate(against: TestSupport.store.catalog)
        let model = configuration.apply(to: TestSupport.store.model)
        #expect(model.entry("MY_RELEASE")?.effect == .detach)
        #expect(model.macrosWithEffectByName.contains("MY_RELEASE"))
    }

    @Test func dedicatedFileWinsAndIsFoundAbove() throws {
        let root = try directory()
        try write("ignore = [\"TS5\"]\n", to: root.appendingPathComponent(".tstate-lint.toml"))
        try write("[tool.tstate-lint]\nignore = [\"TS1\"]\n", to: root.appendingPathComponent("pyproject.toml"))
        let configuration = try Configuration.discover(for: [root.appendingPathComponent("a/b/c.c").path], workingDirectory: "/")
        #expect(configuration.ignore == ["TS5"])
    }

    @Test func pyprojectWithoutOurTableIsNoConfiguration() throws {
        let root = try directory()
        try write("[tool.ruff]\nline-length = 100\n", to: root.appendingPathComponent("pyproject.toml"))
        let configuration = try Configuration.discover(for: [root.path], workingDirectory: "/")
        #expect(configuration.path == nil)
    }

    @Test(arguments: [
        ("[tool.tstate-lint]\nselct = [\"TS1\"]\n", "`selct` in [tool.tstate-lint]: unknown key"),
        ("[tool.tstate-lint]\njobs = 0\n", "`jobs` in [tool.tstate-lint]: expected a positive integer"),
        ("[tool.tstate-lint]\nselect = \"TS1\"\n", "`select` in [tool.tstate-lint]: expected a list"),
        ("[tool.tstate-lint]\nseverity = { TS101 = \"fatal\" }\n", "`severity` in [tool.tstate-lint]: `TS101` must be"),
        ("[tool.tstate-lint.effects]\nmy_lock = \"grab\"\n", "`effects` in [tool.tstate-lint]: `my_lock` must be one of"),
        ("[tool.tstate-lint\n", "invalid TOML"),
    ])
    func badConfigurationsAreErrors(_ text: String, _ message: String) throws {
        let root = try directory()
        let path = root.appendingPathComponent("pyproject.toml")
        try write(text, to: path)
        do {
            _ = try Configuration.load(path.path)
            Issue.record("expected an error containing \(message)")
        } catch let error as ConfigurationError {
            #expect(error.description.contains(message), "\(error.description)")
            #expect(error.description.hasPrefix(path.path))
        }
    }

    /// The example in the README is a configuration the tool accepts.
    @Test func readmeExampleIsValid() throws {
        let readme = try String(contentsOfFile: TestSupport.repositoryRoot + "/README.md", encoding: .utf8)
        let start = try #require(readme.range(of: "```toml\n[tool.tstate-lint]"))
        let end = try #require(readme.range(of: "```", range: start.upperBound..<readme.endIndex))
        let root = try directory()
        try write(String(readme[readme.index(start.lowerBound, offsetBy: 8)..<end.lowerBound]), to: root.appendingPathComponent("pyproject.toml"))
        let configuration = try Configuration.load(root.appendingPathComponent("pyproject.toml").path)
        try configuration.validate(against: TestSupport.store.catalog)
        #expect(configuration.effects.count == 6)
        #expect(configuration.effects.contains(DeclaredEffect(name: "lib_set_handler", effect: .storesCallback, argument: 0)))
        #expect(configuration.hostEntryPoints == ["Foo_Init": .unknown])
        #expect(configuration.severity["TS302"] == .error)
    }

    @Test func unknownRuleIdsAreErrors() throws {
        var configuration = Configuration()
        configuration.ignore = ["TS999"]
        #expect(throws: ConfigurationError.self) { try configuration.validate(against: TestSupport.store.catalog) }
    }

    /// The configuration changes what is reported: declared wrappers, registrars, per-file
    /// ignores, severity.
    @Test func configurationDrivesTheAnalysis() throws {
        let root = try directory()
        try write("""
        #include <Python.h>
        extern void gil_drop(void);
        extern void gil_take(void);
        extern void run_later(void (*callback)(void *), void *data);
        static PyObject *callback;

        static void
        on_event(void *data)
        {
            PyObject *r = PyObject_CallNoArgs(callback); /* expect: TS204 */
            Py_XDECREF(r);
        }

        static PyObject *
        wait_event(PyObject *self, PyObject *arg)
        {
            run_later(on_event, NULL);
            gil_drop();
            Py_DECREF(arg); /* expect: TS201 */
            gil_take();
            Py_RETURN_NONE;
        }

        static PyMethodDef methods[] = {{"wait_event", wait_event, METH_O, NULL}, {NULL, NULL, 0, NULL}};
        """, to: root.appendingPathComponent("src/ext.c"))
        try write("""
        [tool.tstate-lint]
        foreign-thread-registrars = ["run_later"]
        [tool.tstate-lint.effects]
        gil_drop = "detach"
        gil_take = "attach"
        [tool.tstate-lint.severity]
        TS204 = "warning"
        """, to: root.appendingPathComponent("pyproject.toml"))
        var options = RunOptions(paths: [root.appendingPathComponent("src").path], jobs: 1, workingDirectory: root.path)
        options.configuration = try Configuration.discover(for: options.paths, workingDirectory: root.path)
        let result = try Runner(store: TestSupport.store).run(options)
        #expect(result.diagnostics.map { "\($0.rule)@\($0.location.line):\($0.severity)" } == ["TS204@10:warning", "TS201@19:error"])

        try write("[tool.tstate-lint]\nforeign-thread-registrars = [\"run_later\"]\n[tool.tstate-lint.per-file-ignores]\n\"src/*.c\" = [\"TS2\"]\n",
                  to: root.appendingPathComponent("pyproject.toml"))
        options.configuration = try Configuration.discover(for: options.paths, workingDirectory: root.path)
        let ignored = try Runner(store: TestSupport.store).run(options)
        #expect(ignored.diagnostics.isEmpty, "\(ignored.diagnostics.map(\.rule))")
    }

    /// A registrar the project declares as keeping its callbacks on argument 0: a callback
    /// registered on an object runs during a later call on it made detached; undeclared, the
    /// callback is taken to be used during the registering call only (made attached here).
    @Test func declaredCallbackRegistrarTiesCallbacksToTheObject() throws {
        let root = try directory()
        try write("""
        #include <Python.h>
        typedef struct lib_conn lib_conn;
        extern void lib_set_handler(lib_conn *c, void (*fn)(void *), void *arg);
        extern int lib_exec(lib_conn *c);
        typedef struct { PyObject_HEAD lib_conn *conn; PyObject *log; } Conn;

        static void
        on_message(void *arg)
        {
            PyObject *r = PyObject_CallNoArgs(((Conn *)arg)->log);
            Py_XDECREF(r);
        }

        static PyObject *
        conn_listen(PyObject *self, PyObject *unused)
        {
            lib_set_handler(((Conn *)self)->conn, on_message, self);
            Py_RETURN_NONE;
        }

        static PyObject *
        conn_exec(PyObject *self, PyObject *unused)
        {
            int rc;
            Py_BEGIN_ALLOW_THREADS
            rc = lib_exec(((Conn *)self)->conn);
            Py_END_ALLOW_THREADS
            return PyLong_FromLong(rc);
        }

        static PyMethodDef methods[] = {{"listen", conn_listen, METH_NOARGS, NULL}, {"exec", conn_exec, METH_NOARGS, NULL},
                                        {NULL, NULL, 0, NULL}};
        """, to: root.appendingPathComponent("src/ext.c"))
        var options = RunOptions(paths: [root.appendingPathComponent("src").path], jobs: 1, workingDirectory: root.path)
        let undeclared = try Runner(store: TestSupport.store).run(options)
        #expect(undeclared.diagnostics.isEmpty, "\(undeclared.diagnostics.map(\.rule))")

        try write("[tool.tstate-lint.effects]\nlib_set_handler = { effect = \"stores-callback\", arg = 0 }\n",
                  to: root.appendingPathComponent("pyproject.toml"))
        options.configuration = try Configuration.discover(for: options.paths, workingDirectory: root.path)
        let declared = try Runner(store: TestSupport.store).run(options)
        #expect(declared.diagnostics.map { "\($0.rule)@\($0.location.line)" } == ["TS201@10"])
        #expect(declared.diagnostics.first?.trace.first?.message.contains("`lib_exec()`") == true)
    }

    /// A declared host entry point is held to leaving the thread state as it found it.
    @Test func declaredHostEntryPointMustExitAsEntered() throws {
        let root = try directory()
        try write("""
        #include <Python.h>
        static PyThreadState *saved;

        void
        plugin_idle(void)
        {
            saved = PyEval_SaveThread();
        }
        """, to: root.appendingPathComponent("src/hook.c"))
        var options = RunOptions(paths: [root.appendingPathComponent("src").path], jobs: 1, workingDirectory: root.path)
        #expect(try Runner(store: TestSupport.store).run(options).diagnostics.map(\.rule) == [])

        try write("[tool.tstate-lint.host-entry-points]\nplugin_idle = \"attached\"\n", to: root.appendingPathComponent("pyproject.toml"))
        options.configuration = try Configuration.discover(for: options.paths, workingDirectory: root.path)
        let declared = try Runner(store: TestSupport.store).run(options)
        #expect(declared.diagnostics.map { "\($0.rule)@\($0.location.line)" } == ["TS101@8"])

        try write("[tool.tstate-lint.host-entry-points]\nplugin_idle = \"sometimes\"\n", to: root.appendingPathComponent("pyproject.toml"))
        #expect(throws: ConfigurationError.self) { try Configuration.discover(for: options.paths, workingDirectory: root.path) }
    }
}
