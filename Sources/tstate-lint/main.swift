import ArgumentParser
import Foundation
import TStateLint

#if canImport(Glibc)
import Glibc
#endif

struct TStateLintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tstate-lint",
        abstract: "Finds thread-state (GIL) and sub-interpreter misuse in CPython C extensions.",
        version: TStateLintVersion.current,
        subcommands: [Check.self, Rules.self, Rule.self, Summaries.self, CFG.self],
        defaultSubcommand: Check.self
    )
}

extension ReportFormat: ExpressibleByArgument {}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Analyse C sources (files or directories; default: .).")

    @Argument(help: "Files or directories to analyse.")
    var paths: [String] = []

    @Option(name: .long, help: "Output format: text, json, json-lines, github, sarif, junit or gitlab.")
    var format: ReportFormat = .text

    @Flag(name: .long, help: "SARIF: include suppressed findings, marked as suppressed in source.")
    var showSuppressed = false

    @Option(name: .shortAndLong, help: "Write the report to this file instead of standard output.")
    var output: String?

    @Option(name: .long, help: "Rule ids or prefixes to run, comma-separated (e.g. TS1,TS201); `ALL` includes opt-in rules.")
    var select: [String] = []

    @Option(name: .long, help: "Rule ids or prefixes to skip, comma-separated.")
    var ignore: [String] = []

    @Option(name: [.customShort("j", allowingJoined: true), .long], help: "Parallel jobs (default: number of cores).")
    var jobs: Int?

    @Option(name: .long, help: "The Rules directory (default: the installed one).")
    var rulesDir: String?

    @Option(name: .long, help: "A configuration file (default: .tstate-lint.toml or [tool.tstate-lint] in pyproject.toml, found from the first path upwards).")
    var config: String?

    @Flag(name: .long, help: "Ignore configuration files.")
    var isolated = false

    @Flag(name: .long, help: "Exit 0 even when there are findings.")
    var exitZero = false

    var clangArguments: [String] { passthroughClangArguments }

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("-j must be at least 1") }
    }

    func run() throws {
        let store = try loadStore(rulesDir)
        var options = RunOptions(paths: paths.isEmpty ? ["."] : paths, clangArguments: clangArguments,
                                 select: select.isEmpty ? nil : select.flatMap { $0.split(separator: ",").map(String.init) },
                                 ignore: ignore.flatMap { $0.split(separator: ",").map(String.init) },
                                 jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        options.jobsGiven = jobs != nil
        options.configuration = try loadConfiguration(explicit: config, isolated: isolated, paths: options.paths)
        let result: RunResult
        do {
            result = try Runner(store: store).run(options)
        } catch let error as UsageError {
            throw Failure(message: error.description)
        }
        let toTerminal = output == nil && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        let rendered = Reporter.render(result, format: format, catalog: store.catalog, version: TStateLintVersion.current,
                                       color: format == .text && toTerminal, workingDirectory: options.workingDirectory,
                                       showSuppressed: showSuppressed)
        if let output {
            do {
                try rendered.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw Failure(message: "cannot write \(output): \(error.localizedDescription)")
            }
        } else {
            FileHandle.standardOutput.write(Data(rendered.utf8))
        }
        if !exitZero && SeverityCounts(result.diagnostics).failing > 0 {
            throw ExitCode(1)
        }
    }
}

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the rules.")

    @Option(name: .long, help: "The Rules directory (default: the installed one).")
    var rulesDir: String?

    func run() throws {
        let store = try loadStore(rulesDir)
        var out = ""
        for rule in store.catalog.rules {
            let optIn = rule.isOptIn ? " (opt-in)" : ""
            out += "\(rule.id)  \(rule.name.padding(toLength: 36, withPad: " ", startingAt: 0)) \(rule.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))\(rule.summary)\(optIn)\n"
        }
        print(out, terminator: "")
    }
}

