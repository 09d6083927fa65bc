import Foundation
import Testing
@testable import TStateLint

/// What ruff and clang-tidy users expect of the details: NOLINTBEGIN/NOLINTEND, opt-in rules
/// and extend-select, colours, rule help without test markers, counts by rule, plurals.
@Suite struct CommandLineDetailsTests {
    /// A double release is reported (TS103) on the second `Py_BEGIN_ALLOW_THREADS`.
    static func doubleRelease(_ name: String, before: String = "", on: String = "", after: String = "") -> String {
        """
        static void \(name)(void) {
        \(before)
            Py_BEGIN_ALLOW_THREADS
            Py_BEGIN_ALLOW_THREADS \(on)
            Py_END_ALLOW_THREADS
            Py_END_ALLOW_THREADS
        \(after)
        }

        """
    }

    @Test func noLintRegionsAreReadAsClangTidyReadsThem() throws {
        let code = Self.doubleRelease("inside", before: "    // NOLINTBEGIN(TS103)", after: "    // NOLINTEND(TS103)")
            + Self.doubleRelease("bare", before: "    /* NOLINTBEGIN */", after: "    /* NOLINTEND */")
            + Self.doubleRelease("other_tool", on: "// NOLINTBEGIN(bugprone-foo)")
            + Self.doubleRelease("other_rule", before: "    // NOLINTBEGIN(TS101)", after: "    // NOLINTEND(TS101)")
            + Self.doubleRelease("unmatched", before: "    // NOLINTBEGIN(TS103)")
        let path = try TestSupport.write(code)
        var options = RunOptions(paths: [path], jobs: 1, workingDirectory: TestSupport.repositoryRoot)
        options.alwaysSelect = ["TS002"]
        let result = try Runner(store: TestSupport.store).run(options)
        #expect(Set(result.suppressed.map(\.function)) == ["inside", "bare"])
        #expect(result.diagnostics.filter { $0.rule == "TS103" }.map(\.function).sorted() == ["other_rule", "other_tool", "unmatched"])
        let stale = result.diagnostics.filter { $0.rule == "TS002" }.map(\.message)
        #expect(stale.contains { $0.contains("`NOLINTBEGIN(TS103)` suppresses nothing: it has no matching `NOLINTEND(TS103)`") }, "\(stale)")
        #expect(stale.contains { $0.contains("`NOLINTBEGIN(TS101)` suppresses nothing: no finding in the lines it covers") }, "\(stale)")
        #expect(!stale.contains { $0.contains("bugprone") })
    }

    @Test func aPrefixNeverTurnsOnAnOptInRule() throws {
        let catalog = TestSupport.store.catalog
        let optIn = catalog.rules.filter(\.isOptIn).map(\.id)
        try #require(optIn.contains("TS205"))
        #expect(!catalog.ids(selectedBy: "TS2").contains("TS205") && catalog.ids(selectedBy: "TS2").contains("TS201"))
        #expect(catalog.ids(selectedBy: "TS205") == ["TS205"] && catalog.ids(selectedBy: "ALL").contains("TS205"))

        let byPrefix = try TestSupport.run(["Fixtures/TS205"], select: ["TS2"])
        #expect(!byPrefix.diagnostics.contains { $0.rule == "TS205" })
        var options = RunOptions(paths: ["Fixtures/TS205"], jobs: 1, workingDirectory: TestSupport.repositoryRoot)
        options.extendSelect = ["TS205"]
        let extended = try Runner(store: TestSupport.store).run(options)
        #expect(extended.diagnostics.contains { $0.rule == "TS205" })
        options.extendSelect = []
        options.configuration.extendSelect = ["TS205"]
        options.ignore = ["TS205"]
        let ignored = try Runner(store: TestSupport.store).run(options)
        #expect(!ignored.diagnostics.contains { $0.rule == "TS205" }, "ignore still wins over extend-select")
    }

