import Foundation

/// The clang/ruff-like text report: `file:line:col: error: message [TS101]`, the source line
/// with a caret under the range, the path as `note:` lines, then a summary line.
public struct TextReport {
    public var color: Bool
    public var workingDirectory: String

    public init(color: Bool, workingDirectory: String = FileManager.default.currentDirectoryPath) {
        self.color = color
        self.workingDirectory = workingDirectory
    }

    private func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1b}[\(code)m\(text)\u{1b}[0m" : text
    }

    public func render(_ result: RunResult) -> String {
        let sources = SourceCache()
        var out = ""
        for diagnostic in result.diagnostics {
            let location = diagnostic.location
            let severityColor: String
            switch diagnostic.severity {
            case .error: severityColor = "1;31"
            case .warning: severityColor = "1;35"
            case .note: severityColor = "1;36"
            }
            out += paint("\(location.file):\(location.line):\(location.column):", "1") + " "
                + paint("\(diagnostic.severity.rawValue):", severityColor) + " "
                + paint(diagnostic.message, "1") + " " + paint("[\(diagnostic.rule)]", "2") + "\n"
            let line = sources.line(location.line, of: location.file, workingDirectory: workingDirectory)
            if !line.isEmpty {
                let number = String(location.line)
                let gutter = String(repeating: " ", count: max(5, number.count + 1))
                out += String(repeating: " ", count: max(5, number.count + 1) - number.count) + number + " | " + line + "\n"
                let head = line.utf8.prefix(max(0, location.column - 1))
                let prefix = String(decoding: head.map { $0 == 9 ? UInt8(9) : UInt8(32) }, as: UTF8.self)
                let width = max(1, diagnostic.endColumn - location.column)
                out += gutter + " | " + prefix + paint("^" + String(repeating: "~", count: width - 1), "1;32") + "\n"
            }
            for step in diagnostic.trace {
                out += paint("\(step.location.file):\(step.location.line):\(step.location.column):", "1") + " "
                    + paint("note:", "1;36") + " " + step.message + "\n"
            }
        }
        for note in result.notes {
            out += paint("tstate-lint: note:", "1;36") + " " + note + "\n"
        }
        for file in result.files where file.status == .failed || file.status == .parseErrors {
            out += paint("\(file.path):", "1") + " " + paint("\(file.status.rawValue):", "1;33") + " " + (file.message ?? "") + "\n"
        }
        out += summaryLine(result) + "\n"
        return out
    }

    public func summaryLine(_ result: RunResult) -> String {
        let counts = SeverityCounts(result.diagnostics)
        let filesWithFindings = Set(result.diagnostics.map(\.location.file)).count
        var parts: [String] = []
        if counts.errors > 0 { parts.append(Self.counted(counts.errors, "error")) }
        if counts.warnings > 0 { parts.append(Self.counted(counts.warnings, "warning")) }
        if counts.notes > 0 { parts.append(Self.counted(counts.notes, "note")) }
        var left: [String] = []
        if !result.suppressed.isEmpty { left.append("\(result.suppressed.count) suppressed") }
        if result.baselined > 0 { left.append("\(result.baselined) in the baseline") }
        let suppressed = left.isEmpty ? "" : " (\(left.joined(separator: ", ")))"
        let checked = result.files.filter { $0.status == .analyzed || $0.status == .parseErrors }.count
        let seconds = String(format: "%.1f", result.duration)
        let found = parts.isEmpty ? "No problems found\(suppressed)" : "Found \(parts.joined(separator: ", "))\(suppressed) in \(Self.counted(filesWithFindings, "file"))"
        return "\(found); checked \(Self.counted(checked, "file")) (\(result.functionsAnalysed) functions) in \(seconds) s."
    }

    /// "1 file", "2 files".
    public static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}
