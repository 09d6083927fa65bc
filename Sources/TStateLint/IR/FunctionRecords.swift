/// A unit's functions are the bulk of every cached unit and worker reply: written and read
/// field by field (see `RecordWriter`), as a `RecordList<Function>`.
extension Function: RecordField {
    static func read(_ record: inout RecordReader) throws -> Function { try record.function() }
    static func write(_ function: Function, to record: inout RecordWriter) { record.function(function) }
}

extension RecordWriter {
    mutating func location(_ location: SourceLocation) {
        string(location.file)
        int(location.line)
        int(location.column)
        int(location.offset)
    }

    mutating func function(_ function: Function) {
        string(function.name)
        string(function.usr)
        string(function.file)
        location(function.location)
        location(function.closingBrace)
        bool(function.isStatic)
        string(function.signature)
        string(function.returnType.rawValue)
        int(function.parameterCount)
        list(function.variables) { $0.variable($1) }
        list(function.blocks) { $0.block($1) }
        int(function.entry)
        list(function.conditionKeys) { record, key in
            record.string(key.text)
            record.list(key.dependencies) { $0.int($1) }
        }
        optionalString(function.loweringProblem)
    }

    mutating func variable(_ variable: Variable) {
        string(variable.name)
        switch variable.kind {
        case .parameter(let index): int(0); int(index)
        case .local: int(1)
        case .temporary: int(2)
        case .field(let base, let name): int(3); int(base); string(name)
        case .dereference(let base): int(4); int(base)
        case .element(let base): int(5); int(base)
        case .global(let usr): int(6); string(usr)
        }
        string(variable.type.rawValue)
        location(variable.location)
    }

    mutating func operand(_ operand: Operand) {
        switch operand {
        case .variable(let variable): int(0); int(variable)
        case .address(let variable): int(1); int(variable)
        case .integer(let value): int(2); int64(value)
        case .function(let name, let usr): int(3); string(name); string(usr)
        case .unknown: int(4)
        }
    }

    mutating func block(_ block: Block) {
        list(block.events) { $0.event($1) }
        switch block.terminator {
        case .jump(let target, let kind):
            int(0)
            int(target)
            switch kind {
            case .next: int(0)
            case .goto(let label): int(1); string(label)
            case .breakStatement: int(2)
            case .continueStatement: int(3)
            case .loopBack: int(4)
            }
        case .branch(let condition, let then, let otherwise):
            int(1)
            optionalInt(condition.variable)
            switch condition.comparison {
            case .nonZero: int(0)
            case .zero: int(1)
            case .equals(let value): int(2); int64(value)
            case .notEquals(let value): int(3); int64(value)
            case .sameAs(let other): int(4); int(other)
            case .differentFrom(let other): int(5); int(other)
            }
            optionalInt(condition.key)
            int(then)
            int(otherwise)
        case .switchOn(let value, let cases, let defaultTarget):
            int(2)
            operand(value)
            list(cases) { record, switchCase in
                record.optionalInt64(switchCase.value)
                record.int(switchCase.target)
            }
            int(defaultTarget)
        case .returns(let value):
            int(3)
            bool(value != nil)
            if let value { operand(value) }
        case .noReturn: int(4)
        case .unreachable: int(5)
        }
        location(block.terminatorLocation)
    }

    mutating func event(_ event: Event) {
        int(event.id)
        switch event.kind {
        case .call(let call):
            int(0)
            switch call.callee {
            case .direct(let name, let usr, let origin): int(0); string(name); string(usr); string(origin.rawValue)
            case .indirect(let pointer, let signature): int(1); operand(pointer); string(signature)
            }
            list(call.arguments) { $0.operand($1) }
            optionalInt(call.result)
        case .assign(let target, let value): int(1); int(target); operand(value)
        case .escape(let value): int(2); operand(value)
        case .fieldAccess(let access): int(3); string(access.field); string(access.record); bool(access.isWrite)
        case .macro(let name): int(4); string(name)
        case .unparsed(let names, let functions, let controlFlow):
            int(5); list(names) { $0.string($1) }; list(functions) { $0.string($1) }; bool(controlFlow)
        }
        location(event.location)
        optionalString(event.macro)
    }
}

extension RecordReader {
    mutating func location() throws -> SourceLocation {
        SourceLocation(file: try string(), line: try int(), column: try int(), offset: try int())
    }

