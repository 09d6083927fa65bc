import Foundation

public struct RunOptions: Sendable {
    public var paths: [String]
    public var clangArguments: [String]
    /// Rule ids or prefixes to run (nil: every rule that is not opt-in).
    public var select: [String]?
    public var ignore: [String]
    /// Rules added to those `select` gives (ruff's `extend-select`); `ignore` still applies.
    public var extendSelect: [String] = []
    /// Rules added whatever select and ignore say (`--report-unused-suppressions` adds TS002).
    public var alwaysSelect: [String] = []
    public var jobs: Int
    public var workingDirectory: String
    public var exclude: [String]
    public var collectSummaries = false
    /// The project's configuration (pyproject.toml / .tstate-lint.toml); the options above
    /// were given on the command line and win over it.
    public var configuration = Configuration()
    /// Whether `jobs` was given on the command line.
    public var jobsGiven = false
    /// `-p`: a compile_commands.json, or the directory holding one. Without it one found
    /// above the paths is used.
    public var compilationDatabase: String?
    /// Where libclang runs: worker processes survive files that crash it or run too long.
    public var isolation: ParseIsolation = .inProcess
    /// Seconds a file may take to parse (worker processes only).
    public var timeout: TimeInterval?
    /// Parsed units are kept here between runs; nil: no cache.
    public var cacheDirectory: String?
    /// Share a precompiled header of Python.h (and what precedes it) between files that start
    /// alike (kept in the cache directory, else in a temporary one for the run).
    public var precompiledPreludes = true
    /// Look for headers the flags do not reach (in the tree, under the system's include
    /// directories, through pkg-config) and give a CPython source tree its own flags.
    public var infersIncludes = true
    /// A baseline file: findings whose fingerprints it lists are not reported.
    public var baseline: String?
    /// Told about each file as it is done (for a progress line).
    public var progress: (@Sendable (RunProgress) -> Void)?
    /// False: the run's IR and analysis are never freed, for a process that ends after the
    /// report (freeing millions of small objects takes a tenth of a second; clang's
    /// `-disable-free` does the same).
    public var freesProgram = true

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

public enum RunProgress: Sendable {
    case parsing(done: Int, total: Int, file: String)
    case analysing(functions: Int)
}

public struct FileReport: Hashable, Codable, Sendable {
    public var path: String
    public var status: FileStatus
    public var message: String?
    /// Flags the tool added to parse the file (include inference).
    public var inferred: [String] = []
}

/// A flag the tool added, why, and to how many files.
public struct InferredFlagUse: Hashable, Codable, Sendable {
    public var flag: String
    public var reason: String
    public var files: Int

    /// Each flag once, with the reason it was first given, in the order first added.
    static func tally(_ perFile: [[InferredFlag]]) -> [InferredFlagUse] {
        var uses: [InferredFlagUse] = []
        var position: [String: Int] = [:]
        for flags in perFile {
            for flag in Set(flags.map(\.flag)) where position[flag] == nil {
                position[flag] = uses.count
                uses.append(InferredFlagUse(flag: flag, reason: flags.first { $0.flag == flag }!.reason, files: 0))
            }
            for flag in Set(flags.map(\.flag)) { uses[position[flag]!].files += 1 }
        }
        return uses
    }
}

public struct RunResult: Sendable {
    public var diagnostics: [Diagnostic]
    public var suppressed: [Diagnostic]
    public var files: [FileReport]
    public var functionsAnalysed: Int
    /// Things the user should know about the run itself (no Python headers found, ...).
    public var notes: [String]
    public var duration: TimeInterval
    /// The functions' summaries, when asked for (`tstate-lint summaries`).
    public var summaries: [FunctionSummary] = []
    public var statistics = RunStatistics()
    /// Findings left out because the baseline accepts them.
    public var baselined = 0
    /// Every module found: what it declares about sub-interpreters and what blocks isolation.
    public var modules: [ModuleReadiness] = []
    /// Every flag the tool added on its own, with why and to how many files.
    public var inferred: [InferredFlagUse] = []

