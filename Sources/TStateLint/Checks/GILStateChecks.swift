/// TS102 gilstate-not-released, TS105 gilstate-mismatch.
enum GILStateChecks: CheckFamily {
    static let rules = ["TS102", "TS105"]

    static func check(_ context: CheckContext, into sink: inout DiagnosticSink) {
        for observation in context.analysis.observations {
            let message: String
            switch observation.kind {
            case .gilReleaseOfForeignToken(let value):
                message = "`\(context.eventName(observation.event))` is given \(value), not a token returned by PyGILState_Ensure()"
            case .gilReleaseTwice(let site):
                message = "`\(context.eventName(observation.event))` releases the token of \(context.describe(site) ?? "PyGILState_Ensure()") a second time"
            case .gilReleaseOutOfOrder(let released, let expected):
                message = "`\(context.eventName(observation.event))` releases \(context.describe(released) ?? "an outer PyGILState_Ensure()") before the inner \(context.describe(expected) ?? "one"); releases must be in reverse order"
            default:
                continue
            }
            sink.report("TS105", at: observation.event.location, message, trace: observation.trace)
        }
        for exit in context.exits {
            // The innermost outstanding Ensure that nothing can release any more, or that
            // another path through it does release.
            let variables = context.function.variables
            guard let frame = exit.state.gilFrames.last(where: { frame in
                !exit.state.holdsOutside(gilToken: frame.site, variables: variables, returned: exit.returned)
                    || context.wasUndoneOnAnotherPath(frame.site, comparedWith: exit)
            }) else { continue }
            sink.report("TS102", at: exit.location,
                        "\(context.exitPhrase(exit).capitalizedFirst) without releasing the thread state acquired by \(context.describe(frame.site) ?? "PyGILState_Ensure()")",
                        trace: exit.trace)
        }
    }
}
