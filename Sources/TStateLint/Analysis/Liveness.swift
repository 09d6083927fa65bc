/// Which variables the function may still read at the start of each block. What the
/// analysis knows of the others is dropped there, so paths that differ only in them merge
/// (the explorer keeps thread states, GIL tokens and lock handles, which matter beyond reads
/// by name). Locals whose address is taken are always live.
struct Liveness {
    private(set) var liveAtEntry: [Set<VarID>]
    private(set) var alwaysLive: Set<VarID>
    /// Condition keys that a branch reachable from the block tests.
    private(set) var keysLiveAtEntry: [Set<Int>]

    init(function: Function) {
        var alwaysLive = Set<VarID>()
        // Parameters a branch tests keep their refined values to the exits, where they become
        // the conditions of the summary's ways out (`emit(msg, 1)` takes the path that attaches).
        for block in function.blocks {
            if case .branch(let condition, _, _) = block.terminator, let variable = condition.variable,
               function.variables[variable].kind.isParameter {
                alwaysLive.insert(variable)
            }
        }
        var uses = [Set<VarID>](repeating: [], count: function.blocks.count)
        var definitions = [Set<VarID>](repeating: [], count: function.blocks.count)
        func read(_ operand: Operand, _ block: Int) {
            switch operand {
            case .variable(let v):
                if !definitions[block].contains(v) { uses[block].insert(v) }
            case .address(let v):
                alwaysLive.insert(v)
            default:
                break
            }
        }
        for (index, block) in function.blocks.enumerated() {
            for event in block.events {
                switch event.kind {
                case .call(let call):
                    if case .indirect(let target, _) = call.callee { read(target, index) }
                    call.arguments.forEach { read($0, index) }
                    if let result = call.result { definitions[index].insert(result) }
                case .assign(let target, let value):
                    read(value, index)
                    definitions[index].insert(target)
                case .escape(let value):
                    read(value, index)
                case .fieldAccess, .macro:
                    break
                }
            }
            switch block.terminator {
            case .branch(let condition, _, _):
                if let v = condition.variable { read(.variable(v), index) }
            case .switchOn(let subject, _, _):
                read(subject, index)
            case .returns(let value):
                if let value { read(value, index) }
            case .jump, .noReturn, .unreachable:
                break
            }
        }
        let successorsOf = function.blocks.map(\.terminator.successors)
        var live = [Set<VarID>](repeating: [], count: function.blocks.count)
        var changed = true
        while changed {
            changed = false
            for index in stride(from: function.blocks.count - 1, through: 0, by: -1) {
                var out = Set<VarID>()
                for successor in successorsOf[index] { out.formUnion(live[successor]) }
                let newLive = uses[index].union(out.subtracting(definitions[index]))
                if newLive != live[index] {
                    live[index] = newLive
                    changed = true
                }
            }
        }
        self.liveAtEntry = live
        self.alwaysLive = alwaysLive

        var keyUses = [Set<Int>](repeating: [], count: function.blocks.count)
        for (index, block) in function.blocks.enumerated() {
            if case .branch(let condition, _, _) = block.terminator, let key = condition.key { keyUses[index].insert(key) }
        }
        var keysLive = keyUses
        if !function.conditionKeys.isEmpty {
            changed = true
            while changed {
                changed = false
                for index in stride(from: function.blocks.count - 1, through: 0, by: -1) {
                    var newLive = keyUses[index]
                    for successor in successorsOf[index] { newLive.formUnion(keysLive[successor]) }
                    if newLive != keysLive[index] {
                        keysLive[index] = newLive
                        changed = true
                    }
                }
            }
        }
        self.keysLiveAtEntry = keysLive
    }

    func isLive(_ variable: VarID, atEntryOf block: BlockID) -> Bool {
        alwaysLive.contains(variable) || liveAtEntry[block].contains(variable)
    }
}
