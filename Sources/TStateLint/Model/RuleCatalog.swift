/// The diagnostic rules, documented in `Rules/checks/*.toml`: one file per rule family,
/// each rule with its explanation and examples that the test suite runs.

public enum Severity: String, Codable, Sendable, Comparable {
    case error, warning, note

    private var rank: Int {
        switch self {
        case .error: return 0
        case .warning: return 1
        case .note: return 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

public struct RuleExample: Codable, Sendable, Hashable {
    public var code: String
    public var description: String?

    /// The code as users are shown it: without the `/* expect: TS101 */` markers the test
    /// suite checks the example with, and the blanks left before them.
    public var shownCode: String {
        code.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var text = String(line)
            for (open, close) in [("/* expect:", "*/"), ("// expect:", "")] {
                guard let start = text.range(of: open) else { continue }
                let end = close.isEmpty ? text.endIndex : (text.range(of: close, range: start.upperBound..<text.endIndex)?.upperBound ?? text.endIndex)
                text.removeSubrange(start.lowerBound..<end)
            }
            while text.last == " " || text.last == "\t" { text.removeLast() }
            return text
        }.joined(separator: "\n")
    }
}

public struct RuleDoc: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    public var severity: Severity
    public var summary: String
    public var explanation: String
    public var fix: String?
    /// Opt-in rules run only when selected explicitly.
    public var optIn: Bool?
    public var tags: [String]?
    public var precision: String?
    public var bad: [RuleExample]?
    public var good: [RuleExample]?

    enum CodingKeys: String, CodingKey {
        case id, name, severity, summary, explanation, fix, tags, precision, bad, good
        case optIn = "opt-in"
    }

    public var isOptIn: Bool { optIn ?? false }
}

public struct RuleFamilyFile: Codable, Sendable {
    public var family: String
    public var rule: [RuleDoc]
}

public struct RuleCatalog: Sendable {
    public private(set) var families: [RuleFamilyFile] = []
    public private(set) var rules: [RuleDoc] = []
    private var byID: [String: RuleDoc] = [:]

    public init(families: [RuleFamilyFile]) {
        self.families = families.sorted { ($0.rule.first?.id ?? "") < ($1.rule.first?.id ?? "") }
        rules = self.families.flatMap(\.rule).sorted { $0.id < $1.id }
        for rule in rules { byID[rule.id] = rule }
    }

    public func rule(_ id: String) -> RuleDoc? { byID[id.uppercased()] }

    /// Ids a selector names: a prefix such as `TS1` or `TS101`, or `ALL`.
    public func ids(matching selector: String) -> [String] {
        let upper = selector.uppercased()
        if upper == "ALL" { return rules.map(\.id) }
        return rules.map(\.id).filter { $0.hasPrefix(upper) }
    }

    /// Ids a selector turns on: an opt-in rule only by its own id or `ALL`, never by a prefix
    /// (`TS2` is TS201 … TS204, not TS205), as ruff treats preview rules.
    public func ids(selectedBy selector: String) -> [String] {
        let upper = selector.uppercased()
        return ids(matching: selector).filter { id in upper == "ALL" || id == upper || rule(id)?.isOptIn != true }
    }
}
