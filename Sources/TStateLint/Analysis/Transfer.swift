/// The effect of each event on a path's state, as the C-API model describes it.
extension PathExplorer {
    typealias Path = (AbstractState, Trace?)

    func transfer(_ event: Event, _ state: AbstractState, _ trace: Trace?) -> [Path] {
        switch event.kind {
        case .call(let call):
            let paths = transferCall(call, event, state, trace)
            guard tracksObjectOrigins, let result = call.result else { return paths }
            return paths.map { path in
                var (after, trace) = path
                if function.variables[result].type == .pyObject, case .attached(let current) = after.attachment {
                    after.setOrigin(result, ObjectOrigin(threadState: current, site: event.id))
                } else {
                    after.setOrigin(result, nil)
                }
                return (after, trace)
            }
        case .macro(let name):
            guard let entry = model.entry(name), let effect = entry.effect else { return [(state, trace)] }
            return apply(effect, entry: entry, name: name, call: nil, event, state, trace)
        case .unparsed(let names, let callees, let controlFlow):
            // Code clang dropped: a path through it is trusted only when nothing it names can
            // change the thread state and it did not jump. Else nothing after it is reported,
            // and the summary's way out through it says nothing about the thread state.
            guard controlFlow || names.contains(where: modelChangesThreadState) || callees.contains(where: summaryChangesThreadState) else {
                return [(state, trace)]
            }
            var state = state
            state.isSilenced = true
            return [(state, trace)]
        case .assign(let target, let value):
            guard tracksValues else { return [(state, trace)] }
            var state = state
            if tracksObjectOrigins {
                let source = value.variable.flatMap { state.origin($0) }
                if let variable = value.variable, function.variables[target].kind.isMemory {
                    checkOrigin(of: variable, use: .stored(target: function.variables[target].name), in: state, at: event, trace: trace)
                }
                state.setOrigin(target, function.variables[target].kind.isMemory ? nil : source)
            }
            let newValue = self.value(of: value, in: state)
            if reassignedParameters.contains(target), !state.parametersAssigned.contains(target) { state.parametersAssigned.insert(target) }
            variableChanged(target, in: &state)
            if case .element = function.variables[target].kind {
                escape(newValue, in: &state)
                state.set(target, nil)
            } else {
                state.set(target, newValue)
            }
            if function.variables[target].kind.isMemory, case .held? = state.lock(value) {
                // `*pmutex = self->mutex`: the lock is handed to whoever reads that memory.
                state.escapedLocks.insert(value)
            }
            return [(state, trace)]
        case .escape(let value):
            var state = state
            escape(self.value(of: value, in: state), in: &state)
            return [(state, trace)]
        case .fieldAccess(let access):
            var state = state
            guard !expandsAllowedMacro(event) else { return [(state, trace)] }
            if state.isDefinitelyDetached {
                if !state.reportedUseWhileDetached {
                    observe(.fieldAccessWithoutThreadState(access), at: event, trace: trace,
                            note: "`\(access.field)` of `\(access.record)` is \(access.isWrite ? "written" : "read") here with no thread state attached")
                    state.reportedUseWhileDetached = true
                }
                return [(state, trace)]
            }
            if state.attachment == .attached(.entry) && state.entry == .unknown {
                state.assumeEntry(.attached)
                state.entryAssumedAt.value = event.id
                noteRequirement(event, "`\(access.field)` of `\(access.record)` is \(access.isWrite ? "written" : "read") here")
            }
            return [(state, trace)]
        }
    }

    /// A name in code that did not parse that the model gives an effect on the thread state.
    private func modelChangesThreadState(_ name: String) -> Bool {
        model.entry(name)?.effect.map { !PathExplorer.neutralEffects.contains($0) } ?? false
    }

    /// A function of the program named in code that did not parse, whose summary changes the thread state.
    private func summaryChangesThreadState(_ usr: String) -> Bool {
        guard let summary = summaries?.summary(forUSR: usr) else { return false }
        return summary.exits?.allSatisfy(\.isIdentity) != true
    }

    private func escape(_ value: AbstractValue?, in state: inout AbstractState) {
        switch value {
        case .threadState(let id)?: state.escapedThreadStates.insert(id)
        case .gilToken(let site)?: state.escapedGILTokens.insert(site)
        default: break
        }
    }

