/// `--statistics`: the findings counted by rule, most first, as ruff's `--statistics` shows them.
public enum RuleCounts {
    public static func render(_ result: RunResult, catalog: RuleCatalog) -> String {
        var counts: [String: Int] = [:]
        for diagnostic in result.diagnostics { counts[diagnostic.rule, default: 0] += 1 }
        guard !counts.isEmpty else { return "" }
        let rows = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        let countWidth = String(rows.first!.value).count
        let nameWidth = rows.map { catalog.rule($0.key)?.name.count ?? 0 }.max() ?? 0
        return rows.map { rule, count in
            let name = catalog.rule(rule)?.name ?? ""
            let severity = result.diagnostics.first { $0.rule == rule }?.severity.rawValue ?? ""
            return String(repeating: " ", count: countWidth - String(count).count) + "\(count)  \(rule)  "
                + name + String(repeating: " ", count: nameWidth - name.count) + "  \(severity)"
        }.joined(separator: "\n") + "\n"
    }
}
