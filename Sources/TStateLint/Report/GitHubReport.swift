/// `--format github`: GitHub Actions workflow commands, one annotation per diagnostic,
///
///     ::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=tstate-lint (TS101)::MESSAGE
///
/// with the trace appended to the message as `file:line:col: note: ...` lines. GitHub shows
/// only the first 10 errors, 10 warnings and 10 notices of a step, so annotations come errors
/// first, then warnings, then notes (report order within a severity), and a final notice says
/// how many of each kind GitHub will not show. Nothing else is printed.
public enum GitHubReport {
    /// Annotations of one kind GitHub shows per step.
    public static let annotationLimit = 10

    public static func render(_ result: RunResult) -> String {
        let ordered = result.diagnostics.enumerated()
            .sorted { ($0.element.severity, $0.offset) < ($1.element.severity, $1.offset) }
            .map(\.element)
        var out = ordered.map { annotation($0) + "\n" }.joined()
        if let notice = overflowNotice(SeverityCounts(result.diagnostics)) {
            out += notice + "\n"
        }
        return out
    }

    public static func annotation(_ diagnostic: Diagnostic) -> String {
        let command: String
        switch diagnostic.severity {
        case .error: command = "error"
        case .warning: command = "warning"
        case .note: command = "notice"
        }
        let location = diagnostic.location
        let properties: [(String, String)] = [
            ("file", location.file),
            ("line", String(location.line)),
            ("col", String(location.column)),
            ("endLine", String(diagnostic.endLine)),
            ("endColumn", String(diagnostic.endColumn)),
            ("title", "tstate-lint (\(diagnostic.rule))"),
        ]
        let message = ([diagnostic.message] + ReportText.traceLines(diagnostic)).joined(separator: "\n")
        return "::\(command) " + properties.map { "\($0.0)=\(escapeProperty($0.1))" }.joined(separator: ",")
            + "::" + escapeData(message)
    }

    /// The notice for the kinds that overflow GitHub's per-step limit, or nil.
    static func overflowNotice(_ counts: SeverityCounts) -> String? {
        var parts: [String] = []
        var hidden = 0
        for (count, word) in [(counts.errors, "error"), (counts.warnings, "warning"), (counts.notes, "note")] where count > annotationLimit {
            let more = count - annotationLimit
            hidden += more
            parts.append(TextReport.counted(more, "more \(word)"))
        }
        guard !parts.isEmpty else { return nil }
        let list = parts.count == 1 ? parts[0] : parts.dropLast().joined(separator: ", ") + " and " + parts.last!
        let verb = hidden == 1 ? "is" : "are"
        let noun = hidden == 1 ? "an annotation" : "annotations"
        return "::notice title=tstate-lint::" + escapeData("\(list) \(verb) not shown as \(noun); run tstate-lint check locally or use --format sarif")
    }

    /// A command's message: `%`, CR and LF are escaped.
    public static func escapeData(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A property value: as data, and also `:` and `,`, which delimit properties.
    public static func escapeProperty(_ text: String) -> String {
        var out = ""
        for scalar in escapeData(text).unicodeScalars {
            switch scalar {
            case ":": out += "%3A"
            case ",": out += "%2C"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
