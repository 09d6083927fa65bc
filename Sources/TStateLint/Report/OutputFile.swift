import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a report or a baseline the user named. A regular file (or a new one) is replaced
/// whole, through a temporary file renamed over it, so a reader never sees half a report;
/// anything else (`/dev/null`, a FIFO, a terminal, a symbolic link) is written in place, as
/// the shell's `>` does: renaming over it would replace the device or the link itself.
public enum OutputFile {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func write(_ data: Data, to path: String) throws {
        var info = stat()
        let exists = lstat(path, &info) == 0
        if exists && info.st_mode & S_IFMT == S_IFDIR {
            throw Failure(description: "it is a directory")
        }
        if !exists || info.st_mode & S_IFMT == S_IFREG {
            let temporary = PathDisplay.directory(of: path) + "/." + PathDisplay.lastComponent(of: path)
                + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
            let descriptor = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw Failure(description: String(cString: strerror(errno))) }
            if exists { fchmod(descriptor, info.st_mode & 0o7777) }
            let written = Descriptor.writeAll(data, to: descriptor)
            close(descriptor)
            guard written, rename(temporary, path) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw Failure(description: reason)
            }
            return
        }
        let descriptor = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(description: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        guard Descriptor.writeAll(data, to: descriptor) else { throw Failure(description: String(cString: strerror(errno))) }
    }
}
