import Foundation

/// Inline suppressions: `// tstate-lint: ignore[TS101,TS201]` on the reported line or the
/// line before, `NOLINT(TS101)` on the line, `NOLINTNEXTLINE(TS101)` on the line before,
/// `NOLINTBEGIN(TS101)` … `NOLINTEND(TS101)` around lines (as clang-tidy reads them: the END
/// names what its BEGIN named; one without its partner suppresses nothing), and
/// `tstate-lint: ignore-file[TS402]` anywhere in the file. Without a list, all rules. Only
/// comments hold them: the same words in a string literal suppress nothing.
enum Suppressions {
    struct Directive: Equatable {
        enum Kind { case ignore, ignoreFile, noLint, noLintNextLine, noLintBegin, noLintEnd }
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
            case .noLintBegin: return "NOLINTBEGIN" + (list.isEmpty ? "" : "(\(list))")
            case .noLintEnd: return "NOLINTEND" + (list.isEmpty ? "" : "(\(list))")
            }
        }

        var isNoLint: Bool {
            switch kind {
            case .noLint, .noLintNextLine, .noLintBegin, .noLintEnd: return true
            case .ignore, .ignoreFile: return false
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
        (Array("NOLINTNEXTLINE".utf8), .noLintNextLine), (Array("NOLINTBEGIN".utf8), .noLintBegin),
        (Array("NOLINTEND".utf8), .noLintEnd), (Array("NOLINT".utf8), .noLint),
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
            let directive = Directive(kind: kind, rules: rules, column: column)
            if directive.isNoLint, !rules.isEmpty, !rules.contains(where: { $0.hasPrefix("TS") }) { continue }
            result.append(Directive(kind: kind, rules: rules.filter { $0.hasPrefix("TS") || !directive.isNoLint }, column: column))
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
        /// Per file, its NOLINTBEGIN … NOLINTEND regions, and the directives left without a partner.
        private var regionsByFile: [String: (regions: [Region], unmatched: [Site])] = [:]

        /// Lines from a NOLINTBEGIN to its NOLINTEND, both included.
        struct Region {
            var begin: Site
            var end: Site
            var directive: Directive
        }

        /// BEGIN and END paired as a stack: an END closes the latest open BEGIN with the same rules.
        func regions(of file: String) -> (regions: [Region], unmatched: [Site]) {
            if let known = regionsByFile[file] { return known }
            var open: [(site: Site, directive: Directive)] = []
            var regions: [Region] = []
            var unmatched: [Site] = []
            for number in sources.lines(of: file, containing: ["NOLINTBEGIN", "NOLINTEND"], workingDirectory: workingDirectory) {
                let line = sources.commentLine(number, of: file, workingDirectory: workingDirectory)
                for (index, directive) in directives(in: line).enumerated() {
                    let site = Site(file: file, line: number, index: index)
                    if directive.kind == .noLintBegin {
                        open.append((site, directive))
                    } else if directive.kind == .noLintEnd {
                        if let match = open.lastIndex(where: { Set($0.directive.rules) == Set(directive.rules) }) {
                            regions.append(Region(begin: open[match].site, end: site, directive: open[match].directive))
                            open.remove(at: match)
                        } else {
                            unmatched.append(site)
                        }
                    }
                }
            }
            let answer = (regions, unmatched + open.map(\.site))
            regionsByFile[file] = answer
            return answer
        }

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
            for region in regions(of: file).regions
            where region.begin.line <= number && number <= region.end.line && region.directive.covers(rule) {
                used.insert(region.begin)
                used.insert(region.end)
                return true
            }
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
    /// nothing among the rules that ran, and a NOLINTBEGIN or NOLINTEND without its partner.
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
            let pairs = directive.kind == .noLintBegin || directive.kind == .noLintEnd
            if selected.contains("TS002"), pairs, matcher.regions(of: site.file).unmatched.contains(site) {
                let partner = directive.kind == .noLintBegin ? "NOLINTEND" : "NOLINTBEGIN"
                let list = directive.rules.isEmpty ? "" : "(\(directive.rules.joined(separator: ",")))"
                findings.append(Diagnostic(rule: "TS002", message: "`\(directive.spelling)` suppresses nothing: it has no matching `\(partner)\(list)`",
                                           location: location, function: "", trace: []))
            } else if selected.contains("TS002"), ran, !matcher.used.contains(site) {
                let scope = directive.kind == .ignoreFile ? "in this file" : directive.kind == .noLintBegin || directive.kind == .noLintEnd ? "in the lines it covers" : "on the line it covers"
                findings.append(Diagnostic(rule: "TS002", message: "`\(directive.spelling)` suppresses nothing: no finding \(scope)\(directive.rules.isEmpty ? "" : " is of the rules it names")",
                                           location: location, function: "", trace: []))
            }
        }
        return findings
    }
}
