/// TS301 interpreter-not-restored; TS302 call-switches-interpreter when the switch that was
/// not undone is a call to a project function.
enum InterpreterChecks: CheckFamily {
    static let rules = ["TS301", "TS302"]

    static func check(_ context: CheckContext, into sink: inout DiagnosticSink) {
        for exit in context.exits {
            let state = exit.state
            guard state.gilFrames.isEmpty, !state.isAtEntryState, case .attached(let current) = state.attachment else { continue }
            guard context.analysis.mustExitAsEntered || context.wasUndoneOnAnotherPath(state.awaySite, comparedWith: exit) else { continue }
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
            sink.report("TS301", at: exit.location, message, trace: exit.trace)
        }
    }
}
