import Foundation
import Testing
@testable import TStateLint

/// The binary form used by the unit cache and the worker protocol.
@Suite struct BinaryCodingTests {
    enum Shape: Codable, Equatable {
        case point
        case circle(radius: Double)
        case labelled(String, Int?)
        indirect case group([Shape])
    }

    struct Sample: Codable, Equatable {
        var name: String
        var count: Int
        var small: Int8
        var wide: UInt64
        var negative: Int64
        var flag: Bool
        var ratio: Float
        var missing: String?
        var present: Int?
        var shapes: [Shape]
        var table: [String: [Int]]
        var numbered: [Int: String]
        var nested: [[String?]]
        var set: Set<String>
    }

    static let sample = Sample(
        name: "ünïcödé — \u{0}", count: -1, small: -128, wide: .max, negative: .min, flag: true, ratio: 0.25,
        missing: nil, present: 0,
        shapes: [.point, .circle(radius: -2.5), .labelled("", nil), .labelled("x", 7), .group([.point, .group([])])],
        table: ["a": [1, 2, 3], "": []], numbered: [3: "three", -4: "minus four"], nested: [[nil, "a"], [], ["name"]],
        set: ["name", "count"])

    static func json<Value: Encodable>(_ value: Value) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test func valuesSurviveARoundTrip() throws {
        let data = try BinaryEncoder().encode(Self.sample)
        #expect(try BinaryDecoder().decode(Sample.self, from: data) == Self.sample)
        // Repeated strings and keys are stored once.
        let twice = try BinaryEncoder().encode([Self.sample, Self.sample])
        #expect(twice.count < data.count * 2 - 40)
    }

