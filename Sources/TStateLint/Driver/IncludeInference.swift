import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where include inference may look for a header the flags do not reach: the project's own
/// tree (read, never run) and the system's headers.
public struct IncludeSearchScope: Codable, Hashable, Sendable {
    /// The run's directories and the project roots above them.
    public var roots: [String]

    public init(roots: [String]) {
        self.roots = roots
    }

    /// The run's directories, and above each the nearest directory that marks a project
    /// (pyproject.toml, setup.py, setup.cfg, meson.build, CMakeLists.txt, .git).
    static func around(_ directories: [String]) -> IncludeSearchScope {
        var roots: [String] = []
        for directory in directories {
            if !roots.contains(directory) { roots.append(directory) }
            if let project = projectRoot(above: directory), !roots.contains(project) { roots.append(project) }
        }
        return IncludeSearchScope(roots: roots)
    }

    static let projectMarkers = ["pyproject.toml", "setup.py", "setup.cfg", "meson.build", "CMakeLists.txt", ".git"]

    static func projectRoot(above directory: String) -> String? {
        var candidate = directory
        for _ in 0..<16 {
            if projectMarkers.contains(where: { FileManager.default.fileExists(atPath: candidate + "/" + $0) }) { return candidate }
            let parent = PathDisplay.directory(of: candidate)
            if parent == candidate || parent.isEmpty || parent == "/" { return nil }
            candidate = parent
        }
        return nil
    }
}

/// Finds the directories that make a file's missing headers resolve, the way a newcomer's
/// first run needs: a quoted header somewhere in the project tree, an angled one in the tree,
/// in a pkg-config package's include directories, or one level under a system include
/// directory (`/usr/include/postgresql/libpq-fe.h`). Nothing from the tree is run; pkg-config
/// is run only with the names of packages installed on the system.
public final class IncludeInference: @unchecked Sendable {
    let scope: IncludeSearchScope
    private let lock = NSLock()
    private var index: HeaderIndex?
    private var packages: [PkgConfigPackage]?
    private var packageFlags: [String: [String]] = [:]
    /// Where outside the tree each header spelling was found: asked once per run, not per file.
    private var foundOutside: [String: (package: (name: String, flags: [String], directories: [String])?, subdirectories: [String])] = [:]

    /// At most this many directories are added to one file.
    static let maximumPerFile = 24

    init(scope: IncludeSearchScope) {
        self.scope = scope
    }

    private static let sharedLock = NSLock()
    nonisolated(unsafe) private static var shared: [IncludeSearchScope: IncludeInference] = [:]

    /// One per scope in a process: the tree is walked once.
    static func forScope(_ scope: IncludeSearchScope) -> IncludeInference {
        sharedLock.lock()
        defer { sharedLock.unlock() }
        if let known = shared[scope] { return known }
        let made = IncludeInference(scope: scope)
        shared[scope] = made
        return made
    }

    /// Flags that reach headers clang did not find. The first call for a file also reads the
    /// file and the project headers it reaches for every include the tree can answer, so that one re-parse
    /// usually suffices.
    func flags(for missing: MissingInclude, arguments: [String], builtinHeaders: String?) -> [InferredFlag] {
        lock.lock()
        defer { lock.unlock() }
        var found = Found(search: SearchPath(arguments: arguments, builtinHeaders: builtinHeaders), given: Set(arguments))
        if missing.firstRound {
            scanTree(from: missing.mainFile, into: &found)
        }
        let includerDirectory = PathDisplay.directory(of: missing.includer)
        guard found.search.find(missing.spelling, quoted: true, from: includerDirectory) == nil else { return found.flags }
        if let directory = treeDirectory(holding: missing.spelling, near: includerDirectory) {
            found.add(InferredFlag(flag: "-I" + directory, reason: "`\(missing.spelling)` is there (included by \(PathDisplay.lastComponent(of: missing.includer)))"), directory: directory)
        } else {
            let name = PathDisplay.lastComponent(of: missing.spelling)
            // One the project's build writes (config.h) is never another package's.
            guard !generatedHeaders.contains(name), !Self.buildConfigurationNames.contains(name) else { return found.flags }
            let (package, subdirectories) = outsideTheTree(missing.spelling)
            // A quoted include is the project's own first: taken from the system only when one
            // place there has it (`#include "httpd.h"`, /usr/include/apache2), never a guess.
            let places = Set((package?.directories ?? []) + subdirectories)
            if !missing.angled && places.count != 1 { return found.flags }
            if let package {
                for flag in package.flags {
                    found.add(InferredFlag(flag: flag, reason: "pkg-config --cflags \(package.name): its headers include `\(missing.spelling)`"), directory: nil)
                }
            } else if let directory = subdirectories.first {
                found.add(InferredFlag(flag: "-I" + directory, reason: "`\(missing.spelling)` is there, one level under a system include directory"), directory: directory)
            }
        }
        return found.flags
    }

