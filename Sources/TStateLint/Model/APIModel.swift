/// The thread-state semantics of the C-API, loaded from `Rules/model/*.toml`.

public enum Requirement: String, Codable, Sendable {
    /// Needs an attached thread state.
    case attached
    /// Must be called with no thread state attached (it attaches one).
    case detached
    /// Callable either way.
    case any
}

public enum Effect: String, Codable, Sendable, CaseIterable {
    case detach
    case detachArgument = "detach-arg"
    case attach
    case swap
    case ensure
    case gilstateRelease = "gilstate-release"
    case current
    case currentUnchecked = "current-unchecked"
    case gilstateThisThread = "gilstate-this-thread"
    case gilstateCheck = "gilstate-check"
    case newThreadState = "new-thread-state"
    case clearThreadState = "clear-thread-state"
    case deleteThreadState = "delete-thread-state"
    case deleteCurrent = "delete-current"
    case newInterpreter = "new-interpreter"
    case newInterpreterOut = "new-interpreter-out"
    case endInterpreter = "end-interpreter"
    case interpreterGet = "interpreter-get"
    case interpreterNew = "interpreter-new"
    case interpreterClear = "interpreter-clear"
    case interpreterDelete = "interpreter-delete"
    case criticalSectionBegin = "critical-section-begin"
    case criticalSectionEnd = "critical-section-end"
    case mutexLock = "mutex-lock"
    case mutexUnlock = "mutex-unlock"
    case lockAcquire = "lock-acquire"
    case lockAcquireTimed = "lock-acquire-timed"
    case lockRelease = "lock-release"
    case pendingCall = "pending-call"
    /// Py_Initialize*: initializes the runtime and attaches the main thread state (a no-op when
    /// already initialized and attached).
    case initialize
    /// Py_FinalizeEx: finalizes the runtime; no thread state is attached afterwards.
    case finalize
    /// Starts a thread running the function passed as argument `arg` (pthread_create): that
    /// function is entered with no thread state attached.
    case threadStart = "thread-start"
    /// Stores the project functions it is given on the library object passed as argument
    /// `arg` (curl_easy_setopt, sqlite3_busy_handler): the library may call them during any
    /// later call on that object.
    case storesCallback = "stores-callback"
    /// A C call that can wait indefinitely (sleep, read, a lock wait): TS205 while attached.
    case blocking
    /// PyStatus_Exception(status): true when the status is an error or an exit.
    case statusCheck = "status-check"
    case noreturn
    /// User-declared: the function needs an attached thread state (no other effect).
    case needsThreadState = "needs-thread-state"
    /// User-declared: the function needs no thread state.
    case noThreadStateNeeded = "no-thread-state-needed"

    /// Py_NewInterpreter and Py_NewInterpreterFromConfig: the thread state they attach is a new
    /// interpreter's.
    public var createsInterpreter: Bool { self == .newInterpreter || self == .newInterpreterOut }
}

public struct APIEntry: Codable, Sendable, Hashable {
    public var name: String
    public var kind: String?
    public var requires: Requirement?
    public var effect: Effect?
    public var arg: Int?
    public var returns: String?
    /// For macros: the effect is applied where the macro is expanded, not through the calls
    /// in its expansion (a critical section that expands to a bare `{` in the default build).
    public var byName: Bool?
    public var since: String?
    public var removed: String?
    public var source: String?
    public var note: String?

    enum CodingKeys: String, CodingKey {
        case name, kind, requires, effect, arg, returns, since, removed, source, note
        case byName = "by-name"
    }

    public init(name: String, kind: String? = "function", requires: Requirement? = nil, effect: Effect? = nil,
                arg: Int? = nil, returns: String? = nil, byName: Bool? = nil) {
        self.name = name
        self.kind = kind
        self.requires = requires
        self.effect = effect
        self.arg = arg
        self.returns = returns
        self.byName = byName
    }

    public var isMacro: Bool { kind == "macro" }
}

public struct NoThreadStateList: Codable, Sendable {
    public var source: String?
    public var names: [String]
    public var prefixes: [String]
}

public struct ObjectStructList: Codable, Sendable {
    public var source: String?
    public var names: [String]
}

public struct ModelFile: Codable, Sendable {
    public var api: [APIEntry]?
    public var noThreadState: NoThreadStateList?
    public var objectStructs: ObjectStructList?

    enum CodingKeys: String, CodingKey {
        case api
        case noThreadState = "documented-no-thread-state"
        case objectStructs = "object-structs"
    }
}

public struct APIModel: Sendable {
    public private(set) var entries: [String: APIEntry] = [:]
    public private(set) var noThreadStateNames: Set<String> = []
    public private(set) var noThreadStatePrefixes: [String] = []
    /// CPython's object structs (without `struct `): TS202 covers their fields.
    public private(set) var objectStructs: Set<String> = []

    public init(files: [ModelFile] = []) {
        for file in files { merge(file) }
    }

    public mutating func merge(_ file: ModelFile) {
        for entry in file.api ?? [] { entries[entry.name] = entry }
        if let list = file.objectStructs { objectStructs.formUnion(list.names) }
        if let list = file.noThreadState {
            noThreadStateNames.formUnion(list.names)
            noThreadStatePrefixes.append(contentsOf: list.prefixes)
        }
    }

    /// A user's declaration from the configuration wins over the built-in model.
    public mutating func declare(_ entry: APIEntry) {
        entries[entry.name] = entry
    }

    public func entry(_ name: String) -> APIEntry? { entries[name] }

    public static func looksLikePythonAPI(_ name: String) -> Bool {
        name.hasPrefix("Py") || name.hasPrefix("_Py")
    }

    /// What a direct call needs, or nil when the model says nothing (a function that is
    /// neither modelled nor part of the C-API).
    public func requirement(forCall name: String, origin: CalleeOrigin) -> Requirement? {
        if let entry = entries[name] {
            if entry.effect == .noThreadStateNeeded { return .any }
            if entry.effect == .needsThreadState { return .attached }
            if let requires = entry.requires { return requires }
        }
        guard origin == .pythonAPI else { return nil }
        if noThreadStateNames.contains(name) || noThreadStatePrefixes.contains(where: { name.hasPrefix($0) }) {
            return .any
        }
        return .attached
    }

    public var noReturnFunctions: Set<String> {
        Set(entries.values.filter { $0.effect == .noreturn }.map(\.name))
    }

    public var macrosWithEffectByName: Set<String> {
        Set(entries.values.filter { $0.isMacro && $0.byName == true && $0.effect != nil }.map(\.name))
    }
}
