/// The context each function runs in where no table gives it, worked out from the whole
/// program after the first pass: callbacks handed to libraries, helpers only called detached,
/// functions that attach from their entry state, host entry points.
extension ProgramAnalysis {
    /// `seenAt`: per callee (and per callback site, see `CallbackSite`), the attachments the
    /// first pass saw at its calls; `firstCaller`: a caller of each, to name in traces;
    /// `attachWitness`: the summaries' `enteredDetachedWitness`.
    func inferContexts(seenAt: [String: Set<CallSiteAttachment>], firstCaller: [String: String],
                       attachWitness: [String: TraceStep]) -> [EntryContext] {
        let functions = graph.functions
        var contexts = functions.map(entryContext(of:))
        // A callback handed to a library call made with no thread state may run during it
        // with none: it is judged as entered so. (Its direct calls, if any, are judged as usual.)
        // So does one registered on a library object when a later call on that object is made
        // with none.
        var detachedCallOnHandle: [String: DetachedHandleCall] = [:]
        for key in seenAt.keys {
            guard let call = DetachedHandleCall(key: key) else { continue }
            if let known = detachedCallOnHandle[call.handle], known.location <= call.location { continue }
            detachedCallOnHandle[call.handle] = call
        }
        var detachedCallback: [String: (location: SourceLocation, why: String)] = [:]
        for (key, seen) in seenAt {
            guard let site = CallbackSite(key: key) else { continue }
            let why: String
            var location = site.location
            if let handle = site.handle {
                guard let call = detachedCallOnHandle[handle], call.location != site.location else { continue }
                location = call.location
                why = "registered with `\(site.registrar)()` at \(site.location.file):\(site.location.line); `\(call.callee)()`, "
                    + "called on the same object at \(call.location.file):\(call.location.line) with no thread state attached, may call it"
            } else {
                guard seen.contains(.detached) else { continue }
                why = "handed to `\(site.registrar)()` at \(site.location.file):\(site.location.line), which is called with no thread state attached and may call it then"
            }
            if let known = detachedCallback[site.callback], known.location <= location { continue }
            detachedCallback[site.callback] = (location, why)
        }
        for (index, function) in functions.enumerated() where contexts[index].assumption == .unknown {
            guard let callback = detachedCallback[function.usr] else { continue }
            contexts[index] = EntryContext(assumption: .detached, isPythonEntry: false, description: callback.why)
        }
        // A function that every call in the program reaches with no thread state (as the first
        // pass saw the calls) is analysed as entered that way: what it does without one is
        // reported inside it, once, and its calls are not reported at the callers. Python's
        // entry points and thread functions have their own context and keep it.
        for (index, function) in functions.enumerated() where contexts[index].assumption == .unknown {
            guard seenAt[function.usr] == [.detached] else { continue }
            let caller = firstCaller[function.usr] ?? "its callers"
            contexts[index] = EntryContext(assumption: .detached, isPythonEntry: false,
                                           description: "only called with no thread state attached (from `\(caller)`)")
            markEnteredDetached(function.usr, caller: caller)
        }

        // A function that attaches a thread state from its entry state on some path, and does
        // not test which one it has, is entered with none: its other paths are judged so too.
        for (index, function) in functions.enumerated() where contexts[index].assumption == .unknown {
            guard let witness = attachWitness[function.usr] else { continue }
            contexts[index] = EntryContext(assumption: .detached, isPythonEntry: false,
                                           description: "entered with no thread state attached: it attaches one at line \(witness.location.line)")
        }

        // Host entry points: declared, or inferred for a function that nothing in the program
        // calls or takes the address of, that Python does not know, and that creates a
        // sub-interpreter (a plug-in's init hook): it must give its caller back the thread
        // state it had, not leave the sub-interpreter's attached.
        var hostCandidates: [Int] = []
        for (index, function) in functions.enumerated() where !contexts[index].isPythonEntry && !contexts[index].isForeignThread {
            if let declared = hostEntryPoints[function.name] {
                var context = EntryContext(assumption: declared, isPythonEntry: false,
                                           description: "a host entry point (`host-entry-points` in the configuration)")
                context.isHostEntry = true
                contexts[index] = context
                continue
            }
            if !function.isStatic, contexts[index].assumption == .unknown, seenAt[function.usr] == nil, createsInterpreter(function) {
                hostCandidates.append(index)
            }
        }
        let referenced = hostCandidates.isEmpty ? [] : referencedFunctions()
        for index in hostCandidates where !referenced.contains(functions[index].usr) {
            var context = EntryContext(assumption: .unknown, isPythonEntry: false,
                                       description: "called by the host program: nothing in the program calls it and Python does not know it")
            context.isHostEntry = true
            context.inferredHost = true
            contexts[index] = context
        }

        return contexts
    }

    /// Functions whose address the program takes anywhere.
    private func referencedFunctions() -> Set<String> {
        var referenced = Set(program.units.flatMap(\.facts.staticReferences).map(\.usr))
        for function in graph.functions {
            for block in function.blocks {
                for event in block.events {
                    switch event.kind {
                    case .call(let call):
                        for case .function(_, let usr) in call.arguments { referenced.insert(usr) }
                    case .assign(_, .function(_, let usr)), .escape(.function(_, let usr)):
                        referenced.insert(usr)
                    default:
                        break
                    }
                }
            }
        }
        return referenced
    }

    func createsInterpreter(_ function: Function) -> Bool {
        function.blocks.contains { block in
            block.events.contains { event in
                guard case .call(let call) = event.kind, let name = call.callee.name, let effect = model.entry(name)?.effect else { return false }
                return effect.createsInterpreter
            }
        }
    }

}
