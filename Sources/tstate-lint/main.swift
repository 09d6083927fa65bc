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
        subcommands: [Check.self, Rules.self, Rule.self, Readiness.self, Summaries.self, CFG.self, FrontendWorkerCommand.self],
        defaultSubcommand: Check.self
    )
}

extension ReportFormat: ExpressibleByArgument {}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyse C sources (files or directories; default: .).",
        usage: "tstate-lint check [<options>] [<paths> ...] [-- <clang arguments> ...]",
        discussion: clangArgumentsHelp)

    @Argument(help: "Files or directories to analyse.")
    var paths: [String] = []

    @Option(name: .long, help: "Output format: text, json, json-lines, github, sarif, junit or gitlab.")
    var format: ReportFormat = .text

    @Option(name: .long, help: "Colour the text report: auto (a terminal, unless NO_COLOR is set or TERM is dumb; FORCE_COLOR colours a pipe too), always or never.")
    var color: ColorChoice = .auto

    @Flag(name: .long, help: "SARIF: include suppressed findings, marked as suppressed in source.")
    var showSuppressed = false

    @Option(name: .shortAndLong, help: "Write the report to this file instead of standard output.")
    var output: String?

    @Option(name: .long, help: "Rule ids or prefixes to run, comma-separated (e.g. TS1,TS201); an opt-in rule runs only when named by its id or `ALL`.")
    var select: [String] = []

    @Option(name: .long, help: "Rule ids or prefixes to add to the selected ones, comma-separated (an opt-in rule by its own id).")
    var extendSelect: [String] = []

    @Option(name: .long, help: "Rule ids or prefixes to skip, comma-separated.")
    var ignore: [String] = []

    @Option(name: [.customShort("j", allowingJoined: true), .long], help: "Parallel jobs (default: number of cores).")
    var jobs: Int?

    @OptionGroup var project: ProjectOptions

    @Flag(name: .long, help: "Exit 0 even when there are findings.")
    var exitZero = false

    @Flag(name: .long, help: "Report suppression comments that suppress nothing (rule TS002).")
    var reportUnusedSuppressions = false

    @Option(name: .long, help: "Report only findings that this baseline file does not list.")
    var baseline: String?

    @Option(name: .long, help: "Write today's findings to this baseline file (and report nothing); exit 0.")
    var writeBaseline: String?

    @OptionGroup var parsing: ParsingOptions

    var clangArguments: [String] { passthroughClangArguments }

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("-j must be at least 1") }
    }

    func run() throws {
        let store = try loadStore(project.rulesDir)
        var options = RunOptions(paths: paths.isEmpty ? ["."] : paths, clangArguments: clangArguments,
                                 select: select.isEmpty ? nil : select.flatMap { $0.split(separator: ",").map(String.init) },
                                 ignore: ignore.flatMap { $0.split(separator: ",").map(String.init) },
                                 jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        options.jobsGiven = jobs != nil
        options.configuration = try loadConfiguration(explicit: project.config, isolated: project.isolated, paths: options.paths)
        options.extendSelect = extendSelect.flatMap { $0.split(separator: ",").map(String.init) }
        if reportUnusedSuppressions { options.alwaysSelect.append("TS002") }
        options.baseline = baseline
        let result = try parsing.run(store: store, options: &options)
        if let writeBaseline {
            do {
                try Baseline.write(result.diagnostics, to: writeBaseline)
            } catch let error as UsageError {
                throw Failure(message: error.description)
            }
            FileHandle.standardError.write(Data("tstate-lint: wrote \(TextReport.counted(result.diagnostics.count, "finding")) to the baseline \(writeBaseline)\n".utf8))
            return
        }
        let toTerminal = output == nil && isatty(STDOUT_FILENO) == 1
        let colors = color.colors(toTerminal: toTerminal, environment: ProcessInfo.processInfo.environment)
        let rendered = Reporter.render(result, format: format, catalog: store.catalog, version: TStateLintVersion.current,
                                       color: format == .text && colors, workingDirectory: options.workingDirectory,
                                       showSuppressed: showSuppressed)
        if let output {
            do {
                try OutputFile.write(Data(rendered.utf8), to: output)
            } catch let error as OutputFile.Failure {
                throw Failure(message: "cannot write \(output): \(error.description)")
            }
        } else {
            FileHandle.standardOutput.write(Data(rendered.utf8))
        }
        if result.nothingAnalysable {
            throw Failure(message: "no file could be analysed (\(result.files.filter { $0.status == .failed }.count) failed)")
        }
        if !exitZero && SeverityCounts(result.diagnostics).failing > 0 {
            throw ExitCode(1)
        }
    }
}

