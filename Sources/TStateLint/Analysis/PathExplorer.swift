/// How a function is entered.
public struct EntryContext: Sendable {
    public var assumption: EntryAssumption
    public var isPythonEntry: Bool
    public var description: String?
    /// Runs on a thread Python did not create (pthread_create, a C library's callback thread).
    public var isForeignThread: Bool
    /// Called by a program that is not Python (`host-entry-points`), or, `inferredHost`, taken
    /// for such a function: one nothing in the program calls, Python does not know, and that
    /// creates a sub-interpreter.
    public var isHostEntry = false
    public var inferredHost = false

    public init(assumption: EntryAssumption, isPythonEntry: Bool, description: String? = nil, isForeignThread: Bool = false) {
        self.assumption = assumption
        self.isPythonEntry = isPythonEntry
        self.description = description
        self.isForeignThread = isForeignThread
    }

    /// Whoever called the function needs the thread state back as it was.
    public var mustExitAsEntered: Bool { isPythonEntry || isForeignThread || (isHostEntry && !inferredHost) }

    public static let inferred = EntryContext(assumption: .unknown, isPythonEntry: false)
}

public struct ExplorationLimits: Sendable {
    /// States kept per block before paths that differ only in variable values are merged.
    public var statesPerBlock = 48
    /// States kept per block before the block is given up (silenced).
    public var hardStatesPerBlock = 96
    /// Block visits per function before the exploration stops.
    public var maxVisits = 200_000

    public init() {}
}

/// Path-sensitive abstract interpretation of one function: a worklist over (block, state)
/// pairs with a bounded set of states per block, in reverse post-order.
final class PathExplorer {
    let function: Function
    let model: APIModel
    let entryContext: EntryContext
    let limits: ExplorationLimits
    /// Computed on first use: a function that tracks no values never needs it.
    private(set) lazy var liveness = Liveness(function: function, tested: variableUse.tested)
    let summaries: SummaryProvider?
    /// The memory path of every variable, and the variable of each path the IR names.
    private(set) var pathOfVariable: [MemoryPath] = []
    private(set) var variableOfPath: [MemoryPath: VarID] = [:]

    var analysis: FunctionAnalysis
    private var statesAt: [StateSet]
    /// Per block, for states past the bound: the merge of those sharing a core (all but values).
    private var mergedByCore: [[AbstractState: AbstractState]]
    private var queue = BlockQueue()
    private var observedKeys = Set<String>()
    private let rpoIndex: [Int]
    private(set) var dependents: [VarID: [VarID]] = [:]
    private var keysByVariable: [VarID: [Int]] = [:]
    private var isMemoryVariable: [Bool] = []
    /// For each variable, the local, parameter or global its memory hangs off.
    private var roots: [VarID] = []
    /// Variables holding lock handles: allocated once, never clobbered by calls.
    private var lockHandles = Set<VarID>()
    /// What the branches test and the body writes.
    private let variableUse: VariableUse
    /// Parameters the body assigns (and never hands out the address of) and a branch tests: a
    /// path records what it learns of their entry value before it writes them.
    private(set) var reassignedParameters = Set<VarID>()
    /// False for a function with no event that changes the thread state, a GIL token, a lock
    /// or a critical section: no value can correlate anything, so none is tracked and its
    /// paths collapse (a regex engine's state machine is explored in linear time).
    private(set) var tracksValues = true
    /// The function switches interpreters: the interpreter each Python object came from is tracked.
    private(set) var tracksObjectOrigins = false

    /// Flag parameters whose values are tracked even where no other value is (see
    /// `testedFlagParameters`).
    private(set) var flagParameters = Set<VarID>()

