public struct Diagnostic: Hashable, Codable, Sendable {
    public var rule: String
    public var name: String
    public var severity: Severity
    public var message: String
    public var location: SourceLocation
    public var endLine: Int
    public var endColumn: Int
    public var function: String
    public var trace: [TraceStep]
    public var fingerprint: String

    public init(rule: String, name: String = "", severity: Severity = .error, message: String, location: SourceLocation,
                function: String, trace: [TraceStep]) {
        self.rule = rule
        self.name = name
        self.severity = severity
        self.message = message
        self.location = location
        self.endLine = location.line
        self.endColumn = location.column
        self.function = function
        self.trace = trace
        self.fingerprint = ""
    }

    /// The order of the report: file, line, column, rule.
    public static func ordered(_ a: Diagnostic, _ b: Diagnostic) -> Bool {
        (a.location.file, a.location.line, a.location.column, a.rule, a.message) <
            (b.location.file, b.location.line, b.location.column, b.rule, b.message)
    }
}

/// Collects what the checks of one function report, one diagnostic per rule and place.
public struct DiagnosticSink {
    public private(set) var diagnostics: [Diagnostic] = []
    private var seen = Set<String>()
    let function: Function

    init(function: Function) {
        self.function = function
    }

    mutating func report(_ rule: String, at location: SourceLocation, _ message: String, trace: [TraceStep]) {
        guard seen.insert("\(rule)@\(location.file):\(location.line):\(location.column)").inserted else { return }
        diagnostics.append(Diagnostic(rule: rule, message: message, location: location, function: function.name, trace: trace))
    }
}