    /// Names builds give the header they write with what they found on the machine.
    static let buildConfigurationNames: Set<String> = ["config.h", "autoconfig.h", "build_config.h", "pyconfig.h", "version.h"]

    /// The flags found for one file so far, and the search path they make.
    private struct Found {
        var search: SearchPath
        let given: Set<String>
        var flags: [InferredFlag] = []

        mutating func add(_ flag: InferredFlag, directory: String?) {
            guard flags.count < IncludeInference.maximumPerFile, !flags.contains(where: { $0.flag == flag.flag }), !given.contains(flag.flag) else { return }
            flags.append(flag)
            if let directory { search.user.append(directory) }
        }
    }

    /// Quoted includes of the file and of the project headers it reaches, each resolved with
    /// the flags so far or else in the tree.
    private func scanTree(from mainFile: String, into found: inout Found) {
        var queue = [mainFile]
        var seen: Set<String> = [mainFile]
        while let file = queue.popLast(), seen.count < 2000 {
            let directory = PathDisplay.directory(of: file)
            for include in IncludeScanner.includes(ofFileAt: file) {
                var path = found.search.find(include.spelling, quoted: include.quoted, from: directory)
                if path == nil, let inTree = treeDirectory(holding: include.spelling, near: directory) {
                    found.add(InferredFlag(flag: "-I" + inTree, reason: "`\(include.spelling)` is there (included by \(PathDisplay.lastComponent(of: file)))"), directory: inTree)
                    path = inTree + "/" + include.spelling
                }
                if let path, isInTree(path), seen.insert(path).inserted { queue.append(path) }
            }
        }
    }

    /// With links resolved: a header that links out of the tree is not read.
    private func isInTree(_ path: String) -> Bool {
        guard let real = PathDisplay.real(path) else { return false }
        return scope.roots.contains { PathDisplay.isUnder(real, root: PathDisplay.real($0) ?? $0) }
    }

    /// Headers the project's build writes: those with a template in the tree (`config.h.in`,
    /// `.cmake`, `.meson`), and those meson.build's `configure_file(output:)`, configure.ac's
    /// `AC_CONFIG_HEADERS` or CMakeLists.txt's `configure_file` name.
    private lazy var generatedHeaders: Set<String> = {
        if index == nil { index = HeaderIndex(roots: scope.roots) }
        var names = Set<String>()
        for name in index!.paths.keys {
            for suffix in [".in", ".cmake", ".meson"] where name.hasSuffix(".h" + suffix) {
                names.insert(String(name.dropLast(suffix.count)))
            }
        }
        for buildFile in ["meson.build", "configure.ac", "configure.in", "CMakeLists.txt"] {
            for path in index!.paths[buildFile] ?? [] {
                guard let data = RegularFile.contents(atPath: path) else { continue }
                names.formUnion(Self.headersNamed(inBuildFile: String(decoding: data, as: UTF8.self)))
            }
        }
        return names
    }()

