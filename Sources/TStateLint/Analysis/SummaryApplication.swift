/// Applying a callee's summary at a call site: the callee's places become the caller's
/// memory (through the arguments), its thread-state effect becomes the caller's.
extension PathExplorer {
    /// The caller's memory a callee place denotes at this call.
    func memoryPath(of place: SummaryPlace, arguments: [Operand]) -> MemoryPath? {
        switch place {
        case .parameter:
            return nil
        case .global(let usr, _):
            return MemoryPath(root: .global(usr), steps: [])
        case .field(let base, let name):
            return pointee(base, arguments: arguments).map { MemoryPath(root: $0.root, steps: $0.steps + [.field(name)]) }
        case .dereference(let base):
            if case .parameter(let index) = base, index < arguments.count, case .address(let variable) = arguments[index] {
                return pathOfVariable[variable]
            }
            return pointee(base, arguments: arguments).map { MemoryPath(root: $0.root, steps: $0.steps + [.dereference]) }
        case .element(let base):
            return pointee(base, arguments: arguments).map { MemoryPath(root: $0.root, steps: $0.steps + [.element]) }
        }
    }

    /// The path whose fields `place->f` are: for an argument `v` or `&v`, the path of `v`
    /// (the IR names `v->f` and `v.f` alike).
    private func pointee(_ place: SummaryPlace, arguments: [Operand]) -> MemoryPath? {
        if case .parameter(let index) = place {
            guard index < arguments.count else { return nil }
            switch arguments[index] {
            case .variable(let variable), .address(let variable): return pathOfVariable[variable]
            default: return nil
            }
        }
        return memoryPath(of: place, arguments: arguments)
    }

    func read(_ path: MemoryPath, in state: AbstractState) -> AbstractValue? {
        if let variable = variableOfPath[path] { return state.value(variable) ?? implicitValue(variable) }
        return state.syntheticMemory[path]
    }

    func write(_ path: MemoryPath, _ value: AbstractValue?, in state: inout AbstractState) {
        if let variable = variableOfPath[path] {
            variableChanged(variable, in: &state)
            state.set(variable, value)
        } else {
            state.syntheticMemory[path] = value
        }
    }

    /// A callee value as the caller sees it, read in the state before the call.
    func resolve(_ value: SummaryValue, arguments: [Operand], before: AbstractState, site: EventID) -> AbstractValue? {
        switch value {
        case .integer(let constant): return .integer(constant)
        case .nonZero: return .nonZero
        case .status(let failed): return .status(failed: failed)
        case .entryThreadState:
            if case .attached(let id) = before.attachment { return .threadState(id) }
            return nil
        case .initialValue(let place):
            if case .parameter(let index) = place {
                return index < arguments.count ? self.value(of: arguments[index], in: before) : nil
            }
            guard let path = memoryPath(of: place, arguments: arguments) else { return nil }
            return read(path, in: before) ?? .threadState(.initialMemory(path))
        case .createdThreadState:
            return .threadState(.created(site))
        case .unnamedThreadState:
            return .threadState(.opaque(site))
        case .gilToken(let index):
            return .gilToken(Self.callSiteToken(site, index))
        }
    }

    /// Sites of GIL frames a call leaves outstanding: negative, so they cannot collide with events.
    static func callSiteToken(_ site: EventID, _ index: Int) -> EventID { -(site * 16 + index + 1) }

    static func eventOfSite(_ site: EventID) -> EventID { site >= 0 ? site : (-site - 1) / 16 }

    /// The caller's memory a callee may have written, from its summary's `modifies`.
    func clobbers(writtenBy summary: FunctionSummary, arguments: [Operand]) -> [Clobber] {
        guard let modifies = summary.modifies else {
            // Writes too many places to list: as for code the analysis knows nothing about.
            return clobbers(reachableFrom: arguments)
        }
        return modifies.compactMap { place -> Clobber? in
            if case .parameter(let index) = place {
                guard index < arguments.count else { return nil }
                return clobbers(reachableFrom: [arguments[index]]).first
            }
            return memoryPath(of: place, arguments: arguments).map { Clobber(prefix: $0, inclusive: true) }
        }
    }

