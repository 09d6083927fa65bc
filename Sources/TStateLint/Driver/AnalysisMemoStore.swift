import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Stored explorations of functions (see `MemoEntry`), one file per translation unit in the
/// cache directory, named by the unit's checksum and everything else an exploration depends
/// on: the tool build, the Rules, the configuration, the working directory.
struct AnalysisMemoStore {
    let directory: String
    private let settings: UInt64
    static let magic = Data("tstate-lint-memo\u{3}".utf8)

    init(cacheDirectory: String, settings: String) {
        directory = cacheDirectory + "/memo"
        var hasher = ContentHasher()
        hasher.add(TStateLintVersion.current)
        hasher.add(String(IRSchema.version))
        hasher.add(UnitCache.buildIdentity)
        hasher.add(settings)
        self.settings = hasher.value
    }

    /// The key of each function: its unit, its place there, and how its calls were linked
    /// (nil when its unit has no checksum: not memoised).
    static func functionKeys(_ program: Program, unitChecksums: [UInt64?]) -> [String?] {
        program.functions.indices.map { index in
            let origin = program.origins[index]
            guard let checksum = unitChecksums[origin.unit] else { return nil }
            var key = String(checksum, radix: 16) + ":\(origin.index):" + program.functions[index].usr
            if let linkage = program.linkage[index] { key += ":" + linkage }
            return key
        }
    }

    private func path(_ unitChecksum: UInt64) -> String {
        var hasher = ContentHasher(seed: settings)
        hasher.add(String(unitChecksum))
        return directory + "/" + String(format: "%016llx", hasher.value) + ".memo"
    }

    /// Every stored exploration of these units (a damaged file is ignored).
    func load(_ unitChecksums: [UInt64]) -> [String: MemoEntry] {
        let loaded = ResultSlots<[String: MemoEntry]>(count: unitChecksums.count)
        DispatchQueue.concurrentPerform(iterations: unitChecksums.count) { position in
            let path = self.path(unitChecksums[position])
            guard let data = RegularFile.contents(atPath: path),
                  let (_, payload) = UnitCache.verified(data, magic: Self.magic, at: path),
                  let entries = try? UnitCoding.decoder().decodeRecord(from: payload, { try $0.memoEntries() }) else { return }
            utimes(path, nil)
            loaded[position] = entries
        }
        var entries: [String: MemoEntry] = [:]
        for case let unitEntries? in loaded.values {
            entries.merge(unitEntries) { first, _ in first }
        }
        return entries
    }

    /// Writes the explorations of each unit where one is new.
    func save(_ analysis: ProgramAnalysis, program: Program, unitChecksums: [UInt64?]) {
        var byUnit: [Int: [String: MemoEntry]] = [:]
        var changedUnits = Set<Int>()
        for index in program.functions.indices {
            let unit = program.origins[index].unit
            byUnit[unit, default: [:]].merge(analysis.memo[index]) { first, _ in first }
            if analysis.memoChanged[index] { changedUnits.insert(unit) }
        }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let units = changedUnits.sorted()
        DispatchQueue.concurrentPerform(iterations: units.count) { position in
            let unit = units[position]
            guard let checksum = unitChecksums[unit], let entries = byUnit[unit] else { return }
            let payload = UnitCoding.encoder().encodeRecord { $0.memoEntries(entries) }
            UnitCache.write(payload, magic: Self.magic, to: self.path(checksum))
        }
    }
}

// Stored explorations are read at every run over a cached tree: written field by field.
extension RecordWriter {
    mutating func memoEntries(_ entries: [String: MemoEntry]) {
        list(entries.sorted { $0.key < $1.key }) { record, item in
            record.string(item.key)
            record.memoEntry(item.value)
        }
    }