    /// Files were given and every one that uses the C-API failed: the run itself failed (exit 2).
    public var nothingAnalysable: Bool {
        files.contains { $0.status == .failed } && !files.contains { $0.status == .analyzed || $0.status == .parseErrors }
    }
}

/// Where a run's time went, for `--statistics` and the benchmark.
public struct RunStatistics: Codable, Sendable {
    public var filesParsed = 0
    public var cacheHits = 0
    public var parseSeconds = 0.0
    public var analysisSeconds = 0.0
    /// Of the files parsed: libclang's parse, the lowering, shared preludes (summed over workers).
    public var parsing = ParseCost()
    /// Functions explored, and explorations whose stored result still held.
    public var explorations = 0
    public var reusedExplorations = 0
    /// Functions whose exploration gave paths up at a bound (each named in its file's message).
    public var functionsAtBound = 0
    /// Nothing changed since a previous run: its result was reported again.
    public var resultReused = false
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
        func expand(_ selectors: [String], selecting: Bool = true) throws -> [String] {
            try selectors.flatMap { selector -> [String] in
                if catalog.ids(matching: selector).isEmpty { throw UsageError("unknown rule or prefix `\(selector)` (see `tstate-lint rules`)") }
                return selecting ? catalog.ids(selectedBy: selector) : catalog.ids(matching: selector)
            }
        }
        var selected: Set<String>
        if let select = options.select ?? options.configuration.select {
            selected = Set(try expand(select))
        } else {
            selected = Set(catalog.rules.filter { !$0.isOptIn }.map(\.id))
        }
        selected.formUnion(try expand(options.configuration.extendSelect + options.extendSelect))
        selected.subtract(try expand(options.configuration.ignore + options.ignore, selecting: false))
        selected.formUnion(try expand(options.alwaysSelect))
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
        var notes: [String] = []
        let skips = SkipReasons()
        var work = try parseJobs(options, configuration: configuration, notes: &notes, skips: skips)
        let frontendOptions = self.frontendOptions(model: model)
        let cache = try options.cacheDirectory.map { try UnitCache(directory: $0, frontendOptions: frontendOptions) }
        var isolation = options.isolation
        if case .workerProcesses(let executable, let timeout, let memoryLimit) = isolation {
            isolation = .workerProcesses(executable: executable, timeout: options.timeout ?? configuration.timeout ?? timeout, memoryLimit: memoryLimit)
        }
        let parseStarted = Date()
        let runCache = options.cacheDirectory.map { RunCache(cacheDirectory: $0) }
        let settings = runCache == nil ? "" : runSettings(options, configuration: configuration, rules: rules)
        if let cache, let runCache {
            let allValid = work.allSatisfy { job in skips.reason(job) != nil || cache.probe(job) != nil }
            if allValid, let key = RunCache.key(jobs: work, unitCache: cache, settings: settings, skipped: { skips.reason($0)?.message }),
               let stored = runCache.load(key) {
                var result = RunResult(diagnostics: stored.diagnostics, suppressed: stored.suppressed, files: stored.files,
                                       functionsAnalysed: stored.functionsAnalysed, notes: notes, duration: Date().timeIntervalSince(started))
                result.summaries = stored.summaries
                result.modules = stored.modules
                result.baselined = stored.baselined
                result.inferred = stored.inferred
                result.statistics.cacheHits = work.count - stored.files.filter { $0.status == .skipped }.count
                result.statistics.parseSeconds = Date().timeIntervalSince(parseStarted)
                result.statistics.resultReused = true
                cache.pruneStaleEntries()
                return result
            }
        }
        var temporaryPreludes: String?
        if options.precompiledPreludes {
            temporaryPreludes = assignPreludes(&work, cacheDirectory: options.cacheDirectory)
        }
        defer { if let temporaryPreludes { try? FileManager.default.removeItem(atPath: temporaryPreludes) } }
        let progress = options.progress
        let done = Counter()
        let total = work.count
        let pool = ParsePool(isolation: isolation, options: frontendOptions, jobs: jobs)
        let units = pool.run(work, prepare: { job in
            if let reason = skips.reason(job) {
                return TranslationUnit(path: PathDisplay.display(job.path, workingDirectory: job.workingDirectory), status: reason.status, message: reason.message)
            }
            return cache?.lookup(job)
        }, finished: { job, unit, parsed in
            if parsed { cache?.store(job, unit: unit) }
            if let progress { progress(.parsing(done: done.increment(), total: total, file: unit.path)) }
        })
        cache?.pruneStaleEntries()
        var statistics = RunStatistics()
        statistics.parseSeconds = Date().timeIntervalSince(parseStarted)
        statistics.parsing = pool.cost
        statistics.cacheHits = cache?.hits ?? 0
        statistics.filesParsed = units.count - statistics.cacheHits - units.filter { $0.status == .skipped }.count
        let analysisStarted = Date()
        progress?(.analysing(functions: units.reduce(0) { $0 + $1.functions.count }))
        let program = Program(units: units)
        // The module-isolation rules read only the program: worked out alongside the analysis.
        let isolationResult = ResultSlots<(diagnostics: [Diagnostic], modules: [ModuleReadiness])>(count: 1)
        let isolationDone = DispatchGroup()
        DispatchQueue.global().async(group: isolationDone) { isolationResult[0] = ModuleIsolation.run(program) }
        let programAnalysis: ProgramAnalysis
        let registrars = Set(configuration.foreignThreadRegistrars)
        if let cache, let cacheDirectory = options.cacheDirectory {
            let unitChecksums = work.map { cache.checksum(of: $0) }
            let memoStore = AnalysisMemoStore(cacheDirectory: cacheDirectory,
                                              settings: [String(store.digest), configuration.digest, options.workingDirectory].joined(separator: "\n"))
            let keys = AnalysisMemoStore.functionKeys(program, unitChecksums: unitChecksums)
            let withFunctions = Set(program.origins.map(\.unit)).sorted().compactMap { unitChecksums[$0] }
            programAnalysis = ProgramAnalysis(program: program, model: model, foreignThreadRegistrars: registrars,
                                              hostEntryPoints: configuration.hostEntryPoints,
                                              memoKeys: keys, storedMemo: memoStore.load(withFunctions))
            programAnalysis.run()
            memoStore.save(programAnalysis, program: program, unitChecksums: unitChecksums)
        } else {
            programAnalysis = ProgramAnalysis(program: program, model: model, foreignThreadRegistrars: registrars,
                                              hostEntryPoints: configuration.hostEntryPoints)
            programAnalysis.run()
        }
        statistics.explorations = programAnalysis.explorations
        statistics.reusedExplorations = programAnalysis.reusedExplorations
        var diagnostics = programAnalysis.diagnostics.flatMap { $0 }
        isolationDone.wait()
        let moduleIsolation = isolationResult[0]!
        diagnostics += moduleIsolation.diagnostics
        diagnostics += Runner.coverageFindings(units)
        let patternBases = Runner.patternBases(options)
        func ignoredByConfiguration(_ diagnostic: Diagnostic) -> Bool {
            !rules.contains(diagnostic.rule) || configuration.perFileIgnores.contains { pattern, ignored in
                FileDiscovery.matches([pattern], path: PathDisplay.absolute(diagnostic.location.file, workingDirectory: options.workingDirectory),
                                      name: PathDisplay.lastComponent(of: diagnostic.location.file), bases: patternBases)
                    && ignored.contains { diagnostic.rule.hasPrefix($0.uppercased()) }
            }
        }
        let sources = SourceCache(unread: Set(units.filter { $0.status == .failed }.map(\.path)))
        func completed(_ diagnostic: Diagnostic) -> Diagnostic {
            var diagnostic = diagnostic
            if let rule = store.catalog.rule(diagnostic.rule) {
                diagnostic.name = rule.name
                diagnostic.severity = configuration.severity[rule.id] ?? rule.severity
            }
            let line = sources.line(diagnostic.location.line, of: diagnostic.location.file, workingDirectory: options.workingDirectory)
            diagnostic.endLine = diagnostic.location.line
            diagnostic.endColumn = SourceCache.tokenEnd(in: line, column: diagnostic.location.column)
            return diagnostic
        }