    /// Part of the expansion of a macro the model allows with no thread state (`PyUnicode_KIND`
    /// expands to an `assert` calling `PyUnicode_IS_READY` and a field read).
    func expandsAllowedMacro(_ event: Event) -> Bool {
        guard let macro = event.macro, let entry = model.entry(macro) else { return false }
        return entry.requires == .any || entry.effect == .noThreadStateNeeded
    }

    /// The name a diagnostic uses for an event: the user's macro if the call came from one.
    func displayName(_ event: Event, callee: String) -> String {
        if case .macro = event.kind { return "`\(callee)`" }
        if let macro = event.macro, macro != callee { return "`\(macro)`" }
        return "`\(callee)()`"
    }

    /// A call nothing is known about: it may write what it is given, keep tokens it is passed.
    func unknownCall(_ call: Call, _ state: AbstractState, _ trace: Trace?, escapeTokens: Bool) -> [Path] {
        var state = state
        forgetArguments(call, in: &state, escapeTokens: escapeTokens)
        if let result = call.result { state.set(result, nil) }
        return [(state, trace)]
    }

    private func transferIndirectCall(_ call: Call, _ event: Event, _ state: AbstractState, _ trace: Trace?) -> [Path] {
        let candidates = summaries?.indirectTargets(of: call, in: function) ?? []
        var targets = candidates.compactMap { summaries?.summary(forUSR: $0) }
        guard !targets.isEmpty else { return unknownCall(call, state, trace, escapeTokens: true) }
        if targets.contains(where: { !$0.isPure }) {
            // A table of hooks with no-op stand-ins (uwsgi's gil_fake_get next to gil_real_get):
            // the one that does something says what the call is for.
            targets.removeAll { $0.isPure }
        }
        if targets.count == 1 { return applySummary(targets[0], name: targets[0].name, call: call, event, state, trace) }
        // Several candidates: only what they all need, and any of their ways out.
        var combined = targets[0]
        combined.name = targets.map(\.name).joined(separator: "/")
        combined.requirement = targets.allSatisfy { $0.requirement == .attached } ? .attached
            : targets.allSatisfy { $0.requirement == .detached } ? .detached : .any
        combined.blockingWitness = targets.allSatisfy { $0.blockingWitness != nil } ? targets[0].blockingWitness : nil
        var exits: [SummaryExit] = []
        for target in targets {
            guard let targetExits = target.exits else { return unknownCall(call, state, trace, escapeTokens: true) }
            for exit in targetExits where !exits.contains(where: { $0.sameEffect(as: exit) }) { exits.append(exit) }
        }
        combined.exits = exits.count <= SummaryBuilder.maxExits ? exits : nil
        return applySummary(combined, name: combined.name, call: call, event, state, trace)
    }

    private func transferCall(_ call: Call, _ event: Event, _ state: AbstractState, _ trace: Trace?) -> [Path] {
        var state = state
        guard case .direct(let name, let usr, let origin) = call.callee else {
            if case .indirect = call.callee { return transferIndirectCall(call, event, state, trace) }
            return unknownCall(call, state, trace, escapeTokens: true)
        }
        let entry = model.entry(name)
        if entry == nil, origin == .other, let summary = summaries?.summary(forUSR: usr) {
            analysis.callSiteAttachments[usr, default: []].insert(CallSiteAttachment(state))
            return applySummary(summary, name: name, call: call, event, state, trace)
        }
        let requirement = model.requirement(forCall: name, origin: origin)
        let effect = entry?.effect
        let isDetachEffect = effect == .detach || effect == .detachArgument

        if tracksObjectOrigins && (origin == .pythonAPI || requirement == .attached) {
            for case .variable(let argument) in call.arguments where function.variables[argument].type == .pyObject {
                checkOrigin(of: argument, use: .passed(callee: name), in: state, at: event, trace: trace)
            }
        }
        if requirement == .attached && !isDetachEffect && !expandsAllowedMacro(event) {
            if state.isDefinitelyDetached {
                // Reported once; the path goes on as if the call had been made attached, so a
                // later mistake of another kind on it is still found.
                if !state.reportedUseWhileDetached {
                    if let ended = state.endedInterpreterAt {
                        observe(.useAfterEndInterpreter(callee: name, endedAt: ended), at: event, trace: trace,
                                note: "\(displayName(event, callee: name)) is called here, after the interpreter was ended and before another thread state is attached")
                    } else {
                        observe(.callWithoutThreadState(callee: name), at: event, trace: trace,
                                note: "\(displayName(event, callee: name)) is called here with no thread state attached")
                    }
                    state.reportedUseWhileDetached = true
                }
                forgetArguments(call, in: &state, escapeTokens: false)
                if let result = call.result { state.set(result, nil) }
                return [(state, trace)]
            }
            if state.attachment == .attached(.entry) && state.entry == .unknown {
                state.assumeEntry(.attached)
                state.entryAssumedAt.value = event.id
                noteRequirement(event, "\(displayName(event, callee: name)) needs an attached thread state")
            }
        }
        if origin == .other, entry == nil || effect == .storesCallback {
            noteLibraryCall(call, name: name, registeredOn: effect == .storesCallback ? entry?.arg ?? 0 : nil, event, state)
        }
        if let effect, let entry {
            return apply(effect, entry: entry, name: name, call: call, event, state, trace)
        }
        forgetArguments(call, in: &state, escapeTokens: requirement == nil)
        if let result = call.result { state.set(result, nil) }
        return [(state, trace)]
    }

