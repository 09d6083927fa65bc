import Foundation

/// A JSON value that keeps its keys in the order they are given, so reports read the
/// same way every time.
public indirect enum JSONValue: Equatable, Sendable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.serialized() == rhs.serialized()
    }

    public func serialized(indent: Int? = 2) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(1 << 12)
        write(into: &out, indent: indent, level: 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// Written as UTF-8 bytes: a readiness report lists thousands of blockers.
    private func write(into out: inout [UInt8], indent: Int?, level: Int) {
        func newline() { if indent != nil { out.append(10) } }
        func pad(_ level: Int) { if let indent { out.append(contentsOf: repeatElement(32, count: indent * level)) } }
        switch self {
        case .object(let members):
            if members.isEmpty { out.append(contentsOf: "{}".utf8); return }
            out.append(UInt8(ascii: "{"))
            newline()
            for (index, (key, value)) in members.enumerated() {
                pad(level + 1)
                JSONValue.quote(key, into: &out)
                out.append(UInt8(ascii: ":"))
                if indent != nil { out.append(32) }
                value.write(into: &out, indent: indent, level: level + 1)
                if index < members.count - 1 { out.append(UInt8(ascii: ",")) }
                newline()
            }
            pad(level)
            out.append(UInt8(ascii: "}"))
        case .array(let elements):
            if elements.isEmpty { out.append(contentsOf: "[]".utf8); return }
            out.append(UInt8(ascii: "["))
            newline()
            for (index, element) in elements.enumerated() {
                pad(level + 1)
                element.write(into: &out, indent: indent, level: level + 1)
                if index < elements.count - 1 { out.append(UInt8(ascii: ",")) }
                newline()
            }
            pad(level)
            out.append(UInt8(ascii: "]"))
        case .string(let text):
            JSONValue.quote(text, into: &out)
        case .int(let value):
            out.append(contentsOf: String(value).utf8)
        case .double(let value):
            out.append(contentsOf: String(format: "%.3f", value).utf8)
        case .bool(let value):
            out.append(contentsOf: (value ? "true" : "false").utf8)
        case .null:
            out.append(contentsOf: "null".utf8)
        }
    }

    static func quote(_ text: String) -> String {
        var out: [UInt8] = []
        quote(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func quote(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case 10: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 13: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 9: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 15)]])
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
