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
        let sources = SourceCache(unread: Set(result.files.filter { $0.status == .failed }.map(\.path)))
        var out = ""
        for diagnostic in result.diagnostics {
            let location = diagnostic.location
            let severityColor: String
            switch diagnostic.severity {
            case .error: severityColor = "1;31"
            case .warning: severityColor = "1;35"
            case .note: severityColor = "1;36"
            }
            out += paint("\(Self.printable(location.file)):\(location.line):\(location.column):", "1") + " "
                + paint("\(diagnostic.severity.rawValue):", severityColor) + " "
                + paint(Self.printable(diagnostic.message), "1") + " " + paint("[\(diagnostic.rule)]", "2") + "\n"
            let line = sources.line(location.line, of: location.file, workingDirectory: workingDirectory)
            if !line.isEmpty {
                let number = String(location.line)
                let gutter = String(repeating: " ", count: max(5, number.count + 1))
                let excerpt = Self.excerpt(of: line, column: location.column, width: max(1, diagnostic.endColumn - location.column))
                out += String(repeating: " ", count: max(5, number.count + 1) - number.count) + number + " | " + excerpt.text + "\n"
                out += gutter + " | " + excerpt.caretIndent + paint("^" + String(repeating: "~", count: excerpt.width - 1), "1;32") + "\n"
            }
            // A last note where the error is only says it again.
            var steps = diagnostic.trace
            if let last = steps.last, steps.count > 1, last.location.file == location.file,
               last.location.line == location.line, last.location.column == location.column {
                steps.removeLast()
            }
            for step in steps {
                out += paint("\(Self.printable(step.location.file)):\(step.location.line):\(step.location.column):", "1") + " "
                    + paint("note:", "1;36") + " " + Self.printable(step.message) + "\n"
            }
        }
        for note in result.notes {
            out += paint("tstate-lint: note:", "1;36") + " " + Self.printable(note) + "\n"
        }
        // A file's status, unless its TS003 finding already said it.
        let reportedFiles = Set(result.diagnostics.filter { $0.rule == "TS003" }.map(\.location.file))
        for file in result.files where (file.status == .failed || file.status == .parseErrors) && !reportedFiles.contains(file.path) {
            out += paint("\(Self.printable(file.path)):", "1") + " " + paint("\(file.status.rawValue):", "1;33") + " "
                + Self.printable(file.message ?? "") + "\n"
        }
        // Analysed, but not all of it (a function refused or given up at a bound).
        for file in result.files where file.status == .analyzed {
            guard let message = file.message else { continue }
            out += paint("\(Self.printable(file.path)):", "1") + " " + paint("note:", "1;36") + " " + Self.printable(message) + "\n"
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
        var line = "\(found); checked \(Self.counted(checked, "file")) (\(Self.counted(result.functionsAnalysed, "function"))) in \(seconds) s."
        let partial = result.files.filter { $0.status == .parseErrors }.count
        let failed = result.files.filter { $0.status == .failed }.count
        if partial + failed > 0 {
            var what: [String] = []
            if partial > 0 { what.append("\(partial) of \(Self.counted(checked, "file")) had parse errors and \(partial == 1 ? "was" : "were") analysed only in part") }
            if failed > 0 { what.append("\(Self.counted(failed, "file")) could not be analysed") }
            line += " " + what.joined(separator: "; ").capitalizedFirst
                + (partial > 0 ? ": pass include directories with `-- -I…` or a compile database with `-p`" : "") + " (rule TS003)."
        }
        if checked == 0 {
            // Why nothing was checked.
            let skipped = result.files.filter { $0.status == .skipped }
            if result.files.isEmpty {
                line += " No C files were found under the paths given."
            } else if let first = skipped.first {
                line += " \(Self.counted(skipped.count, "file")) skipped: \(first.path): \(first.message ?? "skipped")\(skipped.count > 1 ? ", and others" : "")."
            }
        }
        return line
    }

    /// Text from files and their names with control characters spelled out (`\n`, `\x1b`): a
    /// name cannot start a line of its own (a CI runner's workflow command) or drive the terminal.
    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where isControl(scalar): out += String(format: "\\x%02x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0)
    }

    /// At most this many bytes of a source line are shown on each side of the reported range.
    static let excerptContext = 80

    /// The part of a long line around the reported range (`...` where cut), control characters
    /// shown as `?`, with the indent of the caret line and the caret's width.
    static func excerpt(of line: String, column: Int, width: Int) -> (text: String, caretIndent: String, width: Int) {
        var line = line
        // In place: a long line is not copied for each finding on it.
        return line.withUTF8 { excerpt(of: $0, column: column, width: width) }
    }

    private static func excerpt(of bytes: UnsafeBufferPointer<UInt8>, column: Int, width: Int) -> (text: String, caretIndent: String, width: Int) {
        let at = min(max(0, column - 1), bytes.count)
        var start = 0, end = bytes.count
        if bytes.count > 3 * excerptContext {
            start = max(0, at - excerptContext)
            end = min(bytes.count, at + min(width, excerptContext) + excerptContext)
            func isContinuation(_ index: Int) -> Bool { index < bytes.count && bytes[index] & 0xC0 == 0x80 }
            while start > 0 && isContinuation(start) { start -= 1 }
            while end < bytes.count && isContinuation(end) { end += 1 }
        }
        let lead = start > 0 ? "..." : ""
        let shown = bytes[start..<end].map { $0 < 0x20 && $0 != 9 || $0 == 0x7F ? UInt8(ascii: "?") : $0 }
        let text = lead + String(decoding: shown, as: UTF8.self) + (end < bytes.count ? "..." : "")
        let indent = String(repeating: " ", count: lead.count)
            + String(String(decoding: bytes[start..<at], as: UTF8.self).unicodeScalars.map { $0 == "\t" ? "\t" : " " })
        return (text, indent, max(1, min(width, end - at)))
    }

    /// "1 file", "2 files".
    public static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}
