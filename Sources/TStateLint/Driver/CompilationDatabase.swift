import Foundation

/// One file's compile command from `compile_commands.json`, reduced to the clang arguments
/// that matter for parsing it.
public struct CompileCommand: Hashable, Sendable {
    public var file: String
    public var arguments: [String]
}

/// `compile_commands.json` (clang's JSON compilation database) and `compile_flags.txt`, read as
/// data: commands are split into words here, never handed to a shell, and flags that would
/// load code into the parser are dropped.
public struct CompilationDatabase: Sendable {
    public var path: String
    public var commands: [String: CompileCommand]
    /// What was dropped and why, once per distinct flag.
    public var notes: [String]

    /// `-p DIR` names a directory holding compile_commands.json (or the file itself).
    public static func load(_ location: String, workingDirectory: String) throws -> CompilationDatabase {
        var path = PathDisplay.absolute(location, workingDirectory: workingDirectory)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            path += "/compile_commands.json"
        }
        guard let data = RegularFile.contents(atPath: path) else {
            throw UsageError(RegularFile.isSpecial(path) ? "\(location): not a regular file" : "\(location): no compile_commands.json there")
        }
        return try parse(data, path: path)
    }

    /// compile_commands.json in a directory above the first path, or in its `build/`, as clangd looks.
    public static func discover(for paths: [String], workingDirectory: String) -> String? {
        let start = PathDisplay.absolute(paths.first ?? ".", workingDirectory: workingDirectory)
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: start, isDirectory: &isDirectory)
        var directory = isDirectory.boolValue ? start : PathDisplay.directory(of: start)
        while true {
            for candidate in [directory + "/compile_commands.json", directory + "/build/compile_commands.json"]
            where FileManager.default.fileExists(atPath: candidate) {
                return candidate
            }
            if directory == "/" || directory.isEmpty { return nil }
            directory = PathDisplay.directory(of: directory)
        }
    }

    static func parse(_ data: Data, path: String) throws -> CompilationDatabase {
        guard let entries = try? JSONSerialization.jsonObject(with: data) as? [Any] else {
            throw UsageError("\(path): not a JSON compilation database (expected an array of {directory, file, arguments|command})")
        }
        var commands: [String: CompileCommand] = [:]
        var dropped = Set<String>(), refused = Set<String>()
        for (index, element) in entries.enumerated() {
            guard let entry = element as? [String: Any], let directory = entry["directory"] as? String, let file = entry["file"] as? String else {
                throw UsageError("\(path): entry \(index) lacks `directory` or `file`")
            }
            let words: [String]
            if let arguments = entry["arguments"] as? [String] {
                words = arguments
            } else if let command = entry["command"] as? String {
                words = ShellWords.split(command)
            } else {
                throw UsageError("\(path): entry \(index) has neither `arguments` nor `command`")
            }
            let absoluteDirectory = PathDisplay.absolute(directory, workingDirectory: PathDisplay.directory(of: path))
            let absoluteFile = PathDisplay.absolute(file, workingDirectory: absoluteDirectory)
            var rest = words.dropFirst()
            while let first = rest.first, !first.hasPrefix("-"), first != file { rest = rest.dropFirst() }  // ccache gcc ...
            let reduced = CompileFlags.reduce(Array(rest), directory: absoluteDirectory)
            dropped.formUnion(reduced.dropped)
            refused.formUnion(reduced.refused)
            // The first entry for a file wins, as in clang's tools.
            if commands[absoluteFile] == nil {
                commands[absoluteFile] = CompileCommand(file: absoluteFile, arguments: reduced.arguments)
            }
        }
        let notes = CompileFlags.notes(dropped: dropped.sorted(), refused: refused.sorted(), source: path)
        return CompilationDatabase(path: path, commands: commands, notes: notes)
    }

    /// The files of the database under the given paths (a path may also name one file).
    public func files(under paths: [String], workingDirectory: String) -> [String] {
        let roots = paths.map { PathDisplay.absolute($0, workingDirectory: workingDirectory) }
        return commands.keys.filter { file in
            FileDiscovery.sourceExtensions.contains(PathDisplay.pathExtension(of: file).lowercased())
                && roots.contains { PathDisplay.isUnder(file, root: $0) }
        }.sorted()
    }
}

