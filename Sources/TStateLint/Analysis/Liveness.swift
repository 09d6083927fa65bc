/// Which variables the function may still read at the start of each block. What the
/// analysis knows of the others is dropped there, so paths that differ only in them merge
/// (the explorer keeps thread states, GIL tokens and lock handles, which matter beyond reads
/// by name). Locals whose address is taken are always live. A class: the explorer asks it at
/// every block it enters, and a struct of arrays is copied at each ask.
final class Liveness {
    let liveAtEntry: [BitSet]
    let alwaysLive: BitSet
    /// Condition keys that a branch reachable from the block tests.
    let keysLiveAtEntry: [BitSet]

    /// `tested`: the variables a branch or a switch tests (`VariableUse.tested`).
    init(function: Function, tested: Set<VarID>) {
        let blockCount = function.blocks.count
        let variableCount = function.variables.count
        var alwaysLive = BitSet(capacity: variableCount)
        // Parameters a branch or a switch tests keep their refined values to the exits, where
        // they become the conditions of the summary's ways out (`emit(msg, 1)` takes the path
        // that attaches).
        for variable in tested where function.variables[variable].kind.isParameter { alwaysLive.insert(variable) }
        var uses = [BitSet](repeating: BitSet(capacity: variableCount), count: blockCount)
        var definitions = uses
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
                case .fieldAccess, .macro, .unparsed:
                    break
                }
            }
            switch block.terminator {
            case .branch(let condition, _, _):
                for variable in condition.testedVariables { read(.variable(variable), index) }
            case .switchOn(let subject, _, _):
                read(subject, index)
            case .returns(let value):
                if let value { read(value, index) }
            case .jump, .noReturn, .unreachable:
                break
            }
        }
        let successorsOf = function.blocks.map(\.terminator.successors)
        // live(b) = uses(b) ∪ (∪ live(successors) − definitions(b)), to a fixpoint.
        self.liveAtEntry = Liveness.solve(seeds: uses, kills: definitions, successorsOf: successorsOf)
        self.alwaysLive = alwaysLive

        let keyCount = function.conditionKeys.count
        var keyUses = [BitSet](repeating: BitSet(capacity: keyCount), count: blockCount)
        for (index, block) in function.blocks.enumerated() {
            if case .branch(let condition, _, _) = block.terminator, let key = condition.key, key < keyCount { keyUses[index].insert(key) }
        }
        self.keysLiveAtEntry = keyCount == 0 ? keyUses
            : Liveness.solve(seeds: keyUses, kills: nil, successorsOf: successorsOf)
    }

    private static func solve(seeds: [BitSet], kills: [BitSet]?, successorsOf: [[BlockID]]) -> [BitSet] {
        var live = seeds
        var changed = true
        while changed {
            changed = false
            for index in stride(from: seeds.count - 1, through: 0, by: -1) {
                var out = seeds[index]
                out.clear()
                for successor in successorsOf[index] { out.formUnion(live[successor]) }
                if let kills { out.subtract(kills[index]) }
                out.formUnion(seeds[index])
                if out != live[index] {
                    live[index] = out
                    changed = true
                }
            }
        }
        return live
    }

    func isLive(_ variable: VarID, atEntryOf block: BlockID) -> Bool {
        alwaysLive.contains(variable) || liveAtEntry[block].contains(variable)
    }
}

/// A set of small non-negative integers, one bit each.
struct BitSet: Equatable {
    private var words: [UInt64]

    init(capacity: Int) {
        words = [UInt64](repeating: 0, count: (max(0, capacity) + 63) / 64)
    }

    func contains(_ member: Int) -> Bool {
        guard member >= 0, member / 64 < words.count else { return false }
        return words[member / 64] & (1 << UInt64(member % 64)) != 0
    }

    mutating func insert(_ member: Int) {
        guard member >= 0 else { return }
        while member / 64 >= words.count { words.append(0) }
        words[member / 64] |= 1 << UInt64(member % 64)
    }

    mutating func clear() {
        for index in words.indices { words[index] = 0 }
    }

    mutating func formUnion(_ other: BitSet) {
        while words.count < other.words.count { words.append(0) }
        for index in other.words.indices { words[index] |= other.words[index] }
    }

    mutating func subtract(_ other: BitSet) {
        for index in 0..<min(words.count, other.words.count) { words[index] &= ~other.words[index] }
    }
}
