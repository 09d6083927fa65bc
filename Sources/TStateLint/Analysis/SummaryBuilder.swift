/// Turns the exploration of a function (entered in an unknown state) into its summary.
enum SummaryBuilder {
    static let maxExits = 8

    /// Where a function may write, in places its callers can name (mod analysis, flow-insensitive).
    static func modifies(_ function: Function, places: PlaceMap, summaries: SummaryProvider?, model: APIModel) -> [SummaryPlace]? {
        var written: [SummaryPlace] = []
        var seen = Set<SummaryPlace>()
        func add(_ place: SummaryPlace?) {
            if let place, seen.insert(place).inserted { written.append(place) }
        }
        /// A callee's place, seen from this function through the call's arguments.
        func translate(_ place: SummaryPlace, _ arguments: [Operand]) -> SummaryPlace? {
            switch place {
            case .parameter(let index):
                guard index < arguments.count else { return nil }
                switch arguments[index] {
                case .variable(let variable), .address(let variable): return places.place(variable)
                default: return nil
                }
            case .global: return place
            case .field(let base, let name): return translate(base, arguments).map { .field($0, name) }
            case .dereference(let base):
                if case .parameter(let index) = base, index < arguments.count, case .address(let variable) = arguments[index] {
                    return places.place(variable)
                }
                return translate(base, arguments).map { .dereference($0) }
            case .element(let base): return translate(base, arguments).map { .element($0) }
            }
        }
        for block in function.blocks {
            for event in block.events {
                switch event.kind {
                case .assign(let target, _):
                    if function.variables[target].kind.isMemory { add(places.place(target)) }
                case .call(let call):
                    var summary: FunctionSummary?
                    if case .direct(let name, let usr, let origin) = call.callee, origin == .other, model.entry(name) == nil {
                        summary = summaries?.summary(forUSR: usr)
                    }
                    if let summary {
                        guard let calleeWrites = summary.modifies else { return nil }
                        for place in calleeWrites { add(translate(place, call.arguments)) }
                    } else {
                        for argument in call.arguments {
                            switch argument {
                            case .variable(let variable), .address(let variable): add(places.place(variable))
                            default: break
                            }
                        }
                    }
                default:
                    break
                }
            }
        }
        return written.count <= 256 ? written : nil
    }

    private static func merged(_ exits: [SummaryExit], keepingConditions: Bool) -> [SummaryExit] {
        var merged: [SummaryExit] = []
        for var exit in exits {
            exit.returned = nil
            if !keepingConditions { exit.parameterConditions = [:] }
            if !merged.contains(where: { $0.sameEffect(as: exit) }) { merged.append(exit) }
        }
        return merged
    }

    static func summarize(_ analysis: FunctionAnalysis, summaries: SummaryProvider? = nil, model: APIModel = APIModel()) -> FunctionSummary {
        let function = analysis.function
        let needsAttached = analysis.attachedRequirementWitness != nil || analysis.releasesAtEntry
        let requirement: Requirement
        switch (needsAttached, analysis.attachesAtEntry) {
        case (true, false): requirement = .attached
        case (false, true): requirement = .detached
        default: requirement = .any
        }
        var summary = FunctionSummary(name: function.name, usr: function.usr, location: function.location,
                                      requirement: requirement,
                                      requirementWitness: analysis.attachedRequirementWitness ?? [],
                                      exits: nil, blockingWitness: analysis.blockingWitness)
        summary.testsEntryThreadState = analysis.testsEntryThreadState
        guard analysis.isComplete, function.loweringProblem == nil else {
            summary.modifies = nil
            return summary
        }

        var places = PlaceMap(function: function)
        places.assignedParameters = VariableUse(function).written
        var exits: [SummaryExit] = []
        for record in analysis.exits where !record.state.isSilenced {
            guard let exit = places.exit(record) else { return summary }
            if !exits.contains(where: { $0.sameEffect(as: exit) }) { exits.append(exit) }
        }
        if analysis.silencedPathsReachExit {
            exits.append(SummaryExit(entry: .unknown, returned: nil, attachment: .unknown, stores: [:], outstandingEnsures: 0,
                                     releasedTokens: [], locksHeld: [], locksReleased: [], effectTrace: []))
        }
        if let witness = analysis.entryAttachWitness, !analysis.testsEntryThreadState, exits.allSatisfy({ $0.parameterConditions.isEmpty }) {
            // How a function is entered belongs to the function, not to one path: one that
            // attaches from its entry state on some path is entered with none on all of them,
            // unless it tests the thread state, or its paths split on what the caller passes.
            exits = exits.map { $0.entry == .attached ? $0.enteredDetached() : $0 }
            summary.enteredDetachedWitness = witness
        }
        if analysis.attachesThreadStates, exits.contains(where: { $0.entry == .detached }) {
            // A function that attaches thread states itself is entered without one; its paths
            // that only make sense entered attached (an unchecked failed acquire going on to
            // use the C-API) are reported inside it, not passed on to its callers.
            exits.removeAll { $0.entry == .attached }
        }
        var unreturned = exits.map { exit -> SummaryExit in
            var copy = exit
            copy.returned = nil
            return copy
        }
        let returnsOnlyNumbers = exits.allSatisfy { exit in
            switch exit.returned {
            case nil, .integer?, .nonZero?: return true
            default: return false
            }
        }
        if returnsOnlyNumbers, unreturned.dropFirst().allSatisfy({ $0.sameEffect(as: unreturned[0]) }) {
            // One effect whatever it returns: callers need not tell the returns apart.
            unreturned.removeLast(max(0, unreturned.count - 1))
            exits = unreturned
        }
        // Too many ways out: forget what they return, then what they need of the arguments
        // (a merged way out then applies to every call).
        if exits.count > maxExits { exits = merged(exits, keepingConditions: true) }
        if exits.count > maxExits { exits = merged(exits, keepingConditions: false) }
        summary.exits = exits.count <= maxExits ? exits : nil
        summary.modifies = modifies(function, places: places, summaries: summaries, model: model)
        // A function that attaches thread states itself is meant to be called without one:
        // it needs one only if every way through it does.
        if analysis.attachesThreadStates, summary.requirement == .attached, let exits = summary.exits,
           !exits.allSatisfy({ $0.entry == .attached }) {
            summary.requirement = .any
        }
        return summary
    }
}

