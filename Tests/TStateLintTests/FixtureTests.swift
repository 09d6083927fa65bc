import Foundation
import Testing
@testable import TStateLint

/// Every file under Fixtures/<RULE>/ is analysed on its own: `bad_*.c` must report exactly
/// the diagnostics annotated with `/* expect: TSxxx */` on their lines, `clean_*.c` nothing.
@Suite struct FixtureTests {
    static let singleFileFixtures: [String] = {
        let fm = FileManager.default
        guard let enumerator = fm.enumerator(atPath: TestSupport.fixturesDirectory) else { return [] }
        return enumerator.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".c") && !$0.hasPrefix("programs/") }
            .sorted()
    }()

    @Test("fixture", arguments: singleFileFixtures)
    func fixture(_ relative: String) throws {
        let path = "Fixtures/" + relative
        let result = try TestSupport.run([path], select: ["ALL"])
        let expected = TestSupport.expectations(in: TestSupport.repositoryRoot + "/" + path)
        let reported = TestSupport.reported(result, in: path)
        // Fixtures parse cleanly, except those about files that do not (TS003).
        let status: FileStatus = expected.contains { $0.rule == "TS003" } ? .parseErrors : .analyzed
        #expect(result.files.map(\.status) == [status], "fixtures must parse cleanly: \(result.files)")
        #expect(reported.subtracting(expected).isEmpty, "unexpected: \(reported.subtracting(expected).sorted { $0.line < $1.line })")
        #expect(expected.subtracting(reported).isEmpty, "missing: \(expected.subtracting(reported).sorted { $0.line < $1.line })")
        let name = (relative as NSString).lastPathComponent
        if name.hasPrefix("clean_") { #expect(expected.isEmpty, "a clean fixture has no expectations") }
        if name.hasPrefix("bad_") { #expect(!expected.isEmpty, "a bad fixture needs at least one `expect:`") }
    }

    static let programFixtures: [String] = {
        let directory = TestSupport.fixturesDirectory + "/programs"
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }()

    /// Each directory under Fixtures/programs/ is analysed as one program (its files linked):
    /// the diagnostics across its files are exactly those annotated.
    @Test("program", arguments: programFixtures)
    func program(_ name: String) throws {
        let directory = "Fixtures/programs/" + name
        let result = try TestSupport.run([directory], select: ["ALL"])
        let files = try FileManager.default.contentsOfDirectory(atPath: TestSupport.repositoryRoot + "/" + directory).sorted()
        var expected = Set<String>()
        for file in files where file.hasSuffix(".c") || file.hasSuffix(".h") {
            for expectation in TestSupport.expectations(in: TestSupport.repositoryRoot + "/" + directory + "/" + file) {
                expected.insert("\(directory)/\(file):\(expectation)")
            }
        }
        let reported = Set(result.diagnostics.map { "\($0.location.file):\($0.rule)@\($0.location.line)" })
        #expect(result.files.allSatisfy { $0.status == .analyzed }, "\(result.files)")
        #expect(reported.subtracting(expected).isEmpty, "unexpected: \(reported.subtracting(expected).sorted())")
        #expect(expected.subtracting(reported).isEmpty, "missing: \(expected.subtracting(reported).sorted())")
        if name.hasPrefix("clean_") { #expect(expected.isEmpty) }
        if name.hasPrefix("bad_") { #expect(!expected.isEmpty) }
    }

    @Test func fixturesExist() {
        #expect(Self.singleFileFixtures.count > 20)
    }

    /// Each implemented rule has fixtures that fire and fixtures that must stay silent.
    @Test(arguments: TestSupport.store.catalog.rules.map(\.id))
    func everyRuleHasBadAndCleanFixtures(_ rule: String) throws {
        let directory = TestSupport.fixturesDirectory + "/" + rule
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        #expect(files.contains { $0.hasPrefix("bad_") }, "no Fixtures/\(rule)/bad_*.c")
        let firing = Self.singleFileFixtures.contains { fixture in
            TestSupport.expectations(in: TestSupport.fixturesDirectory + "/" + fixture).contains { $0.rule == rule }
        }
        #expect(firing, "no fixture expects \(rule)")
        #expect(files.contains { $0.hasPrefix("clean_") }, "no Fixtures/\(rule)/clean_*.c")
    }
}
