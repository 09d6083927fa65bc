/// What the path exploration saw, before the checks decide what to report.

public enum ObservationKind: Hashable, Sendable {
    /// A call that needs an attached thread state, on a path where none is attached.
    case callWithoutThreadState(callee: String)
    /// A field of one of CPython's structs read or written with no thread state attached.
    case fieldAccessWithoutThreadState(FieldAccess)
    /// A detaching call or macro while nothing is attached.
    case detachWhileDetached(callee: String)
    /// An attaching call or macro while a thread state is attached.
    case attachWhileAttached(callee: String)
    /// PyGILState_Release of a value that did not come from PyGILState_Ensure.
    case gilReleaseOfForeignToken(value: Int64)
    case gilReleaseTwice(ensureSite: EventID)
    case gilReleaseOutOfOrder(released: EventID, expected: EventID)
    case lockReleasedTwice(lock: String)
    case lockReleasedAfterFailedAcquire(lock: String, site: EventID)
    case lockAcquiredTwice(lock: String, site: EventID)
    /// A call to a project function that needs an attached thread state, while none is.
    case helperNeedsThreadState(callee: String, usr: String)
    /// A call to a project function that releases the thread state, while none is attached.
    case helperReleasesWhileDetached(callee: String)
    /// A call to a project function that attaches a thread state, while one is attached.
    case helperAttachesWhileAttached(callee: String)
    /// A blocking call (directly or through a helper) while a thread state is attached.
    case blockingWhileAttached(callee: String)
    /// Py_EndInterpreter of a thread state that is not the attached one.
    case endInterpreterNotAttached
    /// A call that needs a thread state after Py_EndInterpreter, before another is attached.
    case useAfterEndInterpreter(callee: String, endedAt: EventID)
    /// A Python object obtained under one interpreter used under another.
    case objectFromOtherInterpreter(variable: String, use: ObjectUse, obtainedAt: EventID?)
}

public enum ObjectUse: Hashable, Sendable {
    case passed(callee: String)
    case stored(target: String)
    case returned
}

public enum CallSiteAttachment: Hashable, Sendable {
    case attached, detached, unknown

    init(_ state: AbstractState) {
        self = state.isDefinitelyAttached ? .attached : state.isDefinitelyDetached ? .detached : .unknown
    }
}

/// A project function handed to a function the program does not define (a C library's
/// registrar, `qsort`, a destructor argument): the library may call it during that call, and,
/// when it is registered on a handle, during later calls on that handle. Both are kept with the
/// call-site attachments (and so with the memo), under keys of their own.
public struct CallbackSite: Hashable, Sendable {
    public var callback: String
    public var registrar: String
    public var location: SourceLocation
    /// The library object it is registered on (`HandleKey`), or nil for the call alone.
    public var handle: String?

    private static let marker = "callback\u{1}"

    public init(callback: String, registrar: String, location: SourceLocation, handle: String? = nil) {
        self.callback = callback
        self.registrar = registrar
        self.location = location
        self.handle = handle
    }

    public var key: String {
        Self.marker + ([callback, registrar, handle ?? ""] + location.keyFields).joined(separator: "\u{1}")
    }

    public init?(key: String) {
        guard let fields = keyFields(key, marker: Self.marker, count: 7), let location = SourceLocation(keyFields: fields.suffix(4)) else { return nil }
        callback = fields[0]
        registrar = fields[1]
        handle = fields[2].isEmpty ? nil : fields[2]
        self.location = location
    }
}

/// A call to a function the program does not define, made on a library object, with no thread
/// state attached: callbacks registered on that object may run during it.
public struct DetachedHandleCall: Hashable, Sendable {
    public var handle: String
    public var callee: String
    public var location: SourceLocation

    private static let marker = "handle-call\u{1}"

    public init(handle: String, callee: String, location: SourceLocation) {
        self.handle = handle
        self.callee = callee
        self.location = location
    }

    public var key: String {
        Self.marker + ([handle, callee] + location.keyFields).joined(separator: "\u{1}")
    }