        let matcher = Suppressions.Matcher(sources: sources, workingDirectory: options.workingDirectory)
        var kept: [Diagnostic] = []
        var suppressed: [Diagnostic] = []
        for diagnostic in diagnostics where !ignoredByConfiguration(diagnostic) {
            if matcher.suppresses(diagnostic) {
                suppressed.append(completed(diagnostic))
            } else {
                kept.append(completed(diagnostic))
            }
        }
        let analysedFiles = units.filter { $0.status == .analyzed || $0.status == .parseErrors }.flatMap(\.files)
        var seenFiles = Set<String>()
        for finding in Suppressions.audit(files: analysedFiles.filter { seenFiles.insert($0).inserted }, matcher: matcher,
                                          catalog: store.catalog, selected: rules) where !ignoredByConfiguration(finding) {
            kept.append(completed(finding))
        }
        kept.sort(by: Diagnostic.ordered)
        suppressed.sort(by: Diagnostic.ordered)
        Fingerprints.assign(&kept, sources: sources, workingDirectory: options.workingDirectory)
        Fingerprints.assign(&suppressed, sources: sources, workingDirectory: options.workingDirectory)
        var baselined = 0
        if let baseline = options.baseline {
            let accepted = try Baseline.fingerprints(in: PathDisplay.absolute(baseline, workingDirectory: options.workingDirectory))
            let before = kept.count
            kept.removeAll { accepted.contains($0.fingerprint) }
            baselined = before - kept.count
        }
        statistics.analysisSeconds = Date().timeIntervalSince(analysisStarted)

