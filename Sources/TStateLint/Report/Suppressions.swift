import Foundation

/// Inline suppressions: `// tstate-lint: ignore[TS101,TS201]` on the reported line or the
/// line before, `NOLINT(TS101)` on the line, `NOLINTNEXTLINE(TS101)` on the line before, and
/// `tstate-lint: ignore-file[TS402]` anywhere in the file. Without a list, all rules.
enum Suppressions {
    struct Directive: Equatable {
        enum Kind { case ignore, ignoreFile, noLint, noLintNextLine }
        var kind: Kind
        var rules: [String]

        func covers(_ rule: String) -> Bool { rules.isEmpty || rules.contains(rule) }
    }

    private static let markers: [(String, Directive.Kind)] = [
        ("tstate-lint: ignore-file", .ignoreFile), ("tstate-lint: ignore", .ignore),
        ("NOLINTNEXTLINE", .noLintNextLine), ("NOLINT", .noLint),
    ]

    static func directives(in line: String) -> [Directive] {
        guard line.contains("tstate-lint:") || line.contains("NOLINT") else { return [] }
        var result: [Directive] = []
        for (marker, kind) in markers {
            var searchStart = line.startIndex
            while let range = line.range(of: marker, range: searchStart..<line.endIndex) {
                searchStart = range.upperBound
                let rest = line[range.upperBound...]
                if kind == .ignore && rest.hasPrefix("-file") { continue }
                if kind == .noLint && rest.hasPrefix("NEXTLINE") { continue }
                var rules: [String] = []
                if let open = rest.first, open == "[" || open == "(" {
                    let close: Character = open == "[" ? "]" : ")"
                    if let end = rest.firstIndex(of: close) {
                        rules = rest[rest.index(after: rest.startIndex)..<end]
                            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
                            .filter { !$0.isEmpty }
                    }
                }
                // A NOLINT naming only other tools' checks (clang-tidy's) is not ours.
                if kind == .noLint || kind == .noLintNextLine, !rules.isEmpty, !rules.contains(where: { $0.hasPrefix("TS") }) { continue }
                result.append(Directive(kind: kind, rules: rules))
            }
        }
        return result
    }

    static func isSuppressed(_ diagnostic: Diagnostic, sources: SourceCache, workingDirectory: String) -> Bool {
        let lines = sources.lines(of: diagnostic.location.file, workingDirectory: workingDirectory)
        let rule = diagnostic.rule
        let number = diagnostic.location.line
        if number >= 1 && number <= lines.count,
           directives(in: lines[number - 1]).contains(where: { ($0.kind == .ignore || $0.kind == .noLint) && $0.covers(rule) }) {
            return true
        }
        if number >= 2 && number - 1 <= lines.count,
           directives(in: lines[number - 2]).contains(where: { ($0.kind == .ignore || $0.kind == .noLintNextLine) && $0.covers(rule) }) {
            return true
        }
        return lines.contains { line in
            directives(in: line).contains { $0.kind == .ignoreFile && $0.covers(rule) }
        }
    }
}
