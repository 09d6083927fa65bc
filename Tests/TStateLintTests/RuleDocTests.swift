import Foundation
import Testing
@testable import TStateLint

/// The examples in each rule's doc under Rules/checks/ are run: a wrong example must report
/// exactly its annotated diagnostics, a right example nothing.
@Suite struct RuleDocTests {
    struct Example: CustomTestStringConvertible, Sendable {
        var rule: String
        var kind: String
        var index: Int
        var code: String
        var testDescription: String { "\(rule) \(kind) #\(index + 1)" }
    }

    static let examples: [Example] = TestSupport.store.catalog.rules.flatMap { rule in
        (rule.bad ?? []).enumerated().map { Example(rule: rule.id, kind: "bad", index: $0.offset, code: $0.element.code) }
            + (rule.good ?? []).enumerated().map { Example(rule: rule.id, kind: "good", index: $0.offset, code: $0.element.code) }
    }

    @Test(arguments: examples)
    func example(_ example: Example) throws {
        let path = try TestSupport.write(example.code, name: "\(example.rule)-\(example.kind)-\(example.index).c")
        let result = try TestSupport.run([path], select: ["ALL"])
        let expected = TestSupport.expectations(in: path)
        let file = result.files.first?.path ?? path
        // A file that does not parse is itself the finding of TS003.
        let status: FileStatus = expected.contains { $0.rule == "TS003" } ? .parseErrors : .analyzed
        #expect(result.files.map(\.status) == [status], "\(result.files)")
        #expect(TestSupport.reported(result, in: file) == expected)
        if example.kind == "bad" {
            #expect(expected.contains { $0.rule == example.rule }, "a wrong example must show its own rule")
        } else {
            #expect(expected.isEmpty)
        }
    }

    @Test func everyRuleIsDocumented() {
        for rule in TestSupport.store.catalog.rules {
            #expect(!(rule.bad ?? []).isEmpty, "\(rule.id) has no wrong example")
            #expect(!(rule.good ?? []).isEmpty, "\(rule.id) has no right example")
            #expect(!rule.explanation.isEmpty)
            #expect(rule.id.hasPrefix("TS") && rule.id.count == 5)
        }
        let ids = TestSupport.store.catalog.rules.map(\.id)
        #expect(Set(ids).count == ids.count, "duplicate rule ids")
    }

    @Test func everyCheckFamilyRuleIsDocumented() {
        let documented = Set(TestSupport.store.catalog.rules.map(\.id))
        for family in Checks.families {
            for rule in family.rules { #expect(documented.contains(rule), "\(rule) is checked but not documented in Rules/checks") }
        }
    }
}