    init(function: Function, model: APIModel, entryContext: EntryContext, limits: ExplorationLimits = ExplorationLimits(),
         summaries: SummaryProvider? = nil, tracksFlags: Bool = false) {
        self.function = function
        self.model = model
        self.entryContext = entryContext
        self.limits = limits
        self.summaries = summaries
        self.analysis = FunctionAnalysis(function: function, isPythonEntry: entryContext.isPythonEntry, entryDescription: entryContext.description)
        self.analysis.isForeignThread = entryContext.isForeignThread
        self.analysis.isHostEntry = entryContext.isHostEntry
        self.analysis.inferredHost = entryContext.inferredHost
        self.statesAt = Array(repeating: StateSet(), count: function.blocks.count)
        self.mergedByCore = Array(repeating: [:], count: function.blocks.count)
        self.rpoIndex = PathExplorer.reversePostOrder(function)
        for (key, condition) in function.conditionKeys.enumerated() {
            for variable in condition.dependencies { keysByVariable[variable, default: []].append(key) }
        }
        isMemoryVariable = function.variables.map(\.kind.isMemory)
        variableUse = VariableUse(function)
        tracksValues = PathExplorer.hasStatefulEvents(function, model: model, summaries: summaries)
        if tracksFlags && !tracksValues { flagParameters = testedFlagParameters }
        for id in function.variables.indices {
            let variable = function.variables[id]
            let path: MemoryPath
            switch variable.kind {
            case .global(let usr): path = MemoryPath(root: .global(usr), steps: [])
            case .field(let base, let name): path = MemoryPath(root: pathOfVariable[base].root, steps: pathOfVariable[base].steps + [.field(name)])
            case .dereference(let base): path = MemoryPath(root: pathOfVariable[base].root, steps: pathOfVariable[base].steps + [.dereference])
            case .element(let base): path = MemoryPath(root: pathOfVariable[base].root, steps: pathOfVariable[base].steps + [.element])
            case .parameter, .local, .temporary: path = MemoryPath(root: .variable(id), steps: [])
            }
            pathOfVariable.append(path)
            if variableOfPath[path] == nil { variableOfPath[path] = id }
        }
        // Only those a branch or a switch tests: what a path learns of the others is never asked.
        reassignedParameters = variableUse.assigned.subtracting(variableUse.addressTaken).intersection(variableUse.tested)
            .filter { function.variables[$0].kind.isParameter }
        let lockEffects: Set<Effect> = [.mutexLock, .mutexUnlock, .lockAcquire, .lockAcquireTimed, .lockRelease]
        let switchingEffects: Set<Effect> = [.newInterpreter, .newInterpreterOut, .swap, .attach, .endInterpreter]
        for block in function.blocks {
            for event in block.events {
                if case .call(let call) = event.kind, let name = call.callee.name, let effect = model.entry(name)?.effect {
                    if effect.createsInterpreter { analysis.newInterpreterSites.insert(event.id) }
                    if switchingEffects.contains(effect) { tracksObjectOrigins = tracksValues }
                }
                guard case .call(let call) = event.kind, let name = call.callee.name, let entry = model.entry(name),
                      let effect = entry.effect, lockEffects.contains(effect) else { continue }
                let index = entry.arg ?? 0
                if index < call.arguments.count, case .variable(let handle) = call.arguments[index] { lockHandles.insert(handle) }
            }
        }
        roots = function.variables.indices.map { id in
            var current = id
            while let base = function.variables[current].kind.base { current = base }
            return current
        }
        for (id, variable) in function.variables.enumerated() {
            if let base = variable.kind.base { dependents[base, default: []].append(id) }
        }
    }

    func run() -> FunctionAnalysis {
        guard !function.blocks.isEmpty, function.loweringProblem == nil else {
            analysis.isComplete = function.loweringProblem == nil
            return analysis
        }
        let initial: AbstractState
        switch entryContext.assumption {
        case .attached:
            initial = AbstractState(attachment: .attached(.entry), entry: .attached)
        case .detached:
            initial = AbstractState(attachment: .detached, entry: .detached)
        case .unknown:
            initial = AbstractState(attachment: .attached(.entry), entry: .unknown)
        }
        var start = initial
        if tracksObjectOrigins, start.attachment == .attached(.entry) {
            for (id, variable) in function.variables.enumerated() where variable.kind.isParameter && variable.type == .pyObject {
                start.setOrigin(id, ObjectOrigin(threadState: .entry, site: nil))
            }
        }
        enqueue(block: function.entry, state: start, trace: nil)
        var visits = 0
        while let (block, state, trace) = queue.pop() {
            visits += 1
            if visits > limits.maxVisits {
                analysis.isComplete = false
                analysis.boundReached = "its exploration stopped after \(limits.maxVisits) steps"
                break
            }
            visit(block: block, state: state, trace: trace)
        }
        analysis.statesExplored = visits
        if !tracksValues, flagParameters.isEmpty, analysis.isComplete,
           analysis.exits.contains(where: { $0.state.entry == .attached }), analysis.exits.contains(where: { $0.state.entry != .attached }),
           !testedFlagParameters.isEmpty {
            // Some paths need a thread state and others do not, and a flag parameter may be
            // what tells them apart (`if (decref) Py_DECREF(...)`): explored again with the
            // flags' values, so that the summary's ways out say for which. Not from the start:
            // a function testing many flags and needing nothing has as many paths as flag values.
            return PathExplorer(function: function, model: model, entryContext: entryContext, limits: limits,
                                summaries: summaries, tracksFlags: true).run()
        }
        return analysis
    }