        let bounds = Runner.boundMessages(program, programAnalysis.boundsReached)
        statistics.functionsAtBound = programAnalysis.boundsReached.compactMap { $0 }.count
        let files = units.enumerated().map { index, unit in
            let messages = [unit.message, bounds[index]].compactMap { $0 }
            return FileReport(path: unit.path, status: unit.status, message: messages.isEmpty ? nil : messages.joined(separator: "; "),
                              inferred: unit.inferred.map(\.flag))
        }
        var result = RunResult(diagnostics: kept, suppressed: suppressed, files: files, functionsAnalysed: program.functions.count,
                               notes: notes, duration: Date().timeIntervalSince(started))
        result.statistics = statistics
        result.baselined = baselined
        result.modules = moduleIsolation.modules
        result.inferred = InferredFlagUse.tally(units.map(\.inferred))
        if options.collectSummaries {
            result.summaries = program.functions.compactMap { programAnalysis.summary(forUSR: $0.usr) }
        }
        if let cache, let runCache,
           let key = RunCache.key(jobs: work, unitCache: cache, settings: settings, skipped: { skips.reason($0)?.message }) {
            runCache.save(RunCache.Stored(diagnostics: result.diagnostics, suppressed: result.suppressed, files: result.files,
                                          functionsAnalysed: result.functionsAnalysed, summaries: result.summaries,
                                          modules: result.modules, baselined: result.baselined, inferred: result.inferred), key: key)
        }
        if !options.freesProgram { Runner.keepUntilExit((units, program, programAnalysis, sources)) }
        return result
    }

    /// Gives the jobs a directory of precompiled preludes (the cache's, else a temporary one,
    /// returned). A prelude is built only when three of the files share it: building one costs
    /// about what parsing two files' Python.h does, and one kept in the cache for a lone file
    /// would pay only at that file's next edit. One already built is used by any file.
    private func assignPreludes(_ work: inout [ParseJob], cacheDirectory: String?) -> String? {
        let directory = cacheDirectory.map { $0 + "/preludes" } ?? NSTemporaryDirectory() + "/tstate-lint-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var sharing: [String: Int] = [:]
        var keys: [String?] = work.map { _ in nil }
        for (index, job) in work.enumerated() {
            guard RegularFile.isRegular(job.path), let prelude = Prelude.of(fileAt: job.path) else { continue }
            keys[index] = prelude.text + "\u{0}" + job.arguments.joined(separator: "\u{0}")
            sharing[keys[index]!, default: 0] += 1
        }
        for index in work.indices {
            work[index].preludeDirectory = directory
            work[index].buildsPrelude = keys[index].map { sharing[$0]! >= 3 } ?? false
        }
        return cacheDirectory == nil ? directory : nil
    }