/// `compile_flags.txt`: one argument per line, for every file in its directory and below.
public enum CompileFlagsFile {
    public static func arguments(for file: String, cache: inout [String: [String]?]) -> (path: String, arguments: [String], notes: [String])? {
        var directory = PathDisplay.directory(of: file)
        while !directory.isEmpty {
            if let known = cache[directory] {
                if let arguments = known { return (directory + "/compile_flags.txt", arguments, []) }
            } else {
                let candidate = directory + "/compile_flags.txt"
                if let data = RegularFile.contents(atPath: candidate), let text = String(data: data, encoding: .utf8) {
                    let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    let reduced = CompileFlags.reduce(lines, directory: directory)
                    cache[directory] = reduced.arguments
                    return (candidate, reduced.arguments, CompileFlags.notes(dropped: reduced.dropped, refused: reduced.refused, source: candidate))
                }
                cache[directory] = .some(nil)
            }
            let parent = PathDisplay.directory(of: directory)
            if parent == directory { break }
            directory = parent
        }
        return nil
    }
}

/// Compiler command lines reduced to the flags that change what the preprocessor and the
/// parser see (include paths, macros, language and target), relative paths made absolute.
/// Everything else is dropped: output and dependency-file flags, optimisation and warning
/// flags, GCC-only options clang would reject, and, with a note, anything that loads a plugin.
enum CompileFlags {
    static let pathFlags = ["-isystem", "-iquote", "-idirafter", "-include", "-imacros", "-isysroot", "-iprefix", "-iwithprefix", "-cxx-isystem", "-I", "-F"]
    static let pluginLoaders: Set<String> = ["-load", "-plugin", "-add-plugin"]
    static let keptWithValue: Set<String> = ["-D", "-U", "-x", "-target", "-arch"]
    static let keptAlone: Set<String> = ["-ansi", "-pthread", "-m32", "-m64", "-mx32", "-fsigned-char", "-funsigned-char", "-fms-extensions",
                                         "-fgnu89-inline", "-fopenmp", "-nostdinc", "-nostdinc++", "-nostdlibinc", "-fno-builtin",
                                         "-fblocks", "-fexceptions", "-fno-exceptions", "-fPIC", "-fpic", "-fPIE", "-fpie"]
    static let keptPrefixes = ["-D", "-U", "-std=", "--std=", "-O", "-march=", "-mcpu=", "--target=", "-fms-compatibility-version=", "-fdeclspec"]

    static func isPluginFlag(_ word: String) -> Bool {
        ["-fplugin", "-fpass-plugin", "-fplugin-arg-"].contains { word == $0 || word.hasPrefix($0 + "=") || ($0.hasSuffix("-") && word.hasPrefix($0)) }
    }

    /// Flags given on the command line: all kept, in order, except those that would load code
    /// (`-fplugin=`, `-Xclang -load -Xclang lib.so`, ...); relative paths of `-I` and the like
    /// resolved against `directory`.
    static func withoutPluginFlags(_ words: [String], directory: String) -> (arguments: [String], dropped: [String], refused: [String]) {
        reduce(words, directory: directory, keepingEverythingElse: true)
    }

    /// A compile command's flags reduced to those that change what is parsed (or, keeping
    /// everything else, only stripped of plugins), relative paths resolved against `directory`.
    static func reduce(_ words: [String], directory: String, keepingEverythingElse: Bool = false) -> (arguments: [String], dropped: [String], refused: [String]) {
        var arguments: [String] = []
        var dropped: [String] = []
        var index = 0
        func absolute(_ path: String) -> String { path.hasPrefix("=") ? path : PathDisplay.absolute(path, workingDirectory: directory) }
        // `-include x.h` is looked for in the working directory, then on the include path.
        func included(_ path: String) -> String {
            let resolved = absolute(path)
            return path.hasPrefix("/") || FileManager.default.fileExists(atPath: resolved) ? resolved : path
        }
        func resolve(_ flag: String, _ path: String) -> String { flag == "-include" || flag == "-imacros" ? included(path) : absolute(path) }
        while index < words.count {
            let word = words[index]
            let next: String? = index + 1 < words.count ? words[index + 1] : nil
            index += 1
            if isPluginFlag(word) {
                dropped.append(word)
                if !word.contains("="), next != nil { index += 1 }
                continue
            }
            if word == "-Xclang" || word == "-Xpreprocessor" || word == "-Xassembler" || word == "-Xlinker" {
                guard let next else { continue }
                index += 1
                if CompileFlags.pluginLoaders.contains(next) || next.hasPrefix("-plugin-arg") || isPluginFlag(next) {
                    var description: String = word + " " + next
                    if index + 1 < words.count, words[index] == word {
                        description += " " + word + " " + words[index + 1]
                        index += 2
                    }
                    dropped.append(description)
                } else if keepingEverythingElse {
                    arguments += [word, next]
                }
                continue
            }
            // A precompiled header from the project's own compiler is not one libclang reads.
            if word == "-include-pch" {
                if keepingEverythingElse, let next { arguments += [word, absolute(next)] }
                index += 1
                continue
            }
            if let flag = pathFlags.first(where: { word == $0 }) {
                if let next { arguments += [flag, resolve(flag, next)] }
                index += 1
                continue
            }
            if let flag = pathFlags.first(where: { word.hasPrefix($0) && word.count > $0.count }) {
                arguments.append(flag + resolve(flag, String(word.dropFirst(flag.count))))
                continue
            }
            if word.hasPrefix("--sysroot") {
                if word == "--sysroot", let next { arguments += ["--sysroot", absolute(next)]; index += 1 }
                else if word.hasPrefix("--sysroot=") { arguments.append("--sysroot=" + absolute(String(word.dropFirst(10)))) }
                continue
            }
            if keptWithValue.contains(word) {
                if let next { arguments += [word, next] }
                index += 1
                continue
            }
            if keepingEverythingElse || keptAlone.contains(word) || keptPrefixes.contains(where: { word.hasPrefix($0) }) {
                arguments.append(word)
            }
        }
        let checked = refusingSpecialFiles(arguments)
        return (checked.arguments, dropped, checked.refused)
    }

