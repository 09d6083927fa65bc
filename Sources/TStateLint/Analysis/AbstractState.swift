/// The abstract state of one path through a function.

/// A thread state the analysis can name.
public enum ThreadStateID: Hashable, Sendable, Comparable {
    /// Whatever was attached when the function was entered.
    case entry
    /// Created by the event with this id (Py_NewInterpreter, PyThreadState_New, PyGILState_Ensure).
    case created(EventID)
    /// The value a variable (parameter, field, global) held at entry.
    case initial(VarID)
    /// Returned by an API whose result the analysis cannot relate to anything (PyGILState_GetThisThreadState).
    case opaque(EventID)
    /// The value memory that this function's IR does not name held at entry (a callee read it).
    case initialMemory(MemoryPath)
}

extension ThreadStateID {
    /// Made by this function after it was entered: not the same as any thread state it was given.
    public var isCreatedHere: Bool {
        if case .created = self { return true }
        return false
    }
}

/// Memory reached from a variable or a global by fields, dereferences and array elements.
public struct MemoryPath: Hashable, Sendable, Comparable {
    public enum Root: Hashable, Sendable, Comparable {
        case variable(VarID)
        case global(String)
    }

    public enum Step: Hashable, Sendable, Comparable {
        case field(String)
        case dereference
        case element
    }

    public var root: Root
    public var steps: [Step]

    public static func < (lhs: MemoryPath, rhs: MemoryPath) -> Bool {
        "\(lhs)" < "\(rhs)"
    }
}

/// Which thread state is attached on this path.
public enum Attachment: Hashable, Sendable {
    case detached
    case attached(ThreadStateID)
    case unknown
}

/// What the path has assumed about the function's entry: needed when the caller's state is not known.
public enum EntryAssumption: Hashable, Sendable {
    case unknown
    case attached
    case detached
}

public enum AbstractValue: Hashable, Sendable {
    /// A known integer; NULL is 0.
    case integer(Int64)
    /// Non-zero, or a non-NULL pointer, of unknown identity.
    case nonZero
    /// A pointer to a known thread state. `.entry` may be NULL while the entry assumption is unknown.
    case threadState(ThreadStateID)
    /// A PyGILState_STATE returned by the Ensure with this event id.
    case gilToken(EventID)
    /// A PyStatus from Py_NewInterpreterFromConfig.
    case status(failed: Bool)
}

public struct GILStateFrame: Hashable, Sendable {
    public var site: EventID
    public var previous: Attachment
}

public enum LockState: Hashable, Sendable {
    case held(site: EventID)
    /// Acquired and released again on this path.
    case released
    /// Released without being acquired on this path: it was held when the function was entered.
    case releasedFromEntry
    /// A non-blocking or timed acquire at this site failed on this path.
    case notAcquired(site: EventID)
}

public struct LockEntry: Hashable, Sendable {
    public var key: Operand
    public var state: LockState
}

public struct CriticalSection: Hashable, Sendable {
    public var site: EventID
}

/// Where a Python object a variable holds came from: the thread state attached when it was
/// obtained (so, its interpreter), and the event that produced it (nil: a parameter).
public struct ObjectOrigin: Hashable, Sendable {
    public var threadState: ThreadStateID
    public var site: EventID?
}

public struct AbstractState: Hashable, Sendable {
    public var attachment: Attachment
    public var entry: EntryAssumption
    /// The event that last moved the attached thread state away from the entry's.
    public var awaySite: EventID?
    /// The event whose need for a thread state made this path assume one was attached at entry.
    public var entryAssumedAt = Provenance<EventID>()
    /// Values of variables, sorted by id. A variable not listed is unknown.
    public private(set) var values: [VarID: AbstractValue] = [:]
    /// The values' hash, kept up to date as they change: a state is hashed at every block it
    /// reaches, and hashing a dictionary hashes each of its entries anew.
    private var valuesHash = 0
    /// Outcomes of side-effect-free condition expressions tested on this path, by key.
    public var conditionFacts: [Int: Bool] = [:]
    /// Set once a path has reported a problem that leaves its state meaningless, or has been
    /// widened past the state bound: nothing more is reported on it.
    public var isSilenced = false
    /// What most paths never hold (GIL frames, locks, escapes, ...), shared between the states
    /// that copy it: a state is copied and hashed at every block, and on most paths all of it is empty.
    private var rare = RareFields.empty

