/// Which variables a function's branches test and which its body writes, read from its IR in
/// one pass: what exit conditions, flag tracking and liveness ask about parameters.
struct VariableUse {
    /// Tested by a branch (either side of a comparison) or a switch.
    private(set) var tested = Set<VarID>()
    /// Assigned by the body.
    private(set) var assigned = Set<VarID>()
    /// Whose address the body hands out: a callee, or a pointer, may write them.
    private(set) var addressTaken = Set<VarID>()

    init(_ function: Function) {
        for block in function.blocks {
            for event in block.events {
                switch event.kind {
                case .assign(let target, let value):
                    assigned.insert(target)
                    if case .address(let variable) = value { addressTaken.insert(variable) }
                case .call(let call):
                    for case .address(let variable) in call.arguments { addressTaken.insert(variable) }
                case .escape(.address(let variable)):
                    addressTaken.insert(variable)
                default:
                    break
                }
            }
            switch block.terminator {
            case .branch(let condition, _, _): tested.formUnion(condition.testedVariables)
            case .switchOn(.variable(let variable), _, _): tested.insert(variable)
            default: break
            }
        }
    }

    /// Assigned, or possibly written through its address.
    var written: Set<VarID> { assigned.union(addressTaken) }
}
