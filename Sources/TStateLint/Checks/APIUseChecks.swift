/// TS201 api-without-thread-state, TS202 object-access-without-thread-state.
enum APIUseChecks: CheckFamily {
    static let rules = ["TS201", "TS202"]

    static func check(_ context: CheckContext, into sink: inout DiagnosticSink) {
        for observation in context.analysis.observations {
            switch observation.kind {
            case .callWithoutThreadState:
                sink.report("TS201", at: observation.event.location,
                            "`\(context.eventName(observation.event))` needs an attached thread state, but none is attached on this path",
                            trace: observation.trace)
            case .fieldAccessWithoutThreadState(let access):
                sink.report("TS202", at: observation.event.location,
                            "`\(access.field)` of `\(access.record)` is \(access.isWrite ? "written" : "read") with no thread state attached",
                            trace: observation.trace)
            default:
                break
            }
        }
    }
}