extension ColorChoice: ExpressibleByArgument {}

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the rules.")

    @Option(name: .long, help: "The Rules directory (default: the installed one).")
    var rulesDir: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: ReportFormat = .text

    func validate() throws {
        if format != .text && format != .json { throw ValidationError("rules supports --format text or json") }
    }

    func run() throws {
        let store = try loadStore(rulesDir)
        if format == .json {
            print(JSONValue.array(store.catalog.rules.map { rule in
                .object([("id", .string(rule.id)), ("name", .string(rule.name)), ("severity", .string(rule.severity.rawValue)),
                         ("summary", .string(rule.summary)), ("opt_in", .bool(rule.isOptIn)), ("explanation", .string(RuleDocRenderer.render(rule)))])
            }).serialized())
            return
        }
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
    static let configuration = CommandConfiguration(
        abstract: "Show what the analysis concluded each function does to the thread state, as its callers see it.",
        usage: "tstate-lint summaries [<options>] [<paths> ...] [-- <clang arguments> ...]",
        discussion: clangArgumentsHelp)

    @Argument(help: "Files or directories (analysed together, as `check` does).")
    var paths: [String] = []

    @Option(name: .long, help: "Only this function.")
    var function: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: ReportFormat = .text

    @OptionGroup var project: ProjectOptions

    var clangArguments: [String] { passthroughClangArguments }

    @OptionGroup var parsing: ParsingOptions

    func validate() throws {
        if format != .text && format != .json { throw ValidationError("summaries supports --format text or json") }
    }

    func run() throws {
        let store = try loadStore(project.rulesDir)
        var options = RunOptions(paths: paths.isEmpty ? ["."] : paths, clangArguments: clangArguments)
        options.collectSummaries = true
        options.configuration = try loadConfiguration(explicit: project.config, isolated: project.isolated, paths: options.paths)
        let result = try parsing.run(store: store, options: &options)
        if format == .json {
            let chosen = result.summaries.filter { function == nil || $0.name == function }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            let summaries = String(decoding: try encoder.encode(chosen), as: UTF8.self)
            print("{\"tool\": {\"name\": \"\(JSONReport.toolName)\", \"version\": \"\(TStateLintVersion.current)\"}, \"summaries\": \(summaries)}")
            return
        }
        print(SummaryReport.render(result.summaries, matching: function), terminator: "")
    }
}

