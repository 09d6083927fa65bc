/// `tstate-lint rule TS101`: a rule's documentation as text.
public enum RuleDocRenderer {
    public static func render(_ rule: RuleDoc) -> String {
        var out = "\(rule.id) \(rule.name) (\(rule.severity.rawValue)\(rule.isOptIn ? ", opt-in" : ""))\n\n"
        out += rule.summary + "\n\n"
        out += rule.explanation.trimmingCharacters(in: .newlines) + "\n"
        if let fix = rule.fix {
            out += "\nHow to fix:\n" + fix.trimmingCharacters(in: .newlines) + "\n"
        }
        if let bad = rule.bad?.first {
            out += "\nWrong:\n\n" + indent(bad.shownCode) + "\n"
        }
        if let good = rule.good?.first {
            out += "\nRight:\n\n" + indent(good.shownCode) + "\n"
        }
        if rule.isOptIn {
            out += "\nOpt-in: run it with `--extend-select \(rule.id)` or `extend-select = [\"\(rule.id)\"]` in the configuration (a prefix such as `\(rule.id.prefix(3))` does not select it).\n"
        }
        out += "\nTo suppress one finding, put `// tstate-lint: ignore[\(rule.id)]` on the reported line or the line before it.\n"
        return out
    }

    private static func indent(_ code: String) -> String {
        code.trimmingCharacters(in: .newlines).split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n")
    }
}