    func lockKey(_ lock: SummaryLock, arguments: [Operand]) -> Operand? {
        guard let path = memoryPath(of: lock.place, arguments: arguments), let variable = variableOfPath[path] else { return nil }
        return lock.isAddress ? .address(variable) : .variable(variable)
    }

    /// Whether an argument's value allows what a callee path found out about the parameter.
    func argument(_ argument: Operand, allows condition: SummaryValue, in state: AbstractState) -> Bool {
        let known = value(of: argument, in: state)
        switch (condition, known) {
        case (.integer(let expected), .integer(let actual)?): return expected == actual
        case (.integer(0), .nonZero?), (.integer(0), .threadState?): return false
        case (.nonZero, .integer(0)?): return false
        case (.entryThreadState, .threadState(let passed)?):
            // The callee's way out was for an argument that is the thread state attached at
            // the call.
            switch state.attachment {
            case .attached(let current): return current == passed || !Self.takenToDiffer(current, passed)
            case .detached: return false
            case .unknown: return true
            }
        case (.entryThreadState, .integer(0)?): return !state.isDefinitelyAttached
        default: return true
        }
    }

    /// Two thread states a path takes to be different: both named (the one it was entered with,
    /// one created on it, one read from a place it names) and not the same name. The same
    /// assumption TS301 makes when a path leaves with another named thread state attached.
    static func takenToDiffer(_ a: ThreadStateID, _ b: ThreadStateID) -> Bool {
        func isNamed(_ id: ThreadStateID) -> Bool {
            switch id {
            case .entry, .created, .initial, .initialMemory: return true
            case .opaque: return false
            }
        }
        return a != b && isNamed(a) && isNamed(b)
    }

    func applySummary(_ summary: FunctionSummary, name: String, call: Call, _ event: Event, _ state: AbstractState, _ trace: Trace?) -> [Path] {
        var summary = summary
        if let exits = summary.exits {
            // Only the ways through the callee that these arguments allow.
            let allowed = exits.filter { exit in
                exit.parameterConditions.allSatisfy { index, condition in
                    index >= call.arguments.count || argument(call.arguments[index], allows: condition, in: state)
                }
            }
            if !allowed.isEmpty && allowed.count < exits.count {
                summary.exits = allowed
                if summary.requirement == .attached, !allowed.contains(where: { $0.entry == .attached }) { summary.requirement = .any }
                if summary.requirement == .any, allowed.allSatisfy({ $0.entry == .attached }), summary.attachedRequirementWitnessApplies {
                    summary.requirement = .attached
                }
            }
        }
        var state = state
        let shown = displayName(event, callee: name)
        if summary.testsEntryThreadState, state.attachment == .attached(.entry), state.entry == .unknown {
            analysis.testsEntryThreadState = true
        }
        let analysedDetached = summaries?.isAnalysedAsEnteredDetached(summary.usr) == true
        if summary.requirement == .attached, state.isDefinitelyDetached, analysedDetached || !summary.releasesOnEveryExit {
            // Reported here, or inside the callee when it is analysed as entered detached; then
            // on with the ways through it that need nothing.
            if !analysedDetached, !state.reportedUseWhileDetached {
                observe(.helperNeedsThreadState(callee: name, usr: summary.usr), at: event, trace: trace,
                        note: "\(shown) is called here with no thread state attached", callee: summary.requirementWitness)
                state.reportedUseWhileDetached = true
            }
            // Its ways through as they are with no thread state: a path that assumed one
            // (to raise, say) still returns what it returns.
            var lenient = summary
            lenient.requirement = .any
            lenient.exits = summary.exits.map { exits in exits.map { $0.entry == .attached ? $0.enteredDetached() : $0 } }
            return applySummary(lenient, name: name, call: call, event, state, trace)
        }
        if summary.requirement == .attached {
            if state.isDefinitelyDetached {
                observe(.helperReleasesWhileDetached(callee: name), at: event, trace: trace,
                        note: "\(shown) releases the thread state, but none is attached here", callee: summary.exits?.first?.effectTrace ?? [])
                return [(.silenced, trace)]
            }
            if state.attachment == .attached(.entry) && state.entry == .unknown {
                state.assumeEntry(.attached)
                state.entryAssumedAt.value = event.id
                noteRequirement(event, "\(shown) needs an attached thread state", callee: summary.requirementWitness)
            }
        }
        if summary.attachesOnEveryExit, let revised = usedBeforeAttaching(state, attachedBy: event, shown: shown) {
            state = revised
        }
        if summary.requirement == .detached && state.isDefinitelyAttached && summary.attachesOnEveryExit {
            observe(.helperAttachesWhileAttached(callee: name), at: event, trace: trace,
                    note: "\(shown) attaches a thread state, but one is already attached here", callee: summary.exits?.first?.effectTrace ?? [])
            return [(.silenced, trace)]
        }
        if let blocking = summary.blockingWitness {
            if isKnownToBeAttached(state) {
                observe(.blockingWhileAttached(callee: name), at: event, trace: trace,
                        note: "\(shown) blocks with the thread state attached", callee: blocking)
            } else if state.attachment == .attached(.entry) && analysis.blockingWitness == nil {
                analysis.blockingWitness = [TraceStep(location: event.location, message: "\(shown) blocks")] + blocking
            }
        }
        guard let exits = summary.exits else {
            return unknownCall(call, state, trace, escapeTokens: true)
        }
        var results: [Path] = []
        for exit in exits {
            if let applied = apply(exit, of: summary, shown: shown, call: call, event, state, trace) { results.append(applied) }
        }
        if results.isEmpty { return unknownCall(call, state, trace, escapeTokens: true) }
        return results
    }