    /// A call to a library (not the program's, not Python's): project functions handed to it are
    /// callbacks it may run during the call. A registrar (the model's `stores-callback`) keeps
    /// them on the library object at argument `registeredOn`: a later call on that object made
    /// detached may run them too. Which calls keep a callback is the library's to say (OpenLDAP's
    /// ldap_sasl_interactive_bind_s takes one for the call alone), so only the model's do.
    private func noteLibraryCall(_ call: Call, name: String, registeredOn handleIndex: Int?, _ event: Event, _ state: AbstractState) {
        let seen = CallSiteAttachment(state)
        var registeredOn: String?
        if let handleIndex, call.arguments.indices.contains(handleIndex), case .variable(let variable) = call.arguments[handleIndex] {
            registeredOn = handleKey(variable)
        }
        for case .function(_, let callback) in call.arguments {
            analysis.callSiteAttachments[CallbackSite(callback: callback, registrar: name, location: event.location).key, default: []].insert(seen)
            if let registeredOn {
                analysis.callSiteAttachments[CallbackSite(callback: callback, registrar: name, location: event.location, handle: registeredOn).key,
                                             default: []].insert(seen)
            }
        }
        guard seen == .detached else { return }
        for case .variable(let variable) in call.arguments {
            guard let handle = handleKey(variable) else { continue }
            analysis.callSiteAttachments[DetachedHandleCall(handle: handle, callee: name, location: event.location).key, default: []].insert(seen)
        }
    }

    /// What names a library object across the program: a global, or a field path (`->conn`,
    /// whatever struct it hangs off), or, inside one function, a local. Python objects (the
    /// `self` handed along as user data) and plain numbers are not library objects.
    private func handleKey(_ variable: VarID) -> String? {
        let info = function.variables[variable]
        guard info.type == .pointer else { return nil }
        var steps: [String] = []
        var current = variable
        while true {
            switch function.variables[current].kind {
            case .field(let base, let name):
                steps.append("." + name)
                current = base
            case .dereference(let base):
                steps.append("*")
                current = base
            case .element(let base):
                steps.append("[]")
                current = base
            case .global(let usr):
                return "global " + usr + steps.reversed().joined()
            case .parameter, .local, .temporary:
                let path = steps.reversed().joined()
                guard !steps.contains(where: { $0.hasPrefix(".") }) else { return "field " + path }
                return "local " + function.usr + "#" + String(current) + path
            }
        }
    }

    /// A call the model says nothing about may write through pointers it is given and keep
    /// thread states it is passed. Saved thread states stay known: code that is handed
    /// `&_save` (psycopg2's helpers) re-saves the same thread state.
    private func forgetArguments(_ call: Call, in state: inout AbstractState, escapeTokens: Bool) {
        memoryClobbered(in: &state, reachableFrom: call.arguments)
        for argument in call.arguments {
            switch argument {
            case .address(let variable):
                switch state.value(variable) {
                case .threadState?, .gilToken?: break
                default:
                    variableChanged(variable, in: &state)
                    state.set(variable, nil)
                }
            case .variable:
                if escapeTokens { escape(value(of: argument, in: state), in: &state) }
            default:
                break
            }
        }
    }

    private func argument(_ call: Call?, _ index: Int?) -> Operand? {
        guard let call, let index, call.arguments.indices.contains(index) else { return nil }
        return call.arguments[index]
    }

