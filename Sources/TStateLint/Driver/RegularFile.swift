import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads files the tool did not write itself (sources, configuration, compile databases,
/// baselines, cache entries) only when they are regular files: a FIFO blocks its reader until
/// a writer comes and a device may never end, so both read as absent.
enum RegularFile {
    static func contents(atPath path: String) -> Data? {
        // Non-blocking, so that opening a FIFO to look at it does not wait for a writer.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        // Read at the size fstat gave, in one buffer; a file that grew meanwhile is read on.
        var data = Data(count: Int(info.st_size))
        var filled = 0
        while true {
            if filled == data.count { data.count += 64 << 10 }
            let count = data.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            filled += count
        }
        data.count = filled
        return data
    }

    /// Whether the path names a regular file. Anything else named like a source (a FIFO, which
    /// blocks the reader until a writer comes, a device, which may never end) is not read.
    static func isRegular(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// Whether the path names something that exists but is not a regular file.
    static func isSpecial(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT != S_IFREG
    }
}

enum Descriptor {
    /// Writes all of `data`, again where a signal interrupted it; false on any other error
    /// (errno says which).
    static func writeAll(_ data: Data, to descriptor: Int32) -> Bool {
        data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }
}
