/// What a function does to the thread state, in terms its callers can apply at a call site:
/// what it needs at entry, and for each distinct way of leaving it, what is attached, what it
/// wrote to memory its caller can see, which GIL tokens and locks it leaves outstanding.

/// Memory a caller can see: a parameter, a global, and what hangs off them.
public indirect enum SummaryPlace: Hashable, Codable, Sendable, CustomStringConvertible {
    case parameter(Int)
    case global(usr: String, name: String)
    case field(SummaryPlace, String)
    case dereference(SummaryPlace)
    case element(SummaryPlace)

    /// Distinct for distinct places (the description names globals by name only).
    var canonicalKey: String {
        switch self {
        case .parameter(let index): return "p\(index)"
        case .global(let usr, _): return "g" + usr
        case .field(let base, let name): return base.canonicalKey + "->" + name
        case .dereference(let base): return "*(" + base.canonicalKey + ")"
        case .element(let base): return base.canonicalKey + "[]"
        }
    }

    public var description: String {
        switch self {
        case .parameter(let index): return "parameter \(index + 1)"
        case .global(_, let name): return name
        case .field(let base, let name): return "\(base)->\(name)"
        case .dereference(let base): return "*\(base)"
        case .element(let base): return "\(base)[]"
        }
    }
}

public enum SummaryValue: Hashable, Codable, Sendable {
    case integer(Int64)
    case nonZero
    /// The thread state attached when the function was entered.
    case entryThreadState
    /// What a place held when the function was entered (`param->save`).
    case initialValue(SummaryPlace)
    /// A thread state created inside (a sub-interpreter's, PyThreadState_New's).
    case createdThreadState
    /// A thread state the callee got from somewhere its callers cannot name (a hash table).
    case unnamedThreadState
    /// The token of the function's nth outstanding PyGILState_Ensure.
    case gilToken(Int)
    case status(failed: Bool)
}

public enum SummaryAttachment: Hashable, Codable, Sendable {
    case unchanged
    case detached
    case attached(SummaryValue)
    case unknown
}

public struct SummaryLock: Hashable, Codable, Sendable {
    public var place: SummaryPlace
    /// The lock is `&place` (PyMutex) rather than the handle stored at `place`.
    public var isAddress: Bool
}

public struct SummaryExit: Hashable, Codable, Sendable {
    public var entry: EntryAssumption
    public var returned: SummaryValue?
    public var attachment: SummaryAttachment
    /// Thread states and GIL tokens written to memory the caller sees.
    public var stores: [SummaryPlace: SummaryValue]
    public var outstandingEnsures: Int
    /// GIL tokens released that the function received (read from these places).
    public var releasedTokens: [SummaryPlace]
    /// Releases the caller's innermost PyGILState_Ensure with a made-up token.
    public var releasesCallersEnsure = false
    public var locksHeld: [SummaryLock]
    public var locksReleased: [SummaryLock]
    /// What the path found out about parameters it never assigned (`take_gil != 0`): the exit
    /// is only possible for calls whose arguments agree.
    public var parameterConditions: [Int: SummaryValue] = [:]
    /// The steps of the path that changed the thread state, for traces into the callee.
    public var effectTrace: [TraceStep]

    public var isIdentity: Bool {
        attachment == .unchanged && stores.isEmpty && outstandingEnsures == 0 && releasedTokens.isEmpty && !releasesCallersEnsure
            && locksHeld.isEmpty && locksReleased.isEmpty
    }

    /// The same way through, for a call made with no thread state attached: the entry's
    /// thread state is then NULL.
    func enteredDetached() -> SummaryExit {
        func withoutEntry(_ value: SummaryValue) -> SummaryValue { value == .entryThreadState ? .integer(0) : value }
        var exit = self
        exit.entry = .detached
        if exit.attachment == .attached(.entryThreadState) { exit.attachment = .unchanged }
        exit.returned = returned.map(withoutEntry)
        exit.stores = stores.mapValues(withoutEntry)
        exit.parameterConditions = parameterConditions.mapValues(withoutEntry)
        return exit
    }

    /// Two exits that differ only in their trace are one.
    func sameEffect(as other: SummaryExit, apartFromReturn: Bool = false) -> Bool {
        var a = self, b = other
        a.effectTrace = []
        b.effectTrace = []
        if apartFromReturn {
            a.returned = nil
            b.returned = nil
        }
        return a == b
    }
}

extension SummaryExit {
    private enum CodingKeys: String, CodingKey {
        case entry, returned, attachment, stores, outstandingEnsures, releasedTokens, releasesCallersEnsure
        case locksHeld, locksReleased, parameterConditions, effectTrace
    }

    /// Dictionaries are coded as lists in a fixed order: equal summaries code to equal bytes,
    /// whose digest is how a stored exploration knows its callee did not change.
    private struct Store: Codable {
        var place: SummaryPlace
        var value: SummaryValue
    }