    private func attachment(for value: AbstractValue?, site: EventID) -> Attachment {
        switch value {
        case .threadState(let id)?: return .attached(id)
        case .integer(0)?: return .detached
        default: return .attached(.opaque(site))
        }
    }

    private func apply(_ effect: Effect, entry: APIEntry, name: String, call: Call?, _ event: Event, _ state: AbstractState, _ trace: Trace?) -> [Path] {
        switch effect {
        case .attach, .ensure, .swap, .newInterpreter, .newInterpreterOut, .initialize:
            analysis.attachesThreadStates = true
        case .currentUnchecked, .gilstateCheck, .gilstateThisThread:
            // Asks which thread state it has (cffi's gil_ensure compares the two): written
            // to be entered either way.
            if state.attachment == .attached(.entry) && state.entry == .unknown { analysis.testsEntryThreadState = true }
        default:
            break
        }
        var state = state
        var trace = trace
        let shown = displayName(event, callee: name)
        let site = event.id
        func setResult(_ value: AbstractValue?) {
            if let result = call?.result { state.set(result, value) }
        }

        switch effect {
        case .detach, .detachArgument, .deleteCurrent:
            if state.isDefinitelyDetached {
                observe(.detachWhileDetached(callee: name), at: event, trace: trace,
                        note: "\(shown) releases the thread state again here, but none is attached")
                return [(.silenced, trace)]
            }
            guard case .attached(let saved) = state.attachment else {
                setResult(nil)
                return [(state, trace)]
            }
            if saved == .entry {
                state.assumeEntry(.attached)
                analysis.releasesAtEntry = true
            }
            if effect == .detachArgument {
                // PyEval_ReleaseThread(tstate) returns nothing to restore with: the code that
                // passed `tstate` knows where to find it again.
                state.escapedThreadStates.insert(saved)
            }
            setResult(effect == .deleteCurrent ? nil : .threadState(saved))
            if effect == .detach && call?.result == nil {
                // Nothing keeps the saved state but the matching end macro (or helper) of the pair.
                state.savedByMacro.append(saved)
                if state.savedByMacro.count > 4 { state.savedByMacro.removeFirst() }
            }
            state.attach(.detached, at: site)
            let verb = effect == .deleteCurrent ? "destroys the current thread state and detaches it" : "releases the thread state"
            trace = trace.appending(event.location, "\(shown) \(verb) here")

        case .attach:
            if let revised = usedBeforeAttaching(state, attachedBy: event, shown: shown) { state = revised }
            if state.isDefinitelyAttached {
                observe(.attachWhileAttached(callee: name), at: event, trace: trace,
                        note: "\(shown) attaches a thread state here, but one is already attached")
                return [(.silenced, trace)]
            }
            if state.attachment == .attached(.entry) {
                state.assumeEntry(.detached)
                noteAttachAtEntry(event, "\(shown) attaches a thread state here")
            }
            let target: Attachment
            if call == nil || call?.arguments.isEmpty == true {
                target = state.savedByMacro.popLast().map { .attached($0) } ?? .attached(.opaque(site))
            } else {
                target = attachment(for: argument(call, entry.arg ?? 0).flatMap { threadStateValue(of: $0, in: state) }, site: site)
            }
            guard target != .detached else { return [(state, trace)] }
            state.attach(target, at: site)
            trace = trace.appending(event.location, "\(shown) attaches the thread state here")

        case .swap:
            let previous: AbstractValue?
            switch state.attachment {
            case .attached(let id): previous = .threadState(id)
            case .detached: previous = .integer(0)
            case .unknown: previous = nil
            }
            let newValue = argument(call, entry.arg ?? 0).flatMap { value(of: $0, in: state) }
            let target: Attachment
            switch newValue {
            case .threadState(let id)?: target = .attached(id)
            case .integer(0)?: target = .detached
            default: target = .unknown
            }
            setResult(previous)
            state.attach(target, at: site)
            switch target {
            case .detached: trace = trace.appending(event.location, "\(shown) detaches the thread state here")
            case .attached(.entry) where state.isAtEntryState: trace = trace.appending(event.location, "\(shown) switches back to the original thread state here")
            default: trace = trace.appending(event.location, "\(shown) switches to another thread state here")
            }

        case .ensure:
            state.gilFrames.append(GILStateFrame(site: site, previous: state.attachment))
            if !state.isDefinitelyAttached && state.attachment != .unknown {
                state.attachment = .attached(.created(site))
            }
            setResult(.gilToken(site))
            if call?.result == nil {
                // The token is discarded: an "acquire" helper (mod_wsgi pairs it with
                // PyGILState_Release(PyGILState_UNLOCKED) elsewhere), not a forgotten release.
                state.escapedGILTokens.insert(site)
            }
            trace = trace.appending(event.location, "\(shown) acquires a thread state here")
            if state.gilFrames.count > 8 { return [(.silenced, trace)] }

        case .gilstateRelease:
            let token = argument(call, entry.arg ?? 0).flatMap { value(of: $0, in: state) }
            switch token {
            case .gilToken(let ensureSite)?:
                if let index = state.gilFrames.lastIndex(where: { $0.site == ensureSite }) {
                    if index != state.gilFrames.count - 1 {
                        observe(.gilReleaseOutOfOrder(released: ensureSite, expected: state.gilFrames.last!.site), at: event, trace: trace,
                                note: "\(shown) releases an outer `PyGILState_Ensure()` before the inner one")
                        return [(.silenced, trace)]
                    }
                    let frame = state.gilFrames.removeLast()
                    state.attachment = frame.previous
                    state.releasedGILTokens.insert(ensureSite)
                    state.dischargedSites.insert(ensureSite)
                } else if state.releasedGILTokens.contains(ensureSite) {
                    observe(.gilReleaseTwice(ensureSite: ensureSite), at: event, trace: trace,
                            note: "\(shown) releases a `PyGILState_Ensure()` token that was already released")
                    return [(.silenced, trace)]
                } else {
                    return [(.silenced, trace)]
                }
            case .integer(let value)?:
                observe(.gilReleaseOfForeignToken(value: value), at: event, trace: trace,
                        note: "\(shown) is given a value that did not come from `PyGILState_Ensure()`")
                // Go on as the code means it: it releases the innermost Ensure (mod_wsgi pairs a
                // discarded Ensure with PyGILState_Release(PyGILState_UNLOCKED)).
                if let frame = state.gilFrames.popLast() {
                    state.attachment = frame.previous
                    state.dischargedSites.insert(frame.site)
                } else {
                    state.releasesCallersEnsure = true
                    state.attachment = .unknown
                }
            default:
                if let frame = state.gilFrames.popLast() {
                    state.attachment = frame.previous
                    state.dischargedSites.insert(frame.site)
                } else {
                    if case .variable(let variable)? = argument(call, entry.arg ?? 0) { state.releasedExternalTokens.insert(variable) }
                    state.attachment = .unknown
                }
            }
            trace = trace.appending(event.location, "\(shown) releases it here")

        case .current:
            if case .attached(let id) = state.attachment { setResult(.threadState(id)) } else { setResult(nil) }

        case .currentUnchecked:
            switch state.attachment {
            case .attached(let id): setResult(.threadState(id))
            case .detached: setResult(.integer(0))
            case .unknown: setResult(nil)
            }

        case .gilstateCheck:
            if state.attachment == .attached(.entry) && state.entry == .unknown {
                // Non-zero exactly when the entry's thread state is: a test of it tells how
                // the function was entered.
                setResult(.threadState(.entry))
            } else {
                setResult(state.isDefinitelyAttached ? .integer(1) : state.isDefinitelyDetached ? .integer(0) : nil)
            }

        case .newThreadState:
            setResult(.threadState(.created(site)))

        case .newInterpreter:
            var failed = state
            if let result = call?.result { failed.set(result, .integer(0)) }
            setResult(.threadState(.created(site)))
            state.attach(.attached(.created(site)), at: site)
            trace = trace.appending(event.location, "\(shown) creates a sub-interpreter and attaches its thread state here")
            return [(state, trace), (failed, trace)]

        case .newInterpreterOut:
            var failed = state
            if let result = call?.result {
                failed.set(result, .status(failed: true))
                state.set(result, .status(failed: false))
            }
            if case .address(let out)? = argument(call, entry.arg ?? 0) {
                failed.set(out, .integer(0))
                variableChanged(out, in: &state)
                state.set(out, .threadState(.created(site)))
            }
            state.attach(.attached(.created(site)), at: site)
            trace = trace.appending(event.location, "\(shown) creates a sub-interpreter and attaches its thread state here")
            return [(state, trace), (failed, trace)]

        case .endInterpreter:
            if case .attached(let current) = state.attachment, let operand = argument(call, entry.arg ?? 0),
               case .threadState(let ended)? = value(of: operand, in: state), ended != current,
               ended.isCreatedHere || current.isCreatedHere {
                observe(.endInterpreterNotAttached, at: event, trace: trace,
                        note: "\(shown) is given a thread state that is not the attached one")
                return [(.silenced, trace)]
            }
            state.attach(.detached, at: site)
            state.endedInterpreterAt = site
            trace = trace.appending(event.location, "\(shown) ends the sub-interpreter; no thread state is attached after it")

        case .criticalSectionBegin:
            state.criticalSections.append(CriticalSection(site: site))
            trace = trace.appending(event.location, "\(shown) begins a critical section here")
            if state.criticalSections.count > 8 { return [(.silenced, trace)] }

        case .criticalSectionEnd:
            if let section = state.criticalSections.popLast() { state.dischargedSites.insert(section.site) }
            trace = trace.appending(event.location, "\(shown) ends the critical section here")

        case .mutexLock, .lockAcquire, .lockAcquireTimed:
            guard let key = argument(call, entry.arg ?? 0), key != .unknown else { return [(state, trace)] }
            if case .held(let heldSite)? = state.lock(key), effect == .mutexLock {
                observe(.lockAcquiredTwice(lock: lockName(key), site: heldSite), at: event, trace: trace,
                        note: "\(shown) acquires \(lockName(key)) here, but this path already holds it")
                return [(.silenced, trace)]
            }
            // PyThread locks have no owner: acquiring one this path holds waits for another
            // thread to release it (the lock used as an event, as _queue and _testcapi do).
            var acquired = state
            // Taking back a lock the function was entered holding and released (a Tcl event
            // handler around its Python part) leaves it as it was at entry.
            acquired.setLock(key, state.lock(key) == .releasedFromEntry ? nil : .held(site: site))
            if case .variable(let handle) = key { acquired.set(handle, .nonZero) }
            let acquiredTrace = trace.appending(event.location, "\(shown) acquires \(lockName(key)) here")
            let alwaysSucceeds: Bool
            switch effect {
            case .mutexLock: alwaysSucceeds = true
            case .lockAcquire:
                if case .integer(let wait)? = argument(call, 1).flatMap({ value(of: $0, in: state) }) { alwaysSucceeds = wait != 0 } else { alwaysSucceeds = false }
            default: alwaysSucceeds = false
            }
            if let result = call?.result { acquired.set(result, .integer(1)) }
            if alwaysSucceeds { return [(acquired, acquiredTrace)] }
            setResult(.integer(0))
            state.setLock(key, .notAcquired(site: site))
            return [(acquired, acquiredTrace), (state, trace.appending(event.location, "\(shown) fails to acquire \(lockName(key)) here"))]

        case .mutexUnlock, .lockRelease:
            guard let key = argument(call, entry.arg ?? 0), key != .unknown else { return [(state, trace)] }
            switch state.lock(key) {
            case .held(let heldSite)?:
                state.dischargedSites.insert(heldSite)
                state.setLock(key, .released)
                trace = trace.appending(event.location, "\(shown) releases \(lockName(key)) here")
            case .released?:
                observe(.lockReleasedTwice(lock: lockName(key)), at: event, trace: trace,
                        note: "\(shown) releases \(lockName(key)) here, but this path already released it")
                return [(.silenced, trace)]
            case .notAcquired(let failedSite)?:
                observe(.lockReleasedAfterFailedAcquire(lock: lockName(key), site: failedSite), at: event, trace: trace,
                        note: "\(shown) releases \(lockName(key)) here, but the acquire failed on this path")
                return [(.silenced, trace)]
            case nil, .releasedFromEntry?:
                if state.lock(key) == .releasedFromEntry {
                    observe(.lockReleasedTwice(lock: lockName(key)), at: event, trace: trace,
                            note: "\(shown) releases \(lockName(key)) here, but this path already released it")
                    return [(.silenced, trace)]
                }
                state.setLock(key, .releasedFromEntry)
            }

        case .initialize:
            if state.attachment == .attached(.entry) && state.entry == .unknown {
                state.assumeEntry(.detached)
                // Not evidence of how the function is entered: `if (!Py_IsInitialized()) Py_Initialize();`.
                analysis.attachesAtEntry = true
            }
            if state.isDefinitelyDetached {
                state.attach(.attached(.created(site)), at: site)
                trace = trace.appending(event.location, "\(shown) initializes Python and attaches the main thread state here")
            }

        case .finalize:
            if state.attachment != .unknown {
                // Finalizing destroys every thread state: the one the function was entered
                // with is not lost by returning without it (Py_RunMain).
                if case .attached(let current) = state.attachment { state.escapedThreadStates.insert(current) }
                state.attach(.detached, at: site)
                trace = trace.appending(event.location, "\(shown) finalizes Python; no thread state is attached after it")
            }

        case .blocking:
            if isKnownToBeAttached(state) {
                observe(.blockingWhileAttached(callee: name), at: event, trace: trace,
                        note: "\(shown) blocks here with the thread state attached")
            } else if state.attachment == .attached(.entry) && state.entry != .detached && analysis.blockingWitness == nil {
                analysis.blockingWitness = [TraceStep(location: event.location, message: "\(shown) blocks here")]
            }
            if let call { forgetArguments(call, in: &state, escapeTokens: false) }
            setResult(nil)

        case .statusCheck:
            switch argument(call, entry.arg ?? 0).flatMap({ value(of: $0, in: state) }) {
            case .status(let failed)?: setResult(.integer(failed ? 1 : 0))
            default: setResult(nil)
            }

        case .interpreterGet:
            // `returns = "interpreter"`: documented never to be NULL once Python runs (the
            // main interpreter, the current one); "nullable-interpreter" may be.
            if let call { forgetArguments(call, in: &state, escapeTokens: false) }
            setResult(entry.returns == "interpreter" ? .nonZero : nil)

        case .threadStart, .storesCallback, .gilstateThisThread, .clearThreadState, .deleteThreadState, .interpreterNew, .interpreterClear,
             .interpreterDelete, .pendingCall, .noreturn, .needsThreadState, .noThreadStateNeeded:
            if let call { forgetArguments(call, in: &state, escapeTokens: false) }
            setResult(nil)
        }
        return [(state, trace)]
    }

