import CClang
import Foundation

/// The lines a file starts with up to and including its `#include <Python.h>`, when they are
/// only macro definitions, conditionals and system includes. Files whose prelude and flags
/// agree share one precompiled header of it, so Python's headers are parsed once per run
/// instead of once per file; the file itself is then parsed with `-include-pch`, and its own
/// copy of the prelude re-defines the same macros and skips the guarded headers. The text is
/// the prelude's directives without comments, blank lines or line continuations, so files
/// whose preludes differ only in those share a header.
struct Prelude {
    var text: String

    /// The prelude of the file at `path`, from its first 64 KiB.
    static func of(fileAt path: String) -> Prelude? {
        guard let head = FileHandle(forReadingAtPath: path).flatMap({ try? $0.read(upToCount: 64 << 10) }) else { return nil }
        return of(String(decoding: head, as: UTF8.self), directory: PathDisplay.directory(of: path))
    }

    /// nil when the start of the file holds anything a shared header could not stand in for
    /// (code, a project header, an unbalanced conditional).
    static func of(_ source: String, directory: String) -> Prelude? {
        var lineCount = 0
        var directives: [String] = []
        var depth = 0
        var inComment = false
        var pending = ""
        // Line by line up to the end of the prelude: the rest of the file is not split.
        var rest = source[...]
        var finished = false
        while !finished {
            let end = rest.utf8.firstIndex(of: UInt8(ascii: "\n")) ?? rest.endIndex
            let line = rest[..<end]
            finished = end == rest.endIndex
            if !finished { rest = rest[rest.utf8.index(after: end)...] }
            lineCount += 1
            if lineCount > 400 { return nil }
            var text = pending + stripComments(String(line), inComment: &inComment)
            if text.hasSuffix("\\") {
                pending = String(text.dropLast()) + " "
                continue
            }
            pending = ""
            text = text.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard text.hasPrefix("#") else { return nil }
            directives.append(text)
            let directive = text.dropFirst().trimmingCharacters(in: .whitespaces)
            let name = directive.prefix { $0.isLetter }
            let rest = directive.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
            switch name {
            case "define", "undef":
                continue
            case "if", "ifdef", "ifndef":
                depth += 1
            case "elif", "else":
                guard depth > 0 else { return nil }
            case "endif":
                guard depth > 0 else { return nil }
                depth -= 1
            case "include":
                if rest == "\"Python.h\"" || rest == "<Python.h>" {
                    guard depth == 0, !FileManager.default.fileExists(atPath: directory + "/Python.h") else { return nil }
                    return Prelude(text: directives.joined(separator: "\n") + "\n")
                }
                guard rest.hasPrefix("<") else { return nil }
            default:
                return nil
            }
        }
        return nil
    }

    private static func stripComments(_ line: String, inComment: inout Bool) -> String {
        var out = ""
        var characters = Array(line)
        var index = 0
        while index < characters.count {
            if inComment {
                if characters[index] == "*", index + 1 < characters.count, characters[index + 1] == "/" {
                    inComment = false
                    index += 2
                    out.append(" ")
                } else {
                    index += 1
                }
                continue
            }
            if characters[index] == "/", index + 1 < characters.count {
                if characters[index + 1] == "*" { inComment = true; index += 2; continue }
                if characters[index + 1] == "/" { characters.removeSubrange(index...); break }
            }
            out.append(characters[index])
            index += 1
        }
        return out
    }
}

/// Precompiled preludes in a directory shared by the workers of a run (and by later runs when
/// it is in the cache). A header is built at most once per key per process; a build that fails
/// is remembered so it is not retried; clang itself rejects a header whose inputs changed, and
/// the file is then parsed without it and the header rebuilt.
final class PreludeStore {
    let directory: String
    private var failed = Set<String>()
    /// Headers this store has built.
    private(set) var built = 0
    private var dependencyLists: [String: [String]] = [:]

    init(directory: String) {
        self.directory = directory
    }

    func key(_ prelude: Prelude, arguments: [String]) -> String {
        var hasher = ContentHasher()
        hasher.add(prelude.text)
        arguments.forEach { hasher.add($0) }
        hasher.add(clang_getClangVersion().consume())
        return String(format: "%016llx", hasher.value)
    }

