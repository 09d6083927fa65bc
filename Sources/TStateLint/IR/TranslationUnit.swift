/// How Python reaches a function, found in the module's static tables.
public enum EntryKind: String, Hashable, Codable, Sendable {
    case method = "PyMethodDef table"
    case typeSlot = "type slot"
    case getset = "PyGetSetDef table"
    case moduleSlot = "module slot"
    case moduleInit = "module init function"
}

public struct EntryPoint: Hashable, Codable, Sendable {
    public var usr: String
    public var name: String
    public var kind: EntryKind
    /// The table or variable that names the function.
    public var table: String

    public init(usr: String, name: String, kind: EntryKind, table: String) {
        self.usr = usr
        self.name = name
        self.kind = kind
        self.table = table
    }
}

/// A function named in a static initializer (method tables, slot arrays, callback tables).
public struct FunctionReference: Hashable, Codable, Sendable {
    public var usr: String
    public var name: String
    public var variable: String
    public var variableType: String
    public var location: SourceLocation
}

public struct ModuleFacts: Hashable, Codable, Sendable {
    public var entryPoints: [EntryPoint] = []
    public var staticReferences: [FunctionReference] = []

    public init() {}
}

public enum FileStatus: String, Hashable, Codable, Sendable {
    case analyzed
    case parseErrors = "parse-errors"
    case skipped
    case failed
}

/// Everything the Frontend extracts from one translation unit.
public struct TranslationUnit: Codable, Sendable {
    public var path: String
    public var status: FileStatus
    public var message: String?
    public var functions: [Function]
    public var facts: ModuleFacts
    /// Files whose function bodies this unit lowered (the main file and project headers).
    public var files: [String]
    /// Every header the unit included, absolute as opened: what a cached copy depends on.
    public var dependencies: [String] = []

    public init(path: String, status: FileStatus, message: String? = nil, functions: [Function] = [],
                facts: ModuleFacts = ModuleFacts(), files: [String] = []) {
        self.path = path
        self.status = status
        self.message = message
        self.functions = functions
        self.facts = facts
        self.files = files
    }
}