    private static func keepUntilExit<Value>(_ value: Value) {
        _ = Unmanaged.passRetained(KeptUntilExit(value))
    }

    /// What besides the files decides a run's findings (see RunCache).
    private func runSettings(_ options: RunOptions, configuration: Configuration, rules: Set<String>) -> String {
        var parts = [String(store.digest), configuration.digest, rules.sorted().joined(separator: ","),
                     options.workingDirectory, "summaries=\(options.collectSummaries)"]
        if let baseline = options.baseline {
            let path = PathDisplay.absolute(baseline, workingDirectory: options.workingDirectory)
            parts.append("baseline=" + path + ":" + String(RegularFile.contents(atPath: path).map { ContentHasher.hash($0) } ?? 0))
        }
        return parts.joined(separator: "\n")
    }

    /// Where exclude and per-file-ignore patterns are relative to: the working directory and
    /// the configuration file's directory.
    static func patternBases(_ options: RunOptions) -> [String] {
        var bases = [options.workingDirectory]
        if let path = options.configuration.path {
            bases.append(PathDisplay.directory(of: PathDisplay.absolute(path, workingDirectory: options.workingDirectory)))
        }
        return bases
    }

    /// Headers under these directories are the project's: their functions are analysed
    /// through the files that include them.
    private func projectRoots(_ options: RunOptions) -> [String] {
        options.paths.map { path -> String in
            let absolute = PathDisplay.absolute(path, workingDirectory: options.workingDirectory)
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory)
            return isDirectory.boolValue ? absolute : PathDisplay.directory(of: absolute)
        }
    }

    /// One file parsed and lowered for inspection (`tstate-lint cfg`), with the flags `check`
    /// gives it (compile database, configuration, inferred includes) and the same guards: only
    /// a regular file, flags naming special files dropped (with notes), and the parse in a
    /// worker process under the time and memory limits when one can be started.
    public func parseOne(_ options: RunOptions, isolation: ParseIsolation?) throws -> (unit: TranslationUnit, notes: [String]) {
        let path = options.paths.first ?? "."
        let absolute = PathDisplay.absolute(path, workingDirectory: options.workingDirectory)
        let display = PathDisplay.display(absolute, workingDirectory: options.workingDirectory)
        guard RegularFile.isRegular(absolute) else {
            let message = RegularFile.isSpecial(absolute) ? "not a regular file" : "cannot read the file"
            return (TranslationUnit(path: display, status: .failed, message: message), [])
        }
        var notes: [String] = []
        var single = options
        single.paths = [absolute]
        let jobs = try parseJobs(single, configuration: options.configuration, notes: &notes)
        guard let job = jobs.first(where: { $0.path == absolute }) else {
            return (TranslationUnit(path: display, status: .failed, message: "not a C source the run would analyse"), notes)
        }
        let pool = ParsePool(isolation: isolation ?? .inProcess, options: frontendOptions(), jobs: 1)
        let unit = pool.run([job], prepare: { _ in nil }, finished: { _, _, _ in })[0]
        return (unit, notes)
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

    /// TS003: a file that was not analysed, or not all of it, is a finding of its own, so that
    /// no report and no exit code calls it clean.
    static func coverageFindings(_ units: [TranslationUnit]) -> [Diagnostic] {
        let advice = "pass its include directories with `-- -I…` or a compile database with `-p`"
        return units.compactMap { unit in
            let start = SourceLocation(file: unit.path, line: 1, column: 1, offset: 0)
            let why = unit.message ?? "no reason was given"
            switch unit.status {
            case .parseErrors:
                let notC = unit.functions.isEmpty && unit.facts.staticReferences.isEmpty && !why.contains("file not found")
                let message = notC
                    ? "Not analysed: this does not look like C (\(why))"
                    : "Not all of this file was analysed (\(why)); what did not parse may hide findings or cause wrong ones: \(advice)"
                return Diagnostic(rule: "TS003", message: message, location: unit.firstErrorLocation ?? start, function: "", trace: [])
            case .failed:
                return Diagnostic(rule: "TS003", message: "Not analysed: \(why)", location: start, function: "", trace: [])
            case .analyzed, .skipped:
                return nil
            }
        }
    }

    /// Per unit, which of its functions lost paths at an exploration bound: the file is
    /// analysed, but not completely, and its status says so.
    static func boundMessages(_ program: Program, _ bounds: [String?]) -> [Int: String] {
        var byUnit: [Int: [String]] = [:]
        for (index, bound) in bounds.enumerated() {
            guard let bound else { continue }
            let function = program.functions[index]
            byUnit[program.origins[index].unit, default: []]
                .append("`\(function.name)` (\(function.location.file):\(function.location.line)): \(bound)")
        }
        return byUnit.mapValues { described in
            described.count == 1
                ? "function \(described[0]), so it was not analysed completely: findings on the paths given up may be missing"
                : "\(described.count) functions were not analysed completely (findings on the paths given up may be missing): \(Frontend.abbreviated(described))"
        }
    }

    /// The files to parse and each one's clang arguments: from the compilation database when
    /// there is one (only its files), else the files found under the paths, with
    /// compile_flags.txt where there is one; then the configuration's and the command line's
    /// arguments, Python's headers if nothing names them, NDEBUG.
    func parseJobs(_ options: RunOptions, configuration: Configuration, notes: inout [String],
                   skips: SkipReasons = SkipReasons()) throws -> [ParseJob] {
        let workingDirectory = options.workingDirectory
        let patternBases = Runner.patternBases(options)
        var database: CompilationDatabase?
        if let location = options.compilationDatabase ?? configuration.compileCommands {
            database = try CompilationDatabase.load(location, workingDirectory: workingDirectory)
        } else if let found = CompilationDatabase.discover(for: options.paths, workingDirectory: workingDirectory),
                  let loaded = try? CompilationDatabase.load(found, workingDirectory: workingDirectory),
                  !loaded.files(under: options.paths, workingDirectory: workingDirectory).isEmpty {
            database = loaded
        }
        let exclude = (configuration.exclude ?? []) + configuration.extendExclude + options.exclude
        var files: [(path: String, arguments: [String])] = []
        if let database {
            notes += database.notes
            for path in options.paths {
                let absolute = PathDisplay.absolute(path, workingDirectory: workingDirectory)
                guard FileManager.default.fileExists(atPath: absolute) else { throw UsageError("\(path): no such file or directory") }
            }
            for file in database.files(under: options.paths, workingDirectory: workingDirectory)
            where !FileDiscovery.matches(exclude, path: file, name: PathDisplay.lastComponent(of: file), bases: patternBases) {
                files.append((file, database.commands[file]!.arguments))
            }
            for path in options.paths {
                let absolute = PathDisplay.absolute(path, workingDirectory: workingDirectory)
                var isDirectory: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory)
                if !isDirectory.boolValue && database.commands[absolute] == nil {
                    notes.append("\(path) is not in \(PathDisplay.display(database.path, workingDirectory: workingDirectory)); analysed with the default flags")
                    files.append((absolute, []))
                }
            }
        } else {
            let discovered: [DiscoveredFile]
            do {
                discovered = try FileDiscovery.discover(options.paths, workingDirectory: workingDirectory, exclude: exclude,
                                                        skipDefaultDirectories: configuration.exclude == nil, patternBases: patternBases)
            } catch let error as DiscoveryError {
                throw UsageError(error.description)
            }
            var flagFiles: [String: [String]?] = [:]
            var notedFlagFiles = Set<String>()
            for file in discovered {
                if let problem = file.problem {
                    skips.record(file.absolutePath, status: .failed, message: problem)
                    files.append((file.absolutePath, []))
                    continue
                }
                var arguments: [String] = []
                if let found = CompileFlagsFile.arguments(for: file.absolutePath, cache: &flagFiles) {
                    arguments = found.arguments
                    if notedFlagFiles.insert(found.path).inserted {
                        notes += found.notes
                    }
                }
                files.append((file.absolutePath, arguments))
            }
        }

        var common = configuration.includeDirs.map { "-I" + $0 }
            + configuration.defines.map { "-D" + $0 }
        let given = CompileFlags.withoutPluginFlags(options.clangArguments, directory: workingDirectory)
        common += given.arguments
        notes += CompileFlags.notes(dropped: given.dropped, refused: given.refused, source: nil)
        let roots = projectRoots(options)
        let infers = options.infersIncludes && configuration.inferIncludes != false
        let scope = infers ? IncludeSearchScope.around(roots) : nil
        var trees: [String: CPythonTree?] = [:]
        var treeConfigurations: [String: (directory: String, version: PythonVersion?)?] = [:]
        var pythonMissingNoted = false
        let jobs = files.map { file in
            var inferred: [InferredFlag] = []
            if infers, file.arguments.isEmpty, let tree = CPythonTree.containing(file.path, known: &trees) {
                if treeConfigurations[tree.root] == nil {
                    treeConfigurations[tree.root] = .some(FileManager.default.fileExists(atPath: tree.root + "/pyconfig.h") ? nil : PythonVersion.configuration(nearest: tree.version))
                }
                inferred = tree.flags(for: file.path, installedConfiguration: treeConfigurations[tree.root]!)
            }
            var arguments = file.arguments + inferred.map(\.flag) + common
            if !PythonIncludes.argumentsNamePythonHeaders(arguments) {
                if let include = configuration.pythonInclude {
                    arguments.append("-I" + include)
                } else if let include = PythonIncludes.locate() {
                    arguments.append("-I" + include)
                } else if !pythonMissingNoted {
                    pythonMissingNoted = true
                    notes.append("no Python headers found (no `python3` with headers on PATH, nothing in /usr/include/python3.*); pass `-- -I/path/to/include/python3.X`. Files will be analysed with parse errors.")
                }
            }
            // Extensions are built with NDEBUG (Python's CFLAGS): assert()s that call the C-API
            // are not code that runs.
            if !arguments.contains(where: { $0.hasPrefix("-UNDEBUG") || $0.hasPrefix("-DNDEBUG") }) { arguments.append("-DNDEBUG") }
            // Every error, not clang's first 20: each marks code that was dropped (see Lowering).
            arguments += ["-w", "-fno-spell-checking", "-ferror-limit=0"]
            var job = ParseJob(path: file.path, arguments: arguments, projectRoots: roots, workingDirectory: workingDirectory)
            job.includeSearch = scope
            job.inferred = inferred
            return job
        }
        notes += Runner.versionNotes(jobs, scope: scope ?? IncludeSearchScope.around(roots), trees: trees, configurations: treeConfigurations,
                                     workingDirectory: workingDirectory)
        return jobs
    }
}

