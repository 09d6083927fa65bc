import Foundation
import TOMLKit

public struct ConfigurationError: Error, CustomStringConvertible {
    public var description: String
}

/// A function or macro the project declares, with the effect it has on the thread state.
public struct DeclaredEffect: Hashable, Sendable {
    public var name: String
    public var effect: Effect
    public var argument: Int?
}

/// `[tool.tstate-lint]` in pyproject.toml, or `.tstate-lint.toml`. Every key is checked:
/// an unknown key or a value of the wrong kind is an error naming the file and the key.
public struct Configuration: Sendable {
    public var path: String?
    public var select: [String]?
    public var extendSelect: [String] = []
    public var ignore: [String] = []
    public var perFileIgnores: [(pattern: String, rules: [String])] = []
    public var exclude: [String]?
    public var extendExclude: [String] = []
    public var includeDirs: [String] = []
    public var defines: [String] = []
    public var pythonInclude: String?
    public var jobs: Int?
    public var effects: [DeclaredEffect] = []
    public var foreignThreadRegistrars: [String] = []
    /// Functions a non-Python host calls (plug-in init hooks found with dlsym), with the
    /// thread state they are entered with: held to leaving it as they found it.
    public var hostEntryPoints: [String: EntryAssumption] = [:]
    public var severity: [String: Severity] = [:]
    public var cacheDirectory: String?
    public var timeout: Double?
    public var compileCommands: String?
    /// false: no include inference (`--no-infer-includes`).
    public var inferIncludes: Bool?

    public init() {}

    static let keys: [String: String] = [
        "select": "a list of rule ids or prefixes",
        "ignore": "a list of rule ids or prefixes",
        "extend-select": "a list of rule ids or prefixes",
        "per-file-ignores": "a table of glob = [rule ids]",
        "exclude": "a list of globs (replaces the default excludes)",
        "extend-exclude": "a list of globs",
        "include-dirs": "a list of directories",
        "defines": "a list of NAME or NAME=VALUE",
        "python-include": "a directory holding Python.h",
        "jobs": "a positive integer",
        "effects": "a table of name = effect (or { effect = ..., arg = N })",
        "foreign-thread-registrars": "a list of function names",
        "host-entry-points": "a table of function name = \"attached\" | \"detached\" | \"unknown\"",
        "severity": "a table of rule id = \"error\" | \"warning\" | \"note\"",
        "cache-dir": "a directory",
        "timeout": "seconds per file (a number)",
        "compile-commands": "a compile_commands.json, or the directory holding it",
        "infer-includes": "true or false: look for headers the flags do not reach",
    ]

    static let declarableEffects: [String: Effect] = [
        "detach": .detach, "attach": .attach, "ensure": .ensure, "release": .gilstateRelease, "swap": .swap,
        "needs-thread-state": .needsThreadState, "no-thread-state-needed": .noThreadStateNeeded, "blocking": .blocking,
        "critical-section-begin": .criticalSectionBegin, "critical-section-end": .criticalSectionEnd,
        "mutex-lock": .mutexLock, "mutex-unlock": .mutexUnlock,
        "thread-start": .threadStart, "stores-callback": .storesCallback,
    ]