    /// The fields of `rare`.
    fileprivate struct Rare: Hashable {
        var gilFrames: [GILStateFrame] = []
        var releasedGILTokens: Set<EventID> = []
        var criticalSections: [CriticalSection] = []
        var locks: [LockEntry] = []
        var escapedThreadStates: Set<ThreadStateID> = []
        var escapedGILTokens: Set<EventID> = []
        var savedByMacro: [ThreadStateID] = []
        var dischargedSites: Set<EventID> = []
        var escapedLocks: Set<Operand> = []
        var releasedExternalTokens: Set<VarID> = []
        var releasesCallersEnsure = false
        var syntheticMemory: [MemoryPath: AbstractValue] = [:]
        var objectOrigins: [VarID: ObjectOrigin] = [:]
        var endedInterpreterAt: EventID?
        var reportedUseWhileDetached = false
        var parametersAssigned: Set<VarID> = []
        var entryValueFacts: [VarID: AbstractValue] = [:]
    }

    /// Copy-on-write storage of the rare fields; its hash is worked out once.
    fileprivate final class RareFields: @unchecked Sendable {
        static let empty = RareFields(Rare())
        var fields: Rare
        private var hash: Int?

        init(_ fields: Rare) {
            self.fields = fields
        }

        var contentHash: Int {
            if let hash { return hash }
            let computed = fields.hashValue
            hash = computed
            return computed
        }

        func changed() { hash = nil }
    }

    private var rareForWriting: RareFields {
        mutating get {
            if !isKnownUniquelyReferenced(&rare) { rare = RareFields(rare.fields) }
            rare.changed()
            return rare
        }
    }

    public static func == (lhs: AbstractState, rhs: AbstractState) -> Bool {
        lhs.valuesHash == rhs.valuesHash && lhs.attachment == rhs.attachment && lhs.entry == rhs.entry && lhs.awaySite == rhs.awaySite
            && lhs.isSilenced == rhs.isSilenced && lhs.values == rhs.values && lhs.conditionFacts == rhs.conditionFacts
            && (lhs.rare === rhs.rare || (lhs.rare.contentHash == rhs.rare.contentHash && lhs.rare.fields == rhs.rare.fields))
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(attachment)
        hasher.combine(entry)
        hasher.combine(awaySite)
        hasher.combine(isSilenced)
        hasher.combine(valuesHash)
        hasher.combine(conditionFacts)
        hasher.combine(rare.contentHash)
    }

