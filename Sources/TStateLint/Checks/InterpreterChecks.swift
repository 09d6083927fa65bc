/// TS301 interpreter-not-restored.
enum InterpreterChecks: CheckFamily {
    static let rules = ["TS301"]

    static func check(_ context: CheckContext, into sink: inout DiagnosticSink) {
        for exit in context.exits {
            let state = exit.state
            guard state.gilFrames.isEmpty, !state.isAtEntryState, case .attached(let current) = state.attachment else { continue }
            guard context.analysis.isPythonEntry || context.wasUndoneOnAnotherPath(state.awaySite, comparedWith: exit) else { continue }
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
