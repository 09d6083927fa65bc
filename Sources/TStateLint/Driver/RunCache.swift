import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The result of a whole run, kept next to the unit cache: a run over a tree that has not
/// changed (every unit still valid in the unit cache, the same rules, configuration and
/// options) reports it again without decoding a unit or analysing a function.
///
/// The key covers everything the result depends on: the tool build, the Rules directory, the
/// configuration and the options that change findings, and per file the checksum of the unit
/// it was parsed to (which itself covers the file, its flags and every header it included).
struct RunCache {
    let directory: String
    static let kept = 8
    static let magic = Data("tstate-lint-run\u{1}".utf8)

    init(cacheDirectory: String) {
        directory = cacheDirectory + "/runs"
    }

    struct Stored: Codable {
        var diagnostics: [Diagnostic]
        var suppressed: [Diagnostic]
        var files: [FileReport]
        var functionsAnalysed: Int
        var summaries: [FunctionSummary]
        var modules: [ModuleReadiness]
        var baselined: Int
        var inferred: [InferredFlagUse]
    }

    /// The key of a run, or nil when some file's unit is not in the unit cache.
    static func key(jobs: [ParseJob], unitCache: UnitCache, settings: String, skipped: (ParseJob) -> String?) -> UInt64? {
        var hasher = ContentHasher()
        hasher.add(TStateLintVersion.current)
        hasher.add(String(IRSchema.version))
        hasher.add(UnitCache.buildIdentity)
        hasher.add(settings)
        for job in jobs {
            hasher.add(job.path)
            if let reason = skipped(job) {
                hasher.add("skipped:" + reason)
                // Never read what is not a regular file (a FIFO would block).
                let hash = RegularFile.isRegular(job.path) ? unitCache.contentHash(job.path) : nil
                hasher.add(hash.map { String($0) } ?? "unreadable")
            } else if let checksum = unitCache.checksum(of: job) {
                hasher.add(String(checksum))
            } else {
                return nil
            }
        }
        return hasher.value
    }

    private func path(_ key: UInt64) -> String {
        directory + "/" + String(format: "%016llx", key) + ".run"
    }

    func load(_ key: UInt64) -> Stored? {
        guard let data = RegularFile.contents(atPath: path(key)),
              let (_, payload) = UnitCache.verified(data, magic: Self.magic, at: path(key)) else { return nil }
        // Touched, so the most recently used results are the ones kept.
        utimes(path(key), nil)
        return try? UnitCoding.decoder().decode(Stored.self, from: payload)
    }

    func save(_ result: Stored, key: UInt64) {
        guard let payload = try? UnitCoding.encoder().encode(result) else { return }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        UnitCache.write(payload, magic: Self.magic, to: path(key))
        prune()
    }

    /// Keeps the most recently used results.
    private func prune() {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else { return }
        let runs = names.filter { $0.hasSuffix(".run") }.map { directory + "/" + $0 }
        guard runs.count > Self.kept else { return }
        func modified(_ path: String) -> Date {
            ((try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
        }
        for stale in runs.sorted(by: { modified($0) > modified($1) }).dropFirst(Self.kept) {
            try? fm.removeItem(atPath: stale)
        }
    }
}

extension Configuration {
    /// Everything in the configuration that can change findings, in a stable order.
    var digest: String {
        var parts: [String] = []
        parts.append("select=" + (select?.joined(separator: ",") ?? "-"))
        parts.append("ignore=" + ignore.joined(separator: ","))
        parts.append("per-file-ignores=" + perFileIgnores.map { $0.pattern + ":" + $0.rules.joined(separator: ",") }.joined(separator: ";"))
        parts.append("effects=" + effects.map { "\($0.name):\($0.effect):\($0.argument.map(String.init) ?? "-")" }.joined(separator: ";"))
        parts.append("registrars=" + foreignThreadRegistrars.joined(separator: ","))
        parts.append("hosts=" + hostEntryPoints.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ","))
        parts.append("severity=" + severity.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ","))
        return parts.joined(separator: "\n")
    }
}