    private func apply(_ exit: SummaryExit, of summary: FunctionSummary, shown: String, call: Call, _ event: Event, _ state: AbstractState, _ trace: Trace?) -> Path? {
        var state = state
        let site = event.id
        switch exit.entry {
        case .attached:
            if state.isDefinitelyDetached { return nil }
            if state.attachment == .attached(.entry) { state.assumeEntry(.attached) }
        case .detached:
            if state.isDefinitelyAttached { return nil }
            if state.attachment == .attached(.entry) {
                state.assumeEntry(.detached)
                // Unless the helper itself tells the two apart (cffi's gil_ensure): then so does the caller.
                if case .attached = exit.attachment, summary.exits?.contains(where: { $0.entry == .attached }) != true {
                    noteAttachAtEntry(event, "\(shown) attaches a thread state")
                }
            }
        case .unknown:
            break
        }
        let before = state
        let arguments = call.arguments
        var trace = trace
        func note(_ message: String) {
            let detail = exit.effectTrace.last.map { " (\($0.location.file):\($0.location.line))" } ?? ""
            trace = trace.appending(event.location, message + detail)
        }

        if let returned = exit.returned, let others = summary.exits,
           others.contains(where: { $0.returned != returned && !$0.sameEffect(as: exit, apartFromReturn: true) }) {
            // Which way out of the callee this path takes, when its ways differ in what they
            // return and do (a test of the result, if any, says the same again).
            let isPointer = call.result.map { function.variables[$0].type.isPointer } ?? false
            let shownValue: String?
            switch returned {
            case .integer(0): shownValue = isPointer ? "NULL" : "zero"
            case .integer(let constant): shownValue = String(constant)
            case .nonZero: shownValue = isPointer ? "not NULL" : "non-zero"
            default: shownValue = nil
            }
            if let shownValue {
                let attachesElsewhere = exit.attachment == .unchanged && others.contains { if case .attached = $0.attachment { return true } else { return false } }
                trace = trace.appending(event.location, "assuming \(shown) returns \(shownValue)" + (attachesElsewhere ? ", the way out that attaches nothing" : ""))
            }
        }

        // What the callee wrote where the caller can see it.
        clobberMemory(in: &state, clobbers(writtenBy: summary, arguments: arguments))
        for (place, value) in exit.stores.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            guard let path = memoryPath(of: place, arguments: arguments) else { continue }
            write(path, resolve(value, arguments: arguments, before: before, site: site), in: &state)
        }

        // GIL tokens it was given and released.
        for place in exit.releasedTokens {
            let token: AbstractValue?
            if case .parameter(let index) = place { token = index < arguments.count ? value(of: arguments[index], in: before) : nil }
            else { token = memoryPath(of: place, arguments: arguments).flatMap { read($0, in: before) } }
            if case .gilToken(let ensureSite)? = token, let index = state.gilFrames.lastIndex(where: { $0.site == ensureSite }) {
                let frame = state.gilFrames.remove(at: index)
                state.attachment = frame.previous
                state.releasedGILTokens.insert(ensureSite)
                state.dischargedSites.insert(ensureSite)
                note("\(shown) releases the thread state of \(ensureSite >= 0 ? "the PyGILState_Ensure() on line \(self.event(ensureSite)?.location.line ?? 0)" : "an earlier call")")
            } else if token == nil, let frame = state.gilFrames.popLast() {
                state.attachment = frame.previous
                state.dischargedSites.insert(frame.site)
            }
        }

