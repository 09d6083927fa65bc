import Foundation

/// Inline suppressions: `// tstate-lint: ignore[TS101,TS201]` on the reported line or the
/// line before, `NOLINT(TS101)` on the line, `NOLINTNEXTLINE(TS101)` on the line before, and
/// `tstate-lint: ignore-file[TS402]` anywhere in the file. Without a list, all rules. Only
/// comments hold them: the same words in a string literal suppress nothing.
enum Suppressions {
    struct Directive: Equatable {
        enum Kind { case ignore, ignoreFile, noLint, noLintNextLine }
        var kind: Kind
        var rules: [String]
        /// Where the directive's marker starts on its line (1-based).
        var column: Int = 1

        func covers(_ rule: String) -> Bool { rules.isEmpty || rules.contains(rule) }

        var spelling: String {
            let list = rules.isEmpty ? "" : rules.joined(separator: ",")
            switch kind {
            case .ignore: return "tstate-lint: ignore" + (list.isEmpty ? "" : "[\(list)]")
            case .ignoreFile: return "tstate-lint: ignore-file" + (list.isEmpty ? "" : "[\(list)]")
            case .noLint: return "NOLINT" + (list.isEmpty ? "" : "(\(list))")
            case .noLintNextLine: return "NOLINTNEXTLINE" + (list.isEmpty ? "" : "(\(list))")
            }
        }
    }

    /// A directive where it was written.
    struct Site: Hashable {
        var file: String
        var line: Int
        var index: Int
    }

    private static let markers: [([UInt8], Directive.Kind)] = [
        (Array("tstate-lint: ignore-file".utf8), .ignoreFile), (Array("tstate-lint: ignore".utf8), .ignore),
        (Array("NOLINTNEXTLINE".utf8), .noLintNextLine), (Array("NOLINT".utf8), .noLint),
    ]

    /// A rule list longer than this is not one (it is read as no list, like an unclosed one).
    static let maxListLength = 1024