    // MARK: Worklist

    private func enqueue(block: BlockID, state: AbstractState, trace: Trace?) {
        var state = state
        if !state.isSilenced {
            let kept = state
            state.keepOnly { variable in
                if liveness.isLive(variable, atEntryOf: block) || lockHandles.contains(variable) { return true }
                switch kept.value(variable) {
                case .threadState?, .gilToken?: return function.variables[variable].kind.isMemory
                default: return false
                }
            }
            if !state.conditionFacts.isEmpty {
                state.conditionFacts = state.conditionFacts.filter { liveness.keysLiveAtEntry[block].contains($0.key) }
            }
        }
        // Below the bounds (the common case) the state is hashed once, to insert it.
        let count = statesAt[block].count
        if count >= limits.hardStatesPerBlock {
            if statesAt[block].contains(state, hash: state.hashValue) { return }
            if !state.isSilenced, analysis.boundReached == nil {
                let site = function.blocks[block].events.first?.location ?? function.blocks[block].terminatorLocation
                analysis.boundReached = "more than \(limits.hardStatesPerBlock) distinct paths meet at line \(site.line > 0 ? site.line : function.location.line), and those past that bound were given up"
            }
            state = .silenced
        } else if count >= limits.statesPerBlock, !state.isSilenced {
            if statesAt[block].contains(state, hash: state.hashValue) { return }
            state = widen(state, at: block)
        }
        guard statesAt[block].insert(state, hash: state.hashValue) else { return }
        queue.push(block: block, priority: rpoIndex[block], state: state, trace: trace)
    }

    /// Merges a state with the states at the block that agree with it on everything but
    /// variable values and condition outcomes, keeping only what they share.
    private func widen(_ state: AbstractState, at block: BlockID) -> AbstractState {
        var core = state
        core.keepOnly { _ in false }
        core.conditionFacts = [:]
        guard var merged = mergedByCore[block][core] else {
            mergedByCore[block][core] = state
            return state
        }
        let previous = merged
        merged.keepOnly { variable in previous.value(variable) == state.value(variable) }
        merged.conditionFacts = merged.conditionFacts.filter { state.conditionFacts[$0.key] == $0.value }
        mergedByCore[block][core] = merged
        return merged
    }

    /// Flag parameters (`int decref`) tested by a branch or a switch and never written: what a
    /// path needs may depend on them, and the summary's ways out say for which values.
    private var testedFlagParameters: Set<VarID> {
        variableUse.tested.subtracting(variableUse.written).filter {
            function.variables[$0].kind.isParameter && function.variables[$0].type == .integer
        }
    }

    /// Effects that leave the attached thread state, the GIL frames and the locks as they were.
    static let neutralEffects: Set<Effect> = [.blocking, .needsThreadState, .noThreadStateNeeded, .noreturn, .threadStart, .storesCallback,
                                              .interpreterGet, .interpreterNew, .interpreterClear, .interpreterDelete, .pendingCall,
                                              .clearThreadState, .deleteThreadState]

    static func hasStatefulEvents(_ function: Function, model: APIModel, summaries: SummaryProvider?) -> Bool {
        let neutral = neutralEffects
        for block in function.blocks {
            for event in block.events {
                switch event.kind {
                case .macro, .unparsed:
                    return true
                case .call(let call):
                    switch call.callee {
                    case .direct(let name, let usr, _):
                        if let effect = model.entry(name)?.effect {
                            if !neutral.contains(effect) { return true }
                        } else if let summary = summaries?.summary(forUSR: usr), summary.exits?.allSatisfy(\.isIdentity) != true {
                            return true
                        }
                    case .indirect:
                        if summaries?.indirectTargets(of: call, in: function).isEmpty == false { return true }
                    }
                default:
                    break
                }
            }
        }
        return false
    }

