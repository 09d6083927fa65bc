import Foundation

/// The output formats of `tstate-lint check --format`.
public enum ReportFormat: String, CaseIterable, Sendable {
    case text, json
    case jsonLines = "json-lines"
    case github, sarif, junit, gitlab
}

/// Renders a run in any format. Every format is a pure function of the run, the rule
/// catalog, the tool version and the working directory (the text report alone reads the
/// reported source lines, for its carets).
public enum Reporter {
    public static func render(_ result: RunResult, format: ReportFormat, catalog: RuleCatalog, version: String, color: Bool,
                              workingDirectory: String, showSuppressed: Bool) -> String {
        switch format {
        case .text:
            return TextReport(color: color, workingDirectory: workingDirectory).render(result)
        case .json:
            return JSONReport.render(result, version: version)
        case .jsonLines:
            return JSONLinesReport.render(result)
        case .github:
            return GitHubReport.render(result)
        case .sarif:
            return SarifReport.render(result, catalog: catalog, version: version, workingDirectory: workingDirectory,
                                      showSuppressed: showSuppressed)
        case .junit:
            return JUnitReport.render(result)
        case .gitlab:
            return GitLabReport.render(result, workingDirectory: workingDirectory)
        }
    }
}

/// Helpers the machine-readable formats share.
enum ReportText {
    /// `file:line:col: error: message [TS101]` and the trace as `note:` lines, like the text
    /// report without colour or source excerpt.
    static func fullText(_ diagnostic: Diagnostic) -> String {
        let location = diagnostic.location
        var lines = ["\(location.file):\(location.line):\(location.column): \(diagnostic.severity.rawValue): \(diagnostic.message) [\(diagnostic.rule)]"]
        lines += traceLines(diagnostic)
        return lines.joined(separator: "\n")
    }

    /// The trace as `file:line:col: note: message` lines.
    static func traceLines(_ diagnostic: Diagnostic) -> [String] {
        diagnostic.trace.map { step in
            "\(step.location.file):\(step.location.line):\(step.location.column): note: \(step.message)"
        }
    }

    /// The path relative to the working directory when the file is under it (nil otherwise),
    /// with `.` and `..` resolved.
    static func relativePath(_ path: String, workingDirectory: String) -> String? {
        let absolute = PathDisplay.absolute(path, workingDirectory: workingDirectory)
        let root = PathDisplay.absolute(".", workingDirectory: workingDirectory)
        let base = root.hasSuffix("/") ? root : root + "/"
        guard absolute.hasPrefix(base), absolute.count > base.count else { return nil }
        return String(absolute.dropFirst(base.count))
    }
}

/// `--color`: whether the text report is coloured.
public enum ColorChoice: String, CaseIterable, Sendable {
    case auto, always, never

    /// `auto` colours a terminal unless NO_COLOR is set or TERM is `dumb`; FORCE_COLOR colours
    /// a pipe too (CI logs render colours), as ruff and most tools read them.
    public func colors(toTerminal: Bool, environment: [String: String]) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
            if let force = environment["FORCE_COLOR"], !force.isEmpty, force != "0" { return true }
            if environment["TERM"] == "dumb" { return false }
            return toTerminal
        }
    }
}
