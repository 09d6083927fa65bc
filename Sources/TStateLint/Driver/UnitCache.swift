import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Parsed translation units on disk, so a re-run parses only what changed. An entry is named
/// by what was parsed (file, flags, project roots, working directory, tool build) and holds
/// the content hash of the file and of every header it included: any of them changing is a
/// miss. Entries are written to a temporary file and renamed, so concurrent runs never see
/// half an entry; one that fails its checksum or does not decode is ignored and rewritten.
public final class UnitCache: @unchecked Sendable {
    public let directory: String
    private let salt: UInt64
    private var contentHashes: [String: UInt64?] = [:]
    private let lock = NSLock()
    public private(set) var hits = 0
    public private(set) var misses = 0
    /// Per entry, the checksum of the unit it held or was given this run: what the run's
    /// result depends on (see RunCache).
    private var checksums: [String: UInt64] = [:]
    /// Entries read and verified by `probe`, kept for the `lookup` that follows.
    private var probed: [String: (checksum: UInt64, payload: Data)] = [:]

    static let magic = Data("tstate-lint-unit\u{1}".utf8)

    public init(directory: String, frontendOptions: FrontendOptions) throws {
        self.directory = directory
        var hasher = ContentHasher()
        hasher.add(TStateLintVersion.current)
        hasher.add(String(IRSchema.version))
        hasher.add(UnitCache.buildIdentity)
        hasher.add(frontendOptions.noReturnFunctions.sorted().joined(separator: ","))
        hasher.add(frontendOptions.modelledMacros.sorted().joined(separator: ","))
        hasher.add(frontendOptions.objectStructs.sorted().joined(separator: ","))
        hasher.add("\(frontendOptions.maxNestingDepth)/\(frontendOptions.maxEventsPerFunction)")
        salt = hasher.value
        try CacheDirectory.prepare(directory)
    }

    /// Changes with every build of the tool, so a rebuilt analyser never reads an old layout.
    static let buildIdentity: String = {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
              let attributes = try? FileManager.default.attributesOfItem(atPath: executable) else { return "unknown" }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(size)@\(modified)"
    }()

    private func entryPath(_ job: ParseJob) -> String {
        var hasher = ContentHasher(seed: salt)
        hasher.add(job.path)
        hasher.add(job.workingDirectory)
        job.arguments.forEach { hasher.add($0) }
        hasher.add("--roots")
        job.projectRoots.forEach { hasher.add($0) }
        hasher.add(job.includeSearch.map { "infer:" + $0.roots.joined(separator: ":") } ?? "no-inference")
        let name = String(format: "%016llx", hasher.value)
        return directory + "/" + String(name.prefix(2)) + "/" + name + ".unit"
    }

    /// The hash of a file's content now, computed once per run.
    func contentHash(_ path: String) -> UInt64? {
        lock.lock()
        if let known = contentHashes[path] { lock.unlock(); return known }
        lock.unlock()
        let hash = RegularFile.contents(atPath: path).map { ContentHasher.hash($0) }
        lock.lock()
        contentHashes[path] = hash
        lock.unlock()
        return hash
    }

    public func lookup(_ job: ParseJob) -> TranslationUnit? {
        let path = entryPath(job)
        lock.lock()
        let kept = probed.removeValue(forKey: path)
        lock.unlock()
        guard let (checksum, payload) = kept ?? RegularFile.contents(atPath: path).flatMap({ UnitCache.verified($0, at: path) }),
              let entry = try? UnitCoding.decoder().decode(CacheEntry.self, from: payload),
              entry.dependencies.allSatisfy({ contentHash($0.path) == $0.hash }) else {
            count(hit: false)
            return nil
        }
        record(checksum, for: path)
        count(hit: true)
        // Used: kept by `pruneStaleEntries`.
        utimes(path, nil)
        return entry.unit
    }

    static let staleAfter: TimeInterval = 7 * 24 * 3600

    /// Removes entries, precompiled preludes, stored explorations and run results unused for a week (those of
    /// earlier builds of the tool, of files since deleted), at most once a day.
    public func pruneStaleEntries(now: Date = Date()) {
        CacheDirectory.pruneStaleEntries(directory, staleAfter: Self.staleAfter, now: now)
    }

    /// Whether the job's entry is valid, without decoding its unit: the unit's checksum.
    func probe(_ job: ParseJob) -> UInt64? {
        let path = entryPath(job)
        guard let data = RegularFile.contents(atPath: path),
              let (checksum, payload) = UnitCache.verified(data, at: path),
              let header = try? UnitCoding.decoder().decode(CacheEntryHeader.self, from: payload),
              header.dependencies.allSatisfy({ contentHash($0.path) == $0.hash }) else { return nil }
        lock.lock()
        probed[path] = (checksum, payload)
        lock.unlock()
        record(checksum, for: path)
        utimes(path, nil)
        return checksum
    }

