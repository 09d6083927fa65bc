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
}