    private static func reversePostOrder(_ function: Function) -> [Int] {
        var order = [Int](repeating: Int.max, count: function.blocks.count)
        var visited = [Bool](repeating: false, count: function.blocks.count)
        var postOrder: [BlockID] = []
        var stack: [(BlockID, Int)] = [(function.entry, 0)]
        visited[function.entry] = true
        // Once per block: a switch of 100,000 cases is returned to after each of them.
        let successorsOf = function.blocks.map(\.terminator.successors)
        while let (block, next) = stack.last {
            let successors = successorsOf[block]
            if next < successors.count {
                stack[stack.count - 1].1 += 1
                let successor = successors[next]
                if !visited[successor] {
                    visited[successor] = true
                    stack.append((successor, 0))
                }
            } else {
                postOrder.append(block)
                stack.removeLast()
            }
        }
        for (index, block) in postOrder.reversed().enumerated() { order[block] = index }
        return order
    }

    // MARK: Blocks

    private func visit(block id: BlockID, state: AbstractState, trace: Trace?) {
        let block = function.blocks[id]
        var paths: [(AbstractState, Trace?)] = [(state, trace)]
        for event in block.events {
            var next: [(AbstractState, Trace?)] = []
            for (state, trace) in paths {
                if state.isSilenced {
                    next.append((state, trace))
                } else {
                    next.append(contentsOf: transfer(event, state, trace))
                }
            }
            paths = next
        }
        for (state, trace) in paths {
            follow(block.terminator, at: block.terminatorLocation, state, trace)
        }
    }

    private func follow(_ terminator: Terminator, at location: SourceLocation, _ state: AbstractState, _ trace: Trace?) {
        switch terminator {
        case .jump(let target, let kind):
            var trace = trace
            if !state.isSilenced && hasPendingObligations(state) {
                switch kind {
                case .goto(let label): trace = trace.appending(location, "jumps to `\(label)`")
                case .breakStatement: trace = trace.appending(location, "breaks out")
                case .continueStatement: trace = trace.appending(location, "continues with the next iteration")
                case .loopBack, .next: break
                }
            }
            // Once a path has told something, a turn of a loop is part of its story (the same
            // release read twice is the next iteration), whatever is pending.
            if kind == .loopBack, !state.isSilenced, trace != nil {
                trace = trace.appending(location, "looping back to the head of the loop")
            }
            enqueue(block: target, state: state, trace: trace)
        case .branch(let condition, let thenBlock, let elseBlock):
            for (taken, target) in [(true, thenBlock), (false, elseBlock)] {
                guard let refined = refine(state, condition, taken: taken) else { continue }
                var trace = trace
                if !state.isSilenced && hasPendingObligations(state) && thenBlock != elseBlock {
                    trace = trace.appending(location, branchNote(condition, taken: taken, at: location))
                }
                enqueue(block: target, state: refined, trace: trace)
            }
        case .switchOn(let subject, let cases, let defaultTarget):
            if case .integer(let value)? = self.value(of: subject, in: state) {
                let target = cases.first { $0.value == value }?.target
                    ?? (cases.contains { $0.value == nil } ? nil : defaultTarget)
                if let target {
                    enqueue(block: target, state: state, trace: trace)
                    return
                }
            }
            // A case reached by one value alone: the subject holds that value there.
            var onlyValue: [BlockID: Int64?] = [:]
            if tracksValues || subject.variable.map(flagParameters.contains) == true, !state.isSilenced, case .variable = subject {
                for switchCase in cases {
                    onlyValue[switchCase.target] = onlyValue[switchCase.target] == nil ? .some(switchCase.value) : .some(nil)
                }
            }
            var seen = Set<BlockID>()
            for target in cases.map(\.target) + [defaultTarget] where seen.insert(target).inserted {
                if target != defaultTarget, case let value?? = onlyValue[target],
                   case .variable(let variable) = subject, self.value(of: subject, in: state) == nil {
                    var refined = state
                    refined.set(variable, .integer(value))
                    enqueue(block: target, state: refined, trace: trace)
                } else {
                    enqueue(block: target, state: state, trace: trace)
                }
            }
        case .returns(let operand):
            guard !state.isSilenced else {
                analysis.silencedPathsReachExit = true
                return
            }
            let returned = operand.flatMap { value(of: $0, in: state) }
            if case .variable(let variable)? = operand {
                checkOrigin(of: variable, use: .returned, in: state, at: Event(id: -1, kind: .escape(.variable(variable)), location: location), trace: trace)
            }
            let isEnd = location == function.closingBrace
            let note = isEnd ? "reaches the end of the function" : "returns here"
            analysis.exits.append(ExitRecord(location: location, isEndOfBody: isEnd, state: state, returned: returned,
                                             trace: trace.appending(location, note).steps()))
        case .noReturn, .unreachable:
            break
        }
    }

