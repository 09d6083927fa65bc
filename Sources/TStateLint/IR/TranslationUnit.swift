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
    public var variableUSR: String = ""
    public var variableType: String
    public var location: SourceLocation
}

public struct TableLink: Hashable, Codable, Sendable {
    public var from: String
    public var to: String
}

/// A `PyModuleDef` variable and what its initializer says.
public struct ModuleDefinitionFact: Hashable, Codable, Sendable {
    public var variable: String
    public var usr: String
    public var location: SourceLocation
    /// `m_name`, when a string constant.
    public var moduleName: String?
    /// `m_size`, when a constant (-1: state in globals, no multi-interpreter support).
    public var size: Int64?
    /// The `PyModuleDef_Slot` array `m_slots` names.
    public var slotsUSR: String?

    public init(variable: String, usr: String, location: SourceLocation, moduleName: String? = nil, size: Int64? = nil, slotsUSR: String? = nil) {
        self.variable = variable
        self.usr = usr
        self.location = location
        self.moduleName = moduleName
        self.size = size
        self.slotsUSR = slotsUSR
    }
}

/// One `{slot, value}` of a `PyModuleDef_Slot` array.
public struct ModuleSlotFact: Hashable, Codable, Sendable {
    public var tableUSR: String
    public var table: String
    /// The slot id (Py_mod_create 1, Py_mod_exec 2, Py_mod_multiple_interpreters 3, Py_mod_gil 4).
    public var slot: Int64?
    /// The value when it is an integer constant or a cast of one (`(void *)2`).
    public var value: Int64?
    /// The value as written (`Py_MOD_PER_INTERPRETER_GIL_SUPPORTED`).
    public var valueSpelling: String
    public var location: SourceLocation
}

/// Static storage (file scope or a function's `static` local) and what it holds.
public struct StaticStorageFact: Hashable, Codable, Sendable {
    public enum Holding: String, Hashable, Codable, Sendable {
        /// `PyObject *`, or a pointer to any struct that starts with PyObject_HEAD.
        case objectPointer = "object pointer"
        /// An array of those.
        case objectPointerArray = "array of object pointers"
        /// A statically allocated object (a struct that starts with PyObject_HEAD).
        case staticObject = "statically allocated object"
        /// A statically allocated `PyTypeObject` (or an array of them).
        case staticType = "static type"
        /// A struct or array of structs with object pointers among its fields.
        case aggregate = "struct holding object pointers"
    }

    public var name: String
    public var usr: String
    public var location: SourceLocation
    /// The function, for a `static` local.
    public var function: String?
    public var holding: Holding
    public var type: String
    /// For an aggregate: the first field that holds an object.
    public var field: String?
    /// For an aggregate: its initializer stores an object (not only NULLs, as a template's does).
    public var initializesObjects = false
}

public struct ModuleFacts: Hashable, Codable, Sendable {
    public var entryPoints: [EntryPoint] = []
    public var staticReferences: [FunctionReference] = []
    public var moduleDefinitions: [ModuleDefinitionFact] = []
    public var moduleSlots: [ModuleSlotFact] = []
    public var staticStorage: [StaticStorageFact] = []
    /// A static initializer naming another static (a type spec naming its slot array).
    public var tableLinks: [TableLink] = []

    public init() {}
}

public enum FileStatus: String, Hashable, Codable, Sendable {
    case analyzed
    case parseErrors = "parse-errors"
    case skipped
    case failed
}

/// A compile flag the tool added on its own (include inference), and why.
public struct InferredFlag: Codable, Hashable, Sendable {
    public var flag: String
    public var reason: String

    public init(flag: String, reason: String) {
        self.flag = flag
        self.reason = reason
    }
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
    /// Where the first parse error is, when it is in the file itself (else nil).
    public var firstErrorLocation: SourceLocation?
    /// Flags the tool added to parse this file, in the order they were added.
    public var inferred: [InferredFlag] = []

    public init(path: String, status: FileStatus, message: String? = nil, functions: [Function] = [],
                facts: ModuleFacts = ModuleFacts(), files: [String] = []) {
        self.path = path
        self.status = status
        self.message = message
        self.functions = functions
        self.facts = facts
        self.files = files
    }

    private enum CodingKeys: String, CodingKey {
        case path, status, message, functions, facts, files, dependencies, firstErrorLocation, inferred
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        path = try container.decode(String.self, forKey: .path)
        status = try container.decode(FileStatus.self, forKey: .status)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        functions = try container.decode(RecordList<Function>.self, forKey: .functions).elements
        facts = try container.decode(ModuleFacts.self, forKey: .facts)
        files = try container.decode([String].self, forKey: .files)
        dependencies = try container.decode([String].self, forKey: .dependencies)
        firstErrorLocation = try container.decodeIfPresent(SourceLocation.self, forKey: .firstErrorLocation)
        inferred = try container.decodeIfPresent([InferredFlag].self, forKey: .inferred) ?? []
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(message, forKey: .message)
        try container.encode(RecordList(functions), forKey: .functions)
        try container.encode(facts, forKey: .facts)
        try container.encode(files, forKey: .files)
        try container.encode(dependencies, forKey: .dependencies)
        try container.encodeIfPresent(firstErrorLocation, forKey: .firstErrorLocation)
        if !inferred.isEmpty { try container.encode(inferred, forKey: .inferred) }
    }
}
