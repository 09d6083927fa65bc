/// TS501 critical-section-not-ended, TS502 mutex-imbalance.
enum LockChecks: CheckFamily {
    static let rules = ["TS501", "TS502"]

    static func check(_ context: CheckContext, into sink: inout DiagnosticSink) {
        for observation in context.analysis.observations {
            switch observation.kind {
            case .lockReleasedTwice(let lock):
                sink.report("TS502", at: observation.event.location,
                            "`\(context.eventName(observation.event))` releases \(lock), which this path already released",
                            trace: observation.trace)
            case .lockReleasedAfterFailedAcquire(let lock, let site):
                sink.report("TS502", at: observation.event.location,
                            "`\(context.eventName(observation.event))` releases \(lock), but \(context.describe(site) ?? "the acquire") did not acquire it on this path",
                            trace: observation.trace)
            case .lockAcquiredTwice(let lock, let site):
                sink.report("TS502", at: observation.event.location,
                            "`\(context.eventName(observation.event))` acquires \(lock), which this path already holds since \(context.describe(site) ?? "an earlier acquire") (self-deadlock)",
                            trace: observation.trace)
            default:
                break
            }
        }
        for exit in context.exits {
            if let section = exit.state.criticalSections.last {
                sink.report("TS501", at: exit.location,
                            "\(context.exitPhrase(exit).capitalizedFirst) inside the critical section begun by \(context.describe(section.site) ?? "Py_BEGIN_CRITICAL_SECTION")",
                            trace: exit.trace)
            }
            for lock in exit.state.locks where !exit.state.escapedLocks.contains(lock.key) {
                guard case .held(let site) = lock.state,
                      context.wasUndoneOnAnotherPath(site, comparedWith: exit, allowingHandOff: context.isPyThreadLock(site)) else { continue }
                sink.report("TS502", at: exit.location,
                            "\(context.exitPhrase(exit).capitalizedFirst) still holding the lock acquired by \(context.describe(site) ?? "an earlier acquire"), which other paths release",
                            trace: exit.trace)
                break
            }
        }
    }
}