    /// `foo.h` wherever a build file writes `'foo.h'`, `[foo.h]` or `/foo.h` after one of
    /// the directives that generate headers.
    static func headersNamed(inBuildFile text: String) -> Set<String> {
        var names = Set<String>()
        for directive in ["configure_file", "AC_CONFIG_HEADERS", "AC_CONFIG_HEADER", "AM_CONFIG_HEADER"] {
            var rest = text[...]
            while let found = rest.range(of: directive + "(") {
                let call = rest[found.upperBound...].prefix { $0 != ")" }
                for word in call.split(whereSeparator: { " \t\n,:'\"[]{}$()".contains($0) }) where word.hasSuffix(".h") {
                    names.insert(PathDisplay.lastComponent(of: String(word)))
                }
                rest = rest[found.upperBound...]
            }
        }
        return names
    }

    /// The directory D of the tree with D/spelling a regular file, nearest the includer.
    private func treeDirectory(holding spelling: String, near includer: String) -> String? {
        guard !spelling.hasPrefix("/"), !spelling.split(separator: "/").contains("..") else { return nil }
        if index == nil { index = HeaderIndex(roots: scope.roots) }
        let name = PathDisplay.lastComponent(of: spelling)
        let suffix = "/" + spelling
        let candidates = (index!.paths[name] ?? []).filter { $0.hasSuffix(suffix) }.map { String($0.dropLast(suffix.count)) }
        return candidates.min { a, b in
            let (foreignA, foreignB) = (Self.isForOtherSystem(a), Self.isForOtherSystem(b))
            if foreignA != foreignB { return !foreignA }
            let (sharedA, sharedB) = (Self.sharedPrefixLength(a, includer), Self.sharedPrefixLength(b, includer))
            if sharedA != sharedB { return sharedA > sharedB }
            return a.count != b.count ? a.count < b.count : a < b
        }
    }

    /// Directories of ports to other systems (CPython's PC/ and Mac/, `_decimal/windows`):
    /// chosen only when nothing else holds the header.
    static func isForOtherSystem(_ directory: String) -> Bool {
        directory.split(separator: "/").contains { component in
            ["windows", "win32", "win64", "win", "msvc", "pc", "pcbuild", "mac", "macos", "darwin", "ios", "android", "vms", "os2"]
                .contains(component.lowercased())
        }
    }

    static func sharedPrefixLength(_ a: String, _ b: String) -> Int {
        zip(a.split(separator: "/"), b.split(separator: "/")).prefix { $0 == $1 }.count
    }

    /// The include directories a pkg-config package gives, for the package that has the header
    /// in one of them (the one with the fewest flags when several do: the most basic).
    private func outsideTheTree(_ spelling: String) -> (package: (name: String, flags: [String], directories: [String])?, subdirectories: [String]) {
        if let known = foundOutside[spelling] { return known }
        let found = (package(holding: spelling), systemSubdirectories(holding: spelling))
        foundOutside[spelling] = found
        return found
    }

    private func package(holding spelling: String) -> (name: String, flags: [String], directories: [String])? {
        guard !spelling.split(separator: "/").contains("..") else { return nil }
        if packages == nil { packages = PkgConfigPackage.installed() }
        let holders = packages!.filter { package in
            package.includeDirectories.contains { RegularFile.isRegular($0 + "/" + spelling) }
        }
        guard let chosen = holders.min(by: { ($0.includeDirectories.count, $0.name) < ($1.includeDirectories.count, $1.name) }) else { return nil }
        if packageFlags[chosen.name] == nil {
            packageFlags[chosen.name] = PkgConfigPackage.includeFlags(of: chosen.name) ?? chosen.includeDirectories.map { "-I" + $0 }
        }
        let directories = Set(holders.flatMap { $0.includeDirectories.filter { RegularFile.isRegular($0 + "/" + spelling) } })
        return (chosen.name, packageFlags[chosen.name]!, directories.sorted())
    }

    /// Directories one level under a system include directory that hold the header, sorted.
    private func systemSubdirectories(holding spelling: String) -> [String] {
        guard !spelling.split(separator: "/").contains("..") else { return [] }
        var found: [String] = []
        for system in SearchPath.systemDirectories {
            let entries = ((try? FileManager.default.contentsOfDirectory(atPath: system)) ?? []).sorted()
            for entry in entries where !entry.hasPrefix(".") {
                let directory = system + "/" + entry
                if RegularFile.isRegular(directory + "/" + spelling) { found.append(directory) }
            }
        }
        return found
    }
}

