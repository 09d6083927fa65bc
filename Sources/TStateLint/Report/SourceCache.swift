import Foundation

/// Source lines of reported files, read once, for carets, suppressions and fingerprints.
final class SourceCache: @unchecked Sendable {
    private var lines: [String: [String]] = [:]
    private let lock = NSLock()

    func lines(of file: String, workingDirectory: String) -> [String] {
        lock.lock()
        defer { lock.unlock() }
        if let known = lines[file] { return known }
        let path = PathDisplay.absolute(file, workingDirectory: workingDirectory)
        let data = FileManager.default.contents(atPath: path) ?? Data()
        let text = String(decoding: data, as: UTF8.self)
        let split = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
        lines[file] = split
        return split
    }

    func line(_ number: Int, of file: String, workingDirectory: String) -> String {
        let all = lines(of: file, workingDirectory: workingDirectory)
        return number >= 1 && number <= all.count ? all[number - 1] : ""
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
