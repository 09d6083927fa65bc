/// Rules about calls into the project's own functions: TS203 helper-needs-thread-state,
/// TS103 / TS104 through helpers, TS205 blocking-call-holding-gil.
enum HelperChecks: CheckFamily {
    static let rules = ["TS203", "TS103", "TS104", "TS205"]

    static func check(_ context: CheckContext, into sink: inout DiagnosticSink) {
        let foreign = context.analysis.isForeignThread
        for observation in context.analysis.observations {
            let location = observation.event.location
            switch observation.kind {
            case .helperNeedsThreadState(let callee, _):
                if foreign {
                    let why = context.analysis.entryDescription.map { " (\($0))" } ?? ""
                    sink.report("TS204", at: location,
                                "`\(callee)()` uses the C-API and is called on a thread Python did not create\(why) without attaching a thread state first",
                                trace: observation.trace)
                } else {
                    sink.report("TS203", at: location,
                                "`\(callee)()` needs an attached thread state (it uses the C-API), but none is attached on this path",
                                trace: observation.trace)
                }
            case .helperReleasesWhileDetached(let callee):
                sink.report("TS103", at: location,
                            "`\(callee)()` releases the thread state, but none is attached on this path", trace: observation.trace)
            case .helperAttachesWhileAttached(let callee):
                sink.report("TS104", at: location,
                            "`\(callee)()` attaches a thread state while one is already attached (deadlock or fatal error)", trace: observation.trace)
            case .blockingWhileAttached(let callee):
                sink.report("TS205", at: location,
                            "`\(callee)()` can block while the thread state is attached; other threads cannot run Python meanwhile",
                            trace: observation.trace)
            default:
                break
            }
        }
    }
}
