import Foundation

/// A compact binary form of Codable values, for the unit cache and the worker protocol (a
/// cached 200,000-statement unit: 4 s to read as a binary property list, 0.7 s in this form;
/// less since events became lists, see IR/CompactCoding). Strings (and keys) are
/// stored once in a table; integers are varints; containers carry their byte length so a
/// reader can step over what it does not ask for.
///
/// Layout: "TSB2", varint string count, strings (varint length, UTF-8), then one value.
/// A value is a tag byte and its payload: nil; false; true; signed (zig-zag varint); unsigned
/// (varint); double (8 bytes); string (varint index); keyed (varint body length, then entries
/// of varint key index + 1 and a value); unkeyed (varint body length, then values); record
/// (varint body length, then untagged fields a type writes and reads itself, see `RecordWriter`).
enum BinaryCoding {
    static let magic: [UInt8] = Array("TSB2".utf8)

    enum Tag: UInt8 {
        case null = 0, no, yes, signed, unsigned, double, string, keyed, unkeyed, record
    }

    /// Signed integers as unsigned ones, small magnitudes small (zig-zag).
    static func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }
    static func unzigzag(_ raw: UInt64) -> Int64 { Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1) }

    /// The varint at `position`, which moves past it; reading stops at `end`.
    static func varint(in bytes: [UInt8], at position: inout Int, end: Int) throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end, shift < 64 else { throw BinaryReader.corrupt("truncated number") }
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }
}

// MARK: - Encoding

public struct BinaryEncoder {
    public init() {}

    public func encode<Value: Encodable>(_ value: Value) throws -> Data {
        let writer = BinaryWriter()
        try writer.encodeValue(value)
        return finish(writer)
    }

    /// A payload holding one record, written field by field (see `RecordWriter`).
    func encodeRecord(_ write: (inout RecordWriter) -> Void) -> Data {
        let writer = BinaryWriter()
        _ = writer.openContainer(.record)
        var record = RecordWriter(writer: writer)
        write(&record)
        return finish(writer)
    }

    private func finish(_ writer: BinaryWriter) -> Data {
        writer.closeContainers(downTo: 0)
        var output = BinaryCoding.magic
        output.reserveCapacity(writer.bytes.count + writer.strings.count * 16 + 16)
        BinaryWriter.appendVarint(UInt64(writer.strings.count), to: &output)
        for string in writer.strings {
            let utf8 = Array(string.utf8)
            BinaryWriter.appendVarint(UInt64(utf8.count), to: &output)
            output.append(contentsOf: utf8)
        }
        output.append(contentsOf: writer.bytes)
        return Data(output)
    }
}

final class BinaryWriter {
    var bytes: [UInt8] = []
    var strings: [String] = []
    private var stringIndex: [String: Int] = [:]
    /// Start offsets (of the length field) of the containers still open, innermost last.
    private var open: [Int] = []

    init() { bytes.reserveCapacity(1 << 16) }

    static func appendVarint(_ value: UInt64, to output: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            output.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        output.append(UInt8(value))
    }

    func varint(_ value: UInt64) { Self.appendVarint(value, to: &bytes) }

    func tag(_ tag: BinaryCoding.Tag) { bytes.append(tag.rawValue) }

    func index(of string: String) -> Int {
        if let known = stringIndex[string] { return known }
        strings.append(string)
        stringIndex[string] = strings.count - 1
        return strings.count - 1
    }

    func signed(_ value: Int64) {
        tag(.signed)
        varint(BinaryCoding.zigzag(value))
    }

    func unsigned(_ value: UInt64) {
        tag(.unsigned)
        varint(value)
    }

    func string(_ value: String) {
        tag(.string)
        varint(UInt64(index(of: value)))
    }

    func double(_ value: Double) {
        tag(.double)
        var bits = value.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { bytes.append(contentsOf: $0) }
    }

