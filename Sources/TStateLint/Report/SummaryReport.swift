/// `tstate-lint summaries`: what the analysis concluded each function does to the thread
/// state, as its callers see it.
public enum SummaryReport {
    public static func render(_ summaries: [FunctionSummary], matching name: String?) -> String {
        var out = ""
        for summary in summaries where name == nil || summary.name == name {
            out += "\(summary.name) (\(summary.location)): needs \(describe(summary.requirement))"
            if let blocking = summary.blockingWitness?.first { out += "; blocks (\(blocking.location.line): \(blocking.message))" }
            out += "\n"
            if let modifies = summary.modifies {
                if !modifies.isEmpty { out += "    writes: " + modifies.map { "\($0)" }.joined(separator: ", ") + "\n" }
            } else {
                out += "    writes: too many places to list\n"
            }
            for step in summary.requirementWitness {
                out += "    because \(step.location.file):\(step.location.line): \(step.message)\n"
            }
            guard let exits = summary.exits else {
                out += "    exits: unknown (too many distinct ways out, or a path the analysis gave up)\n"
                continue
            }
            for exit in exits { out += "    exit: " + describe(exit) + "\n" }
        }
        return out
    }

    static func describe(_ requirement: Requirement) -> String {
        switch requirement {
        case .attached: return "an attached thread state"
        case .detached: return "no attached thread state"
        case .any: return "nothing"
        }
    }

    static func describe(_ exit: SummaryExit) -> String {
        var parts: [String] = []
        switch exit.entry {
        case .attached: parts.append("entered attached")
        case .detached: parts.append("entered detached")
        case .unknown: break
        }
        switch exit.attachment {
        case .unchanged: parts.append("leaves the thread state as it was")
        case .detached: parts.append("releases the thread state")
        case .attached(let value): parts.append("attaches \(describe(value))")
        case .unknown: parts.append("leaves an unknown thread state")
        }
        if let returned = exit.returned { parts.append("returns \(describe(returned))") }
        for (place, value) in exit.stores.sorted(by: { "\($0.key)" < "\($1.key)" }) { parts.append("stores \(describe(value)) in \(place)") }
        if exit.outstandingEnsures > 0 { parts.append("leaves \(exit.outstandingEnsures) PyGILState_Ensure() to release") }
        for place in exit.releasedTokens { parts.append("releases the GIL token in \(place)") }
        if exit.releasesCallersEnsure { parts.append("releases the caller's innermost PyGILState_Ensure()") }
        for lock in exit.locksHeld { parts.append("holds the lock \(lock.isAddress ? "&" : "")\(lock.place)") }
        for lock in exit.locksReleased { parts.append("releases the lock \(lock.isAddress ? "&" : "")\(lock.place)") }
        for (index, condition) in exit.parameterConditions.sorted(by: { $0.key < $1.key }) {
            parts.append("when parameter \(index + 1) is \(describe(condition))")
        }
        return parts.joined(separator: ", ")
    }

    static func describe(_ value: SummaryValue) -> String {
        switch value {
        case .integer(let constant): return String(constant)
        case .nonZero: return "non-zero"
        case .entryThreadState: return "the thread state it was entered with"
        case .initialValue(let place): return "the thread state in \(place)"
        case .createdThreadState: return "a thread state it created"
        case .unnamedThreadState: return "a thread state from elsewhere"
        case .gilToken(let index): return "the token of its PyGILState_Ensure() #\(index + 1)"
        case .status(let failed): return failed ? "a failed PyStatus" : "a successful PyStatus"
        }
    }
}
