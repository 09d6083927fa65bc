/// `tstate-lint readiness`: for every module, how it is initialised, what it declares about
/// sub-interpreters and the GIL, and what stands between it and
/// `Py_MOD_PER_INTERPRETER_GIL_SUPPORTED`.
public enum ReadinessReport {
    public static func text(_ modules: [ModuleReadiness]) -> String {
        guard !modules.isEmpty else { return "No module definitions (PyModuleDef) found.\n" }
        let header = ["module", "defined at", "init", "multiple interpreters", "gil", "blockers", "ready"]
        let rows = modules.map { module in
            [module.name, "\(module.location.file):\(module.location.line)", module.initKind.rawValue, module.multipleInterpreters.rawValue,
             module.gil.rawValue, String(module.blockers.count), module.readyForPerInterpreterGIL ? "yes" : "no"]
        }
        var widths = header.map(\.count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingTrailingSpaces() + "\n"
        }
        var out = line(header) + line(widths.map { String(repeating: "-", count: $0) })
        for row in rows { out += line(row) }
        for module in modules where !module.blockers.isEmpty {
            out += "\n\(module.name) (\(module.multipleInterpretersDescription)):\n"
            for blocker in module.blockers {
                out += "  \(blocker.location.file):\(blocker.location.line): \(blocker.rule.map { "[\($0)] " } ?? "")\(blocker.message)\n"
            }
        }
        let ready = modules.filter(\.readyForPerInterpreterGIL).count
        out += "\n\(ready) of \(TextReport.counted(modules.count, "module")) could declare Py_MOD_PER_INTERPRETER_GIL_SUPPORTED as they stand.\n"
        return out
    }

    public static func json(_ modules: [ModuleReadiness]) -> JSONValue {
        .array(modules.map { module in
            .object([
                ("name", .string(module.name)),
                ("definition", .string(module.definition)),
                ("file", .string(module.location.file)),
                ("line", .int(module.location.line)),
                ("init", .string(module.initKind.rawValue)),
                ("multiple_interpreters", .string(module.multipleInterpreters.rawValue)),
                ("multiple_interpreters_spelling", module.multipleInterpretersSpelling.map(JSONValue.string) ?? .null),
                ("gil", .string(module.gil.rawValue)),
                ("m_size", module.stateSize.map { .int(Int($0)) } ?? .null),
                ("single_interpreter_guard", module.singleInterpreterGuard.map(JSONValue.string) ?? .null),
                ("loads_in_several_interpreters", .bool(module.loadsInSeveralInterpreters)),
                ("ready_for_per_interpreter_gil", .bool(module.readyForPerInterpreterGIL)),
                ("files", .array(module.files.map(JSONValue.string))),
                ("blockers", .array(module.blockers.map { blocker in
                    .object([
                        ("rule", blocker.rule.map(JSONValue.string) ?? .null),
                        ("message", .string(blocker.message)),
                        ("file", .string(blocker.location.file)),
                        ("line", .int(blocker.location.line)),
                        ("column", .int(blocker.location.column)),
                    ])
                })),
            ])
        })
    }
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}