    /// The checksum of the unit this run used for the job, if it came from or went to the cache.
    func checksum(of job: ParseJob) -> UInt64? {
        lock.lock()
        defer { lock.unlock() }
        return checksums[entryPath(job)]
    }

    private func record(_ checksum: UInt64, for path: String) {
        lock.lock()
        checksums[path] = checksum
        lock.unlock()
    }

    public func store(_ job: ParseJob, unit: TranslationUnit) {
        guard unit.status == .analyzed || unit.status == .parseErrors, let mainFileHash = contentHash(job.path) else { return }
        var dependencies = [CacheEntry.Dependency(path: job.path, hash: mainFileHash)]
        for header in unit.dependencies {
            guard let hash = contentHash(header) else { return }
            dependencies.append(.init(path: header, hash: hash))
        }
        guard let payload = try? UnitCoding.encoder().encode(CacheEntry(dependencies: dependencies, unit: unit)) else { return }
        let path = entryPath(job)
        try? FileManager.default.createDirectory(atPath: PathDisplay.directory(of: path), withIntermediateDirectories: true)
        if let checksum = UnitCache.write(payload, magic: UnitCache.magic, to: path) { record(checksum, for: path) }
    }

    /// Writes magic, checksum and payload to a temporary file renamed into place (readers never
    /// see half a file); the checksum, or nil when nothing was written. The checksum is keyed
    /// by the user's cache key and the entry's name (see CacheSecret).
    @discardableResult
    static func write(_ payload: Data, magic: Data, to path: String) -> UInt64? {
        var data = magic
        let checksum = ContentHasher.hash(payload, seed: CacheSecret.seed(forEntryNamed: PathDisplay.lastComponent(of: path)))
        var stored = checksum.littleEndian
        data.append(Data(bytes: &stored, count: 8))
        data.append(payload)
        let temporary = path + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else { return nil }
        if rename(temporary, path) != 0 {
            unlink(temporary)
            return nil
        }
        return checksum
    }

    /// The checksum and payload of the entry read from `path`, when its checksum holds for that name.
    static func verified(_ data: Data, magic: Data = UnitCache.magic, at path: String) -> (checksum: UInt64, payload: Data)? {
        let headerLength = magic.count + 8
        guard data.count > headerLength, data.prefix(magic.count) == magic else { return nil }
        let stored = data.subdata(in: magic.count..<headerLength).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        let payload = data.subdata(in: headerLength..<data.count)
        guard ContentHasher.hash(payload, seed: CacheSecret.seed(forEntryNamed: PathDisplay.lastComponent(of: path))) == stored else { return nil }
        return (stored, payload)
    }

    private func count(hit: Bool) {
        lock.lock()
        if hit { hits += 1 } else { misses += 1 }
        lock.unlock()
    }
}

struct CacheEntry: Codable {
    struct Dependency: Codable {
        var path: String
        var hash: UInt64
    }
    var dependencies: [Dependency]
    var unit: TranslationUnit
}

/// The dependencies of an entry, read without its unit (the binary form steps over it).
struct CacheEntryHeader: Codable {
    var dependencies: [CacheEntry.Dependency]
}

/// Bump when the IR's layout or meaning changes.
enum IRSchema {
    static let version = 8
}

/// A fast 64-bit hash of bytes (multiply-xorshift over 8-byte words), for cache keys and
/// content checks, not for security.
struct ContentHasher {
    private(set) var value: UInt64

    init(seed: UInt64 = 0x9E37_79B9_7F4A_7C15) {
        value = seed
    }

    mutating func add(_ string: String) {
        var data = Data(string.utf8)
        data.append(0)
        value = ContentHasher.hash(data, seed: value)
    }

    static func hash(_ data: Data, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> UInt64 {
        data.withUnsafeBytes { buffer -> UInt64 in
            var state = seed ^ (UInt64(buffer.count) &* 0xFF51_AFD7_ED55_8CCD)
            let words = buffer.count / 8
            for index in 0..<words {
                let word = buffer.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)
                state = mix(state ^ word)
            }
            var tail: UInt64 = 0
            for index in (words * 8)..<buffer.count {
                tail = (tail << 8) | UInt64(buffer[index])
            }
            return mix(mix(state ^ tail) ^ 0xC4CE_B9FE_1A85_EC53)
        }
    }

    private static func mix(_ input: UInt64) -> UInt64 {
        var x = input &* 0x9FB2_1C65_1E98_DF25
        x ^= x >> 29
        x = x &* 0xBF58_476D_1CE4_E5B9
        x ^= x >> 32
        return x
    }
}