    @Test func extendSelectIsAConfigurationKey() throws {
        let directory = try DriverTests.directory()
        try DriverTests.write("[tool.tstate-lint]\nextend-select = [\"TS205\"]\n", to: directory + "/pyproject.toml")
        let configuration = try Configuration.discover(for: ["."], workingDirectory: directory)
        #expect(configuration.extendSelect == ["TS205"])
        try DriverTests.write("[tool.tstate-lint]\nextend-select = [\"TS999\"]\n", to: directory + "/pyproject.toml")
        let bad = try Configuration.discover(for: ["."], workingDirectory: directory)
        #expect(throws: ConfigurationError.self) { try bad.validate(against: TestSupport.store.catalog) }
    }

    @Test func coloursFollowTheFlagAndTheEnvironment() {
        #expect(ColorChoice.auto.colors(toTerminal: true, environment: [:]))
        #expect(!ColorChoice.auto.colors(toTerminal: false, environment: [:]))
        #expect(!ColorChoice.auto.colors(toTerminal: true, environment: ["NO_COLOR": "1"]))
        #expect(!ColorChoice.auto.colors(toTerminal: true, environment: ["TERM": "dumb"]))
        #expect(ColorChoice.auto.colors(toTerminal: false, environment: ["FORCE_COLOR": "1"]))
        #expect(!ColorChoice.auto.colors(toTerminal: false, environment: ["FORCE_COLOR": "0"]))
        #expect(!ColorChoice.auto.colors(toTerminal: false, environment: ["FORCE_COLOR": "1", "NO_COLOR": "1"]))
        #expect(ColorChoice.always.colors(toTerminal: false, environment: ["NO_COLOR": "1"]))
        #expect(!ColorChoice.never.colors(toTerminal: true, environment: ["FORCE_COLOR": "1"]))
    }