        if exit.releasesCallersEnsure {
            // With no Ensure of the caller's to release, this way through the callee goes with
            // another way through its acquiring twin: nothing after it can be judged.
            guard let frame = state.gilFrames.popLast() else { return (.silenced, trace) }
            state.attachment = frame.previous
            state.dischargedSites.insert(frame.site)
            note("\(shown) releases the thread state of the innermost PyGILState_Ensure()")
        }

        // The thread state it leaves attached.
        switch exit.attachment {
        case .unchanged:
            break
        case .detached:
            if let frame = state.gilFrames.last, state.attachment == .attached(.created(frame.site)) {
                // A release helper given the thread state an acquire helper's Ensure made: the
                // pair gives it back, whichever of their mechanisms each used (mod_wsgi).
                state.gilFrames.removeLast()
                state.attachment = frame.previous
                state.dischargedSites.insert(frame.site)
                note("\(shown) releases the thread state")
            } else if case .attached(let saved) = state.attachment {
                if saved == .entry { state.assumeEntry(.attached) }
                // The helper put the thread state where its twin will find it: not lost here.
                state.escapedThreadStates.insert(saved)
                if !exit.stores.values.contains(.entryThreadState) && exit.returned != .entryThreadState {
                    state.savedByMacro.append(saved)
                    if state.savedByMacro.count > 4 { state.savedByMacro.removeFirst() }
                }
                state.attach(.detached, at: site)
                if saved == .entry && before.entry != .detached { analysis.releasesAtEntry = true }
                note("\(shown) releases the thread state")
            }
        case .attached(let value):
            analysis.attachesThreadStates = true
            var target: Attachment
            switch resolve(value, arguments: arguments, before: before, site: site) {
            case .threadState(let id)?: target = .attached(id)
            case .integer(0)?: target = .detached
            default: target = .attached(.opaque(site))
            }
            if value == .entryThreadState, case .attached = before.attachment { target = before.attachment }
            if exit.entry == .detached, target == .attached(.opaque(site)), let saved = state.savedByMacro.last {
                // An acquire helper restoring what a release helper of the same pair saved.
                state.savedByMacro.removeLast()
                target = .attached(saved)
            }
            state.attach(target, at: site)
            note(target == .attached(.entry) && state.isAtEntryState ? "\(shown) re-attaches the thread state" : "\(shown) attaches a thread state")
        case .unknown:
            if !exit.releasesCallersEnsure && exit.releasedTokens.isEmpty {
                // What the callee leaves is unknown: nothing after it can be judged.
                return (.silenced, trace)
            }
        }

        // PyGILState_Ensure()s it leaves to the caller.
        for index in 0..<exit.outstandingEnsures {
            analysis.attachesThreadStates = true
            let token = Self.callSiteToken(site, index)
            state.gilFrames.append(GILStateFrame(site: token, previous: before.attachment))
            if exit.attachment == .unchanged && !state.isDefinitelyAttached && state.attachment != .unknown {
                state.attachment = .attached(.created(token))
            }
            note("\(shown) acquires a thread state with PyGILState_Ensure()")
        }

        // Locks.
        for lock in exit.locksHeld {
            guard let key = lockKey(lock, arguments: arguments) else { continue }
            state.setLock(key, .held(site: site))
            note("\(shown) acquires \(lockName(key))")
        }
        for lock in exit.locksReleased {
            guard let key = lockKey(lock, arguments: arguments) else { continue }
            if case .held(let heldSite)? = state.lock(key) { state.dischargedSites.insert(heldSite) }
            state.setLock(key, .released)
            note("\(shown) releases \(lockName(key))")
        }

        if let result = call.result {
            state.set(result, exit.returned.flatMap { resolve($0, arguments: arguments, before: before, site: site) })
        }
        return (state, trace)
    }
}