    /// Attached for a fact, not by this path's assumption about an unknown caller (TS205 is
    /// about code that certainly holds the GIL).
    func isKnownToBeAttached(_ state: AbstractState) -> Bool {
        guard state.isDefinitelyAttached else { return false }
        return state.attachment != .attached(.entry) || entryContext.assumption == .attached
    }

    /// A path that assumed a thread state was attached at entry (because something needed
    /// one) and later attaches one itself: the function is entered with none, and what needed
    /// it ran too early. Reported there, rather than as a double attach here; the path goes on
    /// from the state returned, as entered detached.
    func usedBeforeAttaching(_ state: AbstractState, attachedBy event: Event, shown: String) -> AbstractState? {
        guard state.entry == .attached, state.attachment == .attached(.entry), !entryContext.mustExitAsEntered,
              let witnessID = state.entryAssumedAt.value, let witness = self.event(witnessID) else { return nil }
        let later = "before \(shown) attaches one (line \(event.location.line)): the function is entered with none attached"
        switch witness.kind {
        case .call(let call):
            let name = call.callee.name ?? "?"
            let kind: ObservationKind
            var inside: [TraceStep] = []
            if case .direct(_, let usr, let origin) = call.callee, origin == .other, model.entry(name) == nil {
                kind = .helperNeedsThreadState(callee: name, usr: usr)
                inside = summaries?.summary(forUSR: usr)?.requirementWitness ?? []
            } else {
                kind = .callWithoutThreadState(callee: name)
            }
            observe(kind, at: witness, trace: nil, note: "\(displayName(witness, callee: name)) needs an attached thread state, and is called here \(later)",
                    callee: inside)
        case .fieldAccess(let access):
            observe(.fieldAccessWithoutThreadState(access), at: witness, trace: nil,
                    note: "`\(access.field)` of `\(access.record)` is used here \(later)")
        default:
            return nil
        }
        var revised = state
        revised.entry = .unknown
        revised.assumeEntry(.detached)
        noteAttachAtEntry(event, "\(shown) attaches a thread state here")
        return revised
    }

    func lockName(_ key: Operand) -> String {
        switch key {
        case .variable(let variable), .address(let variable):
            let name = function.variables[variable].name
            return name.isEmpty ? "the lock" : "`\(name)`"
        default:
            return "the lock"
        }
    }
}
