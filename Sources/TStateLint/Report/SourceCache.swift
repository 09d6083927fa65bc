import Foundation

/// Source lines of reported files, read once, for carets, suppressions and fingerprints. A
/// file is kept as bytes with the offsets of its lines: a line becomes a String only when
/// asked for (reported files run to tens of thousands of lines, a handful are looked at).
final class SourceCache: @unchecked Sendable {
    private struct Text {
        var bytes: [UInt8]
        /// Where each line starts; one more entry, the end, closes the last.
        var starts: [Int]

        var lineCount: Int { starts.count - 1 }

        func line(_ number: Int) -> String {
            guard number >= 1, number <= lineCount else { return "" }
            // Before the line's newline (the end sentinel is one past the last byte, as if one followed).
            var end = starts[number] - 1
            if end > starts[number - 1], bytes[end - 1] == 13 { end -= 1 }
            return String(decoding: bytes[starts[number - 1]..<end], as: UTF8.self)
        }

        /// The line holding the byte at `offset`.
        func lineNumber(at offset: Int) -> Int {
            var low = 0, high = lineCount - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if starts[middle] <= offset { low = middle } else { high = middle - 1 }
            }
            return low + 1
        }
    }

    private var texts: [String: Text] = [:]
    /// Per file, its bytes with everything but comments blanked (see `commentsOnly`).
    private var comments: [String: Text] = [:]
    private let lock = NSLock()

    /// Files never read: those that were not analysed (a link out of the tree, a binary), whose
    /// TS003 finding must not quote them.
    private let unread: Set<String>

    init(unread: Set<String> = []) {
        self.unread = unread
    }

    private func text(of file: String, workingDirectory: String) -> Text {
        lock.lock()
        defer { lock.unlock() }
        if let known = texts[file] { return known }
        if unread.contains(file) { return Text(bytes: [], starts: [0, 1]) }
        let path = PathDisplay.absolute(file, workingDirectory: workingDirectory)
        let bytes = RegularFile.contents(atPath: path).map { [UInt8]($0) } ?? []
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == 10 { starts.append(offset + 1) }
        starts.append(bytes.count + 1)
        let text = Text(bytes: bytes, starts: starts)
        texts[file] = text
        return text
    }

    func lineCount(of file: String, workingDirectory: String) -> Int {
        text(of: file, workingDirectory: workingDirectory).lineCount
    }

    /// The last line made a String: findings come sorted, many on one line (a long one too).
    private var lastLine: (file: String, number: Int, text: String)?
    private var lastCommentLine: (file: String, number: Int, text: String)?

    func line(_ number: Int, of file: String, workingDirectory: String) -> String {
        lock.lock()
        if let lastLine, lastLine.number == number, lastLine.file == file {
            lock.unlock()
            return lastLine.text
        }
        lock.unlock()
        let text = text(of: file, workingDirectory: workingDirectory).line(number)
        lock.lock()
        lastLine = (file, number, text)
        lock.unlock()
        return text
    }

    /// The line with everything that is not comment replaced by spaces (same columns): where
    /// suppression directives are read.
    func commentLine(_ number: Int, of file: String, workingDirectory: String) -> String {
        let source = text(of: file, workingDirectory: workingDirectory)
        lock.lock()
        defer { lock.unlock() }
        if let lastCommentLine, lastCommentLine.number == number, lastCommentLine.file == file { return lastCommentLine.text }
        let masked = comments[file] ?? Text(bytes: Self.commentsOnly(source.bytes), starts: source.starts)
        comments[file] = masked
        let line = masked.line(number)
        lastCommentLine = (file, number, line)
        return line
    }

    /// C and C++ source with every byte outside comments (code, string and character literals,
    /// raw strings) replaced by a space, newlines kept; one pass.
    static func commentsOnly(_ bytes: [UInt8]) -> [UInt8] {
        enum State { case code, lineComment, blockComment, quoted(UInt8), raw([UInt8]) }
        var out = [UInt8](repeating: 32, count: bytes.count)
        var state = State.code
        var index = 0
        func isIdentifier(_ byte: UInt8) -> Bool {
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 95
        }
        while index < bytes.count {
            let byte = bytes[index]
            let next: UInt8 = index + 1 < bytes.count ? bytes[index + 1] : 0
            if byte == 10 { out[index] = 10 }
            switch state {
            case .code:
                if byte == UInt8(ascii: "/") && next == UInt8(ascii: "/") {
                    state = .lineComment
                } else if byte == UInt8(ascii: "/") && next == UInt8(ascii: "*") {
                    state = .blockComment
                    out[index] = byte
                    out[index + 1] = next
                    index += 2
                    continue
                } else if byte == UInt8(ascii: "\"") && index > 0 && bytes[index - 1] == UInt8(ascii: "R")
                            && (index < 2 || !isIdentifier(bytes[index - 2]) || [UInt8(ascii: "8"), UInt8(ascii: "L"), UInt8(ascii: "u"), UInt8(ascii: "U")].contains(bytes[index - 2])) {
                    // R"delimiter( ... )delimiter"
                    var end = index + 1
                    while end < bytes.count, end - index <= 17, bytes[end] != UInt8(ascii: "("), bytes[end] != 10 { end += 1 }
                    if end < bytes.count, bytes[end] == UInt8(ascii: "(") {
                        state = .raw([UInt8(ascii: ")")] + bytes[(index + 1)..<end] + [UInt8(ascii: "\"")])
                        index = end + 1
                        continue
                    }
                    state = .quoted(byte)
                } else if byte == UInt8(ascii: "\"") || (byte == UInt8(ascii: "'") && !(index > 0 && isIdentifier(bytes[index - 1]) && bytes[index - 1] >= 48 && bytes[index - 1] <= 57)) {
                    state = .quoted(byte)
                }
            case .lineComment:
                if byte == 10 {
                    var back = index - 1
                    if back >= 0 && bytes[back] == 13 { back -= 1 }
                    if !(back >= 0 && bytes[back] == UInt8(ascii: "\\")) { state = .code }
                } else {
                    out[index] = byte
                }
            case .blockComment:
                if byte != 10 { out[index] = byte }
                if byte == UInt8(ascii: "*") && next == UInt8(ascii: "/") {
                    out[index + 1] = next
                    state = .code
                    index += 2
                    continue
                }
            case .quoted(let quote):
                if byte == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                if byte == quote || byte == 10 { state = .code }
            case .raw(let terminator):
                if bytes[index...].starts(with: terminator) {
                    index += terminator.count
                    state = .code
                    continue
                }
            }
            index += 1
        }
        return out
    }

    /// The numbers of the lines that contain any of these strings, in order.
    func lines(of file: String, containing needles: [String], workingDirectory: String) -> [Int] {
        let text = text(of: file, workingDirectory: workingDirectory)
        var found = Set<Int>()
        text.bytes.withUnsafeBufferPointer { haystack in
            for needle in needles {
                SourceCache.occurrences(of: needle, in: haystack) { offset in
                    found.insert(text.lineNumber(at: offset))
                    return true
                }
            }
        }
        return found.sorted()
    }

    /// Calls `found` with the offset of each occurrence of `needle` until it returns false.
    static func occurrences(of needle: String, in haystack: UnsafeBufferPointer<UInt8>, _ found: (Int) -> Bool) {
        let needle = Array(needle.utf8)
        guard !needle.isEmpty, haystack.count >= needle.count else { return }
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == needle[0] {
                var matched = 1
                while matched < needle.count && haystack[index + matched] == needle[matched] { matched += 1 }
                if matched == needle.count, !found(index) { return }
            }
            index += 1
        }
    }

    /// The column just past the identifier or keyword starting at `column` (1-based, bytes).
    static func tokenEnd(in line: String, column: Int) -> Int {
        var line = line
        return line.withUTF8 { tokenEnd(in: $0, column: column) }
    }

    private static func tokenEnd(in bytes: UnsafeBufferPointer<UInt8>, column: Int) -> Int {
        var index = column - 1
        guard index >= 0, index < bytes.count else { return column + 1 }
        func isIdentifier(_ byte: UInt8) -> Bool {
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 95
        }
        guard isIdentifier(bytes[index]) else { return column + 1 }
        while index < bytes.count, isIdentifier(bytes[index]) { index += 1 }
        return index + 1
    }
}