struct Rule: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Explain a rule: what it means, a wrong and a right example, how to suppress it.")

    @Argument(help: "A rule id, e.g. TS101.")
    var id: String

    @Option(name: .long, help: "The Rules directory (default: the installed one).")
    var rulesDir: String?

    func run() throws {
        let store = try loadStore(rulesDir)
        guard let rule = store.catalog.rule(id) else {
            throw Failure(message: "unknown rule `\(id)`; `tstate-lint rules` lists them")
        }
        print(RuleDocRenderer.render(rule), terminator: "")
    }
}

struct Summaries: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show what the analysis concluded each function does to the thread state, as its callers see it.")

    @Argument(help: "Files or directories (analysed together, as `check` does).")
    var paths: [String] = []

    @Option(name: .long, help: "Only this function.")
    var function: String?

    var clangArguments: [String] { passthroughClangArguments }

    func run() throws {
        let store = try loadStore(nil)
        var options = RunOptions(paths: paths.isEmpty ? ["."] : paths, clangArguments: clangArguments)
        options.collectSummaries = true
        options.configuration = try loadConfiguration(explicit: nil, isolated: false, paths: options.paths)
        let result: RunResult
        do {
            result = try Runner(store: store).run(options)
        } catch let error as UsageError {
            throw Failure(message: error.description)
        }
        print(SummaryReport.render(result.summaries, matching: function), terminator: "")
    }
}

struct CFG: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the control-flow graph the analysis sees for each function of a file.")

    @Argument(help: "A C file.")
    var file: String

    var clangArguments: [String] { passthroughClangArguments }

    func run() throws {
        let store = try loadStore(nil)
        let runner = Runner(store: store)
        var arguments = clangArguments
        if !PythonIncludes.argumentsNamePythonHeaders(arguments), let include = PythonIncludes.locate() {
            arguments.append("-I" + include)
        }
        let cwd = FileManager.default.currentDirectoryPath
        let unit = Frontend(options: runner.frontendOptions()).parse(path: file, arguments: arguments, projectRoots: [cwd], workingDirectory: cwd)
        print("\(unit.path): \(unit.status.rawValue)\(unit.message.map { " (\($0))" } ?? "")")
        for function in unit.functions { print(IRPrinter.render(function)) }
    }
}

struct Failure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

func loadConfiguration(explicit: String?, isolated: Bool, paths: [String]) throws -> Configuration {
    do {
        if isolated { return Configuration() }
        if let explicit { return try Configuration.load(explicit) }
        return try Configuration.discover(for: paths, workingDirectory: FileManager.default.currentDirectoryPath)
    } catch let error as ConfigurationError {
        throw Failure(message: error.description)
    }
}

func loadStore(_ directory: String?) throws -> RuleStore {
    do {
        return try RuleStore.load(directory: directory)
    } catch let error as RuleStoreError {
        throw Failure(message: error.description)
    }
}

/// Everything after `--` goes to clang untouched (ArgumentParser cannot have two arrays of
/// positional arguments).
let commandLine = Array(CommandLine.arguments.dropFirst())
let separator = commandLine.firstIndex(of: "--")
nonisolated(unsafe) let passthroughClangArguments = separator.map { Array(commandLine[($0 + 1)...]) } ?? []
let ownArguments = separator.map { Array(commandLine[..<$0]) } ?? commandLine

/// Exit codes as ruff: 0 clean, 1 findings, 2 usage error, bad configuration or internal failure.
do {
    var command = try TStateLintCommand.parseAsRoot(ownArguments)
    try command.run()
} catch let exit as ExitCode {
    Foundation.exit(exit.rawValue)
} catch let failure as Failure {
    FileHandle.standardError.write(Data("tstate-lint: error: \(failure.message)\n".utf8))
    Foundation.exit(2)
} catch {
    let code = TStateLintCommand.exitCode(for: error)
    if code == .success {
        print(TStateLintCommand.fullMessage(for: error))
        Foundation.exit(0)
    }
    FileHandle.standardError.write(Data((TStateLintCommand.fullMessage(for: error) + "\n").utf8))
    Foundation.exit(2)
}
