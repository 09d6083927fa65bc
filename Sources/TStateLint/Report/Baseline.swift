import Foundation

/// The findings a project has accepted for now (`--write-baseline`), by fingerprint, so a run
/// with `--baseline` reports only new ones. Line numbers are kept for people reading the file;
/// matching uses only the fingerprint, which survives edits elsewhere in the file.
public enum Baseline {
    public static func write(_ diagnostics: [Diagnostic], to path: String) throws {
        let entries: [JSONValue] = diagnostics.map { diagnostic in
            .object([
                ("fingerprint", .string(diagnostic.fingerprint)),
                ("rule", .string(diagnostic.rule)),
                ("file", .string(diagnostic.location.file)),
                ("line", .int(diagnostic.location.line)),
                ("function", .string(diagnostic.function)),
                ("message", .string(diagnostic.message)),
            ])
        }
        let document = JSONValue.object([
            ("tool", .string("tstate-lint")),
            ("version", .string(TStateLintVersion.current)),
            ("findings", .array(entries)),
        ])
        do {
            try OutputFile.write(Data((document.serialized(indent: 2) + "\n").utf8), to: path)
        } catch let error as OutputFile.Failure {
            throw UsageError("cannot write the baseline \(path): \(error.description)")
        }
    }

    /// The fingerprints a baseline accepts, read in one pass over its bytes: a baseline of a
    /// million findings costs its fingerprints' memory, not a tree of Foundation objects.
    public static func fingerprints(in path: String) throws -> Set<String> {
        guard let data = RegularFile.contents(atPath: path) else {
            throw UsageError("\(path): cannot read the baseline\(RegularFile.isSpecial(path) ? " (not a regular file)" : "")")
        }
        var reader = BaselineReader(bytes: [UInt8](data))
        do {
            return try reader.fingerprints()
        } catch let error as BaselineReader.Malformed {
            throw UsageError("\(path): not a tstate-lint baseline (\(error.reason); expected {\"findings\": [{\"fingerprint\": ...}]})")
        }
    }
}

/// A JSON reader that checks the whole document and keeps only `findings[].fingerprint`.
struct BaselineReader {
    struct Malformed: Error {
        var reason: String
    }

    let bytes: [UInt8]
    private var index = 0
    private var found = Set<String>()
    private var sawFindings = false
    static let maxDepth = 256

    init(bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    /// Where a value sits, as far as the baseline cares.
    private enum Place { case other, root, findings, finding, fingerprint }

    mutating func fingerprints() throws -> Set<String> {
        try value(.root, depth: 0)
        skipSpace()
        guard index == bytes.count else { throw fail("text after the document") }
        guard sawFindings else { throw Malformed(reason: "no `findings` list") }
        return found
    }

    private func fail(_ reason: String) -> Malformed {
        let line = bytes[..<min(index, bytes.count)].reduce(1) { $1 == 10 ? $0 + 1 : $0 }
        return Malformed(reason: "\(reason) at line \(line)")
    }

    private mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private mutating func value(_ place: Place, depth: Int) throws {
        guard depth < Self.maxDepth else { throw fail("nested too deeply") }
        skipSpace()
        guard index < bytes.count else { throw fail("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            if place == .findings { throw fail("`findings` is not a list") }
            index += 1
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                let key = try string()
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected `:`") }
                index += 1
                var inner = Place.other
                if place == .root && key == "findings" { inner = .findings; sawFindings = true }
                if place == .finding && key == "fingerprint" { inner = .fingerprint }
                try value(inner, depth: depth + 1)
                skipSpace()
                guard index < bytes.count else { throw fail("unexpected end") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                guard bytes[index] == UInt8(ascii: "}") else { throw fail("expected `,` or `}`") }
                index += 1
                return
            }
        case UInt8(ascii: "["):
            if place == .root { throw fail("the document is not an object") }
            index += 1
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return }
            while true {
                try value(place == .findings ? .finding : .other, depth: depth + 1)
                skipSpace()
                guard index < bytes.count else { throw fail("unexpected end") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                guard bytes[index] == UInt8(ascii: "]") else { throw fail("expected `,` or `]`") }
                index += 1
                return
            }
        case UInt8(ascii: "\""):
            let text = try string()
            if place == .fingerprint { found.insert(text) }
        default:
            guard place == .other || place == .fingerprint else { throw fail("unexpected value") }
            try scalar()
        }
    }

    private mutating func scalar() throws {
        for word in ["true", "false", "null"] where bytes[index...].starts(with: word.utf8) {
            index += word.utf8.count
            return
        }
        let start = index
        func digits() -> Int {
            let from = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
            return index - from
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard digits() > 0 else { index = start; throw fail("unexpected character") }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw fail("malformed number") }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw fail("malformed number") }
        }
    }

    private mutating func string() throws -> String {
        index += 1
        var runStart = index
        var pieces: [UInt8] = []
        func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
                throw fail("malformed \\u escape")
            }
            index += 4
            return value
        }
        while true {
            guard index < bytes.count else { throw fail("unterminated string") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { break }
            if byte < 0x20 { throw fail("control character in a string") }
            if byte != UInt8(ascii: "\\") { index += 1; continue }
            pieces += bytes[runStart..<index]
            index += 1
            guard index < bytes.count else { throw fail("unterminated string") }
            let escape = bytes[index]
            index += 1
            var scalar: UInt32
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalar = UInt32(escape)
            case UInt8(ascii: "b"): scalar = 8
            case UInt8(ascii: "f"): scalar = 12
            case UInt8(ascii: "n"): scalar = 10
            case UInt8(ascii: "r"): scalar = 13
            case UInt8(ascii: "t"): scalar = 9
            case UInt8(ascii: "u"):
                scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard bytes[index...].starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "u")]) else { throw fail("lone surrogate") }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("lone surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw fail("lone surrogate")
                }
            default:
                throw fail("unknown escape")
            }
            pieces += Array(String(Unicode.Scalar(scalar)!).utf8)
            runStart = index
        }
        pieces += bytes[runStart..<index]
        index += 1
        guard let text = String(validating: pieces, as: UTF8.self) else { throw fail("a string that is not UTF-8") }
        return text
    }
}
