import Foundation

public struct RunOptions: Sendable {
    public var paths: [String]
    public var clangArguments: [String]
    /// Rule ids or prefixes to run (nil: every rule that is not opt-in).
    public var select: [String]?
    public var ignore: [String]
    public var jobs: Int
    public var workingDirectory: String
    public var exclude: [String]
    public var collectSummaries = false
    /// The project's configuration (pyproject.toml / .tstate-lint.toml); the options above
    /// were given on the command line and win over it.
    public var configuration = Configuration()
    /// Whether `jobs` was given on the command line.
    public var jobsGiven = false

    public init(paths: [String], clangArguments: [String] = [], select: [String]? = nil, ignore: [String] = [],
                jobs: Int = ProcessInfo.processInfo.activeProcessorCount, workingDirectory: String = FileManager.default.currentDirectoryPath,
                exclude: [String] = []) {
        self.paths = paths
        self.clangArguments = clangArguments
        self.select = select
        self.ignore = ignore
        self.jobs = max(1, jobs)
        self.workingDirectory = workingDirectory
        self.exclude = exclude
    }
}

public struct FileReport: Hashable, Codable, Sendable {
    public var path: String
    public var status: FileStatus
    public var message: String?
}

public struct RunResult: Sendable {
    public var diagnostics: [Diagnostic]
    public var suppressed: [Diagnostic]
    public var files: [FileReport]
    public var functionsAnalysed: Int
    /// Things the user should know about the run itself (no Python headers found, ...).
    public var notes: [String]
    public var duration: TimeInterval
    /// Time spent computing function summaries (bottom-up over the call graph).
    public var summaryDuration: TimeInterval = 0
    /// The functions' summaries, when asked for (`tstate-lint summaries`).
    public var summaries: [FunctionSummary] = []
}

public struct UsageError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// One run over a tree: discover, parse in parallel, analyse every function, check, report.
public struct Runner {
    public let store: RuleStore

    public init(store: RuleStore) {
        self.store = store
    }

    /// The model with the project's declared wrappers.
    func model(for options: RunOptions) -> APIModel {
        options.configuration.apply(to: store.model)
    }

    public func selectedRules(_ options: RunOptions) throws -> Set<String> {
        let catalog = store.catalog
        func expand(_ selectors: [String]) throws -> [String] {
            try selectors.flatMap { selector -> [String] in
                let ids = catalog.ids(matching: selector)
                if ids.isEmpty { throw UsageError("unknown rule or prefix `\(selector)` (see `tstate-lint rules`)") }
                return ids
            }
        }
        var selected: Set<String>
        if let select = options.select ?? options.configuration.select {
            selected = Set(try expand(select))
        } else {
            selected = Set(catalog.rules.filter { !$0.isOptIn }.map(\.id))
        }
        selected.subtract(try expand(options.configuration.ignore + options.ignore))
        return selected
    }

    public func run(_ options: RunOptions) throws -> RunResult {
        let started = Date()
        let configuration = options.configuration
        do {
            try configuration.validate(against: store.catalog)
        } catch let error as ConfigurationError {
            throw UsageError(error.description)
        }
        let rules = try selectedRules(options)
        let model = self.model(for: options)
        let jobs = options.jobsGiven ? options.jobs : configuration.jobs ?? options.jobs
        let discovered: [DiscoveredFile]
        do {
            discovered = try FileDiscovery.discover(options.paths, workingDirectory: options.workingDirectory,
                                                    exclude: (configuration.exclude ?? []) + configuration.extendExclude + options.exclude,
                                                    skipDefaultDirectories: configuration.exclude == nil)
        } catch let error as DiscoveryError {
            throw UsageError(error.description)
        }
        var notes: [String] = []
        var arguments = configuration.includeDirs.map { "-I" + $0 } + configuration.defines.map { "-D" + $0 } + options.clangArguments
        if !PythonIncludes.argumentsNamePythonHeaders(arguments) {
            if let include = configuration.pythonInclude {
                arguments.append("-I" + include)
            } else if let include = PythonIncludes.locate() {
                arguments.append("-I" + include)
            } else {
                notes.append("no Python headers found (no `python3` with headers on PATH, nothing in /usr/include/python3.*); pass `-- -I/path/to/include/python3.X`. Files will be analysed with parse errors.")
            }
        }
        // Extensions are built with NDEBUG (Python's CFLAGS): assert()s that call the C-API
        // are not code that runs.
        if !arguments.contains(where: { $0.hasPrefix("-UNDEBUG") || $0.hasPrefix("-DNDEBUG") }) { arguments.append("-DNDEBUG") }
        arguments += ["-w", "-fno-spell-checking"]

        let roots = projectRoots(options)
        let units = parseAll(discovered, arguments: arguments, roots: roots, jobs: jobs, workingDirectory: options.workingDirectory,
                             frontendOptions: frontendOptions(model: model))
        let program = Program(units: units)
        var (diagnostics, programAnalysis) = analyse(program, model: model, registrars: Set(configuration.foreignThreadRegistrars))
        diagnostics = diagnostics.filter { diagnostic in
            rules.contains(diagnostic.rule) && !configuration.perFileIgnores.contains { pattern, ignored in
                FileDiscovery.matches([pattern], path: PathDisplay.absolute(diagnostic.location.file, workingDirectory: options.workingDirectory),
                                      name: (diagnostic.location.file as NSString).lastPathComponent, workingDirectory: options.workingDirectory)
                    && ignored.contains { diagnostic.rule.hasPrefix($0.uppercased()) }
            }
        }

        let sources = SourceCache()
        var kept: [Diagnostic] = []
        var suppressed: [Diagnostic] = []
        for var diagnostic in diagnostics {
            if let rule = store.catalog.rule(diagnostic.rule) {
                diagnostic.name = rule.name
                diagnostic.severity = configuration.severity[rule.id] ?? rule.severity
            }
            let line = sources.line(diagnostic.location.line, of: diagnostic.location.file, workingDirectory: options.workingDirectory)
            diagnostic.endLine = diagnostic.location.line
            diagnostic.endColumn = SourceCache.tokenEnd(in: line, column: diagnostic.location.column)
            if Suppressions.isSuppressed(diagnostic, sources: sources, workingDirectory: options.workingDirectory) {
                suppressed.append(diagnostic)
            } else {
                kept.append(diagnostic)
            }
        }
        kept.sort(by: Diagnostic.ordered)
        suppressed.sort(by: Diagnostic.ordered)
        Fingerprints.assign(&kept, sources: sources, workingDirectory: options.workingDirectory)
        Fingerprints.assign(&suppressed, sources: sources, workingDirectory: options.workingDirectory)

        let files = units.map { FileReport(path: $0.path, status: $0.status, message: $0.message) }
        var result = RunResult(diagnostics: kept, suppressed: suppressed, files: files, functionsAnalysed: program.functions.count,
                               notes: notes, duration: Date().timeIntervalSince(started),
                               summaryDuration: programAnalysis.summaryDuration)
        if options.collectSummaries {
            result.summaries = program.functions.compactMap { programAnalysis.summary(forUSR: $0.usr) }
        }
        return result
    }

