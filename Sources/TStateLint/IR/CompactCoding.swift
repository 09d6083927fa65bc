/// The most numerous IR values (every event has a location, a kind and operands) are coded
/// as short lists, `[case, fields...]`, rather than keyed containers: cached units and worker
/// replies are about a third smaller and decode faster.

extension SourceLocation {
    public init(from decoder: Decoder) throws {
        var list = try decoder.unkeyedContainer()
        self.init(file: try list.decode(String.self), line: try list.decode(Int.self),
                  column: try list.decode(Int.self), offset: try list.decode(Int.self))
    }

    public func encode(to encoder: Encoder) throws {
        var list = encoder.unkeyedContainer()
        try list.encode(file)
        try list.encode(line)
        try list.encode(column)
        try list.encode(offset)
    }
}

private func corrupt(_ what: String, _ list: UnkeyedDecodingContainer) -> DecodingError {
    DecodingError.dataCorruptedError(in: list, debugDescription: "unknown \(what) case")
}

extension Operand {
    public init(from decoder: Decoder) throws {
        var list = try decoder.unkeyedContainer()
        switch try list.decode(UInt8.self) {
        case 0: self = .variable(try list.decode(VarID.self))
        case 1: self = .address(try list.decode(VarID.self))
        case 2: self = .integer(try list.decode(Int64.self))
        case 3: self = .function(name: try list.decode(String.self), usr: try list.decode(String.self))
        case 4: self = .unknown
        default: throw corrupt("operand", list)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var list = encoder.unkeyedContainer()
        switch self {
        case .variable(let variable): try list.encode(0 as UInt8); try list.encode(variable)
        case .address(let variable): try list.encode(1 as UInt8); try list.encode(variable)
        case .integer(let value): try list.encode(2 as UInt8); try list.encode(value)
        case .function(let name, let usr): try list.encode(3 as UInt8); try list.encode(name); try list.encode(usr)
        case .unknown: try list.encode(4 as UInt8)
        }
    }
}

extension VariableKind {
    public init(from decoder: Decoder) throws {
        var list = try decoder.unkeyedContainer()
        switch try list.decode(UInt8.self) {
        case 0: self = .parameter(index: try list.decode(Int.self))
        case 1: self = .local
        case 2: self = .temporary
        case 3: self = .field(base: try list.decode(VarID.self), name: try list.decode(String.self))
        case 4: self = .dereference(base: try list.decode(VarID.self))
        case 5: self = .element(base: try list.decode(VarID.self))
        case 6: self = .global(usr: try list.decode(String.self))
        default: throw corrupt("variable kind", list)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var list = encoder.unkeyedContainer()
        switch self {
        case .parameter(let index): try list.encode(0 as UInt8); try list.encode(index)
        case .local: try list.encode(1 as UInt8)
        case .temporary: try list.encode(2 as UInt8)
        case .field(let base, let name): try list.encode(3 as UInt8); try list.encode(base); try list.encode(name)
        case .dereference(let base): try list.encode(4 as UInt8); try list.encode(base)
        case .element(let base): try list.encode(5 as UInt8); try list.encode(base)
        case .global(let usr): try list.encode(6 as UInt8); try list.encode(usr)
        }
    }
}

extension Callee {
    public init(from decoder: Decoder) throws {
        var list = try decoder.unkeyedContainer()
        switch try list.decode(UInt8.self) {
        case 0: self = .direct(name: try list.decode(String.self), usr: try list.decode(String.self), origin: try list.decode(CalleeOrigin.self))
        case 1: self = .indirect(try list.decode(Operand.self), signature: try list.decode(String.self))
        default: throw corrupt("callee", list)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var list = encoder.unkeyedContainer()
        switch self {
        case .direct(let name, let usr, let origin):
            try list.encode(0 as UInt8); try list.encode(name); try list.encode(usr); try list.encode(origin)
        case .indirect(let target, let signature):
            try list.encode(1 as UInt8); try list.encode(target); try list.encode(signature)
        }
    }
}

extension EventKind {
    public init(from decoder: Decoder) throws {
        var list = try decoder.unkeyedContainer()
        switch try list.decode(UInt8.self) {
        case 0: self = .call(try list.decode(Call.self))
        case 1: self = .assign(target: try list.decode(VarID.self), value: try list.decode(Operand.self))
        case 2: self = .escape(try list.decode(Operand.self))
        case 3: self = .fieldAccess(try list.decode(FieldAccess.self))
        case 4: self = .macro(name: try list.decode(String.self))
        default: throw corrupt("event", list)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var list = encoder.unkeyedContainer()
        switch self {
        case .call(let call): try list.encode(0 as UInt8); try list.encode(call)
        case .assign(let target, let value): try list.encode(1 as UInt8); try list.encode(target); try list.encode(value)
        case .escape(let value): try list.encode(2 as UInt8); try list.encode(value)
        case .fieldAccess(let access): try list.encode(3 as UInt8); try list.encode(access)
        case .macro(let name): try list.encode(4 as UInt8); try list.encode(name)
        }
    }
}

extension Event {
    public init(from decoder: Decoder) throws {
        var list = try decoder.unkeyedContainer()
        self.init(id: try list.decode(EventID.self), kind: try list.decode(EventKind.self),
                  location: try list.decode(SourceLocation.self), macro: try list.decodeIfPresent(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var list = encoder.unkeyedContainer()
        try list.encode(id)
        try list.encode(kind)
        try list.encode(location)
        if let macro { try list.encode(macro) } else { try list.encodeNil() }
    }
}
