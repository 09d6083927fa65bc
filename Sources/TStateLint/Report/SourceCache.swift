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
    private let lock = NSLock()

    private func text(of file: String, workingDirectory: String) -> Text {
        lock.lock()
        defer { lock.unlock() }
        if let known = texts[file] { return known }
        let path = PathDisplay.absolute(file, workingDirectory: workingDirectory)
        let bytes = FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
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

    func line(_ number: Int, of file: String, workingDirectory: String) -> String {
        text(of: file, workingDirectory: workingDirectory).line(number)
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
        let bytes = Array(line.utf8)
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
