import Foundation
import Testing
@testable import TStateLint

@Suite struct ReportTests {
    @Test func readmeRuleTableMatchesRules() throws {
        let readme = try String(contentsOfFile: TestSupport.repositoryRoot + "/README.md", encoding: .utf8)
        guard let start = readme.range(of: "<!-- rules-table"), let end = readme.range(of: "<!-- end rules-table -->") else {
            Issue.record("README has no rules table markers"); return
        }
        let table = readme[start.upperBound..<end.lowerBound]
        let rows = table.split(separator: "\n").filter { $0.hasPrefix("| TS") }.map(String.init)
        let expected = TestSupport.store.catalog.rules.map { "| \($0.id) | \($0.name) | \($0.severity.rawValue) | \($0.summary) |" }
        #expect(rows == expected)
    }

    @Test func jsonFollowsTheContractAndIsIdenticalForAnyJobCount() throws {
        let one = try TestSupport.run(["Fixtures"], jobs: 1)
        let four = try TestSupport.run(["Fixtures"], jobs: 4)
        let first = JSONReport.render(one, version: "test")
        #expect(first == JSONReport.render(four, version: "test"))
        let object = try JSONSerialization.jsonObject(with: Data(first.utf8)) as! [String: Any]
        #expect(Set(object.keys) == ["tool", "diagnostics", "files", "modules", "inferred", "notes", "summary"])
        #expect(object["inferred"] is [Any] && object["notes"] is [String])
        for file in object["files"] as! [[String: Any]] {
            #expect(Set(file.keys) == ["path", "status", "message", "inferred"])
        }
        let diagnostics = object["diagnostics"] as! [[String: Any]]
        #expect(!diagnostics.isEmpty)
        let keys: Set<String> = ["rule", "name", "severity", "message", "file", "line", "column", "end_line", "end_column", "function", "trace", "fingerprint"]
        for diagnostic in diagnostics {
            #expect(Set(diagnostic.keys) == keys)
            #expect(["error", "warning", "note"].contains(diagnostic["severity"] as! String))
            #expect((diagnostic["line"] as! Int) >= 1 && (diagnostic["column"] as! Int) >= 1)
            #expect((diagnostic["end_column"] as! Int) > (diagnostic["column"] as! Int))
            for step in diagnostic["trace"] as! [[String: Any]] {
                #expect(Set(step.keys) == ["file", "line", "column", "message"])
            }
        }
        let ordered = one.diagnostics.sorted(by: Diagnostic.ordered)
        #expect(ordered.map(\.fingerprint) == one.diagnostics.map(\.fingerprint), "sorted by file, line, column, rule")
        #expect(Set(one.diagnostics.map(\.fingerprint)).count == one.diagnostics.count, "fingerprints are unique")
    }

    @Test func fingerprintsSurviveEditsElsewhere() throws {
        let code = """
        static void f(void) {
            Py_BEGIN_ALLOW_THREADS
            Py_BEGIN_ALLOW_THREADS
            Py_END_ALLOW_THREADS
            Py_END_ALLOW_THREADS
        }
        """
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tstate-lint-fingerprint-\(UUID().uuidString)")
        let before = try TestSupport.run([try TestSupport.write(code, name: "same.c", directory: directory)])
        let after = try TestSupport.run([try TestSupport.write("/* a new comment */\nstatic int unrelated;\n" + code, name: "same.c", directory: directory)])
        #expect(before.diagnostics.count == 1 && after.diagnostics.count == 1)
        #expect(before.diagnostics.first?.fingerprint == after.diagnostics.first?.fingerprint)
        #expect(before.diagnostics.first?.location.line != after.diagnostics.first?.location.line)
    }

    @Test func inlineSuppressions() throws {
        let code = """
        static void f(void) {
            Py_BEGIN_ALLOW_THREADS
            Py_BEGIN_ALLOW_THREADS // tstate-lint: ignore[TS103]
            Py_END_ALLOW_THREADS
            Py_END_ALLOW_THREADS
        }
        static void g(void) {
            Py_BEGIN_ALLOW_THREADS
            // NOLINTNEXTLINE(TS103)
            Py_BEGIN_ALLOW_THREADS
            Py_END_ALLOW_THREADS
            Py_END_ALLOW_THREADS
        }
        static void h(void) {
            Py_BEGIN_ALLOW_THREADS
            Py_BEGIN_ALLOW_THREADS // NOLINT(TS101)
            Py_END_ALLOW_THREADS
            Py_END_ALLOW_THREADS
        }
        """
        let result = try TestSupport.run([try TestSupport.write(code)])
        #expect(result.suppressed.count == 2)
        #expect(result.diagnostics.map(\.function) == ["h"], "a suppression for another rule does not apply")
    }

    @Test func textReportLooksLikeClang() throws {
        let code = """
        static void f(void) {
            Py_BEGIN_ALLOW_THREADS
            Py_BEGIN_ALLOW_THREADS
            Py_END_ALLOW_THREADS
            Py_END_ALLOW_THREADS
        }
        """
        let path = try TestSupport.write(code)
        let result = try TestSupport.run([path])
        let text = TextReport(color: false, workingDirectory: TestSupport.repositoryRoot).render(result)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0].hasSuffix(": error: `Py_BEGIN_ALLOW_THREADS` releases the thread state, but none is attached on this path [TS103]"))
        #expect(lines[0].contains(":5:5:"))
        #expect(lines[1] == "    5 |     Py_BEGIN_ALLOW_THREADS")
        #expect(lines[2] == "      |     ^~~~~~~~~~~~~~~~~~~~~~")
        #expect(lines[3].contains(":4:5: note: `Py_BEGIN_ALLOW_THREADS` releases the thread state here"))
        #expect(lines.last!.hasPrefix("Found 1 error in 1 file; checked 1 file"))
        #expect(!text.contains("\u{1b}["), "no colour unless asked")
    }

    @Test func unknownRuleSelectionIsAUsageError() {
        #expect(throws: UsageError.self) { try TestSupport.run(["Fixtures/TS101"], select: ["TS999"]) }
        #expect(throws: UsageError.self) { try TestSupport.run(["/no/such/path"]) }
    }

    @Test func selectLimitsTheRules() throws {
        let result = try TestSupport.run(["Fixtures/TS201"], select: ["TS2"])
        #expect(!result.diagnostics.isEmpty)
        #expect(result.diagnostics.allSatisfy { $0.rule.hasPrefix("TS2") })
    }
}