    func hasPendingObligations(_ state: AbstractState) -> Bool {
        state.awaySite != nil || !state.gilFrames.isEmpty || !state.criticalSections.isEmpty
            || state.locks.contains { if case .held = $0.state { return true } else { return false } }
    }

    private func branchNote(_ condition: Condition, taken: Bool, at location: SourceLocation) -> String {
        guard let variable = condition.variable else {
            return taken ? "taking the true branch" : "taking the false branch"
        }
        let info = function.variables[variable]
        let isPointer = info.type.isPointer
        let comparison = taken ? condition.comparison : condition.comparison.negated
        let value: String
        var negated = false
        switch comparison {
        case .zero: value = isPointer ? "NULL" : "zero"
        case .nonZero: value = isPointer ? "NULL" : "zero"; negated = true
        case .equals(let constant): value = String(constant)
        case .notEquals(let constant): value = String(constant); negated = true
        case .sameAs(let other), .differentFrom(let other):
            let otherName = function.variables[other].name
            guard !info.name.isEmpty, !otherName.isEmpty else { return taken ? "taking the true branch" : "taking the false branch" }
            if case .sameAs = comparison { return "assuming `\(info.name)` and `\(otherName)` are the same thread state" }
            return "assuming `\(info.name)` and `\(otherName)` are different thread states"
        }
        // A variable the branch's macro declares itself (`_py_tmp` of Py_CLEAR) means nothing
        // to the reader: it was declared where the macro is used.
        let declaredByMacro = info.kind == .local && info.location.line == location.line && info.location.column == location.column
            && info.location.file == location.file
        if info.name.isEmpty || declaredByMacro { return taken ? "taking the true branch" : "taking the false branch" }
        if info.kind == .temporary {
            return "assuming `\(info.name)` \(negated ? "does not return" : "returns") \(value)"
        }
        return "assuming `\(info.name)` is \(negated ? "not " : "")\(value)"
    }

    // MARK: Values

    func implicitValue(_ variable: VarID) -> AbstractValue? {
        let info = function.variables[variable]
        guard info.type == .threadState else { return nil }
        switch info.kind {
        case .parameter, .field, .dereference, .element, .global: return .threadState(.initial(variable))
        case .local, .temporary: return nil
        }
    }

    /// The value of an operand handed to PyEval_RestoreThread or PyEval_AcquireThread. Memory
    /// the function did not write that is declared `void *` (Pillow's `ImagingSectionCookie`)
    /// holds, there, the thread state it held at entry. (Not for PyThreadState_Swap: uWSGI
    /// keeps interpreters in `void *` fields and swaps only in configurations where its GIL
    /// hooks are no-ops, which the analysis cannot correlate.)
    func threadStateValue(of operand: Operand, in state: AbstractState) -> AbstractValue? {
        if let known = value(of: operand, in: state) { return known }
        guard case .variable(let variable) = operand, function.variables[variable].type == .pointer else { return nil }
        switch function.variables[variable].kind {
        case .parameter, .field, .dereference, .element, .global: return .threadState(.initial(variable))
        case .local, .temporary: return nil
        }
    }

    func value(of operand: Operand, in state: AbstractState) -> AbstractValue? {
        switch operand {
        case .integer(let value): return .integer(value)
        case .address, .function: return .nonZero
        case .variable(let variable): return state.value(variable) ?? implicitValue(variable)
        case .unknown: return nil
        }
    }

