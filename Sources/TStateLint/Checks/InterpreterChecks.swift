/// TS301 interpreter-not-restored; TS302 call-switches-interpreter when the switch that was
/// not undone is a call to a project function; TS303 Py_EndInterpreter misuse; TS401 an
/// object used under another interpreter than the one it came from.
enum InterpreterChecks: CheckFamily {
    static let rules = ["TS301", "TS302", "TS303", "TS401"]

    static func check(_ context: CheckContext, into sink: inout DiagnosticSink) {
        for observation in context.analysis.observations {
            switch observation.kind {
            case .endInterpreterNotAttached:
                sink.report("TS303", at: observation.event.location,
                            "`Py_EndInterpreter()` is given a thread state that is not the attached one; it must be called with the sub-interpreter's thread state attached",
                            trace: observation.trace)
            case .useAfterEndInterpreter(let callee, let ended):
                let line = context.analysis.event(ended)?.location.line
                sink.report("TS303", at: observation.event.location,
                            "`\(callee)` is called after `Py_EndInterpreter()`\(line.map { " (line \($0))" } ?? ""), with no thread state attached: swap back to the caller's thread state first",
                            trace: observation.trace)
            case .objectFromOtherInterpreter(let variable, let use, _):
                let action: String
                switch use {
                case .passed(let callee): action = "passed to `\(callee)()`"
                case .stored(let target): action = "stored in `\(target)`"
                case .returned: action = "returned"
                }
                sink.report("TS401", at: observation.event.location,
                            "`\(variable)` belongs to another interpreter than the one attached here, and is \(action); objects must not cross interpreters",
                            trace: observation.trace)
            default:
                break
            }
        }
        for exit in context.exits {
            let state = exit.state
            guard state.gilFrames.isEmpty, !state.isAtEntryState, case .attached(let current) = state.attachment else { continue }
            // A function taken for a host's entry point is held to this for the sub-interpreters
            // it creates only: leaving the main one attached after Py_Initialize is what hosts do.
            let leavesOwnSubinterpreter = context.analysis.inferredHost && context.isNewInterpreter(current)
            guard context.analysis.mustExitAsEntered || leavesOwnSubinterpreter
                    || context.wasUndoneOnAnotherPath(state.awaySite, comparedWith: exit) else { continue }
            if let site = state.awaySite, let call = context.helperCall(at: site), state.entry != .detached {
                sink.report("TS302", at: call.location,
                            "`\(context.eventName(call))` leaves another thread state attached, and this path \(exit.isEndOfBody ? "reaches the end of `\(context.function.name)`" : "returns") without switching back",
                            trace: exit.trace)
                continue
            }
            let cause = context.describe(state.awaySite).map { " after \($0)" } ?? ""
            let message: String
            if state.entry == .detached {
                message = "\(context.exitPhrase(exit).capitalizedFirst) with a thread state still attached\(cause), but it was entered with none attached"
            } else if case .created = current {
                message = "\(context.exitPhrase(exit).capitalizedFirst) with the sub-interpreter's thread state attached\(cause) instead of the caller's"
            } else {
                message = "\(context.exitPhrase(exit).capitalizedFirst) with a different thread state attached\(cause) than at entry"
            }
            var trace = exit.trace
            if context.analysis.isHostEntry, let entry = context.analysis.entryStep { trace.insert(entry, at: 0) }
            sink.report("TS301", at: exit.location, message, trace: trace)
        }
    }
}