    /// Opens a container; its depth identifies it to `closeContainers(downTo:)`.
    func openContainer(_ kind: BinaryCoding.Tag) -> Int {
        tag(kind)
        open.append(bytes.count)
        bytes.append(contentsOf: [0, 0, 0, 0])
        return open.count
    }

    /// Ends the containers deeper than `depth`: the four bytes kept for each one's length
    /// become the varint of it (the body, the last thing written, moves up).
    func closeContainers(downTo depth: Int) {
        while open.count > depth {
            let start = open.removeLast()
            var length: [UInt8] = []
            Self.appendVarint(UInt64(bytes.count - start - 4), to: &length)
            bytes.replaceSubrange(start..<start + 4, with: length)
        }
    }

    /// Writes one value at the current position; containers it opens are closed after it.
    func encodeValue<Value: Encodable>(_ value: Value) throws {
        let depth = open.count
        let start = bytes.count
        try value.encode(to: BinaryValueEncoder(writer: self, depth: depth))
        closeContainers(downTo: depth)
        if bytes.count == start { tag(.null) }
    }
}

struct BinaryValueEncoder: Encoder, SingleValueEncodingContainer {
    let writer: BinaryWriter
    let depth: Int
    var codingPath: [CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        writer.closeContainers(downTo: depth)
        return KeyedEncodingContainer(BinaryKeyedEncoder<Key>(writer: writer, depth: writer.openContainer(.keyed)))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        writer.closeContainers(downTo: depth)
        return BinaryUnkeyedEncoder(writer: writer, depth: writer.openContainer(.unkeyed))
    }

    func singleValueContainer() -> SingleValueEncodingContainer { self }

    /// Writes the value as a record: fields without tags or keys, in an order its reader knows.
    func encodeRecord(_ write: (inout RecordWriter) -> Void) {
        writer.closeContainers(downTo: depth)
        _ = writer.openContainer(.record)
        var record = RecordWriter(writer: writer)
        write(&record)
    }

    func encodeNil() { writer.tag(.null) }
    func encode(_ value: Bool) { writer.tag(value ? .yes : .no) }
    func encode(_ value: String) { writer.string(value) }
    func encode(_ value: Double) { writer.double(Double(value)) }
    func encode(_ value: Float) { writer.double(Double(value)) }
    func encode(_ value: Int) { writer.signed(Int64(value)) }
    func encode(_ value: Int8) { writer.signed(Int64(value)) }
    func encode(_ value: Int16) { writer.signed(Int64(value)) }
    func encode(_ value: Int32) { writer.signed(Int64(value)) }
    func encode(_ value: Int64) { writer.signed(Int64(value)) }
    func encode(_ value: UInt) { writer.unsigned(UInt64(value)) }
    func encode(_ value: UInt8) { writer.unsigned(UInt64(value)) }
    func encode(_ value: UInt16) { writer.unsigned(UInt64(value)) }
    func encode(_ value: UInt32) { writer.unsigned(UInt64(value)) }
    func encode(_ value: UInt64) { writer.unsigned(UInt64(value)) }
    func encode<Value: Encodable>(_ value: Value) throws { try writer.encodeValue(value) }
}

