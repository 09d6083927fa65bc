/// `--format json`: the contract in DESIGN.md. Nothing in it depends on timing or `-j`.
public enum JSONReport {
    public static let toolName = "tstate-lint"

    public static func render(_ result: RunResult, version: String) -> String {
        document(result, version: version).serialized() + "\n"
    }

    public static func document(_ result: RunResult, version: String) -> JSONValue {
        .object([
            ("tool", .object([("name", .string(toolName)), ("version", .string(version))])),
            ("diagnostics", .array(result.diagnostics.map(diagnostic))),
            ("files", .array(result.files.map(file))),
            ("modules", ReadinessReport.json(result.modules)),
            ("inferred", .array(result.inferred.map { use in
                .object([("flag", .string(use.flag)), ("reason", .string(use.reason)), ("files", .int(use.files))])
            })),
            ("notes", .array(result.notes.map(JSONValue.string))),
            ("summary", summary(result)),
        ])
    }

    public static func diagnostic(_ diagnostic: Diagnostic) -> JSONValue {
        .object([
            ("rule", .string(diagnostic.rule)),
            ("name", .string(diagnostic.name)),
            ("severity", .string(diagnostic.severity.rawValue)),
            ("message", .string(diagnostic.message)),
            ("file", .string(diagnostic.location.file)),
            ("line", .int(diagnostic.location.line)),
            ("column", .int(diagnostic.location.column)),
            ("end_line", .int(diagnostic.endLine)),
            ("end_column", .int(diagnostic.endColumn)),
            ("function", .string(diagnostic.function)),
            ("trace", .array(diagnostic.trace.map { step in
                .object([
                    ("file", .string(step.location.file)),
                    ("line", .int(step.location.line)),
                    ("column", .int(step.location.column)),
                    ("message", .string(step.message)),
                ])
            })),
            ("fingerprint", .string(diagnostic.fingerprint)),
        ])
    }

    public static func file(_ report: FileReport) -> JSONValue {
        var members: [(String, JSONValue)] = [("path", .string(report.path)), ("status", .string(report.status.rawValue))]
        members.append(("message", report.message.map(JSONValue.string) ?? .null))
        members.append(("inferred", .array(report.inferred.map(JSONValue.string))))
        return .object(members)
    }

    static func summary(_ result: RunResult) -> JSONValue {
        let counts = SeverityCounts(result.diagnostics)
        var byRule: [String: Int] = [:]
        for diagnostic in result.diagnostics { byRule[diagnostic.rule, default: 0] += 1 }
        var byStatus: [String: Int] = [:]
        for file in result.files { byStatus[file.status.rawValue, default: 0] += 1 }
        return .object([
            ("errors", .int(counts.errors)),
            ("warnings", .int(counts.warnings)),
            ("notes", .int(counts.notes)),
            ("suppressed", .int(result.suppressed.count)),
            ("files", .int(result.files.count)),
            ("files_by_status", .object(byStatus.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("functions", .int(result.functionsAnalysed)),
            ("by_rule", .object(byRule.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
        ])
    }
}

public struct SeverityCounts {
    public var errors = 0, warnings = 0, notes = 0

    public init(_ diagnostics: [Diagnostic]) {
        for diagnostic in diagnostics {
            switch diagnostic.severity {
            case .error: errors += 1
            case .warning: warnings += 1
            case .note: notes += 1
            }
        }
    }

    /// Findings that fail a run (exit code 1): errors and warnings.
    public var failing: Int { errors + warnings }
}