    /// The directives in a line (of comment text: see SourceCache.commentLine), in one pass.
    static func directives(in line: String) -> [Directive] {
        guard line.contains("tstate-lint:") || line.contains("NOLINT") else { return [] }
        let bytes = Array(line.utf8)
        var result: [Directive] = []
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "t") || bytes[index] == UInt8(ascii: "N"),
                  let (marker, kind) = markers.first(where: { bytes[index...].starts(with: $0.0) }) else {
                index += 1
                continue
            }
            let column = index + 1
            let after = index + marker.count
            index = after
            var rules: [String] = []
            if after < bytes.count, bytes[after] == UInt8(ascii: "[") || bytes[after] == UInt8(ascii: "(") {
                let close = bytes[after] == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: ")")
                // Looked for no further than a list may run: each marker costs at most that.
                if let end = bytes[(after + 1)..<min(bytes.count, after + 2 + maxListLength)].firstIndex(of: close) {
                    rules = String(decoding: bytes[(after + 1)..<end], as: UTF8.self)
                        .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
                        .filter { !$0.isEmpty }
                }
            }
            // A NOLINT naming only other tools' checks (clang-tidy's) is not ours.
            if kind == .noLint || kind == .noLintNextLine, !rules.isEmpty, !rules.contains(where: { $0.hasPrefix("TS") }) { continue }
            result.append(Directive(kind: kind, rules: rules.filter { $0.hasPrefix("TS") || kind == .ignore || kind == .ignoreFile },
                                    column: column))
        }
        return result
    }

    /// Which directives suppressed something, for `--report-unused-suppressions`.
    final class Matcher {
        let sources: SourceCache
        let workingDirectory: String
        private(set) var used = Set<Site>()
        /// Per file, the lines that may hold `ignore-file`: found once, not at every diagnostic.
        private var fileWideLines: [String: [Int]] = [:]

        init(sources: SourceCache, workingDirectory: String) {
            self.sources = sources
            self.workingDirectory = workingDirectory
        }

        func suppresses(_ diagnostic: Diagnostic) -> Bool {
            let rule = diagnostic.rule
            let number = diagnostic.location.line
            let file = diagnostic.location.file
            let lineCount = sources.lineCount(of: file, workingDirectory: workingDirectory)
            func mark(_ line: Int, _ accepts: (Directive) -> Bool) -> Bool {
                guard line >= 1 && line <= lineCount else { return false }
                let text = sources.commentLine(line, of: file, workingDirectory: workingDirectory)
                for (index, directive) in directives(in: text).enumerated() where accepts(directive) && directive.covers(rule) {
                    used.insert(Site(file: file, line: line, index: index))
                    return true
                }
                return false
            }
            if mark(number, { $0.kind == .ignore || $0.kind == .noLint }) { return true }
            if mark(number - 1, { $0.kind == .ignore || $0.kind == .noLintNextLine }) { return true }
            let candidates = fileWideLines[file] ?? sources.lines(of: file, containing: ["ignore-file"], workingDirectory: workingDirectory)
            fileWideLines[file] = candidates
            for line in candidates where mark(line, { $0.kind == .ignoreFile }) { return true }
            return false
        }

        /// Whether the file's bytes contain a directive marker at all: most files have none,
        /// and are then not split into lines.
        static func mayHoldDirectives(_ path: String) -> Bool {
            guard let data = RegularFile.contents(atPath: path) else { return false }
            return data.withUnsafeBytes { bytes in
                let haystack = bytes.bindMemory(to: UInt8.self)
                return ["tstate-lint:", "NOLINT"].contains { needle in
                    var seen = false
                    SourceCache.occurrences(of: needle, in: haystack) { _ in
                        seen = true
                        return false
                    }
                    return seen
                }
            }
        }

        /// Every directive in these files, where it is.
        func sites(in files: [String]) -> [(site: Site, directive: Directive)] {
            var result: [(Site, Directive)] = []
            for file in files where Self.mayHoldDirectives(PathDisplay.absolute(file, workingDirectory: workingDirectory)) {
                for number in sources.lines(of: file, containing: ["tstate-lint:", "NOLINT"], workingDirectory: workingDirectory) {
                    let line = sources.commentLine(number, of: file, workingDirectory: workingDirectory)
                    for (index, directive) in directives(in: line).enumerated() {
                        result.append((Site(file: file, line: number, index: index), directive))
                    }
                }
            }
            return result
        }
    }

    /// TS001 for rule ids no rule has; TS002 (when selected) for directives that suppressed
    /// nothing among the rules that ran.
    static func audit(files: [String], matcher: Matcher, catalog: RuleCatalog, selected: Set<String>) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        for (site, directive) in matcher.sites(in: files) {
            let location = SourceLocation(file: site.file, line: site.line, column: directive.column, offset: 0)
            let unknown = directive.rules.filter { catalog.rule($0) == nil }
            if !unknown.isEmpty, selected.contains("TS001") {
                findings.append(Diagnostic(rule: "TS001", message: "`\(directive.spelling)` names \(unknown.count == 1 ? "a rule that does not exist" : "rules that do not exist"): \(unknown.joined(separator: ", ")) (see `tstate-lint rules`)",
                                           location: location, function: "", trace: []))
            }
            let known = directive.rules.filter { catalog.rule($0) != nil }
            let ran = directive.rules.isEmpty || known.contains { selected.contains($0) }
            if selected.contains("TS002"), ran, !matcher.used.contains(site) {
                findings.append(Diagnostic(rule: "TS002", message: "`\(directive.spelling)` suppresses nothing: no finding \(directive.kind == .ignoreFile ? "in this file" : "on the line it covers")\(directive.rules.isEmpty ? "" : " is of the rules it names")",
                                           location: location, function: "", trace: []))
            }
        }
        return findings
    }
}