struct BinaryKeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: BinaryWriter
    let depth: Int
    var codingPath: [CodingKey] { [] }

    private func begin(_ key: Key) {
        writer.closeContainers(downTo: depth)
        writer.varint(UInt64(writer.index(of: key.stringValue) + 1))
    }

    mutating func encodeNil(forKey key: Key) { begin(key); writer.tag(.null) }
    mutating func encode(_ value: Bool, forKey key: Key) { begin(key); writer.tag(value ? .yes : .no) }
    mutating func encode(_ value: String, forKey key: Key) { begin(key); writer.string(value) }
    mutating func encode(_ value: Double, forKey key: Key) { begin(key); writer.double(Double(value)) }
    mutating func encode(_ value: Float, forKey key: Key) { begin(key); writer.double(Double(value)) }
    mutating func encode(_ value: Int, forKey key: Key) { begin(key); writer.signed(Int64(value)) }
    mutating func encode(_ value: Int8, forKey key: Key) { begin(key); writer.signed(Int64(value)) }
    mutating func encode(_ value: Int16, forKey key: Key) { begin(key); writer.signed(Int64(value)) }
    mutating func encode(_ value: Int32, forKey key: Key) { begin(key); writer.signed(Int64(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) { begin(key); writer.signed(Int64(value)) }
    mutating func encode(_ value: UInt, forKey key: Key) { begin(key); writer.unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt8, forKey key: Key) { begin(key); writer.unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt16, forKey key: Key) { begin(key); writer.unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt32, forKey key: Key) { begin(key); writer.unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt64, forKey key: Key) { begin(key); writer.unsigned(UInt64(value)) }
    mutating func encode<Value: Encodable>(_ value: Value, forKey key: Key) throws { begin(key); try writer.encodeValue(value) }

    // An absent optional is written as nil, so that reading stays in step with writing.
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) { begin(key); if let value { writer.tag(value ? .yes : .no) } else { writer.tag(.null) } }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) { begin(key); if let value { writer.string(value) } else { writer.tag(.null) } }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) { begin(key); if let value { writer.double(Double(value)) } else { writer.tag(.null) } }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) { begin(key); if let value { writer.double(Double(value)) } else { writer.tag(.null) } }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) { begin(key); if let value { writer.signed(Int64(value)) } else { writer.tag(.null) } }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) { begin(key); if let value { writer.signed(Int64(value)) } else { writer.tag(.null) } }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) { begin(key); if let value { writer.signed(Int64(value)) } else { writer.tag(.null) } }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) { begin(key); if let value { writer.signed(Int64(value)) } else { writer.tag(.null) } }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) { begin(key); if let value { writer.signed(Int64(value)) } else { writer.tag(.null) } }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) { begin(key); if let value { writer.unsigned(UInt64(value)) } else { writer.tag(.null) } }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) { begin(key); if let value { writer.unsigned(UInt64(value)) } else { writer.tag(.null) } }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) { begin(key); if let value { writer.unsigned(UInt64(value)) } else { writer.tag(.null) } }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) { begin(key); if let value { writer.unsigned(UInt64(value)) } else { writer.tag(.null) } }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) { begin(key); if let value { writer.unsigned(UInt64(value)) } else { writer.tag(.null) } }
    mutating func encodeIfPresent<Value: Encodable>(_ value: Value?, forKey key: Key) throws {
        begin(key)
        if let value { try writer.encodeValue(value) } else { writer.tag(.null) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        begin(key)
        return KeyedEncodingContainer(BinaryKeyedEncoder<NestedKey>(writer: writer, depth: writer.openContainer(.keyed)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        begin(key)
        return BinaryUnkeyedEncoder(writer: writer, depth: writer.openContainer(.unkeyed))
    }

    mutating func superEncoder() -> Encoder {
        writer.closeContainers(downTo: depth)
        writer.varint(UInt64(writer.index(of: "super") + 1))
        return BinaryValueEncoder(writer: writer, depth: depth)
    }

    mutating func superEncoder(forKey key: Key) -> Encoder {
        begin(key)
        return BinaryValueEncoder(writer: writer, depth: depth)
    }
}

struct BinaryUnkeyedEncoder: UnkeyedEncodingContainer {
    let writer: BinaryWriter
    let depth: Int
    private(set) var count = 0
    var codingPath: [CodingKey] { [] }

    init(writer: BinaryWriter, depth: Int) {
        self.writer = writer
        self.depth = depth
    }

    private mutating func begin() {
        writer.closeContainers(downTo: depth)
        count += 1
    }

    mutating func encodeNil() { begin(); writer.tag(.null) }
    mutating func encode(_ value: Bool) { begin(); writer.tag(value ? .yes : .no) }
    mutating func encode(_ value: String) { begin(); writer.string(value) }
    mutating func encode(_ value: Double) { begin(); writer.double(Double(value)) }
    mutating func encode(_ value: Float) { begin(); writer.double(Double(value)) }
    mutating func encode(_ value: Int) { begin(); writer.signed(Int64(value)) }
    mutating func encode(_ value: Int8) { begin(); writer.signed(Int64(value)) }
    mutating func encode(_ value: Int16) { begin(); writer.signed(Int64(value)) }
    mutating func encode(_ value: Int32) { begin(); writer.signed(Int64(value)) }
    mutating func encode(_ value: Int64) { begin(); writer.signed(Int64(value)) }
    mutating func encode(_ value: UInt) { begin(); writer.unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt8) { begin(); writer.unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt16) { begin(); writer.unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt32) { begin(); writer.unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt64) { begin(); writer.unsigned(UInt64(value)) }
    mutating func encode<Value: Encodable>(_ value: Value) throws { begin(); try writer.encodeValue(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        begin()
        return KeyedEncodingContainer(BinaryKeyedEncoder<NestedKey>(writer: writer, depth: writer.openContainer(.keyed)))
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        begin()
        return BinaryUnkeyedEncoder(writer: writer, depth: writer.openContainer(.unkeyed))
    }

    mutating func superEncoder() -> Encoder {
        begin()
        return BinaryValueEncoder(writer: writer, depth: depth)
    }
}

// MARK: - Decoding

public struct BinaryDecoder {
    public init() {}

    public func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
        let reader = try BinaryReader(Array(data))
        return try reader.decodeValue(type, at: reader.bodyStart)
    }

    /// Reads a payload written by `BinaryEncoder.encodeRecord`.
    func decodeRecord<Value>(from data: Data, _ read: (inout RecordReader) throws -> Value) throws -> Value {
        let reader = try BinaryReader(Array(data))
        var record = try BinaryValueDecoder(reader: reader, position: reader.bodyStart).record()
        let value = try read(&record)
        try record.finish()
        return value
    }
}

final class BinaryReader {
    let bytes: [UInt8]
    private(set) var strings: [String] = []
    private(set) var bodyStart = 0

    init(_ bytes: [UInt8]) throws {
        self.bytes = bytes
        guard bytes.starts(with: BinaryCoding.magic) else { throw Self.corrupt("not a tstate-lint binary payload") }
        var position = BinaryCoding.magic.count
        let count = try varint(at: &position)
        guard count <= UInt64(bytes.count) else { throw Self.corrupt("string table larger than the payload") }
        strings.reserveCapacity(Int(count))
        for _ in 0..<count {
            let encodedLength = try varint(at: &position)
            guard encodedLength <= UInt64(bytes.count - position) else { throw Self.corrupt("string past the end") }
            let length = Int(encodedLength)
            strings.append(String(decoding: bytes[position..<position + length], as: UTF8.self))
            position += length
        }
        bodyStart = position
    }

    static func corrupt(_ message: String) -> DecodingError {
        DecodingError.dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: message))
    }

    func varint(at position: inout Int) throws -> UInt64 {
        try BinaryCoding.varint(in: bytes, at: &position, end: bytes.count)
    }


    func tag(at position: Int) throws -> BinaryCoding.Tag {
        guard position >= 0, position < bytes.count, let tag = BinaryCoding.Tag(rawValue: bytes[position]) else {
            throw Self.corrupt("bad value at \(position)")
        }
        return tag
    }

    /// Where the value at `position` ends.
    func end(ofValueAt position: Int) throws -> Int {
        var next = position + 1
        switch try tag(at: position) {
        case .null, .no, .yes: return next
        case .signed, .unsigned, .string: _ = try varint(at: &next); return next
        case .double: return position + 9
        case .keyed, .unkeyed, .record:
            let length = try varint(at: &next)
            guard length <= UInt64(bytes.count - next) else { throw Self.corrupt("container past the end at \(position)") }
            return next + Int(length)
        }
    }

    func isNil(at position: Int) throws -> Bool { try tag(at: position) == .null }

    func bool(at position: Int) throws -> Bool {
        switch try tag(at: position) {
        case .yes: return true
        case .no: return false
        default: throw Self.corrupt("expected a boolean at \(position)")
        }
    }

    func integer<Value: FixedWidthInteger>(_ type: Value.Type, at position: Int) throws -> Value {
        var next = position + 1
        let value: Value?
        switch try tag(at: position) {
        case .signed:
            let raw = try varint(at: &next)
            value = Value(exactly: BinaryCoding.unzigzag(raw))
        case .unsigned:
            value = Value(exactly: try varint(at: &next))
        default:
            throw Self.corrupt("expected an integer at \(position)")
        }
        guard let value else { throw Self.corrupt("integer out of range for \(type) at \(position)") }
        return value
    }

    func double(at position: Int) throws -> Double {
        guard try tag(at: position) == .double, position + 9 <= bytes.count else { throw Self.corrupt("expected a number at \(position)") }
        var bits: UInt64 = 0
        for index in 0..<8 { bits |= UInt64(bytes[position + 1 + index]) << (8 * UInt64(index)) }
        return Double(bitPattern: bits)
    }

    func string(at position: Int) throws -> String {
        guard try tag(at: position) == .string else { throw Self.corrupt("expected a string at \(position)") }
        var next = position + 1
        let index = try varint(at: &next)
        guard index < UInt64(strings.count) else { throw Self.corrupt("bad string index at \(position)") }
        return strings[Int(index)]
    }

    func decodeValue<Value: Decodable>(_ type: Value.Type, at position: Int) throws -> Value {
        try Value(from: BinaryValueDecoder(reader: self, position: position))
    }

    /// The body of the container at `position`: where its entries start and end, and for an
    /// unkeyed one how many elements it has.
    func container(_ kind: BinaryCoding.Tag, at position: Int) throws -> (start: Int, end: Int) {
        guard try tag(at: position) == kind else {
            throw Self.corrupt("expected a \(kind) container at \(position)")
        }
        var start = position + 1
        let length = try varint(at: &start)
        guard length <= UInt64(bytes.count - start) else { throw Self.corrupt("container past the end at \(position)") }
        return (start, start + Int(length))
    }
}

