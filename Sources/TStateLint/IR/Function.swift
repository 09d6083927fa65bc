/// The intermediate representation: every function body as a control-flow graph of
/// basic blocks whose statements are events. Produced by the Frontend, consumed by the
/// analysis; nothing here knows about libclang.

public typealias VarID = Int
public typealias BlockID = Int
public typealias EventID = Int

/// What kind of storage a variable names. Locals, parameters and temporaries die with
/// the function; fields, dereferences and globals are memory that outlives it.
public enum VariableKind: Hashable, Codable, Sendable {
    case parameter(index: Int)
    case local
    case temporary
    case field(base: VarID, name: String)
    case dereference(base: VarID)
    /// Any element of the array `base` points to or is: one variable for all of them, so
    /// writes are weak (they do not make later reads of other elements definite).
    case element(base: VarID)
    case global(usr: String)

    /// The variable this memory hangs off (`self` for `self->lock`).
    public var base: VarID? {
        switch self {
        case .field(let base, _), .dereference(let base), .element(let base): return base
        case .parameter, .local, .temporary, .global: return nil
        }
    }

    public var isGlobal: Bool {
        if case .global = self { return true }
        return false
    }

    public var isParameter: Bool {
        if case .parameter = self { return true }
        return false
    }

    public var isMemory: Bool {
        switch self {
        case .parameter, .local, .temporary: return false
        case .field, .dereference, .element, .global: return true
        }
    }
}

/// The C type of a variable, reduced to what the analysis distinguishes.
public enum ValueType: String, Hashable, Codable, Sendable {
    case pyObject          // PyObject * or a pointer to a struct that starts with PyObject_HEAD
    case threadState       // PyThreadState *
    case interpreterState  // PyInterpreterState *
    case gilState          // PyGILState_STATE
    case integer
    case pointer
    case other

    /// A pointer: compared with NULL, not zero.
    public var isPointer: Bool { self == .pyObject || self == .threadState || self == .interpreterState || self == .pointer }
}

public struct Variable: Hashable, Codable, Sendable {
    public var name: String
    public var kind: VariableKind
    public var type: ValueType
    public var location: SourceLocation

    public init(name: String, kind: VariableKind, type: ValueType, location: SourceLocation) {
        self.name = name
        self.kind = kind
        self.type = type
        self.location = location
    }
}

/// A value as the analysis sees it at a use site.
public enum Operand: Hashable, Codable, Sendable {
    case variable(VarID)
    case address(VarID)
    case integer(Int64)
    case function(name: String, usr: String)
    case unknown

    public var variable: VarID? {
        if case .variable(let v) = self { return v }
        return nil
    }
}

public enum CalleeOrigin: String, Hashable, Codable, Sendable {
    /// Declared in CPython's headers.
    case pythonAPI
    /// Declared anywhere else (the project, the C library, other libraries).
    case other
}

public enum Callee: Hashable, Codable, Sendable {
    case direct(name: String, usr: String, origin: CalleeOrigin)
    /// Through a function pointer, with the pointee's function type (`int (void *)`) so the
    /// call graph can match it against functions whose address is taken.
    case indirect(Operand, signature: String)

    public var name: String? {
        if case .direct(let name, _, _) = self { return name }
        return nil
    }
}

public struct Call: Hashable, Codable, Sendable {
    public var callee: Callee
    public var arguments: [Operand]
    public var result: VarID?

    public init(callee: Callee, arguments: [Operand], result: VarID?) {
        self.callee = callee
        self.arguments = arguments
        self.result = result
    }
}

/// A read or write of a field declared in CPython's own headers (ob_refcnt, tp_flags, ...).
public struct FieldAccess: Hashable, Codable, Sendable {
    public var field: String
    public var record: String
    public var isWrite: Bool
}

public enum EventKind: Hashable, Codable, Sendable {
    case call(Call)
    case assign(target: VarID, value: Operand)
    /// A value written to memory the IR does not name (an array element, a struct passed by value...).
    case escape(Operand)
    case fieldAccess(FieldAccess)
    /// An expansion of a macro whose effect the model gives by name (critical sections, user wrappers).
    case macro(name: String)
    /// Code here did not parse and clang dropped it: the names written in it, the project's
    /// functions among them (by USR), and whether it held a `return`, `goto`, `break` or `continue`.
    case unparsed(names: [String], functions: [String], controlFlow: Bool)
}

public struct Event: Hashable, Codable, Sendable {
    public var id: EventID
    public var kind: EventKind
    public var location: SourceLocation
    /// The outermost macro, in the user's file, whose expansion produced this event.
    public var macro: String?

    public init(id: EventID, kind: EventKind, location: SourceLocation, macro: String? = nil) {
        self.id = id
        self.kind = kind
        self.location = location
        self.macro = macro
    }
}