struct Readiness: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "For every module: init kind, what it declares about sub-interpreters and the GIL, and what blocks Py_MOD_PER_INTERPRETER_GIL_SUPPORTED.",
        usage: "tstate-lint readiness [<options>] [<paths> ...] [-- <clang arguments> ...]",
        discussion: clangArgumentsHelp)

    @Argument(help: "Files or directories (analysed together, as `check` does).")
    var paths: [String] = []

    @Option(name: .long, help: "Output format: text or json.")
    var format: ReportFormat = .text

    @OptionGroup var project: ProjectOptions

    @OptionGroup var parsing: ParsingOptions

    var clangArguments: [String] { passthroughClangArguments }

    func validate() throws {
        if format != .text && format != .json { throw ValidationError("readiness supports --format text or json") }
    }

    func run() throws {
        let store = try loadStore(project.rulesDir)
        var options = RunOptions(paths: paths.isEmpty ? ["."] : paths, clangArguments: clangArguments, select: ["ALL"])
        options.configuration = try loadConfiguration(explicit: project.config, isolated: project.isolated, paths: options.paths)
        let result = try parsing.run(store: store, options: &options)
        if format == .json {
            let document = JSONValue.object([
                ("tool", .object([("name", .string(JSONReport.toolName)), ("version", .string(TStateLintVersion.current))])),
                ("modules", ReadinessReport.json(result.modules)),
                ("files", .array(result.files.map(JSONReport.file))),
            ])
            print(document.serialized())
        } else {
            print(ReadinessReport.text(result.modules), terminator: "")
            for file in result.files where file.status == .failed || file.status == .parseErrors {
                print("\(file.path): \(file.status.rawValue): \(file.message ?? "")")
            }
        }
    }
}

struct CFG: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the control-flow graph the analysis sees for each function of a file.",
        usage: "tstate-lint cfg <file> [<options>] [-- <clang arguments> ...]",
        discussion: clangArgumentsHelp)

    @Argument(help: "A C file.")
    var file: String

    @Option(name: [.customShort("p"), .customLong("compile-commands")], help: "A compile_commands.json, or the build directory holding it (default: one found above the file).")
    var compileCommands: String?

    @OptionGroup var project: ProjectOptions

    @Flag(name: .long, help: "Do not look for headers the flags do not reach.")
    var noInferIncludes = false

    @Option(name: .long, help: "Seconds the file may take to parse before it is given up (default: 300).")
    var timeout: Double?

    @Flag(name: .long, help: ArgumentHelp("Parse in this process instead of a worker process.", visibility: .hidden))
    var inProcess = false

    var clangArguments: [String] { passthroughClangArguments }

    func run() throws {
        let store = try loadStore(project.rulesDir)
        let runner = Runner(store: store)
        var options = RunOptions(paths: [file], clangArguments: clangArguments)
        options.configuration = try loadConfiguration(explicit: project.config, isolated: project.isolated, paths: options.paths)
        options.compilationDatabase = compileCommands
        options.infersIncludes = !noInferIncludes
        let isolation = inProcess ? nil : ParseIsolation.workers(timeout: timeout ?? 300)
        let unit: TranslationUnit
        let notes: [String]
        do {
            (unit, notes) = try runner.parseOne(options, isolation: isolation)
        } catch let error as UsageError {
            throw Failure(message: error.description)
        }
        for note in notes { FileHandle.standardError.write(Data("tstate-lint: note: \(note)\n".utf8)) }
        for inferred in unit.inferred { FileHandle.standardError.write(Data("tstate-lint: inferred `\(inferred.flag)`: \(inferred.reason)\n".utf8)) }
        print("\(unit.path): \(unit.status.rawValue)\(unit.message.map { " (\($0))" } ?? "")")
        for function in unit.functions { print(IRPrinter.render(function)) }
        // As `check`: a file that could not be (fully) parsed is not a success.
        if unit.status != .analyzed { throw ExitCode(1) }
    }
}

/// The configuration and rules a command reads, as `check` does.
struct ProjectOptions: ParsableArguments {
    @Option(name: .long, help: "A configuration file (default: .tstate-lint.toml or [tool.tstate-lint] in pyproject.toml, found from the first path upwards).")
    var config: String?

    @Flag(name: .long, help: "Ignore configuration files.")
    var isolated = false

    @Option(name: .long, help: "The Rules directory (default: the installed one).")
    var rulesDir: String?
}

/// How files are found, parsed and cached: shared by `check` and `summaries`.
struct ParsingOptions: ParsableArguments {
    @Option(name: [.customShort("p"), .customLong("compile-commands")], help: "A compile_commands.json, or the build directory holding it (default: one found above the paths).")
    var compileCommands: String?

