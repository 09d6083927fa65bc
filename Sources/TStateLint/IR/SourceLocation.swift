/// A position in a source file: 1-based line and column, 0-based byte offset.
/// Locations inside macro expansions are the expansion site in the user's file.
public struct SourceLocation: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var offset: Int

    public init(file: String, line: Int, column: Int, offset: Int) {
        self.file = file
        self.line = line
        self.column = column
        self.offset = offset
    }

    public static let unknown = SourceLocation(file: "", line: 0, column: 0, offset: 0)

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column, lhs.offset) < (rhs.file, rhs.line, rhs.column, rhs.offset)
    }

    public var description: String { "\(file):\(line):\(column)" }
}

public struct SourceRange: Hashable, Codable, Sendable {
    public var start: SourceLocation
    public var end: SourceLocation

    public init(start: SourceLocation, end: SourceLocation) {
        self.start = start
        self.end = end
    }

    public init(_ location: SourceLocation) {
        self.start = location
        self.end = location
    }
}