struct BinaryValueDecoder: Decoder, SingleValueDecodingContainer {
    let reader: BinaryReader
    let position: Int
    var codingPath: [CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let body = try reader.container(.keyed, at: position)
        return KeyedDecodingContainer(BinaryKeyedDecoder<Key>(reader: reader, start: body.start, end: body.end))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        let body = try reader.container(.unkeyed, at: position)
        return BinaryUnkeyedDecoder(reader: reader, start: body.start, end: body.end)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { self }

    /// The fields of a record written by `BinaryValueEncoder.encodeRecord`.
    func record() throws -> RecordReader {
        let body = try reader.container(.record, at: position)
        return RecordReader(bytes: reader.bytes, strings: reader.strings, position: body.start, end: body.end)
    }

    func decodeNil() -> Bool { (try? reader.isNil(at: position)) ?? false }
    func decode(_ type: Bool.Type) throws -> Bool { try reader.bool(at: position) }
    func decode(_ type: String.Type) throws -> String { try reader.string(at: position) }
    func decode(_ type: Double.Type) throws -> Double { try reader.double(at: position) }
    func decode(_ type: Float.Type) throws -> Float { Float(try reader.double(at: position)) }
    func decode(_ type: Int.Type) throws -> Int { try reader.integer(Int.self, at: position) }
    func decode(_ type: Int8.Type) throws -> Int8 { try reader.integer(Int8.self, at: position) }
    func decode(_ type: Int16.Type) throws -> Int16 { try reader.integer(Int16.self, at: position) }
    func decode(_ type: Int32.Type) throws -> Int32 { try reader.integer(Int32.self, at: position) }
    func decode(_ type: Int64.Type) throws -> Int64 { try reader.integer(Int64.self, at: position) }
    func decode(_ type: UInt.Type) throws -> UInt { try reader.integer(UInt.self, at: position) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try reader.integer(UInt8.self, at: position) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try reader.integer(UInt16.self, at: position) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try reader.integer(UInt32.self, at: position) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try reader.integer(UInt64.self, at: position) }
    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value { try reader.decodeValue(type, at: position) }
}

/// Entries are looked for where the previous one ended (values are read in the order they
/// were written), and otherwise from the start of the container.
final class BinaryKeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let reader: BinaryReader
    let start: Int
    let end: Int
    private var cursor: Int
    var codingPath: [CodingKey] { [] }