    @Flag(name: .long, help: "Neither read nor write the cache.")
    var noCache = false

    @Option(name: .long, help: "The cache directory (default: .tstate-lint-cache next to the configuration, else in the working directory).")
    var cacheDir: String?

    @Option(name: .long, help: "Seconds a file may take to parse before it is given up (default: 300).")
    var timeout: Double?

    @Flag(name: [.short, .long], help: "No progress line and no statistics on standard error.")
    var quiet = false

    @Flag(name: .long, help: "Do not look for headers the flags do not reach (in the project tree, one level under the system's include directories, through pkg-config), nor give a CPython source tree its own flags. Same as `infer-includes = false` in the configuration.")
    var noInferIncludes = false

    @Flag(name: .long, help: "Print on standard error the findings counted by rule, the flags the tool inferred (and why), and where the time went (files parsed, cache hits, function explorations run and reused, parse and analysis time).")
    var statistics = false

    @Flag(name: .long, help: ArgumentHelp("Parse in this process instead of worker processes (a crash in libclang then ends the run).", visibility: .hidden))
    var inProcess = false

    @Flag(name: .long, help: ArgumentHelp("Parse every file whole, without a shared precompiled prelude.", visibility: .hidden))
    var noPrelude = false

    func run(store: RuleStore, options: inout RunOptions) throws -> RunResult {
        options.compilationDatabase = compileCommands
        options.timeout = timeout
        options.precompiledPreludes = !noPrelude
        options.infersIncludes = !noInferIncludes
        options.freesProgram = false
        if !inProcess, let workers = ParseIsolation.workers() {
            options.isolation = workers
        }
        let configuration = options.configuration
        if !noCache {
            let base = configuration.path.map { PathDisplay.directory(of: $0) } ?? options.workingDirectory
            let workingDirectory = options.workingDirectory
            let explicit: String? = cacheDir.map { PathDisplay.absolute($0, workingDirectory: workingDirectory) }
            options.cacheDirectory = explicit ?? configuration.cacheDirectory ?? (base + "/.tstate-lint-cache")
        }
        let progress = ProgressLine(enabled: !quiet && isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb")
        if progress.enabled {
            options.progress = { event in progress.update(event) }
        }
        defer { progress.clear() }
        do {
            let result = try Runner(store: store).run(options)
            progress.clear()
            if statistics && !quiet {
                let s = result.statistics
                FileHandle.standardError.write(Data(RuleCounts.render(result, catalog: store.catalog).utf8))
                let inferred = result.inferred.map { use in
                    "tstate-lint: inferred `\(use.flag)` for \(TextReport.counted(use.files, "file")): \(use.reason)\n"
                }
                FileHandle.standardError.write(Data(inferred.joined().utf8))
                if s.resultReused {
                    FileHandle.standardError.write(Data("tstate-lint: nothing changed since a cached run of \(TextReport.counted(s.cacheHits, "file")); its result reused in \(seconds(result.duration))\n".utf8))
                } else {
                    let p = s.parsing
                    let lines = [
                        "tstate-lint: \(TextReport.counted(s.filesParsed, "file")) parsed, \(s.cacheHits) from the cache; "
                            + "\(TextReport.counted(s.explorations, "function exploration")) run, \(s.reusedExplorations) reused from the cache; "
                            + "parsing \(seconds(s.parseSeconds)), analysis \(seconds(s.analysisSeconds)), total \(seconds(result.duration))",
                        "tstate-lint: parsing, summed over workers: libclang \(seconds(p.libclangSeconds)), lowering \(seconds(p.loweringSeconds)); "
                            + "\(TextReport.counted(p.preludesBuilt, "precompiled prelude")) built in \(seconds(p.preludeSeconds)), "
                            + "\(TextReport.counted(p.filesOnPreludes, "file")) parsed on one",
                    ]
                    let bound = s.functionsAtBound == 0 ? [] : [
                        "tstate-lint: \(TextReport.counted(s.functionsAtBound, "function")) gave paths up at an exploration bound (named in their files' messages)",
                    ]
                    FileHandle.standardError.write(Data((lines + bound).map { $0 + "\n" }.joined().utf8))
                }
            }
            return result
        } catch let error as UsageError {
            throw Failure(message: error.description)
        }
    }
}

/// `[ 12/340] Modules/posixmodule.c` on standard error, redrawn in place, shown only once a run
/// has taken a second, and erased when done.
final class ProgressLine: @unchecked Sendable {
    let enabled: Bool
    private let started = Date()
    private let lock = NSLock()
    private var shown = false
    private var lastDraw = Date.distantPast

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func update(_ event: RunProgress) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(started) > 1, now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        var text: String
        switch event {
        case .parsing(let done, let total, let file):
            let width = String(total).count
            text = "[\(String(repeating: " ", count: width - String(done).count))\(done)/\(total)] \(file)"
        case .analysing(let functions):
            text = "analysing \(functions) functions"
        }
        var size = winsize()
        let columns = ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 10 ? Int(size.ws_col) - 1 : 79
        if text.count > columns { text = String(text.prefix(columns)) }
        FileHandle.standardError.write(Data("\r\u{1b}[K\(text)".utf8))
        shown = true
    }

