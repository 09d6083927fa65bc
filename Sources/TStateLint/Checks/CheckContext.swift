/// What every check family reads: one function's exploration, and how to name its events.
struct CheckContext {
    let analysis: FunctionAnalysis

    var function: Function { analysis.function }

    /// "`Py_BEGIN_ALLOW_THREADS` (line 12)" for the event with this id.
    func describe(_ site: EventID?) -> String? {
        guard let site, let event = analysis.event(site) else { return nil }
        return "`\(eventName(event))` (line \(event.location.line))"
    }

    func eventName(_ event: Event) -> String {
        var callee: String?
        switch event.kind {
        case .call(let call): callee = call.callee.name
        case .macro(let name): return name
        default: break
        }
        if let macro = event.macro, macro != callee { return macro }
        return (callee ?? "?") + "()"
    }

    func exitPhrase(_ exit: ExitRecord) -> String {
        exit.isEndOfBody ? "reaches the end of `\(function.name)`" : "returns"
    }

    /// Exits worth judging: the exploration finished and the path was not silenced.
    var exits: [ExitRecord] {
        analysis.isComplete ? analysis.exits.filter { !$0.state.isSilenced } : []
    }

    /// Another path that went through `site` undid it and returned a value this exit could
    /// also return: the function meant to undo it, and this exit forgot. Paths that return
    /// different constants (`-1` after releasing, `0` holding) are a try-acquire helper.
    func wasUndoneOnAnotherPath(_ site: EventID?, comparedWith exit: ExitRecord) -> Bool {
        guard let site else { return false }
        return exits.contains { other in
            other.state.dischargedSites.contains(site) && Self.mayReturnTheSame(other.returned, exit.returned)
        }
    }

    static func mayReturnTheSame(_ a: AbstractValue?, _ b: AbstractValue?) -> Bool {
        switch (a, b) {
        case (.integer(let x)?, .integer(let y)?): return x == y
        case (.integer(0)?, .nonZero?), (.nonZero?, .integer(0)?): return false
        default: return true
        }
    }
}

/// One file per rule family: each reads the exploration and reports its rules.
protocol CheckFamily {
    static var rules: [String] { get }
    static func check(_ context: CheckContext, into sink: inout DiagnosticSink)
}

enum Checks {
    static let families: [CheckFamily.Type] = [
        ThreadStateBalanceChecks.self,
        GILStateChecks.self,
        APIUseChecks.self,
        InterpreterChecks.self,
        LockChecks.self,
    ]

    static func run(_ analysis: FunctionAnalysis) -> [Diagnostic] {
        let context = CheckContext(analysis: analysis)
        var sink = DiagnosticSink(function: analysis.function)
        for family in families { family.check(context, into: &sink) }
        return sink.diagnostics
    }
}
