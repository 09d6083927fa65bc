/// `--format gitlab`: GitLab Code Quality (a subset of Code Climate's issue format), an
/// array of `{description, check_name, fingerprint, severity, location: {path, lines}}` with
/// paths relative to the working directory (the repository root in CI).
public enum GitLabReport {
    public static func render(_ result: RunResult, workingDirectory: String) -> String {
        document(result, workingDirectory: workingDirectory).serialized() + "\n"
    }

    public static func document(_ result: RunResult, workingDirectory: String) -> JSONValue {
        .array(result.diagnostics.map { diagnostic in
            let path = ReportText.relativePath(diagnostic.location.file, workingDirectory: workingDirectory) ?? diagnostic.location.file
            return .object([
                ("description", .string("\(diagnostic.message) [\(diagnostic.rule)]")),
                ("check_name", .string(diagnostic.rule)),
                ("fingerprint", .string(fingerprint(diagnostic))),
                ("severity", .string(severity(diagnostic.severity))),
                ("location", .object([
                    ("path", .string(path)),
                    ("lines", .object([("begin", .int(diagnostic.location.line)), ("end", .int(max(diagnostic.endLine, diagnostic.location.line)))])),
                ])),
            ])
        })
    }

    /// 32 hex digits, like the MD5 GitLab expects: the diagnostic's stable fingerprint (16 hex
    /// digits) then an FNV-1a hash of it with the rule, so an issue keeps its identity across
    /// unrelated edits.
    static func fingerprint(_ diagnostic: Diagnostic) -> String {
        let isHex16 = diagnostic.fingerprint.utf8.count == 16 && diagnostic.fingerprint.allSatisfy(\.isHexDigit)
        let first = isHex16
            ? diagnostic.fingerprint.lowercased()
            : Fingerprints.hex(Fingerprints.fnv1a([diagnostic.rule, diagnostic.location.file, diagnostic.function,
                                                   diagnostic.fingerprint, diagnostic.message].joined(separator: "\u{1f}")))
        return first + Fingerprints.hex(Fingerprints.fnv1a(diagnostic.rule + "\u{1f}" + first))
    }

    static func severity(_ severity: Severity) -> String {
        switch severity {
        case .error: return "critical"
        case .warning: return "major"
        case .note: return "info"
        }
    }
}