    /// The precompiled header for this prelude, built now if needed and `building`; nil if it
    /// cannot be, or is not there and not to be built.
    func header(for prelude: Prelude, arguments: [String], index: CXIndex, building: Bool) -> String? {
        let key = key(prelude, arguments: arguments)
        guard !failed.contains(key) else { return nil }
        let pch = directory + "/" + key + ".pch"
        if FileManager.default.fileExists(atPath: pch) {
            if isTrusted(pch) {
                // Used: kept by the cache's pruning (the header it was built from goes with it; touching
                // that would make clang refuse the precompiled one as out of date).
                for file in [pch, pch + ".deps"] { utimes(file, nil) }
                return pch
            }
            // Not one this user's tstate-lint built (a committed or copied file): built again.
            guard building else { return nil }
        }
        if FileManager.default.fileExists(atPath: directory + "/" + key + ".failed") {
            failed.insert(key)
            return nil
        }
        guard building else { return nil }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Another process of the run is building it: this file is parsed whole.
        guard let lock = BuildLock(directory + "/" + key + ".lock") else { return nil }
        defer { lock.release() }
        if FileManager.default.fileExists(atPath: pch), isTrusted(pch) { return pch }
        guard build(prelude, arguments: arguments, index: index, key: key, into: pch) else {
            failed.insert(key)
            _ = FileManager.default.createFile(atPath: directory + "/" + key + ".failed", contents: Data())
            return nil
        }
        return pch
    }

    static let recordMagic = Data("tstate-lint-prelude\u{1}".utf8)

    /// Whether the precompiled header is the one whose record (written with the user's cache
    /// key when it was built) names its content; its headers are then known.
    private func isTrusted(_ pch: String) -> Bool {
        if dependencyLists[pch] != nil { return true }
        guard let data = RegularFile.contents(atPath: pch + ".deps"),
              let (_, payload) = UnitCache.verified(data, magic: Self.recordMagic, at: pch + ".deps"),
              let contents = RegularFile.contents(atPath: pch) else { return false }
        var lines = String(decoding: payload, as: UTF8.self).split(separator: "\n").map(String.init)
        guard !lines.isEmpty, lines.removeFirst() == String(ContentHasher.hash(contents), radix: 16) else { return false }
        dependencyLists[pch] = lines
        return true
    }

    /// The headers a precompiled prelude was built from (recorded next to it).
    func dependencies(of pch: String) -> [String] {
        isTrusted(pch) ? dependencyLists[pch] ?? [] : []
    }

    /// Forgets a header clang refused (its inputs changed since it was built).
    func discard(_ pch: String) {
        unlink(pch)
        dependencyLists[pch] = nil
    }

    private func build(_ prelude: Prelude, arguments: [String], index: CXIndex, key: String, into pch: String) -> Bool {
        let header = directory + "/" + key + ".h"
        // Written only when it does not hold the prelude (a header found there is not trusted): clang
        // refuses a precompiled header whose input is newer than it.
        if RegularFile.contents(atPath: header) != Data(prelude.text.utf8) {
            unlink(header)
            guard (try? prelude.text.write(toFile: header, atomically: true, encoding: .utf8)) != nil else { return false }
        }
        let flags = CXTranslationUnit_Incomplete.rawValue | CXTranslationUnit_ForSerialization.rawValue
            | CXTranslationUnit_DetailedPreprocessingRecord.rawValue
        var unit: CXTranslationUnit?
        let all = ["-x", "c-header"] + arguments
        let pointers = all.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        let status = pointers.map { UnsafePointer<CChar>($0) }.withUnsafeBufferPointer { buffer in
            clang_parseTranslationUnit2(index, header, buffer.baseAddress, Int32(buffer.count), nil, 0, flags, &unit)
        }
        guard status == CXError_Success, let unit else { return false }
        defer { clang_disposeTranslationUnit(unit) }
        for position in 0..<clang_getNumDiagnostics(unit) {
            guard let diagnostic = clang_getDiagnostic(unit, position) else { continue }
            let severity = clang_getDiagnosticSeverity(diagnostic)
            clang_disposeDiagnostic(diagnostic)
            if severity == CXDiagnostic_Error || severity == CXDiagnostic_Fatal { return false }
        }
        let dependencies = Frontend.includedFiles(of: unit)
        let temporary = pch + ".\(getpid()).tmp"
        guard clang_saveTranslationUnit(unit, temporary, clang_defaultSaveOptions(unit)) == CXSaveError_None.rawValue,
              let contents = RegularFile.contents(atPath: temporary) else {
            unlink(temporary)
            return false
        }
        let record = ([String(ContentHasher.hash(contents), radix: 16)] + dependencies).joined(separator: "\n")
        guard UnitCache.write(Data(record.utf8), magic: Self.recordMagic, to: pch + ".deps") != nil,
              rename(temporary, pch) == 0 else {
            unlink(temporary)
            return false
        }
        dependencyLists[pch] = dependencies
        built += 1
        return true
    }
}

/// A lock file made with O_EXCL: held by one process at a time. One left behind by a process
/// that died is taken over after a minute (a build takes well under a second).
struct BuildLock {
    let path: String

    init?(_ path: String) {
        for _ in 0..<2 {
            let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY, 0o644)
            if descriptor >= 0 {
                close(descriptor)
                self.path = path
                return
            }
            var info = stat()
            guard errno == EEXIST, stat(path, &info) == 0, time(nil) - info.st_mtim.tv_sec > 60 else { return nil }
            unlink(path)
        }
        return nil
    }

    func release() {
        unlink(path)
    }
}