    mutating func memoEntry(_ entry: MemoEntry) {
        list(entry.queries) { record, query in
            switch query {
            case .summary(let usr, let digest):
                record.int(0)
                record.string(usr)
                record.bool(digest != nil)
                if let digest { record.uint64(digest) }
            case .indirectTargets(let pointer, let targets):
                record.int(1)
                record.string(pointer.signature)
                record.optionalString(pointer.field)
                record.list(targets) { $0.string($1) }
            case .enteredDetached(let usr, let answer):
                record.int(2)
                record.string(usr)
                record.bool(answer)
            }
        }
        bool(entry.summary != nil)
        if let summary = entry.summary { data(summary) }
        bool(entry.summaryDigest != nil)
        if let digest = entry.summaryDigest { uint64(digest) }
        list(entry.callSiteAttachments.sorted { $0.key < $1.key }) { record, item in
            record.string(item.key)
            record.list(item.value) { record, attachment in
                switch attachment {
                case .attached: record.int(0)
                case .detached: record.int(1)
                case .unknown: record.int(2)
                }
            }
        }
        bool(entry.diagnostics != nil)
        if let diagnostics = entry.diagnostics { list(diagnostics) { $0.diagnostic($1) } }
        optionalString(entry.component)
        optionalString(entry.boundReached)
        bool(entry.enteredDetachedWitness != nil)
        if let witness = entry.enteredDetachedWitness {
            location(witness.location)
            string(witness.message)
        }
    }

    mutating func diagnostic(_ diagnostic: Diagnostic) {
        string(diagnostic.rule)
        string(diagnostic.name)
        string(diagnostic.severity.rawValue)
        string(diagnostic.message)
        location(diagnostic.location)
        int(diagnostic.endLine)
        int(diagnostic.endColumn)
        string(diagnostic.function)
        list(diagnostic.trace) { record, step in
            record.location(step.location)
            record.string(step.message)
        }
        string(diagnostic.fingerprint)
    }
}

extension RecordReader {
    mutating func memoEntries() throws -> [String: MemoEntry] {
        var entries: [String: MemoEntry] = [:]
        for (key, entry) in try list({ record in (try record.string(), try record.memoEntry()) }) { entries[key] = entry }
        return entries
    }

    mutating func memoEntry() throws -> MemoEntry {
        let queries = try list { record -> MemoQuery in
            switch try record.tag(below: 3, "memo query") {
            case 0: return .summary(usr: try record.string(), digest: try record.bool() ? try record.uint64() : nil)
            case 1:
                let pointer = IndirectPointer(signature: try record.string(), field: try record.optionalString())
                return .indirectTargets(pointer, targets: try record.list { try $0.string() })
            default: return .enteredDetached(usr: try record.string(), answer: try record.bool())
            }
        }
        let summary = try bool() ? try data() : nil
        let digest = try bool() ? try uint64() : nil
        var attachments: [String: [CallSiteAttachment]] = [:]
        for (usr, seen) in try list({ record in
            (try record.string(), try record.list { record -> CallSiteAttachment in
                switch try record.tag(below: 3, "call-site attachment") {
                case 0: return .attached
                case 1: return .detached
                default: return .unknown
                }
            })
        }) { attachments[usr] = seen }
        let diagnostics = try bool() ? try list { try $0.diagnostic() } : nil
        let component = try optionalString(), boundReached = try optionalString()
        let witness = try bool() ? TraceStep(location: try location(), message: try string()) : nil
        return MemoEntry(queries: queries, summary: summary, summaryDigest: digest, callSiteAttachments: attachments,
                         diagnostics: diagnostics, component: component, boundReached: boundReached, enteredDetachedWitness: witness)
    }

    mutating func diagnostic() throws -> Diagnostic {
        let rule = try string(), name = try string()
        let severity = try raw(Severity.self)
        let message = try string()
        var diagnostic = Diagnostic(rule: rule, name: name, severity: severity, message: message, location: try location(), function: "", trace: [])
        diagnostic.endLine = try int()
        diagnostic.endColumn = try int()
        diagnostic.function = try string()
        diagnostic.trace = try list { record in
            let location = try record.location()
            return TraceStep(location: location, message: try record.string())
        }
        diagnostic.fingerprint = try string()
        return diagnostic
    }
}