/// Names a function's variables as places its callers can see.
struct PlaceMap {
    let function: Function
    /// Parameters the body writes: what a path learns about them says nothing about the call.
    var assignedParameters = Set<VarID>()

    func place(_ variable: VarID) -> SummaryPlace? {
        let info = function.variables[variable]
        switch info.kind {
        case .parameter(let index): return .parameter(index)
        case .global(let usr): return .global(usr: usr, name: info.name)
        case .field(let base, let name): return place(base).map { .field($0, name) }
        case .dereference(let base): return place(base).map { .dereference($0) }
        case .element(let base): return place(base).map { .element($0) }
        case .local, .temporary: return nil
        }
    }

    func threadState(_ id: ThreadStateID) -> SummaryValue? {
        switch id {
        case .entry: return .entryThreadState
        // Read through a pointer the caller cannot name (a lookup's result): still a thread
        // state, one the caller cannot tell apart from others.
        case .initial(let variable): return place(variable).map { .initialValue($0) } ?? .unnamedThreadState
        case .created: return .createdThreadState
        case .opaque, .initialMemory: return .unnamedThreadState
        }
    }

    func value(_ value: AbstractValue?, in state: AbstractState) -> SummaryValue? {
        switch value {
        case .integer(let constant)?: return .integer(constant)
        case .nonZero?: return .nonZero
        case .threadState(let id)?: return threadState(id)
        case .gilToken(let site)?: return state.gilFrames.firstIndex { $0.site == site }.map { .gilToken($0) }
        case .status(let failed)?: return .status(failed: failed)
        case nil: return nil
        }
    }

    func lock(_ key: Operand) -> SummaryLock? {
        switch key {
        case .variable(let variable): return place(variable).map { SummaryLock(place: $0, isAddress: false) }
        case .address(let variable): return place(variable).map { SummaryLock(place: $0, isAddress: true) }
        default: return nil
        }
    }

    /// nil when the exit's effect cannot be expressed to callers (it attached a thread state
    /// they cannot name): the function is then opaque.
    func exit(_ record: ExitRecord) -> SummaryExit? {
        let state = record.state
        var attachment: SummaryAttachment
        let ensureAttachment = state.gilFrames.first.map { Attachment.attached(.created($0.site)) }
        if state.isAtEntryState || (state.attachment == ensureAttachment && !state.gilFrames.isEmpty) {
            attachment = .unchanged
        } else {
            switch state.attachment {
            case .detached: attachment = .detached
            case .attached(let id):
                guard let value = threadState(id) else { return nil }
                attachment = .attached(value)
            case .unknown: attachment = .unknown
            }
        }
        if (!state.releasedExternalTokens.isEmpty || state.releasesCallersEnsure) && state.gilFrames.isEmpty {
            // Releasing a token it was given restores whatever the caller had before its Ensure.
            attachment = .unchanged
        }
        var stores: [SummaryPlace: SummaryValue] = [:]
        for (variable, value) in state.values where function.variables[variable].kind.isMemory {
            switch value {
            case .threadState, .gilToken:
                if let place = place(variable), let converted = self.value(value, in: state) { stores[place] = converted }
            default:
                break
            }
        }
        var held: [SummaryLock] = [], released: [SummaryLock] = []
        for lock in state.locks {
            switch lock.state {
            case .held: if let converted = self.lock(lock.key) { held.append(converted) }
            case .releasedFromEntry: if let converted = self.lock(lock.key) { released.append(converted) }
            case .released, .notAcquired: break
            }
        }
        let effectTrace = record.trace.filter { step in
            !step.message.hasPrefix("assuming") && !step.message.hasPrefix("taking") && !step.message.hasPrefix("returns here")
                && !step.message.hasPrefix("reaches the end")
        }
        var conditions: [Int: SummaryValue] = [:]
        // A parameter the body writes: what the path found out before writing it.
        let unwritten = state.values.filter { !assignedParameters.contains($0.key) }
        for (variable, value) in state.entryValueFacts.merging(unwritten, uniquingKeysWith: { fact, _ in fact }) {
            guard case .parameter(let index) = function.variables[variable].kind else { continue }
            switch value {
            case .integer(let constant): conditions[index] = .integer(constant)
            case .nonZero: conditions[index] = .nonZero
            case .threadState(.entry): conditions[index] = .entryThreadState
            default: break
            }
        }
        return SummaryExit(entry: state.entry, returned: value(record.returned, in: state), attachment: attachment,
                           stores: stores, outstandingEnsures: state.gilFrames.count,
                           releasedTokens: state.releasedExternalTokens.compactMap(place).sorted { ("\($0)", $0.canonicalKey) < ("\($1)", $1.canonicalKey) },
                           releasesCallersEnsure: state.releasesCallersEnsure,
                           locksHeld: held, locksReleased: released, parameterConditions: conditions,
                           effectTrace: Array(effectTrace.suffix(6)))
    }
}
