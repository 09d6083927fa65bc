enum CFGCompaction {
    /// Drops blocks that no path from the entry reaches (code after `return`, the
    /// placeholder blocks the lowering opens after every jump) and renumbers the rest.
    static func removeUnreachableBlocks(_ function: Function) -> Function {
        var order: [BlockID] = []
        var newID = [BlockID: BlockID]()
        var stack = [function.entry]
        while let block = stack.popLast() {
            guard newID[block] == nil else { continue }
            newID[block] = order.count
            order.append(block)
            stack.append(contentsOf: function.blocks[block].terminator.successors.reversed())
        }
        var result = function
        result.blocks = order.map { old in
            var block = function.blocks[old]
            block.terminator = renumber(block.terminator, newID)
            return block
        }
        result.entry = 0
        return result
    }

    private static func renumber(_ terminator: Terminator, _ map: [BlockID: BlockID]) -> Terminator {
        switch terminator {
        case .jump(let target, let kind):
            return .jump(map[target]!, kind)
        case .branch(let condition, let thenBlock, let elseBlock):
            return .branch(condition, then: map[thenBlock]!, else: map[elseBlock]!)
        case .switchOn(let subject, let cases, let defaultTarget):
            return .switchOn(subject, cases: cases.map { SwitchCase(value: $0.value, target: map[$0.target]!) }, defaultTarget: map[defaultTarget]!)
        case .returns, .noReturn, .unreachable:
            return terminator
        }
    }
}
