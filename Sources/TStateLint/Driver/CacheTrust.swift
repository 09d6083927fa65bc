import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A key kept outside every analysed tree, in the user's own cache directory (mode 0600). It
/// seeds the checksum of every cache entry together with the entry's name, so an entry
/// committed into a tree, copied over another entry's name, or written by another user does
/// not verify and is rebuilt: what a cache returns was written by this user's tstate-lint for
/// exactly that entry.
public enum CacheSecret {
    public struct Key: Sendable {
        public var seed: UInt64
        /// Where the key is kept; nil when it could not be, and the key lives for this process only.
        public var location: String?
    }

    public static let key: Key = load()

    /// The checksum seed of the entry stored under this file name.
    static func seed(forEntryNamed name: String) -> UInt64 {
        var hasher = ContentHasher(seed: key.seed)
        hasher.add(name)
        return hasher.value
    }

    static func keyDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let base = environment["XDG_CACHE_HOME"], base.hasPrefix("/") { return base + "/tstate-lint" }
        if let home = environment["HOME"], home.hasPrefix("/") { return home + "/.cache/tstate-lint" }
        return nil
    }

    private static func load() -> Key {
        guard let directory = keyDirectory() else { return Key(seed: random(), location: nil) }
        let path = directory + "/key"
        if let seed = read(path) { return Key(seed: seed, location: path) }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        let fresh = random()
        let temporary = path + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW, 0o600)
        if descriptor >= 0 {
            let written = Descriptor.writeAll(Data(String(format: "%016llx\n", fresh).utf8), to: descriptor)
            close(descriptor)
            // link() fails when another process made the key first: its key is the one kept.
            if written { _ = link(temporary, path) }
            unlink(temporary)
        }
        if let seed = read(path) { return Key(seed: seed, location: path) }
        return Key(seed: fresh, location: nil)
    }

    /// The key in a regular file of this user's that nobody else can write.
    private static func read(_ path: String) -> UInt64? {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid(),
              info.st_mode & 0o022 == 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBufferPointer { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        guard count >= 16 else { return nil }
        return UInt64(String(decoding: buffer[0..<16], as: UTF8.self), radix: 16)
    }

    private static func random() -> UInt64 {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }
}

/// The cache directory: used only when tstate-lint made it (its CACHEDIR.TAG) or it is new or
/// empty, never through a symbolic link or when another user owns it; pruned only of the
/// entries tstate-lint names and writes, never following a link.
enum CacheDirectory {
    static let tag = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by tstate-lint.\n"

    static func prepare(_ directory: String) throws {
        let advice = "name a new or empty directory with --cache-dir (or `cache-dir`), or use --no-cache"
        var info = stat()
        if lstat(directory, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                throw UsageError("the cache directory \(directory) is a symbolic link, which tstate-lint does not follow: \(advice)")
            case S_IFDIR:
                break
            default:
                throw UsageError("the cache directory \(directory) is not a directory: \(advice)")
            }
            guard info.st_uid == geteuid() else {
                throw UsageError("the cache directory \(directory) belongs to another user: \(advice)")
            }
            guard isTagged(directory) || isEmpty(directory) else {
                throw UsageError("\(directory) is not a tstate-lint cache (it holds other files and no CACHEDIR.TAG of tstate-lint's), so it is neither used nor pruned: \(advice)")
            }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw UsageError("cannot create the cache directory \(directory): \(error.localizedDescription) (use --no-cache or --cache-dir)")
            }
        }
        if !isTagged(directory) {
            try? tag.write(toFile: directory + "/CACHEDIR.TAG", atomically: true, encoding: .utf8)
            try? "# Created by tstate-lint.\n*\n".write(toFile: directory + "/.gitignore", atomically: true, encoding: .utf8)
        }
    }

    static func isTagged(_ directory: String) -> Bool {
        let descriptor = open(directory + "/CACHEDIR.TAG", O_RDONLY | O_NOFOLLOW)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBufferPointer { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        return count > 0 && String(decoding: buffer[0..<count], as: UTF8.self).hasPrefix(tag)
    }

    private static func isEmpty(_ directory: String) -> Bool {
        (try? FileManager.default.contentsOfDirectory(atPath: directory))?.isEmpty ?? false
    }

    /// The subdirectories entries live in: two hex digits (units), preludes, runs, memo.
    static func isEntryDirectory(_ name: String) -> Bool {
        ["preludes", "runs", "memo"].contains(name) || (name.utf8.count == 2 && name.utf8.allSatisfy(isHexDigit))
    }

    /// `<16 hex digits>.<kind>`, or a temporary file of one (`<entry>.<pid>[.<random>].tmp`).
    static func isEntryName(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].utf8.count == 16, parts[0].utf8.allSatisfy(isHexDigit) else { return false }
        let kind = parts[1...].joined(separator: ".")
        if ["unit", "run", "memo", "pch", "pch.deps", "h", "failed", "lock"].contains(kind) { return true }
        guard parts.last == "tmp", parts.count >= 4 else { return false }
        return parts[parts.count - 2].allSatisfy(\.isNumber) || parts[parts.count - 3].allSatisfy(\.isNumber)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102)
    }

    /// Removes entries unused for `staleAfter` (an older build's, a deleted file's), at most
    /// once a day: only regular files with an entry's name, in the entry directories of a
    /// tagged cache, reached without following a link.
    static func pruneStaleEntries(_ directory: String, staleAfter: TimeInterval, now: Date = Date()) {
        guard isTagged(directory) else { return }
        let marker = directory + "/last-prune"
        var info = stat()
        if lstat(marker, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFREG else { return }
            if now.timeIntervalSince1970 - TimeInterval(info.st_mtim.tv_sec) < 24 * 3600 { return }
            unlink(marker)
        }
        let descriptor = open(marker, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else { return }
        close(descriptor)
        let cutoff = now.timeIntervalSince1970 - staleAfter
        func modified(_ path: String) -> TimeInterval? {
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
            return TimeInterval(info.st_mtim.tv_sec)
        }
        let fm = FileManager.default
        for subdirectory in (try? fm.contentsOfDirectory(atPath: directory)) ?? [] where isEntryDirectory(subdirectory) {
            let path = directory + "/" + subdirectory
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { continue }
            for name in (try? fm.contentsOfDirectory(atPath: path)) ?? [] where isEntryName(name) {
                let entry = path + "/" + name
                guard let time = modified(entry), time < cutoff else { continue }
                // A prelude's source is kept as long as its precompiled header is.
                if name.hasSuffix(".h"), let built = modified(String(entry.dropLast(2)) + ".pch"), built >= cutoff { continue }
                unlink(entry)
            }
        }
    }
}