    func refine(_ state: AbstractState, _ condition: Condition, taken: Bool) -> AbstractState? {
        guard !state.isSilenced, tracksValues || condition.variable.map(flagParameters.contains) == true else { return state }
        if let key = condition.key {
            if let known = state.conditionFacts[key] { return known == taken ? state : nil }
            var state = state
            state.conditionFacts[key] = taken
            return state
        }
        guard let variable = condition.variable else { return state }
        guard var refined = refineVariable(state, variable, condition, taken: taken) else { return nil }
        for tested in reassignedParameters.isEmpty ? [] : condition.testedVariables
        where reassignedParameters.contains(tested) && !refined.parametersAssigned.contains(tested) {
            if let value = refined.value(tested), refined.entryValueFacts[tested] != value { refined.entryValueFacts[tested] = value }
        }
        return refined
    }

    private func refineVariable(_ state: AbstractState, _ variable: VarID, _ condition: Condition, taken: Bool) -> AbstractState? {
        let comparison = taken ? condition.comparison : condition.comparison.negated
        var state = state
        switch comparison {
        case .sameAs(let other): return refineSame(state, variable, other, same: true)
        case .differentFrom(let other): return refineSame(state, variable, other, same: false)
        default: break
        }
        switch value(of: .variable(variable), in: state) {
        case .integer(let value)?:
            return comparison.holds(for: value) == true ? state : nil
        case .nonZero?, .threadState(.created)?, .threadState(.opaque)?:
            switch comparison {
            case .zero: return nil
            case .equals(let value): if value == 0 { return nil }; state.set(variable, .integer(value)); return state
            case .nonZero, .notEquals, .sameAs, .differentFrom: return state
            }
        case .threadState(.entry)?:
            guard state.entry == .unknown else { return comparison == .zero ? nil : state }
            analysis.testsEntryThreadState = true
            switch comparison {
            case .zero: state.assumeEntry(.detached)
            case .nonZero: state.assumeEntry(.attached)
            case .equals, .notEquals, .sameAs, .differentFrom: break
            }
            return state
        case .threadState(.initial)?, .threadState(.initialMemory)?:
            if comparison == .zero { state.set(variable, .integer(0)) }
            return state
        case .gilToken?, .status?:
            return state
        case nil:
            switch comparison {
            case .zero: state.set(variable, .integer(0))
            case .nonZero: state.set(variable, .nonZero)
            case .equals(let value): state.set(variable, .integer(value))
            case .notEquals, .sameAs, .differentFrom: break
            }
            return state
        }
    }

    /// Two thread-state variables compared. Equal: each takes the other's value where one is
    /// known (a parameter equal to the attached thread state becomes it, which the summary
    /// turns into a condition on the call). Different: impossible when both hold one value.
    private func refineSame(_ state: AbstractState, _ first: VarID, _ second: VarID, same: Bool) -> AbstractState? {
        let a = value(of: .variable(first), in: state), b = value(of: .variable(second), in: state)
        guard same else {
            // `.nonZero` twice is two unknown pointers, not one.
            switch (a, b) {
            case (.threadState(let x)?, .threadState(let y)?): return x == y ? nil : state
            case (.integer(let x)?, .integer(let y)?): return x == y ? nil : state
            default: return state
            }
        }
        switch (a, b) {
        case (let known?, let other?):
            if known == other { return state }
            if Self.distinctThreadStates(known, other) { return nil }
            // What a place held at entry is less known than the other: it becomes that.
            var state = state
            if Self.isHeldAtEntry(other) && !Self.isHeldAtEntry(known) {
                state.set(second, known)
            } else if Self.isHeldAtEntry(known) && !Self.isHeldAtEntry(other) {
                state.set(first, other)
            }
            return state
        case (let known?, nil):
            var state = state
            state.set(second, known)
            return state
        case (nil, let known?):
            var state = state
            state.set(first, known)
            return state
        case (nil, nil):
            return state
        }
    }

    /// Values that cannot be one thread state: one created on this path and any other, or two
    /// different constants.
    static func distinctThreadStates(_ a: AbstractValue, _ b: AbstractValue) -> Bool {
        switch (a, b) {
        case (.threadState(.created), .threadState), (.threadState, .threadState(.created)): return true
        case (.integer(let x), .integer(let y)): return x != y
        default: return false
        }
    }

    static func isHeldAtEntry(_ value: AbstractValue) -> Bool {
        switch value {
        case .threadState(.initial), .threadState(.initialMemory), .threadState(.opaque): return true
        default: return false
        }
    }