    private struct Condition: Codable {
        var parameter: Int
        var value: SummaryValue
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entry, forKey: .entry)
        try container.encodeIfPresent(returned, forKey: .returned)
        try container.encode(attachment, forKey: .attachment)
        try container.encode(stores.map { Store(place: $0.key, value: $0.value) }.sorted { $0.place.canonicalKey < $1.place.canonicalKey },
                             forKey: .stores)
        try container.encode(outstandingEnsures, forKey: .outstandingEnsures)
        try container.encode(releasedTokens, forKey: .releasedTokens)
        try container.encode(releasesCallersEnsure, forKey: .releasesCallersEnsure)
        try container.encode(locksHeld, forKey: .locksHeld)
        try container.encode(locksReleased, forKey: .locksReleased)
        try container.encode(parameterConditions.map { Condition(parameter: $0.key, value: $0.value) }.sorted { $0.parameter < $1.parameter },
                             forKey: .parameterConditions)
        try container.encode(effectTrace, forKey: .effectTrace)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        entry = try container.decode(EntryAssumption.self, forKey: .entry)
        returned = try container.decodeIfPresent(SummaryValue.self, forKey: .returned)
        attachment = try container.decode(SummaryAttachment.self, forKey: .attachment)
        stores = Dictionary(try container.decode([Store].self, forKey: .stores).map { ($0.place, $0.value) }) { first, _ in first }
        outstandingEnsures = try container.decode(Int.self, forKey: .outstandingEnsures)
        releasedTokens = try container.decode([SummaryPlace].self, forKey: .releasedTokens)
        releasesCallersEnsure = try container.decode(Bool.self, forKey: .releasesCallersEnsure)
        locksHeld = try container.decode([SummaryLock].self, forKey: .locksHeld)
        locksReleased = try container.decode([SummaryLock].self, forKey: .locksReleased)
        parameterConditions = Dictionary(try container.decode([Condition].self, forKey: .parameterConditions).map { ($0.parameter, $0.value) }) { first, _ in first }
        effectTrace = try container.decode([TraceStep].self, forKey: .effectTrace)
    }
}

extension EntryAssumption: Codable {
    private var code: Int {
        switch self {
        case .unknown: return 0
        case .attached: return 1
        case .detached: return 2
        }
    }

    public init(from decoder: Decoder) throws {
        switch try decoder.singleValueContainer().decode(Int.self) {
        case 1: self = .attached
        case 2: self = .detached
        default: self = .unknown
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}

public struct FunctionSummary: Hashable, Codable, Sendable {
    public var name: String
    public var usr: String
    public var location: SourceLocation
    /// Needs an attached thread state at entry (some path uses the C-API before attaching),
    /// or none (some path attaches first), or either.
    public var requirement: Requirement
    /// The path to what imposes the requirement: "calls `PyErr_SetString()` here", through helpers.
    public var requirementWitness: [TraceStep]
    /// nil when the function has too many distinct exits to summarise: callers treat it as unknown.
    public var exits: [SummaryExit]?
    /// Some path blocks (sleep, read, a lock wait) with the thread state it was entered with attached.
    public var blockingWitness: [TraceStep]?
    /// Memory it may write, each place with what lies below it; nil when it may write anything.
    public var modifies: [SummaryPlace]? = []
    /// Where a path attaches a thread state from the one it was entered with, in a function
    /// that does not test which it has: every path is then entered with none.
    public var enteredDetachedWitness: TraceStep?
    /// Asks which thread state it has before changing it (cffi's gil_ensure): a caller that
    /// reaches it at entry is written to be entered either way, as it is.
    public var testsEntryThreadState = false

    /// Whether the witness of the requirement can stand for a narrower set of exits.
    public var attachedRequirementWitnessApplies: Bool { !requirementWitness.isEmpty }

    /// A helper that releases the thread state it was entered with on every way out.
    public var releasesOnEveryExit: Bool {
        guard let exits, !exits.isEmpty else { return false }
        return exits.allSatisfy { $0.attachment == .detached }
    }

    public var attachesOnEveryExit: Bool {
        guard let exits, !exits.isEmpty else { return false }
        return exits.allSatisfy { if case .attached = $0.attachment { return $0.entry == .detached } else { return false } }
    }

    /// A function whose every exit leaves things as they were and returns nothing known.
    public var isPure: Bool {
        requirement == .any && blockingWitness == nil && (exits?.allSatisfy { $0.isIdentity && $0.returned == nil } ?? false)
    }
}

/// Where the analysis of a function finds the summaries of the functions it calls.
public protocol SummaryProvider: Sendable {
    func summary(forUSR usr: String) -> FunctionSummary?
    /// The functions an indirect call may reach.
    func indirectTargets(of call: Call, in function: Function) -> [String]
    /// Whether calls to this function are reported at the function instead of at its callers
    /// (it is analysed as entered with no thread state, because every caller has none).
    func isAnalysedAsEnteredDetached(_ usr: String) -> Bool
}