    mutating func raw<Value: RawRepresentable>(_ type: Value.Type) throws -> Value where Value.RawValue == String {
        guard let value = Value(rawValue: try string()) else { throw Self.corrupt("unknown \(type) in a record") }
        return value
    }

    mutating func function() throws -> Function {
        let name = try string(), usr = try string(), file = try string()
        let location = try self.location(), closingBrace = try self.location()
        let isStatic = try bool()
        let signature = try string()
        let returnType = try raw(ValueType.self)
        let parameterCount = try int()
        let variables = try list { try $0.variable() }
        let blocks = try list { try $0.block() }
        var function = Function(name: name, usr: usr, file: file, location: location, closingBrace: closingBrace, isStatic: isStatic,
                                returnType: returnType, parameterCount: parameterCount, variables: variables, blocks: blocks,
                                entry: try int())
        function.signature = signature
        function.conditionKeys = try list { record in
            ConditionKey(text: try record.string(), dependencies: try record.list { try $0.int() })
        }
        function.loweringProblem = try optionalString()
        return function
    }

    mutating func variable() throws -> Variable {
        let name = try string()
        let kind: VariableKind
        switch try tag(below: 7, "variable kind") {
        case 0: kind = .parameter(index: try int())
        case 1: kind = .local
        case 2: kind = .temporary
        case 3: kind = .field(base: try int(), name: try string())
        case 4: kind = .dereference(base: try int())
        case 5: kind = .element(base: try int())
        default: kind = .global(usr: try string())
        }
        return Variable(name: name, kind: kind, type: try raw(ValueType.self), location: try location())
    }

    mutating func operand() throws -> Operand {
        switch try tag(below: 5, "operand") {
        case 0: return .variable(try int())
        case 1: return .address(try int())
        case 2: return .integer(try int64())
        case 3: return .function(name: try string(), usr: try string())
        default: return .unknown
        }
    }

    mutating func block() throws -> Block {
        let events = try list { try $0.event() }
        let terminator: Terminator
        switch try tag(below: 6, "terminator") {
        case 0:
            let target = try int()
            let kind: JumpKind
            switch try tag(below: 5, "jump") {
            case 0: kind = .next
            case 1: kind = .goto(label: try string())
            case 2: kind = .breakStatement
            case 3: kind = .continueStatement
            default: kind = .loopBack
            }
            terminator = .jump(target, kind)
        case 1:
            let variable = try optionalInt()
            let comparison: Comparison
            switch try tag(below: 6, "comparison") {
            case 0: comparison = .nonZero
            case 1: comparison = .zero
            case 2: comparison = .equals(try int64())
            case 3: comparison = .notEquals(try int64())
            case 4: comparison = .sameAs(try int())
            default: comparison = .differentFrom(try int())
            }
            let condition = Condition(variable: variable, comparison: comparison, key: try optionalInt())
            terminator = .branch(condition, then: try int(), else: try int())
        case 2:
            let value = try operand()
            let cases = try list { record in SwitchCase(value: try record.optionalInt64(), target: try record.int()) }
            terminator = .switchOn(value, cases: cases, defaultTarget: try int())
        case 3:
            terminator = .returns(try bool() ? try operand() : nil)
        case 4:
            terminator = .noReturn
        default:
            terminator = .unreachable
        }
        return Block(events: events, terminator: terminator, terminatorLocation: try location())
    }

    mutating func event() throws -> Event {
        let id = try int()
        let kind: EventKind
        switch try tag(below: 6, "event") {
        case 0:
            let callee: Callee
            if try tag(below: 2, "callee") == 0 {
                callee = .direct(name: try string(), usr: try string(), origin: try raw(CalleeOrigin.self))
            } else {
                callee = .indirect(try operand(), signature: try string())
            }
            kind = .call(Call(callee: callee, arguments: try list { try $0.operand() }, result: try optionalInt()))
        case 1: kind = .assign(target: try int(), value: try operand())
        case 2: kind = .escape(try operand())
        case 3: kind = .fieldAccess(FieldAccess(field: try string(), record: try string(), isWrite: try bool()))
        case 4: kind = .macro(name: try string())
        default: kind = .unparsed(names: try list { try $0.string() }, functions: try list { try $0.string() }, controlFlow: try bool())
        }
        return Event(id: id, kind: kind, location: try location(), macro: try optionalString())
    }
}