    // MARK: Reporting

    /// Records a problem at an event, with the path that leads to it and, through a helper,
    /// the steps inside the helper.
    func observe(_ kind: ObservationKind, at event: Event, trace: Trace?, note: String, callee: [TraceStep] = []) {
        let key = "\(kind)@\(event.location.offset)"
        guard observedKeys.insert(key).inserted else { return }
        var steps = trace.appending(event.location, note).steps() + callee
        if entryContext.assumption == .detached, !entryContext.isForeignThread, let entry = analysis.entryStep {
            // Why the path starts with no thread state: the analysis inferred it.
            steps.insert(entry, at: 0)
        }
        analysis.observations.append(Observation(kind: kind, event: event, trace: steps))
    }

    /// Two thread states that certainly belong to different interpreters: one was created with
    /// a new interpreter by this function and the other is not that one.
    func belongToDifferentInterpreters(_ a: ThreadStateID, _ b: ThreadStateID) -> Bool {
        guard a != b else { return false }
        func isNew(_ id: ThreadStateID) -> Bool {
            if case .created(let site) = id { return analysis.newInterpreterSites.contains(site) }
            return false
        }
        return isNew(a) || isNew(b)
    }

    /// TS401: a Python object used under another interpreter than the one it came from.
    func checkOrigin(of variable: VarID, use: ObjectUse, in state: AbstractState, at event: Event, trace: Trace?) {
        guard tracksObjectOrigins, !state.isSilenced, let origin = state.origin(variable),
              case .attached(let current) = state.attachment,
              belongToDifferentInterpreters(origin.threadState, current) else { return }
        let name = function.variables[variable].name
        let whose = { (id: ThreadStateID) -> String in
            if case .created(let site) = id, self.analysis.newInterpreterSites.contains(site) {
                return "the sub-interpreter created at line \(self.event(site)?.location.line ?? 0)"
            }
            return id == .entry ? "the caller's interpreter" : "another interpreter"
        }
        let obtained = origin.site.flatMap { self.event($0) }.map { "obtained at line \($0.location.line) under \(whose(origin.threadState))" }
            ?? "a parameter, from \(whose(origin.threadState))"
        let action: String
        switch use {
        case .passed(let callee): action = "passed to `\(callee)()`"
        case .stored(let target): action = "stored in `\(target)`"
        case .returned: action = "returned"
        }
        observe(.objectFromOtherInterpreter(variable: name, use: use, obtainedAt: origin.site), at: event, trace: trace,
                note: "`\(name)` (\(obtained)) is \(action) while \(whose(current)) is attached")
    }

    /// The first place a path needs the thread state it was entered with (for the summary).
    func noteRequirement(_ event: Event, _ message: String, callee: [TraceStep] = []) {
        guard analysis.attachedRequirementWitness == nil else { return }
        analysis.attachedRequirementWitness = [TraceStep(location: event.location, message: message)] + callee
    }

    /// A path attaches a thread state from the one it was entered with: it was entered with none.
    func noteAttachAtEntry(_ event: Event, _ message: String) {
        analysis.attachesAtEntry = true
        if analysis.entryAttachWitness == nil { analysis.entryAttachWitness = TraceStep(location: event.location, message: message) }
    }

    func event(_ id: EventID) -> Event? {
        analysis.event(PathExplorer.eventOfSite(id))
    }

    /// A variable is written: what was known about memory reached through it, and about
    /// conditions that read it, no longer holds.
    func variableChanged(_ variable: VarID, in state: inout AbstractState) {
        if !state.syntheticMemory.isEmpty {
            state.syntheticMemory = state.syntheticMemory.filter { $0.key.root != .variable(variable) || $0.key.steps.isEmpty }
        }
        var pending = [variable]
        var first = true
        while let changed = pending.popLast() {
            if !first { state.set(changed, nil) }
            first = false
            for key in keysByVariable[changed] ?? [] { state.conditionFacts[key] = nil }
            pending.append(contentsOf: dependents[changed] ?? [])
        }
    }

    /// Memory a call may write: the paths under `prefix` (and `prefix` itself when inclusive).
    struct Clobber {
        var prefix: MemoryPath
        var inclusive: Bool

