import Foundation

/// `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
///
/// One run. The driver lists every rule of the catalog (in catalog order) with its
/// documentation; each result points at its rule by id and index, at its file by a URI
/// relative to `%SRCROOT%` (the working directory), carries the diagnostic's fingerprint (stable
/// across unrelated edits) as `primaryLocationLineHash`, and its trace as a code flow that ends
/// at the reported location. Files that could not be parsed become tool notifications.
/// Suppressed findings are included, marked `inSource`, only with `--show-suppressed`.
public enum SarifReport {
    public static let schema = "https://json.schemastore.org/sarif-2.1.0.json"
    public static let informationUri = "https://github.com/tstate-lint/tstate-lint"
    public static let sourceRoot = "%SRCROOT%"

    public static func render(_ result: RunResult, catalog: RuleCatalog, version: String, workingDirectory: String,
                              showSuppressed: Bool = false) -> String {
        document(result, catalog: catalog, version: version, workingDirectory: workingDirectory,
                 showSuppressed: showSuppressed).serialized() + "\n"
    }

    public static func document(_ result: RunResult, catalog: RuleCatalog, version: String, workingDirectory: String,
                                showSuppressed: Bool = false) -> JSONValue {
        var builder = Builder(catalog: catalog, workingDirectory: workingDirectory)
        return builder.document(result, version: version, showSuppressed: showSuppressed)
    }

    // MARK: Rules

    static func rule(_ rule: RuleDoc) -> JSONValue {
        var configuration: [(String, JSONValue)] = [("level", .string(rule.severity.rawValue))]
        if rule.isOptIn { configuration.append(("enabled", .bool(false))) }
        return .object([
            ("id", .string(rule.id)),
            ("name", .string(rule.name)),
            ("shortDescription", .object([("text", .string(rule.summary))])),
            ("fullDescription", .object([("text", .string(trimmed(rule.explanation)))])),
            ("help", .object([("text", .string(helpText(rule))), ("markdown", .string(helpMarkdown(rule)))])),
            ("defaultConfiguration", .object(configuration)),
            ("properties", .object([
                ("tags", .array((rule.tags ?? []).map(JSONValue.string))),
                ("precision", .string(rule.precision ?? "high")),
                ("problem.severity", .string(problemSeverity(rule.severity))),
            ])),
        ])
    }

    /// GitHub's `problem.severity`: error, warning or recommendation.
    static func problemSeverity(_ severity: Severity) -> String {
        switch severity {
        case .error: return "error"
        case .warning: return "warning"
        case .note: return "recommendation"
        }
    }

    static func helpText(_ rule: RuleDoc) -> String {
        var out = trimmed(rule.explanation)
        if let fix = rule.fix { out += "\n\nHow to fix: " + trimmed(fix) }
        if let bad = rule.bad?.first { out += "\n\nWrong:\n\n" + trimmed(bad.shownCode) }
        if let good = rule.good?.first { out += "\n\nRight:\n\n" + trimmed(good.shownCode) }
        out += "\n\nTo suppress one finding, put `// tstate-lint: ignore[\(rule.id)]` on the reported line or the line before it."
        return out
    }

    static func helpMarkdown(_ rule: RuleDoc) -> String {
        var out = trimmed(rule.explanation)
        if let fix = rule.fix { out += "\n\n**How to fix:** " + trimmed(fix) }
        if let bad = rule.bad?.first { out += "\n\n**Wrong:**\n\n```c\n" + trimmed(bad.shownCode) + "\n```" }
        if let good = rule.good?.first { out += "\n\n**Right:**\n\n```c\n" + trimmed(good.shownCode) + "\n```" }
        out += "\n\nTo suppress one finding, put `// tstate-lint: ignore[\(rule.id)]` on the reported line or the line before it."
        return out
    }

    private static func trimmed(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: URIs

    /// Characters that may stand unencoded in a URI path (RFC 3986 `pchar` and `/`), except
    /// `:`, which would make a relative reference's first segment look like a scheme.
    private static func isAllowedInPath(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "-._~!$&'()*+,;=@/".utf8.contains(byte)
        }
    }

