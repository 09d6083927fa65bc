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
        #expect(configuration.effects.count == 4)
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
}
