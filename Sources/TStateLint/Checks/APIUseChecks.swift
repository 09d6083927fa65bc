/// TS201 api-without-thread-state, TS202 object-access-without-thread-state, and both as
/// TS204 foreign-thread-without-thread-state in code a thread Python did not create runs.
enum APIUseChecks: CheckFamily {
    static let rules = ["TS201", "TS202", "TS204"]

    static func check(_ context: CheckContext, into sink: inout DiagnosticSink) {
        let foreign = context.analysis.isForeignThread
        let why = context.analysis.entryDescription.map { " (\($0))" } ?? ""
        for observation in context.analysis.observations {
            switch observation.kind {
            case .callWithoutThreadState:
                let name = context.eventName(observation.event)
                if foreign {
                    sink.report("TS204", at: observation.event.location,
                                "`\(name)` is called on a thread Python did not create\(why) without attaching a thread state first",
                                trace: observation.trace)
                } else {
                    sink.report("TS201", at: observation.event.location,
                                "`\(name)` needs an attached thread state, but none is attached on this path",
                                trace: observation.trace)
                }
            case .fieldAccessWithoutThreadState(let access):
                sink.report(foreign ? "TS204" : "TS202", at: observation.event.location,
                            "`\(access.field)` of `\(access.record)` is \(access.isWrite ? "written" : "read") with no thread state attached\(foreign ? why : "")",
                            trace: observation.trace)
            default:
                break
            }
        }
    }
}