    public var gilFrames: [GILStateFrame] {
        get { rare.fields.gilFrames }
        _modify { yield &rareForWriting.fields.gilFrames }
    }
    public var releasedGILTokens: Set<EventID> {
        get { rare.fields.releasedGILTokens }
        _modify { yield &rareForWriting.fields.releasedGILTokens }
    }
    public var criticalSections: [CriticalSection] {
        get { rare.fields.criticalSections }
        _modify { yield &rareForWriting.fields.criticalSections }
    }
    public var locks: [LockEntry] {
        get { rare.fields.locks }
        _modify { yield &rareForWriting.fields.locks }
    }
    /// Thread states and GIL tokens handed to memory the IR does not track, or to unknown code.
    public var escapedThreadStates: Set<ThreadStateID> {
        get { rare.fields.escapedThreadStates }
        _modify { yield &rareForWriting.fields.escapedThreadStates }
    }
    public var escapedGILTokens: Set<EventID> {
        get { rare.fields.escapedGILTokens }
        _modify { yield &rareForWriting.fields.escapedGILTokens }
    }
    /// Thread states saved by macros that the model gives by name (a user's
    /// `MY_BEGIN_ALLOW_THREADS`): the matching end macro restores the most recent one.
    public var savedByMacro: [ThreadStateID] {
        get { rare.fields.savedByMacro }
        _modify { yield &rareForWriting.fields.savedByMacro }
    }
    /// Sites (releases, switches, Ensures, locks) that this path has undone.
    public var dischargedSites: Set<EventID> {
        get { rare.fields.dischargedSites }
        _modify { yield &rareForWriting.fields.dischargedSites }
    }
    /// Locks whose handle this path gave away (stored in memory, returned): not its to release.
    public var escapedLocks: Set<Operand> {
        get { rare.fields.escapedLocks }
        _modify { yield &rareForWriting.fields.escapedLocks }
    }
    /// Variables holding GIL tokens the function was given and released (`release(s)` helpers).
    public var releasedExternalTokens: Set<VarID> {
        get { rare.fields.releasedExternalTokens }
        _modify { yield &rareForWriting.fields.releasedExternalTokens }
    }
    /// Released an Ensure it did not make, with a made-up token: its caller's innermost one.
    public var releasesCallersEnsure: Bool {
        get { rare.fields.releasesCallersEnsure }
        _modify { yield &rareForWriting.fields.releasesCallersEnsure }
    }
    /// Values of memory the IR of this function does not name, written by the callees' summaries.
    public var syntheticMemory: [MemoryPath: AbstractValue] {
        get { rare.fields.syntheticMemory }
        _modify { yield &rareForWriting.fields.syntheticMemory }
    }
    /// For variables holding Python objects, in functions that switch interpreters.
    public var objectOrigins: [VarID: ObjectOrigin] { rare.fields.objectOrigins }
    /// The Py_EndInterpreter this path went through since it last attached a thread state.
    public var endedInterpreterAt: EventID? {
        get { rare.fields.endedInterpreterAt }
        _modify { yield &rareForWriting.fields.endedInterpreterAt }
    }

    /// Parameters this path has written (for those the body writes at all).
    public var parametersAssigned: Set<VarID> {
        get { rare.fields.parametersAssigned }
        _modify { yield &rareForWriting.fields.parametersAssigned }
    }
    /// What this path found out about such parameters before it wrote them: the value the
    /// caller passed.
    public var entryValueFacts: [VarID: AbstractValue] {
        get { rare.fields.entryValueFacts }
        _modify { yield &rareForWriting.fields.entryValueFacts }
    }
    /// This path reported a use of the C-API with no thread state and has not attached one
    /// since: the uses that follow are the same mistake, not new ones.
    public var reportedUseWhileDetached: Bool {
        get { rare.fields.reportedUseWhileDetached }
        _modify { yield &rareForWriting.fields.reportedUseWhileDetached }
    }

    public init(attachment: Attachment, entry: EntryAssumption) {
        self.attachment = attachment
        self.entry = entry
    }

    public static let silenced: AbstractState = {
        var state = AbstractState(attachment: .unknown, entry: .unknown)
        state.isSilenced = true
        return state
    }()

    // MARK: Values

    public func value(_ variable: VarID) -> AbstractValue? { values[variable] }

    public mutating func set(_ variable: VarID, _ value: AbstractValue?) {
        if let old = values[variable] { valuesHash ^= Self.entryHash(variable, old) }
        values[variable] = value
        if let value { valuesHash ^= Self.entryHash(variable, value) }
    }

    private static func entryHash(_ variable: VarID, _ value: AbstractValue) -> Int {
        var hasher = Hasher()
        hasher.combine(variable)
        hasher.combine(value)
        return hasher.finalize()
    }