    /// Percent-encodes a path (UTF-8) for use in a URI.
    public static func encodePath(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            if isAllowedInPath(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let digits = String(byte, radix: 16, uppercase: true)
                out += "%" + (digits.count == 1 ? "0" : "") + digits
            }
        }
        return out
    }

    /// The `file://` URI of a directory, ending with `/`.
    public static func directoryURI(_ directory: String) -> String {
        let absolute = PathDisplay.absolute(directory, workingDirectory: "/")
        let withSlash = absolute.hasSuffix("/") ? absolute : absolute + "/"
        return "file://" + encodePath(withSlash)
    }

    /// An artifact location: relative to `%SRCROOT%` when the file is under the working
    /// directory, else an absolute `file://` URI.
    public static func artifactLocation(_ path: String, workingDirectory: String) -> [(String, JSONValue)] {
        if let relative = ReportText.relativePath(path, workingDirectory: workingDirectory) {
            return [("uri", .string(encodePath(relative))), ("uriBaseId", .string(sourceRoot))]
        }
        let absolute = PathDisplay.absolute(path, workingDirectory: workingDirectory)
        return [("uri", .string("file://" + encodePath(absolute)))]
    }

    // MARK: The document

    private struct Builder {
        let catalog: RuleCatalog
        let workingDirectory: String
        var ruleIndex: [String: Int] = [:]
        /// Artifacts in order of first mention, keyed by the path as reported.
        var artifacts: [(path: String, analysed: Bool)] = []
        var artifactIndex: [String: Int] = [:]
        /// Lines, to turn clang's byte columns into the code points SARIF's `columnKind` says.
        var sources = SourceCache()

        init(catalog: RuleCatalog, workingDirectory: String) {
            self.catalog = catalog
            self.workingDirectory = workingDirectory
            for (index, rule) in catalog.rules.enumerated() { ruleIndex[rule.id] = index }
        }

        mutating func document(_ result: RunResult, version: String, showSuppressed: Bool) -> JSONValue {
            sources = SourceCache(unread: Set(result.files.filter { $0.status == .failed }.map(\.path)))
            for file in result.files where file.status != .skipped {
                register(file.path, analysed: true)
            }
            var reported = result.diagnostics.map { ($0, false) }
            if showSuppressed {
                reported += result.suppressed.map { ($0, true) }
                reported.sort { Diagnostic.ordered($0.0, $1.0) || (!Diagnostic.ordered($1.0, $0.0) && !$0.1 && $1.1) }
            }
            for (diagnostic, _) in reported {
                register(diagnostic.location.file, analysed: false)
                for step in diagnostic.trace { register(step.location.file, analysed: false) }
            }
            let results = reported.map { self.result($0.0, suppressed: $0.1) }

            var notifications: [JSONValue] = []
            for file in result.files where file.status == .failed || file.status == .parseErrors || (file.status == .analyzed && file.message != nil) {
                let text = "\(file.path): \(file.status.rawValue)" + (file.message.map { ": " + $0 } ?? "")
                notifications.append(.object([
                    ("locations", .array([.object([("physicalLocation", .object([("artifactLocation", location(file.path))]))])])),
                    ("message", .object([("text", .string(text))])),
                    ("level", .string("warning")),
                ]))
            }
            for note in result.notes {
                notifications.append(.object([("message", .object([("text", .string(note))])), ("level", .string("note"))]))
            }
            // Not successful when a file could not be analysed, or not all of it.
            let complete = !result.files.contains { $0.status == .parseErrors || $0.status == .failed }
            var invocation: [(String, JSONValue)] = [("executionSuccessful", .bool(complete))]
            if !notifications.isEmpty { invocation.append(("toolExecutionNotifications", .array(notifications))) }

            let driver: JSONValue = .object([
                ("name", .string(JSONReport.toolName)),
                ("version", .string(version)),
                ("semanticVersion", .string(version)),
                ("informationUri", .string(SarifReport.informationUri)),
                ("rules", .array(catalog.rules.map(SarifReport.rule))),
            ])
            let run: JSONValue = .object([
                ("tool", .object([("driver", driver)])),
                ("invocations", .array([.object(invocation)])),
                ("originalUriBaseIds", .object([
                    (SarifReport.sourceRoot, .object([("uri", .string(SarifReport.directoryURI(workingDirectory)))])),
                ])),
                ("artifacts", .array(artifacts.map { artifact in
                    var members: [(String, JSONValue)] = [("location", .object(SarifReport.artifactLocation(artifact.path, workingDirectory: workingDirectory)))]
                    if artifact.analysed { members.append(("roles", .array([.string("analysisTarget")]))) }
                    return .object(members)
                })),
                ("results", .array(results)),
                ("columnKind", .string("unicodeCodePoints")),
            ])
            return .object([
                ("$schema", .string(SarifReport.schema)),
                ("version", .string("2.1.0")),
                ("runs", .array([run])),
            ])
        }

        private mutating func register(_ path: String, analysed: Bool) {
            guard artifactIndex[path] == nil else { return }
            artifactIndex[path] = artifacts.count
            artifacts.append((path, analysed))
        }

        private func location(_ path: String) -> JSONValue {
            var members = SarifReport.artifactLocation(path, workingDirectory: workingDirectory)
            if let index = artifactIndex[path] { members.append(("index", .int(index))) }
            return .object(members)
        }

        private func physicalLocation(_ location: SourceLocation, endLine: Int? = nil, endColumn: Int? = nil) -> JSONValue {
            var members: [(String, JSONValue)] = [("artifactLocation", self.location(location.file))]
            if location.line >= 1 {
                var region: [(String, JSONValue)] = [("startLine", .int(location.line))]
                let line = location.column >= 1 ? sources.line(location.line, of: location.file, workingDirectory: workingDirectory) : ""
                if location.column >= 1 { region.append(("startColumn", .int(Self.codePointColumn(location.column, in: line)))) }
                if let endLine, endLine >= location.line { region.append(("endLine", .int(endLine))) }
                if location.column >= 1, let endColumn, endColumn >= 1, (endLine ?? location.line) > location.line || endColumn >= location.column {
                    let endText = (endLine ?? location.line) == location.line ? line : sources.line(endLine!, of: location.file, workingDirectory: workingDirectory)
                    region.append(("endColumn", .int(Self.codePointColumn(endColumn, in: endText))))
                }
                members.append(("region", .object(region)))
            }
            return .object(members)
        }

        /// clang's column counts bytes of UTF-8; SARIF's here counts code points.
        static func codePointColumn(_ byteColumn: Int, in line: String) -> Int {
            let utf8 = line.utf8
            guard byteColumn > 1, !line.isEmpty else { return byteColumn }
            let bytes = min(byteColumn - 1, utf8.count)
            let prefix = String(decoding: utf8.prefix(bytes), as: UTF8.self)
            return prefix.unicodeScalars.count + 1 + (byteColumn - 1 - bytes)
        }

        private func result(_ diagnostic: Diagnostic, suppressed: Bool) -> JSONValue {
            var members: [(String, JSONValue)] = [("ruleId", .string(diagnostic.rule))]
            if let index = ruleIndex[diagnostic.rule] { members.append(("ruleIndex", .int(index))) }
            members.append(("level", .string(diagnostic.severity.rawValue)))
            members.append(("message", .object([("text", .string(diagnostic.message))])))
            let primary = physicalLocation(diagnostic.location, endLine: diagnostic.endLine, endColumn: diagnostic.endColumn)
            var location: [(String, JSONValue)] = [("physicalLocation", primary)]
            if !diagnostic.function.isEmpty {
                location.append(("logicalLocations", .array([.object([("name", .string(diagnostic.function)), ("kind", .string("function"))])])))
            }
            members.append(("locations", .array([.object(location)])))
            members.append(("partialFingerprints", .object([("primaryLocationLineHash", .string(diagnostic.fingerprint + ":1"))])))
            if !diagnostic.trace.isEmpty {
                var steps: [(JSONValue, String)] = diagnostic.trace.map { (physicalLocation($0.location), $0.message) }
                steps.append((primary, diagnostic.message))
                let flowLocations: [JSONValue] = steps.enumerated().map { index, step in
                    .object([
                        ("location", .object([("physicalLocation", step.0), ("message", .object([("text", .string(step.1))]))])),
                        ("nestingLevel", .int(0)),
                        ("executionOrder", .int(index + 1)),
                    ])
                }
                members.append(("codeFlows", .array([.object([("threadFlows", .array([.object([("locations", .array(flowLocations))])]))])])))
            }
            if suppressed {
                members.append(("suppressions", .array([.object([("kind", .string("inSource"))])])))
            }
            return .object(members)
        }
    }
}
