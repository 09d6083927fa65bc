/// TS101 released-at-exit, TS103 double-release, TS104 double-acquire.
enum ThreadStateBalanceChecks: CheckFamily {
    static let rules = ["TS101", "TS103", "TS104"]

    static func check(_ context: CheckContext, into sink: inout DiagnosticSink) {
        for observation in context.analysis.observations {
            switch observation.kind {
            case .detachWhileDetached:
                sink.report("TS103", at: observation.event.location,
                            "`\(context.eventName(observation.event))` releases the thread state, but none is attached on this path",
                            trace: observation.trace)
            case .attachWhileAttached:
                sink.report("TS104", at: observation.event.location,
                            "`\(context.eventName(observation.event))` attaches a thread state while one is already attached (deadlock or fatal error)",
                            trace: observation.trace)
            default:
                break
            }
        }
        for exit in context.exits {
            let state = exit.state
            guard state.gilFrames.isEmpty, state.attachment == .detached, state.entry == .attached else { continue }
            // The entry thread state was released on this path. That is a bug when Python
            // called the function, when nothing can restore it any more, or when the same
            // release is undone on another path.
            let lost = !state.holdsOutside(.entry, variables: context.function.variables, returned: exit.returned)
            guard context.analysis.mustExitAsEntered || lost || context.wasUndoneOnAnotherPath(state.awaySite, comparedWith: exit) else { continue }
            let released = context.describe(state.awaySite).map { " released by \($0)" } ?? ""
            var message = "\(context.exitPhrase(exit).capitalizedFirst) with the thread state\(released) still detached"
            if context.analysis.isPythonEntry, let entry = context.analysis.entryDescription {
                message += "; Python calls `\(context.function.name)` (\(entry)) and needs it attached on return"
            } else if lost {
                message += "; the saved thread state is lost here"
            }
            sink.report("TS101", at: exit.location, message, trace: exit.trace)
        }
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