        func covers(_ path: MemoryPath) -> Bool {
            guard path.root == prefix.root, path.steps.count >= prefix.steps.count,
                  path.steps.starts(with: prefix.steps) else { return false }
            return inclusive || path.steps.count > prefix.steps.count
        }
    }

    /// What code the analysis knows nothing about may write: what the pointers it is given
    /// point to, and `x` itself for `&x`. Not globals: a C library does not write the
    /// extension's globals, and the project's own functions say what they write in their
    /// summaries.
    func clobbers(reachableFrom arguments: [Operand]) -> [Clobber] {
        arguments.compactMap { argument in
            switch argument {
            case .variable(let variable): return Clobber(prefix: pathOfVariable[variable], inclusive: false)
            case .address(let variable): return Clobber(prefix: pathOfVariable[variable], inclusive: true)
            default: return nil
            }
        }
    }

    /// Forgets what the clobbered memory holds, except saved thread states and GIL tokens
    /// (code handed `self` keeps `self->state`) and lock handles (allocated once).
    func clobberMemory(in state: inout AbstractState, _ clobbers: [Clobber]) {
        guard !clobbers.isEmpty else { return }
        func clobbered(_ path: MemoryPath) -> Bool { clobbers.contains { $0.covers(path) } }
        for lock in state.locks {
            guard case .variable(let handle) = lock.key, clobbered(pathOfVariable[handle]) else { continue }
            if case .held = lock.state { continue }
            // The callee may acquire (or release) it: what this path knew no longer holds.
            state.setLock(lock.key, nil)
        }
        if !state.syntheticMemory.isEmpty {
            state.syntheticMemory = state.syntheticMemory.filter { path, value in
                switch value {
                case .threadState, .gilToken: return true
                default: return !clobbered(path)
                }
            }
        }
        // Only what the path knows can be forgotten: its values and its condition outcomes.
        func forgets(_ id: VarID) -> Bool {
            switch state.value(id) {
            case .threadState?, .gilToken?: return false
            default: return isMemoryVariable[id] && !lockHandles.contains(id) && clobbered(pathOfVariable[id])
            }
        }
        let keys = function.conditionKeys
        let forgottenFacts = state.conditionFacts.keys.filter { key in
            key >= 0 && key < keys.count && keys[key].dependencies.contains(where: forgets)
        }
        for key in forgottenFacts { state.conditionFacts[key] = nil }
        for id in state.values.keys where forgets(id) { state.set(id, nil) }
    }

    func memoryClobbered(in state: inout AbstractState, reachableFrom arguments: [Operand]) {
        clobberMemory(in: &state, clobbers(reachableFrom: arguments))
    }
}

/// The states seen at one block: at most some dozens, compared by hash first, in a list.
private struct StateSet {
    private var hashes: [Int] = []
    private var states: [AbstractState] = []

    var count: Int { states.count }

    func contains(_ state: AbstractState, hash: Int) -> Bool {
        for index in hashes.indices where hashes[index] == hash && states[index] == state { return true }
        return false
    }

    /// False when the state was there already.
    mutating func insert(_ state: AbstractState, hash: Int) -> Bool {
        if contains(state, hash: hash) { return false }
        hashes.append(hash)
        states.append(state)
        return true
    }
}

/// Pending (block, state) pairs, lowest reverse-post-order index first. The heap orders small
/// keys; the states themselves stay in their slots, so sifting never copies one.
private struct BlockQueue {
    private var heap: [(priority: Int, sequence: Int, slot: Int)] = []
    private var slots: [(block: BlockID, state: AbstractState, trace: Trace?)?] = []
    private var freeSlots: [Int] = []
    private var sequence = 0

    mutating func push(block: BlockID, priority: Int, state: AbstractState, trace: Trace?) {
        sequence += 1
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            slots[slot] = (block, state, trace)
        } else {
            slot = slots.count
            slots.append((block, state, trace))
        }
        heap.append((priority, sequence, slot))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (BlockID, AbstractState, Trace?)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count && less(left, smallest) { smallest = left }
            if right < heap.count && less(right, smallest) { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        guard let entry = slots[top.slot].take() else { return nil }
        freeSlots.append(top.slot)
        return (entry.block, entry.state, entry.trace)
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        (heap[a].priority, heap[a].sequence) < (heap[b].priority, heap[b].sequence)
    }
}
