/// A readable dump of a function's CFG (`tstate-lint cfg FILE`), for debugging the Frontend.
public enum IRPrinter {
    public static func render(_ function: Function) -> String {
        var out = "function \(function.name) (\(function.location))\(function.loweringProblem.map { " [not analysed: \($0)]" } ?? "")\n"
        func name(_ variable: VarID) -> String {
            let v = function.variables[variable]
            return v.kind == .temporary ? "%t\(variable)" : v.name
        }
        func render(_ operand: Operand) -> String {
            switch operand {
            case .variable(let v): return name(v)
            case .address(let v): return "&" + name(v)
            case .integer(let i): return String(i)
            case .function(let f, _): return "@" + f
            case .unknown: return "?"
            }
        }
        for (index, block) in function.blocks.enumerated() {
            out += "  B\(index):\n"
            for event in block.events {
                let text: String
                switch event.kind {
                case .call(let call):
                    let callee: String
                    switch call.callee {
                    case .direct(let n, _, let origin): callee = n + (origin == .pythonAPI ? "" : "")
                    case .indirect(let o, _): callee = "(*" + render(o) + ")"
                    }
                    let result = call.result.map { name($0) + " = " } ?? ""
                    text = "\(result)\(callee)(\(call.arguments.map(render).joined(separator: ", ")))"
                case .assign(let target, let value):
                    text = "\(name(target)) = \(render(value))"
                case .escape(let value):
                    text = "escape \(render(value))"
                case .fieldAccess(let access):
                    text = "\(access.isWrite ? "write" : "read") \(access.record).\(access.field)"
                case .macro(let macro):
                    text = "macro \(macro)"
                case .unparsed(let names, _, let controlFlow):
                    text = "unparsed code naming \(names.isEmpty ? "nothing" : names.joined(separator: ", "))\(controlFlow ? ", with a jump" : "")"
                }
                out += "    \(event.location.line):\(event.location.column) \(text)\(event.macro.map { "  [\($0)]" } ?? "")\n"
            }
            let terminator: String
            switch block.terminator {
            case .jump(let target, let kind): terminator = "jump B\(target)\(kind == .next ? "" : " (\(kind))")"
            case .branch(let condition, let t, let e):
                let subject = condition.variable.map(name) ?? "?"
                let test: String
                switch condition.comparison {
                case .sameAs(let other): test = "== \(name(other))"
                case .differentFrom(let other): test = "!= \(name(other))"
                default: test = "\(condition.comparison)"
                }
                terminator = "if \(subject) \(test) then B\(t) else B\(e)"
            case .switchOn(let subject, let cases, let d):
                terminator = "switch \(render(subject)) " + cases.map { "\($0.value.map(String.init) ?? "?"):B\($0.target)" }.joined(separator: " ") + " default:B\(d)"
            case .returns(let value): terminator = "return" + (value.map { " " + render($0) } ?? "")
            case .noReturn: terminator = "noreturn"
            case .unreachable: terminator = "unreachable"
            }
            out += "    \(block.terminatorLocation.line): \(terminator)\n"
        }
        return out
    }
}