/// A header clang did not find, in one parse of a file.
public struct MissingInclude: Sendable {
    public var spelling: String
    /// The file whose `#include` named it.
    public var includer: String
    /// `<x.h>`: a system or third-party header. A quoted one is the project's own (perhaps
    /// generated by its build), never looked for outside the tree.
    public var angled: Bool
    public var mainFile: String
    public var firstRound: Bool
}

/// The directories clang searches, in its order, as far as the flags say.
struct SearchPath {
    var quote: [String] = []
    var user: [String] = []
    var system: [String] = []
    var after: [String] = []

    static let systemDirectories: [String] = {
        var machine = utsname()
        uname(&machine)
        let architecture = withUnsafeBytes(of: &machine.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return ["/usr/local/include", "/usr/include/\(architecture)-linux-gnu", "/usr/include"]
            .filter { FileManager.default.fileExists(atPath: $0) }
    }()

    init(arguments: [String], builtinHeaders: String?) {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            for (flag, list) in [("-iquote", \SearchPath.quote), ("-isystem", \SearchPath.system), ("-idirafter", \SearchPath.after), ("-I", \SearchPath.user)]
            where argument.hasPrefix(flag) {
                if argument.count > flag.count {
                    self[keyPath: list].append(String(argument.dropFirst(flag.count)))
                } else if index + 1 < arguments.count {
                    self[keyPath: list].append(arguments[index + 1])
                    index += 1
                }
                break
            }
            index += 1
        }
        system += (builtinHeaders.map { [$0] } ?? []) + Self.systemDirectories
    }

    func find(_ spelling: String, quoted: Bool, from directory: String) -> String? {
        if spelling.hasPrefix("/") { return RegularFile.isRegular(spelling) ? spelling : nil }
        let directories = (quoted ? [directory] + quote : []) + user + system + after
        return directories.lazy.map { $0 + "/" + spelling }.first { FileManager.default.fileExists(atPath: $0) }
    }
}

/// The `#include` lines of a file, read as text: conditional ones too (a header that is not
/// needed costs a lookup, nothing more).
enum IncludeScanner {
    struct Include: Hashable {
        var spelling: String
        var quoted: Bool
    }

    static func includes(ofFileAt path: String) -> [Include] {
        guard let data = RegularFile.contents(atPath: path) else { return [] }
        return includes(in: data)
    }

    static func includes(in data: Data) -> [Include] {
        var found: [Include] = []
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            let count = bytes.count
            var position = 0
            func skipBlanks() { while position < count, bytes[position] == 0x20 || bytes[position] == 0x09 { position += 1 } }
            while position < count {
                skipBlanks()
                if position < count, bytes[position] == UInt8(ascii: "#") {
                    position += 1
                    skipBlanks()
                    let word = position
                    while position < count, (0x61...0x7A).contains(bytes[position]) || bytes[position] == UInt8(ascii: "_") { position += 1 }
                    let directive = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[word..<position]), as: UTF8.self)
                    if directive == "include" || directive == "include_next" || directive == "import" {
                        skipBlanks()
                        if position < count, bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "<") {
                            let close = bytes[position] == UInt8(ascii: "\"") ? UInt8(ascii: "\"") : UInt8(ascii: ">")
                            let quoted = close == UInt8(ascii: "\"")
                            let start = position + 1
                            var end = start
                            while end < count, bytes[end] != close, bytes[end] != 0x0A { end += 1 }
                            if end < count, bytes[end] == close, end > start {
                                found.append(Include(spelling: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self), quoted: quoted))
                            }
                        }
                    }
                }
                while position < count, bytes[position] != 0x0A { position += 1 }
                position += 1
            }
        }
        return found
    }
}

/// The tree's files by name, found once: hidden directories, virtual environments and
/// `__pycache__` are not entered, links are not followed.
struct HeaderIndex {
    var paths: [String: [String]] = [:]
    static let maximumEntries = 200_000