    /// Flags that make the parser read a file they name.
    static let fileReadingFlags = ["-include-pch", "-include", "-imacros", "-ivfsoverlay", "-fmodule-map-file="]

    /// Drops flags that name something other than a regular file to read: a FIFO or the
    /// worker's own standard input blocks the parse, a device never ends. Checked on the final
    /// arguments, so `-Xclang`-wrapped and joined forms are covered too.
    static func refusingSpecialFiles(_ arguments: [String]) -> (arguments: [String], refused: [String]) {
        var kept: [String] = [], refused: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            let wrapped = word == "-Xclang" && index + 1 < arguments.count
            let flagWord = wrapped ? arguments[index + 1] : word
            let flagEnd = wrapped ? index + 2 : index + 1
            var consumed = flagEnd
            var path: String?
            if flagWord.hasPrefix("@") {
                path = String(flagWord.dropFirst())
            } else if let flag = fileReadingFlags.first(where: { flagWord.hasPrefix($0) }) {
                if flagWord.count > flag.count {
                    path = String(flagWord.dropFirst(flag.count))
                } else if flagWord == flag {
                    // The value follows, itself wrapped when the flag was.
                    let valueIndex = wrapped && flagEnd + 1 < arguments.count && arguments[flagEnd] == "-Xclang" ? flagEnd + 1 : flagEnd
                    if valueIndex < arguments.count {
                        path = arguments[valueIndex]
                        consumed = valueIndex + 1
                    }
                }
            }
            if let path, RegularFile.isSpecial(path) {
                refused.append(arguments[index..<consumed].joined(separator: " "))
                index = consumed
                continue
            }
            kept.append(contentsOf: arguments[index..<consumed])
            index = consumed
        }
        return (kept, refused)
    }

    /// The notes a reduction leaves: what was dropped and why.
    static func notes(dropped: [String], refused: [String], source: String?) -> [String] {
        let prefix = source.map { $0 + ": " } ?? ""
        return dropped.map { "\(prefix)dropped `\($0)`: it would load code into the analyser" }
            + refused.map { "\(prefix)dropped `\($0)`: it names something other than a regular file (a device or FIFO would block or never end)" }
    }
}

/// POSIX shell word splitting for `command` strings: quotes and backslashes, no expansion.
enum ShellWords {
    static func split(_ command: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var iterator = command.makeIterator()
        while let character = iterator.next() {
            switch (quote, character) {
            case (nil, "'"), (nil, "\""):
                quote = character
                inWord = true
            case ("'", "'"), ("\"", "\""):
                quote = nil
            case (nil, "\\"), ("\"", "\\"):
                guard let escaped = iterator.next() else { break }
                if quote == "\"" && !"\"\\$`\n".contains(escaped) { current.append("\\") }
                if escaped != "\n" { current.append(escaped) }
                inWord = true
            case (nil, _) where character.isWhitespace:
                if inWord { words.append(current) }
                current = ""
                inWord = false
            default:
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