    /// Headers under these directories are the project's: their functions are analysed
    /// through the files that include them.
    private func projectRoots(_ options: RunOptions) -> [String] {
        options.paths.map { path -> String in
            let absolute = PathDisplay.absolute(path, workingDirectory: options.workingDirectory)
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory)
            return isDirectory.boolValue ? absolute : (absolute as NSString).deletingLastPathComponent
        }
    }

    public func frontendOptions(model: APIModel? = nil) -> FrontendOptions {
        let model = model ?? store.model
        return FrontendOptions(noReturnFunctions: model.noReturnFunctions.union(Runner.cNoReturn),
                               modelledMacros: model.macrosWithEffectByName,
                               objectStructs: model.objectStructs)
    }

    static let cNoReturn: Set<String> = ["abort", "exit", "_exit", "_Exit", "quick_exit", "longjmp", "siglongjmp",
                                         "__builtin_unreachable", "__builtin_trap", "__assert_fail", "pthread_exit", "thrd_exit"]

    // MARK: Parsing

    private func parseAll(_ files: [DiscoveredFile], arguments: [String], roots: [String], jobs: Int, workingDirectory: String,
                          frontendOptions options: FrontendOptions) -> [TranslationUnit] {
        let results = ResultSlots<TranslationUnit>(count: files.count)
        let next = Counter()
        let group = DispatchGroup()
        for _ in 0..<min(jobs, max(1, files.count)) {
            group.enter()
            let worker = Thread {
                defer { group.leave() }
                let frontend = Frontend(options: options)
                while let index = next.take(below: files.count) {
                    let file = files[index]
                    if let reason = Prefilter.reasonToSkip(file.absolutePath) {
                        results[index] = TranslationUnit(path: file.path, status: reason.status, message: reason.message)
                        continue
                    }
                    results[index] = frontend.parse(path: file.absolutePath, arguments: arguments, projectRoots: roots, workingDirectory: workingDirectory)
                }
            }
            // Deeply nested C is lowered recursively: give workers room.
            worker.stackSize = 512 << 20
            worker.start()
        }
        group.wait()
        return results.values.map { $0! }
    }

    // MARK: Analysis

    private func analyse(_ program: Program, model: APIModel, registrars: Set<String>) -> (diagnostics: [Diagnostic], analysis: ProgramAnalysis) {
        let analysis = ProgramAnalysis(program: program, model: model, foreignThreadRegistrars: registrars)
        analysis.run()
        let analyses = analysis.analyses
        let results = ResultSlots<[Diagnostic]>(count: analyses.count)
        DispatchQueue.concurrentPerform(iterations: analyses.count) { index in
            results[index] = Checks.run(analyses[index], model: model)
        }
        return (results.values.flatMap { $0 ?? [] }, analysis)
    }
}

/// A file that is not worth parsing: binary, or no `Py` anywhere in it.
enum Prefilter {
    static func reasonToSkip(_ path: String) -> (status: FileStatus, message: String)? {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return (.failed, "cannot read the file")
        }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() else { return (.failed, "cannot read the file") }
        if data.prefix(8192).contains(0) { return (.failed, "binary file, not C source") }
        if data.range(of: Data("Py".utf8)) == nil {
            return (.skipped, "does not use the Python C-API")
        }
        return nil
    }
}

final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}

final class ResultSlots<Value>: @unchecked Sendable {
    private var storage: [Value?]
    private let lock = NSLock()

    init(count: Int) {
        storage = Array(repeating: nil, count: count)
    }

    subscript(index: Int) -> Value? {
        get { lock.lock(); defer { lock.unlock() }; return storage[index] }
        set { lock.lock(); storage[index] = newValue; lock.unlock() }
    }

    var values: [Value?] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