    init(roots: [String]) {
        var seen = 0
        var visited = Set<String>()
        var stack = roots.map { ($0, 0) }
        while let (directory, depth) = stack.popLast(), seen < Self.maximumEntries {
            guard visited.insert(directory).inserted, let handle = opendir(directory) else { continue }
            defer { closedir(handle) }
            while let entry = readdir(handle), seen < Self.maximumEntries {
                let name = withUnsafeBytes(of: &entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                guard !name.hasPrefix(".") else { continue }
                seen += 1
                let path = directory + "/" + name
                switch Int32(entry.pointee.d_type) {
                case Int32(DT_DIR):
                    if depth < 24, !Self.skippedDirectories.contains(name), !name.hasSuffix(".egg-info"),
                       !FileManager.default.fileExists(atPath: path + "/pyvenv.cfg") {
                        stack.append((path, depth + 1))
                    }
                case Int32(DT_REG):
                    paths[name, default: []].append(path)
                default:
                    break
                }
            }
        }
    }

    /// Discovery's, but for the build directories: a header the build wrote may be there.
    static let skippedDirectories = FileDiscovery.skippedDirectories.subtracting(["build", "_build", "dist"])
}

/// A pkg-config package as its .pc file states it: the include directories of its `Cflags`.
struct PkgConfigPackage {
    var name: String
    var includeDirectories: [String]

    /// Packages of the .pc files in pkg-config's search path (read, with variables expanded).
    static func installed() -> [PkgConfigPackage] {
        guard let executable = executable() else { return [] }
        var directories = (ProcessInfo.processInfo.environment["PKG_CONFIG_PATH"] ?? "").split(separator: ":").map(String.init)
        directories += (SystemCommand.output(executable, ["--variable", "pc_path", "pkg-config"]) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":").map(String.init)
        var packages: [PkgConfigPackage] = []
        var names = Set<String>()
        for directory in directories where directory.hasPrefix("/") {
            for file in ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted() where file.hasSuffix(".pc") {
                let name = String(file.dropLast(3))
                guard names.insert(name).inserted,
                      let data = RegularFile.contents(atPath: directory + "/" + file) else { continue }
                let dirs = includeDirectories(in: String(decoding: data, as: UTF8.self))
                    .filter { !SearchPath.systemDirectories.contains($0) }
                if !dirs.isEmpty { packages.append(PkgConfigPackage(name: name, includeDirectories: dirs)) }
            }
        }
        return packages
    }

    static func includeDirectories(in text: String) -> [String] {
        var variables: [String: String] = [:]
        func expand(_ value: String) -> String {
            var result = value
            for _ in 0..<8 {
                guard let open = result.range(of: "${"), let close = result.range(of: "}", range: open.upperBound..<result.endIndex) else { break }
                let name = String(result[open.upperBound..<close.lowerBound])
                result.replaceSubrange(open.lowerBound..<close.upperBound, with: variables[name] ?? "")
            }
            return result
        }
        var directories: [String] = []
        for rawLine in text.split(separator: "\n") {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") { continue }
            if let colon = line.firstIndex(of: ":"), line[..<colon] == "Cflags" {
                for word in expand(String(line[line.index(after: colon)...])).split(separator: " ") where word.hasPrefix("-I") && word.count > 2 {
                    directories.append(String(word.dropFirst(2)))
                }
            } else if let equals = line.firstIndex(of: "="), !line[..<equals].contains(" "), !line[..<equals].contains(":") {
                variables[String(line[..<equals])] = expand(String(line[line.index(after: equals)...]))
            }
        }
        return directories
    }

    /// `pkg-config --cflags-only-I name`: the package's directories and its requirements'.
    static func includeFlags(of name: String) -> [String]? {
        guard let executable = executable(), let output = SystemCommand.output(executable, ["--cflags-only-I", name]) else { return nil }
        let flags = output.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init).filter { $0.hasPrefix("-I") && $0.count > 2 }
        return flags.isEmpty ? nil : flags
    }

    private static func executable() -> String? {
        ["/usr/bin/pkg-config", "/usr/local/bin/pkg-config", "/usr/bin/pkgconf"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
