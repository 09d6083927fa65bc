import Foundation

/// A fingerprint that survives edits elsewhere in the file: the rule, file, function and the
/// reported line's text (whitespace-trimmed), plus its rank among identical ones.
enum Fingerprints {
    static func assign(_ diagnostics: inout [Diagnostic], sources: SourceCache, workingDirectory: String) {
        var occurrences: [String: Int] = [:]
        for index in diagnostics.indices {
            let diagnostic = diagnostics[index]
            let text = sources.line(diagnostic.location.line, of: diagnostic.location.file, workingDirectory: workingDirectory)
                .trimmingCharacters(in: .whitespaces)
            let base = [diagnostic.rule, diagnostic.location.file, diagnostic.function, text].joined(separator: "\u{1f}")
            let rank = occurrences[base, default: 0]
            occurrences[base] = rank + 1
            diagnostics[index].fingerprint = hex(fnv1a(base + "\u{1f}\(rank)"))
        }
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