    /// The examples are checked by the test suite with `/* expect: TS101 */` markers; users,
    /// `tstate-lint rule` and SARIF's rule help never see them.
    @Test func ruleHelpShowsNoTestMarkers() {
        let catalog = TestSupport.store.catalog
        for rule in catalog.rules {
            let text = RuleDocRenderer.render(rule)
            #expect(!text.contains("expect:"), "\(rule.id)")
            #expect(!SarifReport.helpText(rule).contains("expect:") && !SarifReport.helpMarkdown(rule).contains("expect:"), "\(rule.id)")
            if rule.isOptIn { #expect(text.contains("--extend-select \(rule.id)")) }
        }
        let example = RuleExample(code: "    Py_RETURN_NONE;  /* expect: TS201 */\n    return x; // expect: TS101\n", description: nil)
        #expect(example.shownCode == "    Py_RETURN_NONE;\n    return x;\n")
    }

    @Test func statisticsCountFindingsByRule() throws {
        let result = try TestSupport.run(["Fixtures/TS201", "Fixtures/TS103"])
        let table = RuleCounts.render(result, catalog: TestSupport.store.catalog)
        let rows = table.split(separator: "\n").map(String.init)
        let counts = Dictionary(grouping: result.diagnostics, by: \.rule).mapValues(\.count)
        #expect(rows.count == counts.count)
        for row in rows {
            let words = row.split(separator: " ").map(String.init)
            #expect(counts[words[1]] == Int(words[0]), "\(row)")
            #expect(words[2] == TestSupport.store.catalog.rule(words[1])?.name)
        }
        let sorted = rows.map { Int($0.split(separator: " ")[0])! }
        #expect(sorted == sorted.sorted(by: >), "most first")
    }

    @Test func theSummaryLineCountsInTheSingular() throws {
        let path = try TestSupport.write("static int one(void) { return 1; }\n")
        let result = try TestSupport.run([path])
        let line = TextReport(color: false, workingDirectory: TestSupport.repositoryRoot).summaryLine(result)
        #expect(line.contains("checked 1 file (1 function)"), "\(line)")
    }

    // MARK: Path notes

    @Test func stepsAtOnePlaceSayEachThingOnce() {
        let here = SourceLocation(file: "a.c", line: 5, column: 3, offset: 0)
        let there = SourceLocation(file: "a.c", line: 9, column: 3, offset: 0)
        var trace: Trace?
        for message in ["taking the false branch", "taking the false branch", "assuming `x` is NULL", "taking the false branch"] {
            trace = trace.appending(here, message)
        }
        trace = trace.appending(there, "looping back to the head of the loop")
        trace = trace.appending(here, "taking the false branch")
        #expect(trace.steps().map(\.message) == ["taking the false branch", "assuming `x` is NULL", "looping back to the head of the loop", "taking the false branch"])
    }

    /// A loop around a released region that touches an object on its second turn: the path
    /// says it looped back; a macro's own variable (`_py_tmp` of Py_CLEAR) is never named; the
    /// text report does not end with a note that repeats the error.
    @Test func pathNotesReadAsTheStaticAnalyzersDo() throws {
        let code = """
        static PyObject *retry(PyObject *self, PyObject *arg) {
            PyObject *held = NULL;
            for (int i = 0; i < 3; i++) {
                Py_BEGIN_ALLOW_THREADS
                Py_CLEAR(held);
                Py_END_ALLOW_THREADS
                held = arg;
            }
            Py_RETURN_NONE;
        }
        static PyMethodDef methods[] = {{"retry", retry, METH_O, NULL}, {NULL, NULL, 0, NULL}};
        """
        let path = try TestSupport.write(code)
        let result = try TestSupport.run([path])
        let finding = try #require(result.diagnostics.first { $0.rule == "TS201" }, "\(result.diagnostics.map(\.message))")
        let notes = finding.trace.map(\.message)
        #expect(notes.contains("looping back to the head of the loop"), "\(notes)")
        #expect(!notes.contains { $0.contains("_py_tmp") }, "\(notes)")
        let text = TextReport(color: false, workingDirectory: TestSupport.repositoryRoot).render(result)
        let block = text.components(separatedBy: "\n").drop { !$0.contains("[TS201]") }.prefix { !$0.hasPrefix("Found") }
        let last = finding.trace.last!
        if last.location.line == finding.location.line && last.location.column == finding.location.column {
            #expect(!block.contains { $0.contains("note: " + last.message) }, "\(block)")
        }
    }

    /// clang counts columns in bytes; the caret and SARIF (columnKind unicodeCodePoints) count characters.
    @Test func columnsCountCharactersNotBytes() throws {
        let code = """
        static PyObject *f(PyObject *self, PyObject *args) {
            Py_BEGIN_ALLOW_THREADS
            /* é€ */ Py_DECREF(args);
            Py_END_ALLOW_THREADS
            Py_RETURN_NONE;
        }
        static PyMethodDef methods[] = {{"f", f, METH_O, NULL}, {NULL, NULL, 0, NULL}};
        """
        let path = try TestSupport.write(code)
        let result = try TestSupport.run([path])
        let finding = try #require(result.diagnostics.first { $0.rule == "TS201" })
        #expect(finding.location.column == 17, "clang's byte column: 4 blanks and `/* é€ */ ` are 16 bytes")
        let text = TextReport(color: false, workingDirectory: TestSupport.repositoryRoot).render(result)
        let lines = text.components(separatedBy: "\n")
        let source = try #require(lines.firstIndex { $0.contains("Py_DECREF(args)") && $0.contains("|") })
        let caret = lines[source + 1]
        let sourceColumn = lines[source].distance(from: lines[source].startIndex, to: lines[source].range(of: "Py_DECREF")!.lowerBound)
        let caretColumn = caret.distance(from: caret.startIndex, to: caret.firstIndex(of: "^")!)
        #expect(sourceColumn == caretColumn, "\(lines[source])\n\(caret)")
        let sarif = try JSONSerialization.jsonObject(with: Data(SarifReport.render(result, catalog: TestSupport.store.catalog, version: "1", workingDirectory: TestSupport.repositoryRoot).utf8)) as! [String: Any]
        let run = (sarif["runs"] as! [[String: Any]])[0]
        #expect(run["columnKind"] as? String == "unicodeCodePoints")
        let sarifResult = (run["results"] as! [[String: Any]]).first { $0["ruleId"] as? String == "TS201" }!
        let region = (((sarifResult["locations"] as! [[String: Any]])[0]["physicalLocation"] as! [String: Any])["region"] as! [String: Any])
        #expect(region["startColumn"] as? Int == 14, "4 blanks and `/* é€ */ ` are 13 characters")
    }

    // MARK: The other commands, as `check` runs

    /// `cfg` takes the flags `check` would: here `-DBUGGY` from the compile database puts the
    /// Py_DECREF in the graph.
    @Test func cfgUsesTheCompileDatabaseAndTheConfiguration() throws {
        let root = try DriverTests.directory()
        try DriverTests.write(DriverTests.conditional, to: root + "/mod.c")
        let database = #"[{"directory": "\#(root)", "file": "\#(root)/mod.c", "arguments": ["cc", "-DBUGGY", "-c", "mod.c"]}]"#
        try DriverTests.write(database, to: root + "/build/compile_commands.json")
        let withDatabase = try RobustnessTests.runTool(["cfg", "mod.c", "-p", "build"], in: root)
        #expect(withDatabase.stdout.contains("Py_DECREF"), "\(withDatabase.stdout)")
        let without = try RobustnessTests.runTool(["cfg", "mod.c", "--isolated", "-p", root + "/no-such-dir"], in: root)
        #expect(without.status == 2 || !without.stdout.contains("Py_DECREF"))
        try FileManager.default.removeItem(atPath: root + "/build")
        try DriverTests.write("[tool.tstate-lint]\ndefines = [\"BUGGY\"]\n", to: root + "/pyproject.toml")
        let configured = try RobustnessTests.runTool(["cfg", "mod.c"], in: root)
        #expect(configured.stdout.contains("Py_DECREF"), "\(configured.stdout) \(configured.stderr)")
        let isolated = try RobustnessTests.runTool(["cfg", "mod.c", "--isolated"], in: root)
        #expect(!isolated.stdout.contains("Py_DECREF"), "\(isolated.stdout)")
    }

    @Test func rulesAndSummariesSpeakJSON() throws {
        let rules = try RobustnessTests.runTool(["rules", "--format", "json", "--rules-dir", TestSupport.repositoryRoot + "/Rules"], in: TestSupport.repositoryRoot)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(rules.stdout.utf8)) as? [[String: Any]])
        #expect(list.count == TestSupport.store.catalog.rules.count)
        #expect(list.contains { $0["id"] as? String == "TS205" && $0["opt_in"] as? Bool == true })
        let summaries = try RobustnessTests.runTool(["summaries", "Fixtures/TS101", "--format", "json", "--no-cache", "-q",
                                                     "--rules-dir", TestSupport.repositoryRoot + "/Rules"], in: TestSupport.repositoryRoot)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(summaries.stdout.utf8)) as? [String: Any], "\(summaries.stderr)")
        let functions = try #require(document["summaries"] as? [[String: Any]])
        #expect(!functions.isEmpty && functions.allSatisfy { $0["name"] is String })
    }

    @Test func checkHelpShowsTheClangArguments() throws {
        let help = try RobustnessTests.runTool(["check", "--help"], in: TestSupport.repositoryRoot)
        #expect(help.stdout.contains("[-- <clang arguments> ...]"))
        #expect(help.stdout.contains("--extend-select") && help.stdout.contains("--color") && help.stdout.contains("--no-infer-includes"))
    }
}