    init(reader: BinaryReader, start: Int, end: Int) {
        self.reader = reader
        self.start = start
        self.end = end
        self.cursor = start
    }

    private func entry(at position: Int) throws -> (key: String, value: Int) {
        var next = position
        let index = try reader.varint(at: &next)
        guard index >= 1, index <= UInt64(reader.strings.count) else { throw BinaryReader.corrupt("bad key at \(position)") }
        return (reader.strings[Int(index - 1)], next)
    }

    private func find(_ key: Key) throws -> Int? {
        let name = key.stringValue
        if cursor < end {
            let candidate = try entry(at: cursor)
            if candidate.key == name { return candidate.value }
        }
        var position = start
        while position < end {
            let candidate = try entry(at: position)
            if candidate.key == name { return candidate.value }
            position = try reader.end(ofValueAt: candidate.value)
        }
        return nil
    }

    /// The value for `key`, moving the cursor past it.
    private func value(_ key: Key) throws -> Int {
        guard let position = try find(key) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(codingPath: [], debugDescription: "no \(key.stringValue)"))
        }
        cursor = try reader.end(ofValueAt: position)
        return position
    }

    var allKeys: [Key] {
        var keys: [Key] = []
        var position = start
        while position < end, let candidate = try? entry(at: position), let next = try? reader.end(ofValueAt: candidate.value) {
            if let key = Key(stringValue: candidate.key) { keys.append(key) }
            position = next
        }
        return keys
    }

    func contains(_ key: Key) -> Bool { ((try? find(key)) ?? nil) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let position = try find(key) else { return true }
        guard try reader.isNil(at: position) else { return false }
        cursor = try reader.end(ofValueAt: position)
        return true
    }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try reader.bool(at: try value(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try reader.string(at: try value(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try reader.double(at: try value(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try reader.double(at: try value(key))) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try reader.integer(Int.self, at: try value(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try reader.integer(Int8.self, at: try value(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try reader.integer(Int16.self, at: try value(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try reader.integer(Int32.self, at: try value(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try reader.integer(Int64.self, at: try value(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try reader.integer(UInt.self, at: try value(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try reader.integer(UInt8.self, at: try value(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try reader.integer(UInt16.self, at: try value(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try reader.integer(UInt32.self, at: try value(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try reader.integer(UInt64.self, at: try value(key)) }
    func decode<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value { try reader.decodeValue(type, at: try value(key)) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        let body = try reader.container(.keyed, at: try value(key))
        return KeyedDecodingContainer(BinaryKeyedDecoder<NestedKey>(reader: reader, start: body.start, end: body.end))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        let body = try reader.container(.unkeyed, at: try value(key))
        return BinaryUnkeyedDecoder(reader: reader, start: body.start, end: body.end)
    }

    func superDecoder() throws -> Decoder {
        guard let key = Key(stringValue: "super") else { throw BinaryReader.corrupt("no super key") }
        return BinaryValueDecoder(reader: reader, position: try value(key))
    }

    func superDecoder(forKey key: Key) throws -> Decoder { BinaryValueDecoder(reader: reader, position: try value(key)) }
}

struct BinaryUnkeyedDecoder: UnkeyedDecodingContainer {
    let reader: BinaryReader
    let end: Int
    private var position: Int
    /// Not stored: Array and Set read until `isAtEnd`.
    var count: Int? { nil }
    private(set) var currentIndex = 0
    var codingPath: [CodingKey] { [] }
    var isAtEnd: Bool { position >= end }

    init(reader: BinaryReader, start: Int, end: Int) {
        self.reader = reader
        self.position = start
        self.end = end
    }

    private mutating func next() throws -> Int {
        guard !isAtEnd else { throw BinaryReader.corrupt("read past the end of a list") }
        let current = position
        position = try reader.end(ofValueAt: current)
        currentIndex += 1
        return current
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, try reader.isNil(at: position) else { return false }
        _ = try next()
        return true
    }
    mutating func decode(_ type: Bool.Type) throws -> Bool { let at = try next(); return try reader.bool(at: at) }
    mutating func decode(_ type: String.Type) throws -> String { let at = try next(); return try reader.string(at: at) }
    mutating func decode(_ type: Double.Type) throws -> Double { let at = try next(); return try reader.double(at: at) }
    mutating func decode(_ type: Float.Type) throws -> Float { let at = try next(); return Float(try reader.double(at: at)) }
    mutating func decode(_ type: Int.Type) throws -> Int { let at = try next(); return try reader.integer(Int.self, at: at) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { let at = try next(); return try reader.integer(Int8.self, at: at) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { let at = try next(); return try reader.integer(Int16.self, at: at) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { let at = try next(); return try reader.integer(Int32.self, at: at) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { let at = try next(); return try reader.integer(Int64.self, at: at) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { let at = try next(); return try reader.integer(UInt.self, at: at) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { let at = try next(); return try reader.integer(UInt8.self, at: at) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { let at = try next(); return try reader.integer(UInt16.self, at: at) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { let at = try next(); return try reader.integer(UInt32.self, at: at) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { let at = try next(); return try reader.integer(UInt64.self, at: at) }
    mutating func decode<Value: Decodable>(_ type: Value.Type) throws -> Value { try reader.decodeValue(type, at: try next()) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let body = try reader.container(.keyed, at: try next())
        return KeyedDecodingContainer(BinaryKeyedDecoder<NestedKey>(reader: reader, start: body.start, end: body.end))
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
        let body = try reader.container(.unkeyed, at: try next())
        return BinaryUnkeyedDecoder(reader: reader, start: body.start, end: body.end)
    }

    mutating func superDecoder() throws -> Decoder { BinaryValueDecoder(reader: reader, position: try next()) }
}

// MARK: - Records

/// Untagged fields of one record: integers as zig-zag varints, strings as indices into the
/// payload's string table. For the most numerous values (a unit's functions), read and
/// written by hand: several times faster than through Codable's containers.
struct RecordWriter {
    let writer: BinaryWriter

    mutating func int(_ value: Int) { int64(Int64(value)) }

    mutating func int64(_ value: Int64) { writer.varint(BinaryCoding.zigzag(value)) }

    mutating func bool(_ value: Bool) { writer.bytes.append(value ? 1 : 0) }

    mutating func string(_ value: String) { writer.varint(UInt64(writer.index(of: value))) }

    /// 0 for nil, else the value's index + 1.
    mutating func optionalString(_ value: String?) {
        writer.varint(value.map { UInt64(writer.index(of: $0) + 1) } ?? 0)
    }

    mutating func optionalInt(_ value: Int?) {
        bool(value != nil)
        if let value { int(value) }
    }

    mutating func optionalInt64(_ value: Int64?) {
        bool(value != nil)
        if let value { int64(value) }
    }

    mutating func uint64(_ value: UInt64) { writer.varint(value) }

    /// Bytes as they are, after their length.
    mutating func data(_ data: Data) {
        writer.varint(UInt64(data.count))
        writer.bytes.append(contentsOf: data)
    }

    mutating func list<Element>(_ elements: [Element], _ write: (inout RecordWriter, Element) -> Void) {
        writer.varint(UInt64(elements.count))
        for element in elements { write(&self, element) }
    }
}

/// A value that is read and written as fields of a record.
protocol RecordField: Codable {
    static func read(_ record: inout RecordReader) throws -> Self
    static func write(_ value: Self, to record: inout RecordWriter)
}

/// A list as one record for the binary coder, its elements read and written field by field;
/// a plain list for any other coder.
struct RecordList<Element: RecordField>: Codable {
    var elements: [Element]

    init(_ elements: [Element]) {
        self.elements = elements
    }

    init(from decoder: Decoder) throws {
        guard let binary = decoder as? BinaryValueDecoder else {
            elements = try [Element](from: decoder)
            return
        }
        var record = try binary.record()
        elements = try record.list { try Element.read(&$0) }
        try record.finish()
    }

    func encode(to encoder: Encoder) throws {
        guard let binary = encoder as? BinaryValueEncoder else {
            try elements.encode(to: encoder)
            return
        }
        binary.encodeRecord { record in record.list(elements) { Element.write($1, to: &$0) } }
    }
}

/// Bytes as they are (Codable would code `Data` byte by byte).
extension Data: RecordField {
    static func read(_ record: inout RecordReader) throws -> Data { try record.data() }
    static func write(_ data: Data, to record: inout RecordWriter) { record.data(data) }
}

struct RecordReader {
    let bytes: [UInt8]
    let strings: [String]
    private(set) var position: Int
    let end: Int

    init(bytes: [UInt8], strings: [String], position: Int, end: Int) {
        self.bytes = bytes
        self.strings = strings
        self.position = position
        self.end = end
    }

    static func corrupt(_ message: String) -> DecodingError { BinaryReader.corrupt(message) }

    private mutating func varint() throws -> UInt64 {
        try BinaryCoding.varint(in: bytes, at: &position, end: end)
    }

    mutating func int64() throws -> Int64 { BinaryCoding.unzigzag(try varint()) }

    mutating func int() throws -> Int {
        guard let value = Int(exactly: try int64()) else { throw Self.corrupt("integer out of range") }
        return value
    }

    mutating func bool() throws -> Bool {
        guard position < end else { throw Self.corrupt("truncated record") }
        position += 1
        switch bytes[position - 1] {
        case 0: return false
        case 1: return true
        default: throw Self.corrupt("bad boolean in a record")
        }
    }

    mutating func string() throws -> String {
        let index = try varint()
        guard index < UInt64(strings.count) else { throw Self.corrupt("bad string index in a record") }
        return strings[Int(index)]
    }

    mutating func optionalString() throws -> String? {
        let index = try varint()
        guard index > 0 else { return nil }
        guard index <= UInt64(strings.count) else { throw Self.corrupt("bad string index in a record") }
        return strings[Int(index - 1)]
    }

    mutating func optionalInt() throws -> Int? { try bool() ? try int() : nil }

    mutating func optionalInt64() throws -> Int64? { try bool() ? try int64() : nil }

    /// A case number (written with `int`), checked against the number of cases.
    mutating func tag(below count: Int, _ what: String) throws -> Int {
        let raw = try int64()
        guard raw >= 0, raw < Int64(count) else { throw Self.corrupt("unknown \(what) in a record") }
        return Int(raw)
    }

    mutating func list<Element>(_ read: (inout RecordReader) throws -> Element) throws -> [Element] {
        let count = try varint()
        // Every element takes at least one byte: a larger count is damage, not a reason to allocate.
        guard count <= UInt64(end - position) else { throw Self.corrupt("list longer than its record") }
        var elements: [Element] = []
        elements.reserveCapacity(Int(count))
        for _ in 0..<count { elements.append(try read(&self)) }
        return elements
    }

    mutating func uint64() throws -> UInt64 { try varint() }

    mutating func data() throws -> Data {
        let count = try varint()
        guard count <= UInt64(end - position) else { throw Self.corrupt("bytes past the end of a record") }
        defer { position += Int(count) }
        return Data(bytes[position..<position + Int(count)])
    }

    func finish() throws {
        guard position == end else { throw Self.corrupt("record longer than its fields") }
    }
}
