/// Who calls whom across all translation units: direct calls by USR, and calls through
/// function pointers to every function whose address is taken and whose type matches.
public struct CallGraph: Sendable {
    public static let maxIndirectTargets = 4

    public let functions: [Function]
    public let indexByUSR: [String: Int]
    /// Functions whose address is taken, by their canonical type.
    public let addressTakenBySignature: [String: [String]]
    public let callees: [[Int]]
    /// Functions stored in struct fields of this name anywhere in the program (`up.gil_get = gil_real_get`).
    public let storedInField: [String: [String]]

    public init(functions: [Function], staticReferences: [FunctionReference]) {
        self.functions = functions
        var index: [String: Int] = [:]
        for (position, function) in functions.enumerated() where index[function.usr] == nil {
            index[function.usr] = position
        }
        indexByUSR = index

        var addressTaken = Set<String>(staticReferences.map(\.usr))
        var fields: [String: Set<String>] = [:]
        for function in functions {
            for block in function.blocks {
                for event in block.events {
                    switch event.kind {
                    case .call(let call):
                        for case .function(_, let usr) in call.arguments { addressTaken.insert(usr) }
                    case .assign(let target, .function(_, let usr)):
                        addressTaken.insert(usr)
                        if case .field(_, let name) = function.variables[target].kind { fields[name, default: []].insert(usr) }
                    case .escape(.function(_, let usr)):
                        addressTaken.insert(usr)
                    default:
                        break
                    }
                }
            }
        }
        storedInField = fields.mapValues { $0.sorted() }
        var bySignature: [String: [String]] = [:]
        for usr in addressTaken.sorted() {
            guard let position = index[usr] else { continue }
            bySignature[functions[position].signature, default: []].append(usr)
        }
        addressTakenBySignature = bySignature

        let storedInField = self.storedInField
        callees = functions.map { function in
            var targets = Set<Int>()
            for block in function.blocks {
                for event in block.events {
                    guard case .call(let call) = event.kind else { continue }
                    switch call.callee {
                    case .direct(_, let usr, _):
                        if let target = index[usr] { targets.insert(target) }
                    case .indirect:
                        let candidates = CallGraph.candidates(call, in: function, bySignature: bySignature, storedInField: storedInField)
                        for usr in candidates { if let target = index[usr] { targets.insert(target) } }
                    }
                }
            }
            return targets.sorted()
        }
    }

    /// The project's functions an indirect call may reach: those stored in the struct field it
    /// calls through, else those of its type whose address is taken; none when there are too
    /// many (every METH_VARARGS method) to say anything.
    static func candidates(_ call: Call, in function: Function, bySignature: [String: [String]], storedInField: [String: [String]]) -> [String] {
        guard let pointer = IndirectPointer(call, in: function) else { return [] }
        return candidates(pointer, bySignature: bySignature, storedInField: storedInField)
    }

    static func candidates(_ pointer: IndirectPointer, bySignature: [String: [String]], storedInField: [String: [String]]) -> [String] {
        var candidates = bySignature[pointer.signature] ?? []
        if let field = pointer.field, let stored = storedInField[field], !stored.isEmpty {
            candidates = stored
        }
        return candidates.count <= maxIndirectTargets ? candidates : []
    }

    public func indirectTargets(of call: Call, in function: Function) -> [String] {
        CallGraph.candidates(call, in: function, bySignature: addressTakenBySignature, storedInField: storedInField)
    }

    public func indirectTargets(of pointer: IndirectPointer) -> [String] {
        CallGraph.candidates(pointer, bySignature: addressTakenBySignature, storedInField: storedInField)
    }

    /// Strongly connected components, callees before callers (Tarjan, iterative).
    public func stronglyConnectedComponents() -> [[Int]] {
        var indexOf = [Int](repeating: -1, count: functions.count)
        var lowLink = [Int](repeating: 0, count: functions.count)
        var onStack = [Bool](repeating: false, count: functions.count)
        var stack: [Int] = []
        var components: [[Int]] = []
        var counter = 0
        for start in functions.indices where indexOf[start] == -1 {
            var work: [(node: Int, next: Int)] = [(start, 0)]
            indexOf[start] = counter; lowLink[start] = counter; counter += 1
            stack.append(start); onStack[start] = true
            while let (node, next) = work.last {
                if next < callees[node].count {
                    work[work.count - 1].next += 1
                    let callee = callees[node][next]
                    if indexOf[callee] == -1 {
                        indexOf[callee] = counter; lowLink[callee] = counter; counter += 1
                        stack.append(callee); onStack[callee] = true
                        work.append((callee, 0))
                    } else if onStack[callee] {
                        lowLink[node] = min(lowLink[node], indexOf[callee])
                    }
                } else {
                    work.removeLast()
                    if let parent = work.last?.node { lowLink[parent] = min(lowLink[parent], lowLink[node]) }
                    if lowLink[node] == indexOf[node] {
                        var component: [Int] = []
                        while let member = stack.popLast() {
                            onStack[member] = false
                            component.append(member)
                            if member == node { break }
                        }
                        components.append(component.sorted())
                    }
                }
            }
        }
        return components
    }
}

/// What decides the targets of an indirect call: the pointer's type, and the struct field it
/// is read from, if any.
public struct IndirectPointer: Hashable, Sendable {
    public var signature: String
    public var field: String?

    init(signature: String, field: String?) {
        self.signature = signature
        self.field = field
    }

    init?(_ call: Call, in function: Function) {
        guard case .indirect(let pointer, let signature) = call.callee, !signature.isEmpty else { return nil }
        self.signature = signature
        if case .variable(let variable) = pointer, case .field(_, let name) = function.variables[variable].kind {
            field = name
        }
    }
}
