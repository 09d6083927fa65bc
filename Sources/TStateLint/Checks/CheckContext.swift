/// What every check family reads: one function's exploration, and how to name its events.
struct CheckContext {
    let analysis: FunctionAnalysis
    let model: APIModel

    var function: Function { analysis.function }

    /// "`Py_BEGIN_ALLOW_THREADS` (line 12)" for the event with this id.
    func describe(_ site: EventID?) -> String? {
        guard let site, let event = analysis.event(PathExplorer.eventOfSite(site)) else { return nil }
        return "`\(eventName(event))` (line \(event.location.line))"
    }

    /// The event at a site when it is a call to one of the project's functions (not the C-API).
    func helperCall(at site: EventID) -> Event? {
        guard let event = analysis.event(PathExplorer.eventOfSite(site)), case .call(let call) = event.kind,
              case .direct(let name, _, let origin) = call.callee, origin == .other, model.entry(name) == nil else { return nil }
        return event
    }

    /// A thread state of a sub-interpreter the function created (Py_NewInterpreter).
    func isNewInterpreter(_ id: ThreadStateID) -> Bool {
        guard case .created(let site) = id else { return false }
        return analysis.newInterpreterSites.contains(site)
    }

    /// A lock acquired through the PyThread API (no owner: any thread may release it), not a PyMutex.
    func isPyThreadLock(_ site: EventID) -> Bool {
        guard let event = analysis.event(PathExplorer.eventOfSite(site)), case .call(let call) = event.kind else { return false }
        return call.callee.name?.hasPrefix("PyThread_") ?? false
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

    /// Another path through `site` undid it and returned a value this exit could also return:
    /// the function means to undo it, and this exit forgot. Paths that return different
    /// constants (`1` holding, `-1` after undoing) are a try-acquire helper.
    ///
    /// With `allowingHandOff`, a success exit that keeps what only error exits give back is a
    /// hand-off, not a leak: faulthandler keeps a PyThread lock that the thread it starts
    /// releases, and its error path releases it.
    func wasUndoneOnAnotherPath(_ site: EventID?, comparedWith exit: ExitRecord, allowingHandOff: Bool = false) -> Bool {
        guard let site else { return false }
        let undoing = exits.filter { $0.state.dischargedSites.contains(site) }
        // An error exit (`return NULL`, `return -1`) should give back what other paths give back.
        if isErrorExit(exit) == true { return !undoing.isEmpty }
        guard undoing.contains(where: { Self.mayReturnTheSame($0.returned, exit.returned) }) else { return false }
        if allowingHandOff, isErrorExit(exit) == false, undoing.allSatisfy({ isErrorExit($0) == true }) {
            return false
        }
        return true
    }

    static func mayReturnTheSame(_ a: AbstractValue?, _ b: AbstractValue?) -> Bool {
        switch (a, b) {
        case (.integer(let x)?, .integer(let y)?): return x == y
        case (.integer(0)?, .nonZero?), (.nonZero?, .integer(0)?): return false
        default: return true
        }
    }

    /// Whether the exit returns the function's error value; nil without an error convention.
    func isErrorExit(_ exit: ExitRecord) -> Bool? {
        switch function.returnType {
        case .pyObject, .pointer, .threadState, .interpreterState:
            return exit.returned == .integer(0)
        case .integer, .gilState:
            if case .integer(let value)? = exit.returned { return value < 0 }
            return false
        case .other:
            return nil
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
        HelperChecks.self,
        GILStateChecks.self,
        APIUseChecks.self,
        InterpreterChecks.self,
        LockChecks.self,
    ]

    static func run(_ analysis: FunctionAnalysis, model: APIModel) -> [Diagnostic] {
        let context = CheckContext(analysis: analysis, model: model)
        var sink = DiagnosticSink(function: analysis.function)
        for family in families { family.check(context, into: &sink) }
        return sink.diagnostics
    }
}