    /// The configuration that applies to these paths: `.tstate-lint.toml`, or pyproject.toml
    /// with a `[tool.tstate-lint]` table, in the first path's directory or the nearest above it.
    public static func discover(for paths: [String], workingDirectory: String) throws -> Configuration {
        let start = PathDisplay.absolute(paths.first ?? ".", workingDirectory: workingDirectory)
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: start, isDirectory: &isDirectory)
        var directory = isDirectory.boolValue ? start : PathDisplay.directory(of: start)
        while true {
            let dedicated = directory + "/.tstate-lint.toml"
            if FileManager.default.fileExists(atPath: dedicated) { return try load(dedicated) }
            let pyproject = directory + "/pyproject.toml"
            // Looked for in the bytes: a file that is not UTF-8 is an error, not a file without the table.
            if let bytes = RegularFile.contents(atPath: pyproject), bytes.range(of: Data("tool.tstate-lint".utf8)) != nil {
                return try load(pyproject)
            }
            if directory == "/" || directory.isEmpty { return Configuration() }
            directory = PathDisplay.directory(of: directory)
        }
    }

    public static func load(_ path: String) throws -> Configuration {
        guard let bytes = RegularFile.contents(atPath: path) else {
            throw ConfigurationError(description: "\(path): cannot read the configuration file\(RegularFile.isSpecial(path) ? " (not a regular file)" : "")")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let valid = String(decoding: bytes, as: UTF8.self).prefix { $0 != "\u{FFFD}" }
            let line = valid.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
            throw ConfigurationError(description: "\(path):\(line): not valid UTF-8 (TOML files must be UTF-8)")
        }
        let document: TOMLTable
        do {
            document = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(description: "\(path):\(error.source.begin.line):\(error.source.begin.column): invalid TOML: \(error.description)")
        }
        let isPyproject = PathDisplay.lastComponent(of: path) == "pyproject.toml"
        var table = document
        var section = "the file"
        if isPyproject {
            guard let tool = document["tool"]?.table, let ours = tool["tstate-lint"]?.table else { return Configuration() }
            table = ours
            section = "[tool.tstate-lint]"
        }
        return try parse(table, path: path, section: section)
    }

    static func parse(_ table: TOMLTable, path: String, section: String) throws -> Configuration {
        var configuration = Configuration()
        configuration.path = path
        let base = PathDisplay.directory(of: path)
        func fail(_ key: String, _ problem: String) -> ConfigurationError {
            ConfigurationError(description: "\(path): `\(key)` in \(section): \(problem)")
        }
        func strings(_ key: String) throws -> [String] {
            guard let array = table[key]?.array else { throw fail(key, "expected \(keys[key]!)") }
            return try array.map { element in
                guard let string = element.string else { throw fail(key, "expected \(keys[key]!), found a non-string element") }
                return string
            }
        }
        func resolve(_ directory: String) -> String {
            directory.hasPrefix("/") ? directory : PathDisplay.absolute(directory, workingDirectory: base)
        }
        for key in table.keys.sorted() {
            guard keys[key] != nil else {
                throw fail(key, "unknown key; allowed: \(keys.keys.sorted().joined(separator: ", "))")
            }
            switch key {
            case "select": configuration.select = try strings(key)
            case "ignore": configuration.ignore = try strings(key)
            case "extend-select": configuration.extendSelect = try strings(key)
            case "exclude": configuration.exclude = try strings(key)
            case "extend-exclude": configuration.extendExclude = try strings(key)
            case "include-dirs": configuration.includeDirs = try strings(key).map(resolve)
            case "defines": configuration.defines = try strings(key)
            case "foreign-thread-registrars": configuration.foreignThreadRegistrars = try strings(key)
            case "python-include":
                guard let value = table[key]?.string else { throw fail(key, "expected \(keys[key]!)") }
                configuration.pythonInclude = resolve(value)
            case "compile-commands":
                guard let value = table[key]?.string else { throw fail(key, "expected \(keys[key]!)") }
                configuration.compileCommands = resolve(value)
            case "cache-dir":
                guard let value = table[key]?.string else { throw fail(key, "expected \(keys[key]!)") }
                configuration.cacheDirectory = resolve(value)
            case "infer-includes":
                guard let value = table[key]?.bool else { throw fail(key, "expected \(keys[key]!)") }
                configuration.inferIncludes = value
            case "jobs":
                guard let value = table[key]?.int, value > 0 else { throw fail(key, "expected \(keys[key]!)") }
                configuration.jobs = value
            case "timeout":
                guard let value = table[key]?.double ?? table[key]?.int.map(Double.init), value > 0 else { throw fail(key, "expected \(keys[key]!)") }
                configuration.timeout = value
            case "per-file-ignores":
                guard let entries = table[key]?.table else { throw fail(key, "expected \(keys[key]!)") }
                for pattern in entries.keys.sorted() {
                    guard let rules = entries[pattern]?.array?.compactMap({ $0.string }), !rules.isEmpty else {
                        throw fail(key, "`\(pattern)` must map to a list of rule ids")
                    }
                    configuration.perFileIgnores.append((pattern, rules))
                }
            case "host-entry-points":
                guard let entries = table[key]?.table else { throw fail(key, "expected \(keys[key]!)") }
                let states: [String: EntryAssumption] = ["attached": .attached, "detached": .detached, "unknown": .unknown]
                for name in entries.keys.sorted() {
                    guard let value = entries[name]?.string, let state = states[value] else {
                        throw fail(key, "`\(name)` must be \"attached\", \"detached\" or \"unknown\"")
                    }
                    configuration.hostEntryPoints[name] = state
                }
            case "severity":
                guard let entries = table[key]?.table else { throw fail(key, "expected \(keys[key]!)") }
                for rule in entries.keys.sorted() {
                    guard let name = entries[rule]?.string, let severity = Severity(rawValue: name) else {
                        throw fail(key, "`\(rule)` must be \"error\", \"warning\" or \"note\"")
                    }
                    configuration.severity[rule.uppercased()] = severity
                }
            case "effects":
                guard let entries = table[key]?.table else { throw fail(key, "expected \(keys[key]!)") }
                let allowed = declarableEffects.keys.sorted().joined(separator: ", ")
                for name in entries.keys.sorted() {
                    var effectName: String?
                    var argument: Int?
                    if let value = entries[name]?.string {
                        effectName = value
                    } else if let inline = entries[name]?.table {
                        for field in inline.keys where field != "effect" && field != "arg" {
                            throw fail(key, "`\(name)` has an unknown field `\(field)`; allowed: effect, arg")
                        }
                        effectName = inline["effect"]?.string
                        if let raw = inline["arg"] {
                            guard let index = raw.int, (0..<128).contains(index) else {
                                throw fail(key, "`\(name)`: `arg` must be the argument's position, an integer from 0 (the first) to 127")
                            }
                            argument = index
                        }
                    }
                    guard let effectName, let effect = declarableEffects[effectName] else {
                        throw fail(key, "`\(name)` must be one of: \(allowed)")
                    }
                    configuration.effects.append(DeclaredEffect(name: name, effect: effect, argument: argument))
                }
            default:
                break
            }
        }
        return configuration
    }

    /// Checks the rule ids the configuration names against the catalog.
    public func validate(against catalog: RuleCatalog) throws {
        let where_ = path ?? "configuration"
        for selector in (select ?? []) + extendSelect + ignore + perFileIgnores.flatMap(\.rules) where catalog.ids(matching: selector).isEmpty {
            throw ConfigurationError(description: "\(where_): unknown rule or prefix `\(selector)`")
        }
        for rule in severity.keys where catalog.rule(rule) == nil {
            throw ConfigurationError(description: "\(where_): `severity` names an unknown rule `\(rule)`")
        }
    }

    /// The model with the project's declared effects (they win over the built-in entries).
    public func apply(to model: APIModel) -> APIModel {
        var model = model
        for declared in effects {
            let requires: Requirement
            switch declared.effect {
            case .detach, .gilstateRelease, .needsThreadState, .criticalSectionBegin, .criticalSectionEnd: requires = .attached
            case .attach: requires = .detached
            default: requires = .any
            }
            model.declare(APIEntry(name: declared.name, kind: "macro", requires: requires, effect: declared.effect,
                                   arg: declared.argument, byName: true))
        }
        return model
    }
}
