import Foundation

/// A fingerprint that survives edits elsewhere in the file: the rule, file, function and the
/// reported line's text (whitespace-trimmed), plus its rank among identical ones.
enum Fingerprints {
    static func assign(_ diagnostics: inout [Diagnostic], sources: SourceCache, workingDirectory: String) {
        struct Base: Hashable { var rule, file, function: String; var line: Int }
        // The hash state after the base, per reported line: a long line is read once, not
        // once per finding on it. Identical bases (the same text on two lines) share a rank.
        var states: [Base: UInt64] = [:]
        var occurrences: [UInt64: Int] = [:]
        for index in diagnostics.indices {
            let diagnostic = diagnostics[index]
            let key = Base(rule: diagnostic.rule, file: diagnostic.location.file, function: diagnostic.function,
                           line: diagnostic.location.line)
            let state: UInt64
            if let known = states[key] {
                state = known
            } else {
                let text = sources.line(key.line, of: key.file, workingDirectory: workingDirectory)
                    .trimmingCharacters(in: .whitespaces)
                state = fnv1a([key.rule, key.file, key.function, text].joined(separator: "\u{1f}"))
                states[key] = state
            }
            let rank = occurrences[state, default: 0]
            occurrences[state] = rank + 1
            diagnostics[index].fingerprint = hex(fnv1a("\u{1f}\(rank)", from: state))
        }
    }

    static func fnv1a(_ text: String, from start: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var hash = start
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
