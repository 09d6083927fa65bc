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
    public var observations: [Observation] = []
    public var exits: [ExitRecord] = []
    /// False when the exploration stopped at its budget; exit checks are then skipped.
    public var isComplete = true
    public var statesExplored = 0

    public func event(_ id: EventID) -> Event? {
        for block in function.blocks {
            if let event = block.events.first(where: { $0.id == id }) { return event }
        }
        return nil
    }
}