    func clear() {
        lock.lock()
        defer { lock.unlock() }
        if shown {
            FileHandle.standardError.write(Data("\r\u{1b}[K".utf8))
            shown = false
        }
    }
}

/// The front end in a separate process: the parent sends files, the worker answers with their
/// IR. Not for people.
struct FrontendWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "frontend-worker", abstract: "Internal: parse files sent on standard input.",
                                                    shouldDisplay: false)

    @Option(name: .long, help: "Bytes of data memory the worker may use.")
    var memoryLimit: Int?

    func run() throws {
        let status = FrontendWorker.serve(memoryLimit: memoryLimit)
        if status != 0 { throw ExitCode(status) }
    }
}

struct Failure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

func seconds(_ value: Double) -> String {
    String(format: "%.2f s", value)
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

/// The help's word on `--`, for the commands that parse files.
let clangArgumentsHelp = """
    Arguments after `--` go to clang as they are, after those of a compile database: \
    `tstate-lint check src -- -Iinclude -DHAVE_FOO -std=c11`. Without flags, headers that \
    clang does not find are looked for in the project tree, through pkg-config and one level \
    under the system include directories (`--no-infer-includes` turns that off).
    """

/// Everything after `--` goes to clang untouched (ArgumentParser cannot have two arrays of
/// positional arguments).
let commandLine = Array(CommandLine.arguments.dropFirst())
let separator = commandLine.firstIndex(of: "--")
let passthroughClangArguments = separator.map { Array(commandLine[($0 + 1)...]) } ?? []
let ownArguments = separator.map { Array(commandLine[..<$0]) } ?? commandLine

/// Exit codes as ruff: 0 clean, 1 findings, 2 usage error, bad configuration or internal failure.
// A worker that dies while being written to must not take the run with it.
signal(SIGPIPE, SIG_IGN)
// Swift's CommandLine.arguments repairs bytes that are not UTF-8, naming another file.
for position in 1..<Int(CommandLine.argc) {
    guard let raw = CommandLine.unsafeArgv[position] else { continue }
    let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(raw).assumingMemoryBound(to: UInt8.self), count: strlen(raw)))
    if String(validating: bytes, as: UTF8.self) == nil {
        let shown = PathDisplay.escaped(bytes)
        FileHandle.standardError.write(Data("tstate-lint: error: argument `\(shown)` is not valid UTF-8; tstate-lint cannot open a file by such a name (rename it)\n".utf8))
        Foundation.exit(2)
    }
}
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
