import Foundation

public struct DiscoveredFile: Hashable, Sendable {
    /// As the user will see it: relative to the working directory when under it.
    public var path: String
    public var absolutePath: String
}

public struct DiscoveryError: Error, CustomStringConvertible {
    public var description: String
}

/// Expands the paths on the command line into the C and C++ sources to analyse. Headers are
/// analysed through the sources that include them.
public enum FileDiscovery {
    public static let sourceExtensions: Set<String> = ["c", "cc", "cpp", "cxx", "c++"]
    public static let skippedDirectories: Set<String> = [
        "build", "dist", "node_modules", "__pycache__", "site-packages", "venv", "env", "_build",
    ]

    public static func discover(_ paths: [String], workingDirectory: String, exclude: [String] = [],
                                skipDefaultDirectories: Bool = true) throws -> [DiscoveredFile] {
        let fm = FileManager.default
        var files: [String] = []
        var visitedDirectories = Set<String>()
        for path in paths {
            let absolute = PathDisplay.absolute(path, workingDirectory: workingDirectory)
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
                var link = stat()
                if lstat(absolute, &link) == 0, link.st_mode & S_IFMT == S_IFLNK {
                    throw DiscoveryError(description: "\(path): a symbolic link that leads nowhere (a loop, or a missing target)")
                }
                throw DiscoveryError(description: "\(path): no such file or directory")
            }
            if isDirectory.boolValue {
                walk(absolute, into: &files, visited: &visitedDirectories, exclude: exclude, skipDefaults: skipDefaultDirectories,
                     workingDirectory: workingDirectory)
            } else {
                files.append(absolute)
            }
        }
        var seen = Set<String>()
        return files.filter { seen.insert($0).inserted }
            .sorted()
            .map { DiscoveredFile(path: PathDisplay.display($0, workingDirectory: workingDirectory), absolutePath: $0) }
    }

    private static func walk(_ directory: String, into files: inout [String], visited: inout Set<String>, exclude: [String],
                             skipDefaults: Bool, workingDirectory: String) {
        let fm = FileManager.default
        let resolved = (try? fm.destinationOfSymbolicLink(atPath: directory)).map {
            PathDisplay.absolute($0.hasPrefix("/") ? $0 : PathDisplay.directory(of: directory) + "/" + $0, workingDirectory: workingDirectory)
        } ?? directory
        let real = URL(fileURLWithPath: resolved).resolvingSymlinksInPath().path
        guard visited.insert(real).inserted else { return }
        guard let entries = try? fm.contentsOfDirectory(atPath: directory) else { return }
        for entry in entries.sorted() {
            let path = directory + "/" + entry
            if entry.hasPrefix(".") || matches(exclude, path: path, name: entry, workingDirectory: workingDirectory) { continue }
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                if skipDefaults && skippedDirectories.contains(entry) { continue }
                walk(path, into: &files, visited: &visited, exclude: exclude, skipDefaults: skipDefaults, workingDirectory: workingDirectory)
            } else if sourceExtensions.contains(PathDisplay.pathExtension(of: entry).lowercased()) {
                files.append(path)
            }
        }
    }

    /// Glob patterns match the file name or the path relative to the working directory.
    static func matches(_ patterns: [String], path: String, name: String, workingDirectory: String) -> Bool {
        guard !patterns.isEmpty else { return false }
        let relative = PathDisplay.display(path, workingDirectory: workingDirectory)
        return patterns.contains { pattern in
            fnmatch(pattern, name, 0) == 0 || fnmatch(pattern, relative, 0) == 0 || fnmatch(pattern, path, 0) == 0
        }
    }
}