    @Test func fieldsReadOutOfOrderOrAddedLaterAreFound() throws {
        struct Old: Codable { var b: Int; var a: String }
        struct New: Codable, Equatable { var a: String; var b: Int; var c: Int? }
        let decoded = try BinaryDecoder().decode(New.self, from: try BinaryEncoder().encode(Old(b: 5, a: "x")))
        #expect(decoded == New(a: "x", b: 5, c: nil))
        #expect(throws: DecodingError.self) {
            try BinaryDecoder().decode(Sample.self, from: try BinaryEncoder().encode(Old(b: 5, a: "x")))
        }
    }

    @Test func translationUnitsSurviveARoundTrip() throws {
        let path = TestSupport.fixturesDirectory + "/programs/clean_guard_helpers/guard.c"
        let unit = try TestSupport.lower(String(contentsOfFile: path, encoding: .utf8))
        #expect(!unit.functions.isEmpty)
        let decoded = try BinaryDecoder().decode(TranslationUnit.self, from: try BinaryEncoder().encode(unit))
        #expect(try Self.json(decoded) == Self.json(unit))
    }

    /// A worker codes its functions in runs while it lowers the later ones; the reply gives
    /// them back whole and in order, however many runs there are.
    @Test func workerRepliesCarryEveryFunctionInOrder() throws {
        let path = TestSupport.fixturesDirectory + "/programs/clean_guard_helpers/guard.c"
        let lowered = try TestSupport.lower(String(contentsOfFile: path, encoding: .utf8))
        let template = try #require(lowered.functions.first)
        for count in [0, 1, FunctionChunks.functionsPerChunk, 2 * FunctionChunks.functionsPerChunk + 3] {
            var unit = lowered
            unit.functions = (0..<count).map { index in
                var function = template
                function.name = "f\(index)"
                function.usr = "c:@F@f\(index)"
                return function
            }
            let chunks = FunctionChunks()
            unit.functions.forEach(chunks.add)
            var header = unit
            header.functions = []
            let payload = try BinaryEncoder().encode(ParseReply(unit: header, functionChunks: try #require(chunks.finish())))
            let decoded = try BinaryDecoder().decode(ParseReply.self, from: payload).decoded()
            #expect(decoded.functions == unit.functions)
            #expect(try Self.json(decoded) == Self.json(unit))
        }
    }

    /// Functions and stored explorations are read field by field (records): damage, however
    /// placed, is an error or another value, never a crash or a runaway allocation.
    @Test func damagedRecordsAreRejectedNotCrashedOn() throws {
        let path = TestSupport.fixturesDirectory + "/programs/clean_guard_helpers/guard.c"
        let unit = try TestSupport.lower(String(contentsOfFile: path, encoding: .utf8))
        let diagnostic = Diagnostic(rule: "TS101", message: "m", location: unit.functions[0].location, function: "f",
                                    trace: [TraceStep(location: unit.functions[0].location, message: "here")])
        let entry = MemoEntry(queries: [.summary(usr: "c:@F@f", digest: 7), .summary(usr: "c:@F@g", digest: nil),
                                        .indirectTargets(IndirectPointer(signature: "int (void)", field: "cb"), targets: ["c:@F@h"]),
                                        .enteredDetached(usr: "c:@F@k", answer: true)],
                              summary: Data([1, 2, 3]), summaryDigest: 42, callSiteAttachments: ["c:@F@g": [.attached, .detached]],
                              diagnostics: [diagnostic], component: "a\nb")
        let memo = [UInt8](UnitCoding.encoder().encodeRecord { $0.memoEntries(["key": entry]) })
        let decodedMemo = try UnitCoding.decoder().decodeRecord(from: Data(memo)) { try $0.memoEntries() }["key"]
        #expect(decodedMemo?.queries == entry.queries && decodedMemo?.diagnostics == entry.diagnostics
                && decodedMemo?.summary == entry.summary && decodedMemo?.component == entry.component)
        let coded = [UInt8](try UnitCoding.encoder().encode(unit))
        var generator = SystemRandomNumberGenerator()
        for payload in [coded, memo] {
            for length in stride(from: 0, to: payload.count, by: max(1, payload.count / 300)) {
                _ = try? UnitCoding.decoder().decode(TranslationUnit.self, from: Data(payload.prefix(length)))
                _ = try? UnitCoding.decoder().decodeRecord(from: Data(payload.prefix(length))) { try $0.memoEntries() }
            }
            for _ in 0..<1000 {
                var damaged = payload
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    damaged[Int.random(in: 0..<damaged.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
                _ = try? UnitCoding.decoder().decode(TranslationUnit.self, from: Data(damaged))
                _ = try? UnitCoding.decoder().decodeRecord(from: Data(damaged)) { try $0.memoEntries() }
            }
        }
    }

    /// A stored exploration compares its callees' summaries by the digest of their coded form:
    /// equal summaries must code to equal bytes, whatever order their dictionaries were filled in.
    @Test func equalSummariesCodeToEqualBytes() throws {
        func exit(_ order: [Int]) -> SummaryExit {
            var stores: [SummaryPlace: SummaryValue] = [:]
            var conditions: [Int: SummaryValue] = [:]
            for index in order {
                stores[.field(.parameter(index % 3), "f\(index)")] = .integer(Int64(index))
                stores[.global(usr: "c:@g\(index)", name: "g")] = .createdThreadState
                conditions[index] = .nonZero
            }
            return SummaryExit(entry: .attached, returned: nil, attachment: .unchanged, stores: stores, outstandingEnsures: 0,
                               releasedTokens: [], locksHeld: [], locksReleased: [], parameterConditions: conditions, effectTrace: [])
        }
        let forward = exit(Array(0..<40)), backward = exit(Array((0..<40).reversed()))
        #expect(forward == backward)
        let a = try UnitCoding.encoder().encode(forward), b = try UnitCoding.encoder().encode(backward)
        #expect(a == b)
        #expect(try UnitCoding.decoder().decode(SummaryExit.self, from: a) == forward)
    }

    @Test func damagedPayloadsAreRejectedNotCrashedOn() throws {
        let data = [UInt8](try BinaryEncoder().encode(Self.sample))
        var generator = SystemRandomNumberGenerator()
        var rejected = 0
        for length in stride(from: 0, to: data.count, by: 3) {
            if (try? BinaryDecoder().decode(Sample.self, from: Data(data.prefix(length)))) == nil { rejected += 1 }
        }
        #expect(rejected == (data.count + 2) / 3)
        for _ in 0..<2000 {
            var damaged = data
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                damaged[Int.random(in: 0..<damaged.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            _ = try? BinaryDecoder().decode(Sample.self, from: Data(damaged))
        }
        #expect(throws: DecodingError.self) { try BinaryDecoder().decode(Sample.self, from: Data("TSB9".utf8)) }
    }
}