/// Each job's reason to be skipped without parsing, found once.
final class SkipReasons: @unchecked Sendable {
    private var known: [String: (status: FileStatus, message: String)?] = [:]
    private let lock = NSLock()

    /// A reason found before parsing (by discovery).
    func record(_ path: String, status: FileStatus, message: String) {
        lock.lock()
        known[path] = .some((status, message))
        lock.unlock()
    }

    func reason(_ job: ParseJob) -> (status: FileStatus, message: String)? {
        lock.lock()
        if let answer = known[job.path] { lock.unlock(); return answer }
        lock.unlock()
        let answer = Prefilter.reasonToSkip(job.path)
        lock.lock()
        known[job.path] = .some(answer)
        lock.unlock()
        return answer
    }
}

/// A file that is not worth parsing: not a regular file, binary, or no `Py` anywhere in it.
enum Prefilter {
    static func reasonToSkip(_ path: String) -> (status: FileStatus, message: String)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return (.failed, "cannot read the file") }
        guard info.st_mode & S_IFMT == S_IFREG else { return (.failed, "not a regular file") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return (.failed, "cannot read the file")
        }
        defer { try? handle.close() }
        // readToEnd() gives nil, not empty data, for an empty file.
        let data: Data
        do {
            data = try handle.readToEnd() ?? Data()
        } catch {
            return (.failed, "cannot read the file")
        }
        if data.prefix(8192).contains(0) { return (.failed, "binary file, not C source") }
        if data.range(of: Data("Py".utf8)) == nil {
            return (.skipped, "does not use the Python C-API")
        }
        return nil
    }
}

private final class KeptUntilExit<Value> {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}

final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    @discardableResult
    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }

    var current: Int {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

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
