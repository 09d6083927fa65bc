import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct DiscoveredFile: Hashable, Sendable {
    /// As the user will see it: relative to the working directory when under it.
    public var path: String
    public var absolutePath: String
    /// Why the file is found but cannot be read (its name is not UTF-8, a link that leads
    /// nowhere or out of the tree): it gets this status and is not parsed.
    public var problem: String?
}

public struct DiscoveryError: Error, CustomStringConvertible {
    public var description: String
}

/// Expands the paths on the command line into the C and C++ sources to analyse. Headers are
/// analysed through the sources that include them. Every source found is listed, those that
/// cannot be read with the reason; symbolic links are followed only within the tree (the
/// paths given and the working directory).
public enum FileDiscovery {
    public static let sourceExtensions: Set<String> = ["c", "cc", "cpp", "cxx", "c++"]
    public static let skippedDirectories: Set<String> = [
        "build", "dist", "node_modules", "__pycache__", "site-packages", "venv", "env", "_build",
    ]

    public static func discover(_ paths: [String], workingDirectory: String, exclude: [String] = [],
                                skipDefaultDirectories: Bool = true, patternBases: [String]? = nil) throws -> [DiscoveredFile] {
        var walker = Walker(exclude: exclude, skipDefaults: skipDefaultDirectories,
                            patternBases: patternBases ?? [workingDirectory], workingDirectory: workingDirectory)
        var roots: [(path: String, absolute: String, isDirectory: Bool)] = []
        for path in paths {
            let absolute = PathDisplay.absolute(path, workingDirectory: workingDirectory)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
                var link = stat()
                if lstat(absolute, &link) == 0, link.st_mode & S_IFMT == S_IFLNK {
                    throw DiscoveryError(description: "\(path): a symbolic link that leads nowhere (a loop, or a missing target)")
                }
                throw DiscoveryError(description: "\(path): no such file or directory")
            }
            roots.append((path, absolute, isDirectory.boolValue))
        }
        walker.tree = [PathDisplay.real(workingDirectory) ?? workingDirectory] + roots.map { root in
            let real = PathDisplay.real(root.absolute) ?? root.absolute
            return root.isDirectory ? real : PathDisplay.directory(of: real)
        }
        for root in roots {
            if root.isDirectory {
                walker.walk(root.absolute)
            } else {
                walker.found.append(DiscoveredFile(path: "", absolutePath: root.absolute))
            }
        }
        var seen = Set<String>()
        return walker.found.filter { seen.insert($0.absolutePath).inserted }
            .sorted { $0.absolutePath < $1.absolutePath }
            .map { file in
                var file = file
                file.path = PathDisplay.display(file.absolutePath, workingDirectory: workingDirectory)
                return file
            }
    }

    private struct Walker {
        var exclude: [String]
        var skipDefaults: Bool
        var patternBases: [String]
        var workingDirectory: String
        /// Real paths links may lead into.
        var tree: [String] = []
        var visited = Set<String>()
        var found: [DiscoveredFile] = []

        init(exclude: [String], skipDefaults: Bool, patternBases: [String], workingDirectory: String) {
            self.exclude = exclude
            self.skipDefaults = skipDefaults
            self.patternBases = patternBases
            self.workingDirectory = workingDirectory
        }

        func isInTree(_ real: String) -> Bool {
            tree.contains { PathDisplay.isUnder(real, root: $0) }
        }

        mutating func walk(_ directory: String) {
            guard let real = PathDisplay.real(directory), visited.insert(real).inserted else { return }
            let (names, undecodable) = FileDiscovery.entries(of: directory)
            for name in undecodable {
                let shown = directory + "/" + name.escaped
                if name.isDirectory {
                    found.append(DiscoveredFile(path: "", absolutePath: shown + "/",
                                                problem: "a directory whose name is not valid UTF-8: not searched (rename it)"))
                } else if sourceExtensions.contains(name.pathExtension.lowercased()) {
                    found.append(DiscoveredFile(path: "", absolutePath: shown,
                                                problem: "the file's name is not valid UTF-8: not analysed (rename it)"))
                }
            }
            for entry in names.sorted() {
                let path = directory + "/" + entry
                if entry.hasPrefix(".") || matches(exclude, path: path, name: entry, bases: patternBases) { continue }
                var link = stat()
                guard lstat(path, &link) == 0 else { continue }
                let isLink = link.st_mode & S_IFMT == S_IFLNK
                let isSource = sourceExtensions.contains(PathDisplay.pathExtension(of: entry).lowercased())
                var info = stat()
                guard stat(path, &info) == 0 else {
                    if isSource {
                        found.append(DiscoveredFile(path: "", absolutePath: path, problem: "a symbolic link that leads nowhere (a loop, or a missing target)"))
                    }
                    continue
                }
                let isDirectory = info.st_mode & S_IFMT == S_IFDIR
                guard isDirectory || isSource else { continue }
                if isLink, let target = PathDisplay.real(path), !isInTree(target) {
                    let what = isDirectory ? "directory" : "file"
                    found.append(DiscoveredFile(path: "", absolutePath: path,
                                                problem: "a symbolic link to a \(what) outside the analysed tree (\(target)): not \(isDirectory ? "searched" : "read")"))
                    continue
                }
                if isDirectory {
                    if skipDefaults && skippedDirectories.contains(entry) { continue }
                    walk(path)
                } else {
                    found.append(DiscoveredFile(path: "", absolutePath: path))
                }
            }
        }
    }

    /// A directory entry whose name is not valid UTF-8.
    struct UndecodableName {
        var bytes: [UInt8]
        var isDirectory: Bool

        /// Printable ASCII as is, every other byte as a backslash and three octal digits.
        var escaped: String { PathDisplay.escaped(bytes) }

        var pathExtension: String {
            guard let dot = bytes.lastIndex(of: 0x2E) else { return "" }
            return String(decoding: bytes[(dot + 1)...], as: UTF8.self)
        }
    }

    /// The names in a directory, read with readdir (Foundation drops names that are not UTF-8).
    static func entries(of directory: String) -> (names: [String], undecodable: [UndecodableName]) {
        guard let stream = opendir(directory) else { return ([], []) }
        defer { closedir(stream) }
        var names: [String] = []
        var undecodable: [UndecodableName] = []
        while let entry = readdir(stream) {
            let bytes: [UInt8] = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 })
            }
            if bytes == [0x2E] || bytes == [0x2E, 0x2E] { continue }
            if let name = String(validating: bytes, as: UTF8.self) {
                names.append(name)
            } else {
                var info = stat()
                let isDirectory = (bytes + [0]).withUnsafeBufferPointer { name in
                    fstatat(dirfd(stream), UnsafeRawPointer(name.baseAddress!).assumingMemoryBound(to: CChar.self), &info, 0) == 0
                } && info.st_mode & S_IFMT == S_IFDIR
                undecodable.append(UndecodableName(bytes: bytes, isDirectory: isDirectory))
            }
        }
        return (names, undecodable)
    }

    /// Glob patterns match the file name, the path relative to each base directory it lies
    /// under (the working directory, the configuration's), and, when they start with `/`, the
    /// absolute path: never the directories above the project.
    static func matches(_ patterns: [String], path: String, name: String, bases: [String]) -> Bool {
        guard !patterns.isEmpty else { return false }
        let relatives = bases.compactMap { base -> String? in
            PathDisplay.isUnder(path, root: base) && path != base ? PathDisplay.display(path, workingDirectory: base) : nil
        }
        return patterns.contains { pattern in
            fnmatch(pattern, name, 0) == 0 || relatives.contains { fnmatch(pattern, $0, 0) == 0 }
                || (pattern.hasPrefix("/") && fnmatch(pattern, path, 0) == 0)
        }
    }
}