    public init?(key: String) {
        guard let fields = keyFields(key, marker: Self.marker, count: 6), let location = SourceLocation(keyFields: fields.suffix(4)) else { return nil }
        handle = fields[0]
        callee = fields[1]
        self.location = location
    }
}

private func keyFields(_ key: String, marker: String, count: Int) -> [String]? {
    guard key.hasPrefix(marker) else { return nil }
    let fields = key.dropFirst(marker.count).split(separator: "\u{1}", omittingEmptySubsequences: false).map(String.init)
    return fields.count == count ? fields : nil
}

extension SourceLocation {
    var keyFields: [String] { [file, String(line), String(column), String(offset)] }

    init?<Fields: Collection<String>>(keyFields fields: Fields) {
        let values = Array(fields)
        guard values.count == 4, let line = Int(values[1]), let column = Int(values[2]), let offset = Int(values[3]) else { return nil }
        self.init(file: values[0], line: line, column: column, offset: offset)
    }
}

public struct Observation: Sendable {
    public var kind: ObservationKind
    public var event: Event
    public var trace: [TraceStep]
}

/// The state of one path where it leaves the function.
public struct ExitRecord: Sendable {
    public var location: SourceLocation
    public var isEndOfBody: Bool
    public var state: AbstractState
    public var returned: AbstractValue?
    public var trace: [TraceStep]
}

public struct FunctionAnalysis: Sendable {
    public var function: Function
    public var isPythonEntry: Bool
    public var entryDescription: String?
    public var isForeignThread = false
    public var isHostEntry = false
    public var inferredHost = false
    /// The calls that create a sub-interpreter (Py_NewInterpreter): the thread state each
    /// attaches is `.created(site)`.
    public var newInterpreterSites = Set<EventID>()

    /// "`f` is <why it is entered so>", to open the trace of a finding whose path starts from
    /// an inferred or declared context.
    public var entryStep: TraceStep? {
        entryDescription.map { TraceStep(location: function.location, message: "`\(function.name)` is \($0)") }
    }

    /// Python (or the thread that started it, or the host) needs the thread state back as it was.
    public var mustExitAsEntered: Bool { isPythonEntry || isForeignThread || (isHostEntry && !inferredHost) }
    public var observations: [Observation] = []
    public var exits: [ExitRecord] = []
    /// False when the exploration stopped at its budget; exit checks are then skipped.
    public var isComplete = true
    /// Where the exploration gave paths up at a bound (states per block, visits): findings on
    /// those paths may be missing. Nil when no bound was reached.
    public var boundReached: String?
    public var statesExplored = 0
    /// Where a path first needed the thread state it was entered with (a C-API call, through
    /// helpers): the chain a caller's TS203 shows.
    public var attachedRequirementWitness: [TraceStep]?
    /// Some path attaches a thread state before anything else (it was entered with none).
    public var attachesAtEntry = false
    /// The first such attach.
    public var entryAttachWitness: TraceStep?
    /// Some path releases the thread state it was entered with.
    public var releasesAtEntry = false
    /// Some path tests the thread state it was entered with (PyGILState_Check(),
    /// `_PyThreadState_GET() == NULL`): the function is written to be entered either way.
    public var testsEntryThreadState = false
    /// The function attaches thread states itself (PyGILState_Ensure, PyEval_RestoreThread,
    /// PyThreadState_Swap, Py_Initialize, an acquiring helper): it is meant to be callable
    /// without one, and only what all its paths need is required of its callers.
    public var attachesThreadStates = false
    /// Where a path first blocks with the thread state it was entered with attached.
    public var blockingWitness: [TraceStep]?
    /// Some path that reported a problem (or was given up) leaves the function: what it does
    /// there is unknown.
    public var silencedPathsReachExit = false
    /// For each project function called: whether a thread state was attached at the calls;
    /// for each handed to a library as a callback (keyed by `CallbackSite.key`), at that call.
    public var callSiteAttachments: [String: Set<CallSiteAttachment>] = [:]

    public func event(_ id: EventID) -> Event? {
        for block in function.blocks {
            if let event = block.events.first(where: { $0.id == id }) { return event }
        }
        return nil
    }
}
