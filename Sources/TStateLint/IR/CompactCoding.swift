/// Source locations (in every diagnostic, trace step and fact) are coded as short lists,
/// `[file, line, column, offset]`, rather than keyed containers. A unit's functions have a
/// coding of their own (FunctionRecords).

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