public enum Comparison: Hashable, Codable, Sendable {
    case nonZero
    case zero
    case equals(Int64)
    case notEquals(Int64)
    /// The same thread state as another variable holds (`prior == PyThreadState_Get()`).
    case sameAs(VarID)
    case differentFrom(VarID)

    public var negated: Comparison {
        switch self {
        case .nonZero: return .zero
        case .zero: return .nonZero
        case .equals(let v): return .notEquals(v)
        case .notEquals(let v): return .equals(v)
        case .sameAs(let v): return .differentFrom(v)
        case .differentFrom(let v): return .sameAs(v)
        }
    }

    /// Whether a constant satisfies it; nil for a comparison with another variable.
    public func holds(for value: Int64) -> Bool? {
        switch self {
        case .nonZero: return value != 0
        case .zero: return value == 0
        case .equals(let v): return value == v
        case .notEquals(let v): return value != v
        case .sameAs, .differentFrom: return nil
        }
    }
}

/// The condition on a two-way branch: the `then` edge is taken when `operand` satisfies
/// `comparison`. Conditions the Frontend cannot express have a nil operand.
public struct Condition: Hashable, Codable, Sendable {
    public var variable: VarID?
    public var comparison: Comparison
    /// For a condition that is not a variable but a side-effect-free expression (`(flags & X) == 0`):
    /// its index in `Function.conditionKeys`, so two tests of the same expression agree.
    public var key: Int?

    public init(variable: VarID?, comparison: Comparison, key: Int? = nil) {
        self.variable = variable
        self.comparison = comparison
        self.key = key
    }

    public static let unknown = Condition(variable: nil, comparison: .nonZero)

    /// The variables the branch reads.
    public var testedVariables: [VarID] {
        guard let variable else { return [] }
        switch comparison {
        case .sameAs(let other), .differentFrom(let other): return [variable, other]
        default: return [variable]
        }
    }
}

/// A side-effect-free condition expression, by structure, and the variables it reads.
public struct ConditionKey: Hashable, Codable, Sendable {
    public var text: String
    public var dependencies: [VarID]

    public init(text: String, dependencies: [VarID]) {
        self.text = text
        self.dependencies = dependencies
    }
}

public enum JumpKind: Hashable, Codable, Sendable {
    case next
    case goto(label: String)
    case breakStatement
    case continueStatement
    case loopBack
}

public struct SwitchCase: Hashable, Codable, Sendable {
    /// nil when the case value is not a constant the Frontend could evaluate.
    public var value: Int64?
    public var target: BlockID
}

public enum Terminator: Hashable, Codable, Sendable {
    case jump(BlockID, JumpKind)
    case branch(Condition, then: BlockID, else: BlockID)
    case switchOn(Operand, cases: [SwitchCase], defaultTarget: BlockID)
    case returns(Operand?)
    /// The block ends in a call that never returns (abort, Py_FatalError, ...).
    case noReturn
    case unreachable

    public var successors: [BlockID] {
        switch self {
        case .jump(let target, _): return [target]
        case .branch(_, let t, let e): return t == e ? [t] : [t, e]
        case .switchOn(_, let cases, let d):
            var seen = Set<BlockID>()
            return (cases.map(\.target) + [d]).filter { seen.insert($0).inserted }
        case .returns, .noReturn, .unreachable: return []
        }
    }
}

public struct Block: Hashable, Codable, Sendable {
    public var events: [Event]
    public var terminator: Terminator
    public var terminatorLocation: SourceLocation

    public init(events: [Event] = [], terminator: Terminator = .unreachable, terminatorLocation: SourceLocation = .unknown) {
        self.events = events
        self.terminator = terminator
        self.terminatorLocation = terminatorLocation
    }
}

public struct Function: Hashable, Codable, Sendable {
    public var name: String
    public var usr: String
    public var file: String
    public var location: SourceLocation
    public var closingBrace: SourceLocation
    public var isStatic: Bool
    /// The canonical function type, `int (struct _object *, void *)`.
    public var signature: String = ""
    public var returnType: ValueType
    public var parameterCount: Int
    public var variables: [Variable]
    public var blocks: [Block]
    public var entry: BlockID
    public var conditionKeys: [ConditionKey] = []
    /// Set when lowering gave up on part of the body (too deep, unsupported construct).
    public var loweringProblem: String?

    public init(name: String, usr: String, file: String, location: SourceLocation, closingBrace: SourceLocation,
                isStatic: Bool, returnType: ValueType, parameterCount: Int, variables: [Variable],
                blocks: [Block], entry: BlockID = 0, loweringProblem: String? = nil) {
        self.name = name
        self.usr = usr
        self.file = file
        self.location = location
        self.closingBrace = closingBrace
        self.isStatic = isStatic
        self.returnType = returnType
        self.parameterCount = parameterCount
        self.variables = variables
        self.blocks = blocks
        self.entry = entry
        self.loweringProblem = loweringProblem
    }

    public var eventCount: Int { blocks.reduce(0) { $0 + $1.events.count } }
}