    public mutating func keepOnly(_ keep: (VarID) -> Bool) {
        var dropped: [(VarID, AbstractValue)] = []
        for (variable, value) in values where !keep(variable) { dropped.append((variable, value)) }
        for (variable, value) in dropped {
            values.removeValue(forKey: variable)
            valuesHash ^= Self.entryHash(variable, value)
        }
        if objectOrigins.keys.contains(where: { !keep($0) }) { rareForWriting.fields.objectOrigins = objectOrigins.filter { keep($0.key) } }
    }

    public func origin(_ variable: VarID) -> ObjectOrigin? { objectOrigins[variable] }

    public mutating func setOrigin(_ variable: VarID, _ origin: ObjectOrigin?) {
        rareForWriting.fields.objectOrigins[variable] = origin
    }

    // MARK: Thread state

    public var isDefinitelyDetached: Bool {
        attachment == .detached
    }

    public var isDefinitelyAttached: Bool {
        switch attachment {
        case .attached(.entry): return entry == .attached
        case .attached: return true
        case .detached, .unknown: return false
        }
    }

    public var isAtEntryState: Bool {
        switch attachment {
        case .attached(.entry): return entry != .detached
        case .detached: return entry == .detached
        case .attached, .unknown: return false
        }
    }

    /// Records what the path now assumes about the entry, rewriting `.entry` where it means NULL.
    public mutating func assumeEntry(_ assumption: EntryAssumption) {
        guard entry == .unknown, assumption != .unknown else { return }
        entry = assumption
        if assumption == .detached {
            if attachment == .attached(.entry) { attachment = .detached }
            for (variable, value) in values where value == .threadState(.entry) {
                set(variable, .integer(0))
            }
            if !gilFrames.isEmpty { gilFrames = gilFrames.map { frame in
                frame.previous == .attached(.entry) ? GILStateFrame(site: frame.site, previous: .detached) : frame
            } }
        }
    }

    /// Moves to a new attachment, keeping track of the event that left the entry's state.
    public mutating func attach(_ new: Attachment, at site: EventID) {
        let wasAtEntry = isAtEntryState
        attachment = new
        if case .attached = new {
            if endedInterpreterAt != nil { endedInterpreterAt = nil }
            if reportedUseWhileDetached { reportedUseWhileDetached = false }
        }
        if isAtEntryState {
            if let away = awaySite { dischargedSites.insert(away) }
            awaySite = nil
        } else if wasAtEntry || awaySite == nil {
            awaySite = site
        }
    }

    // MARK: Locks

    public func lock(_ key: Operand) -> LockState? {
        locks.first { $0.key == key }?.state
    }

    public mutating func setLock(_ key: Operand, _ state: LockState?) {
        locks.removeAll { $0.key == key }
        if let state {
            locks.append(LockEntry(key: key, state: state))
            locks.sort { "\($0.key)" < "\($1.key)" }
        }
    }

    // MARK: Holders

    /// True when a thread state survives the function: in memory, escaped, or returned.
    public func holdsOutside(_ threadState: ThreadStateID, variables: [Variable], returned: AbstractValue?) -> Bool {
        if escapedThreadStates.contains(threadState) || returned == .threadState(threadState) { return true }
        return values.contains { variables[$0.key].kind.isMemory && $0.value == .threadState(threadState) }
    }

    public func holdsOutside(gilToken site: EventID, variables: [Variable], returned: AbstractValue?) -> Bool {
        if escapedGILTokens.contains(site) || returned == .gilToken(site) { return true }
        return values.contains { variables[$0.key].kind.isMemory && $0.value == .gilToken(site) }
    }
}

/// Carried along a path without being part of what the path is: two states that differ only
/// here are one state (the first path to arrive keeps its provenance).
public struct Provenance<Value: Sendable>: Hashable, Sendable {
    public var value: Value?

    public init(_ value: Value? = nil) {
        self.value = value
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}
}
