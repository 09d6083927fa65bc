import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One file to parse, with everything the Frontend needs to parse it.
public struct ParseJob: Codable, Hashable, Sendable {
    public var path: String
    public var arguments: [String]
    public var projectRoots: [String]
    public var workingDirectory: String
    /// Where precompiled preludes are shared (nil: parse every file whole).
    public var preludeDirectory: String?
    /// Whether this file's prelude is built when it is not there yet (else only an existing one is used).
    public var buildsPrelude = true
    /// Where headers the flags do not reach may be looked for (nil: no inference).
    public var includeSearch: IncludeSearchScope?
    /// Flags the driver added before parsing (they are in `arguments`), with why.
    public var inferred: [InferredFlag] = []

    public init(path: String, arguments: [String], projectRoots: [String], workingDirectory: String, preludeDirectory: String? = nil) {
        self.path = path
        self.arguments = arguments
        self.projectRoots = projectRoots
        self.workingDirectory = workingDirectory
        self.preludeDirectory = preludeDirectory
    }
}

extension ParseJob {
    /// What finds the headers clang missed, when the job allows it.
    var inferFlags: ((MissingInclude, [String]) -> [InferredFlag])? {
        guard let includeSearch else { return nil }
        let inference = IncludeInference.forScope(includeSearch)
        return { missing, arguments in inference.flags(for: missing, arguments: arguments, builtinHeaders: Frontend.builtinHeaderDirectory) }
    }
}

/// Where libclang runs. In worker processes a file that crashes libclang (or the lowering), or
/// that takes longer than the time limit, costs only that file: the worker is replaced and the
/// file gets status `failed`.
public enum ParseIsolation: Sendable, Equatable {
    case inProcess
    case workerProcesses(executable: String, timeout: TimeInterval, memoryLimit: Int)

    /// The running tool's own executable, re-run as `tstate-lint frontend-worker`.
    public static func workers(timeout: TimeInterval = 300, memoryLimit: Int = 8 << 30) -> ParseIsolation? {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        return .workerProcesses(executable: executable, timeout: timeout, memoryLimit: memoryLimit)
    }
}

/// Length-prefixed messages on a pipe: 8 bytes of little-endian length, then the payload.
enum Framing {
    static func write(_ payload: Data, to descriptor: Int32) -> Bool {
        var length = UInt64(payload.count).littleEndian
        var message = Data(bytes: &length, count: 8)
        message.append(payload)
        return Descriptor.writeAll(message, to: descriptor)
    }

    static func read(from descriptor: Int32) -> Data? {
        guard let header = readExactly(8, from: descriptor) else { return nil }
        let length = header.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard length < 1 << 36 else { return nil }
        return readExactly(Int(length), from: descriptor)
    }

    private static func readExactly(_ count: Int, from descriptor: Int32) -> Data? {
        var data = Data(count: count)
        var offset = 0
        let complete = data.withUnsafeMutableBytes { buffer -> Bool in
            while offset < count {
                let got = Glibc.read(descriptor, buffer.baseAddress! + offset, count - offset)
                if got < 0 && errno == EINTR { continue }
                if got <= 0 { return false }
                offset += got
            }
            return true
        }
        return complete ? data : nil
    }
}

/// What a worker process answers for one job: the unit without its functions, and the
/// functions in runs coded while the later ones were still being lowered (see FunctionChunks).
struct ParseReply: Codable {
    var unit: TranslationUnit
    var functionChunks: RecordList<Data>
    var cost: ParseCost

    init(unit: TranslationUnit, functionChunks: [Data], cost: ParseCost = ParseCost()) {
        self.unit = unit
        self.functionChunks = RecordList(functionChunks)
        self.cost = cost
    }

    /// The unit with its functions; the runs are decoded on all cores.
    func decoded() throws -> TranslationUnit {
        let chunks = functionChunks.elements
        let lists = ResultSlots<Result<[Function], Error>>(count: chunks.count)
        DispatchQueue.concurrentPerform(iterations: chunks.count) { index in
            lists[index] = Result { try UnitCoding.decoder().decode(RecordList<Function>.self, from: chunks[index]).elements }
        }
        var unit = self.unit
        for list in lists.values { unit.functions += try list!.get() }
        return unit
    }
}

/// Codes a worker's functions as they are lowered, on a thread of their own, in runs of a
/// fixed number: on a large file the coding takes no time of its own, and the runs can be
/// decoded side by side.
final class FunctionChunks: @unchecked Sendable {
    static let functionsPerChunk = 64
    private let queue = DispatchQueue(label: "tstate-lint.function-chunks")
    private var pending: [Function] = []
    private var chunks: [Data] = []
    private var failed = false

    func add(_ function: Function) {
        pending.append(function)
        if pending.count >= Self.functionsPerChunk { flush() }
    }

    private func flush() {
        let run = pending
        pending = []
        queue.async {
            guard let data = try? UnitCoding.encoder().encode(RecordList(run)) else {
                self.failed = true
                return
            }
            self.chunks.append(data)
        }
    }

    /// Every run, in order; nil when one could not be coded.
    func finish() -> [Data]? {
        if !pending.isEmpty { flush() }
        return queue.sync { failed ? nil : chunks }
    }
}

/// The loop run by `tstate-lint frontend-worker`: the Frontend options, then jobs, on stdin;
/// a translation unit per job on stdout.
public enum FrontendWorker {
    public static func serve(memoryLimit: Int?) -> Int32 {
        if let memoryLimit {
            var limit = rlimit(rlim_cur: rlim_t(memoryLimit), rlim_max: rlim_t(memoryLimit))
            setrlimit(Int32(RLIMIT_DATA.rawValue), &limit)
        }
        nonisolated(unsafe) var status: Int32 = 0
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { done.signal() }
            guard let header = Framing.read(from: STDIN_FILENO),
                  let options = try? UnitCoding.decoder().decode(FrontendOptions.self, from: header) else {
                status = 2
                return
            }
            let frontend = Frontend(options: options)
            while let message = Framing.read(from: STDIN_FILENO) {
                guard let job = try? UnitCoding.decoder().decode(ParseJob.self, from: message) else {
                    status = 2
                    return
                }
                let chunks = FunctionChunks()
                var unit = frontend.parse(path: job.path, arguments: job.arguments, projectRoots: job.projectRoots,
                                          workingDirectory: job.workingDirectory, preludeDirectory: job.preludeDirectory,
                                          buildsPrelude: job.buildsPrelude, inferFlags: job.inferFlags, lowered: chunks.add)
                unit.inferred = job.inferred + unit.inferred
                guard let functionChunks = chunks.finish() else {
                    status = 2
                    return
                }
                unit.functions = []
                let payload = try? UnitCoding.encoder().encode(ParseReply(unit: unit, functionChunks: functionChunks, cost: frontend.lastCost))
                guard let payload, Framing.write(payload, to: STDOUT_FILENO) else {
                    status = 2
                    return
                }
            }
        }
        thread.stackSize = Frontend.workerStackSize
        thread.start()
        done.wait()
        return status
    }
}

enum UnitCoding {
    static func encoder() -> BinaryEncoder { BinaryEncoder() }
    static func decoder() -> BinaryDecoder { BinaryDecoder() }
}

/// Parses jobs on `jobs` threads, in this process or each thread driving a worker process.
final class ParsePool: @unchecked Sendable {
    let isolation: ParseIsolation
    let options: FrontendOptions
    let jobs: Int
    private let costLock = NSLock()
    private var summedCost = ParseCost()
    /// What the files this pool parsed cost, summed over its threads or workers.
    var cost: ParseCost {
        costLock.lock()
        defer { costLock.unlock() }
        return summedCost
    }

    init(isolation: ParseIsolation, options: FrontendOptions, jobs: Int) {
        self.isolation = isolation
        self.options = options
        self.jobs = jobs
    }

    /// `prepare` may answer a job without parsing (a skipped file, a cache hit); `finished`
    /// sees every parsed unit.
    func run(_ work: [ParseJob], prepare: @escaping @Sendable (ParseJob) -> TranslationUnit?,
             finished: @escaping @Sendable (ParseJob, TranslationUnit, _ parsed: Bool) -> Void) -> [TranslationUnit] {
        let results = ResultSlots<TranslationUnit>(count: work.count)
        let next = Counter()
        let group = DispatchGroup()
        // Largest files first: a large file started last would leave the other workers idle.
        let sizes = work.map { job -> Int in
            var info = stat()
            return stat(job.path, &info) == 0 ? Int(info.st_size) : 0
        }
        let order = work.indices.sorted { (sizes[$0], $1) > (sizes[$1], $0) }
        for _ in 0..<min(jobs, max(1, work.count)) {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                var parser = makeParser()
                while let position = next.take(below: work.count) {
                    let index = order[position]
                    let job = work[index]
                    if let answer = prepare(job) {
                        results[index] = answer
                        finished(job, answer, false)
                        continue
                    }
                    let (unit, cost) = parser.parse(job)
                    if let cost {
                        costLock.lock()
                        summedCost = summedCost + cost
                        costLock.unlock()
                    }
                    results[index] = unit
                    finished(job, unit, true)
                }
            }
            thread.stackSize = Frontend.workerStackSize
            thread.start()
        }
        group.wait()
        return results.values.map { $0! }
    }

    private func makeParser() -> any UnitParser {
        switch isolation {
        case .inProcess:
            return InProcessParser(frontend: Frontend(options: options))
        case .workerProcesses(let executable, let timeout, let memoryLimit):
            return WorkerProcessParser(executable: executable, options: options, timeout: timeout, memoryLimit: memoryLimit)
        }
    }
}

protocol UnitParser {
    /// The unit, and what parsing it cost when it was parsed.
    mutating func parse(_ job: ParseJob) -> (TranslationUnit, ParseCost?)
}

struct InProcessParser: UnitParser {
    let frontend: Frontend

    func parse(_ job: ParseJob) -> (TranslationUnit, ParseCost?) {
        var unit = frontend.parse(path: job.path, arguments: job.arguments, projectRoots: job.projectRoots, workingDirectory: job.workingDirectory,
                                  preludeDirectory: job.preludeDirectory, buildsPrelude: job.buildsPrelude, inferFlags: job.inferFlags)
        unit.inferred = job.inferred + unit.inferred
        return (unit, frontend.lastCost)
    }
}

/// Drives one `tstate-lint frontend-worker` process, replacing it when it dies or overruns.
struct WorkerProcessParser: UnitParser {
    let executable: String
    let options: FrontendOptions
    let timeout: TimeInterval
    let memoryLimit: Int
    private var worker: WorkerProcess?

    init(executable: String, options: FrontendOptions, timeout: TimeInterval, memoryLimit: Int) {
        self.executable = executable
        self.options = options
        self.timeout = timeout
        self.memoryLimit = memoryLimit
    }

    mutating func parse(_ job: ParseJob) -> (TranslationUnit, ParseCost?) {
        let display = PathDisplay.display(job.path, workingDirectory: job.workingDirectory)
        if worker == nil {
            do {
                worker = try WorkerProcess(executable: executable, options: options, memoryLimit: memoryLimit)
            } catch {
                return (TranslationUnit(path: display, status: .failed, message: "could not start a front-end worker: \(error)"), nil)
            }
        }
        let outcome = worker!.parse(job, timeout: timeout)
        switch outcome {
        case .parsed(let unit, let cost):
            return (unit, cost)
        case .timedOut:
            worker = nil
            return (TranslationUnit(path: display, status: .failed,
                                    message: "parsing took longer than the time limit (\(Int(timeout)) s); the file was not analysed"), nil)
        case .died(let reason):
            worker = nil
            return (TranslationUnit(path: display, status: .failed, message: "the front end crashed on this file (\(reason)); the file was not analysed"), nil)
        }
    }
}

final class WorkerProcess {
    enum Outcome {
        case parsed(TranslationUnit, ParseCost)
        case timedOut
        case died(String)
    }

    private let pid: pid_t
    private let input: Int32
    private let output: Int32

    init(executable: String, options: FrontendOptions, memoryLimit: Int) throws {
        var toWorker: [Int32] = [0, 0]
        var fromWorker: [Int32] = [0, 0]
        guard pipe(&toWorker) == 0, pipe(&fromWorker) == 0 else { throw UsageError("pipe: \(String(cString: strerror(errno)))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toWorker[0], STDIN_FILENO)
        posix_spawn_file_actions_adddup2(&actions, fromWorker[1], STDOUT_FILENO)
        // libclang reports the crashes it recovers from on stderr; the file's status says it.
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)
        for descriptor in toWorker + fromWorker { posix_spawn_file_actions_addclose(&actions, descriptor) }
        let arguments = [executable, "frontend-worker", "--memory-limit", String(memoryLimit)]
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, executable, &actions, nil, argv, environ)
        close(toWorker[0])
        close(fromWorker[1])
        guard spawned == 0 else {
            close(toWorker[1])
            close(fromWorker[0])
            throw UsageError("cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        pid = child
        input = toWorker[1]
        output = fromWorker[0]
        _ = fcntl(input, F_SETFD, FD_CLOEXEC)
        _ = fcntl(output, F_SETFD, FD_CLOEXEC)
        guard let header = try? UnitCoding.encoder().encode(options), Framing.write(header, to: input) else {
            throw UsageError("the front-end worker did not start")
        }
    }

    deinit {
        close(input)
        close(output)
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == 0 {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
        }
    }

    func parse(_ job: ParseJob, timeout: TimeInterval) -> Outcome {
        guard let request = try? UnitCoding.encoder().encode(job), Framing.write(request, to: input) else {
            return .died(reap())
        }
        let deadline = Date().addingTimeInterval(timeout)
        var descriptor = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
        while true {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 {
                kill(pid, SIGKILL)
                _ = reap()
                return .timedOut
            }
            let ready = poll(&descriptor, 1, Int32(min(remaining, 3600) * 1000) + 1)
            if ready < 0 && errno == EINTR { continue }
            if ready > 0 { break }
        }
        guard let reply = Framing.read(from: output) else { return .died(reap()) }
        guard let answer = try? UnitCoding.decoder().decode(ParseReply.self, from: reply), let unit = try? answer.decoded() else {
            kill(pid, SIGKILL)
            return .died("unreadable reply; \(reap())")
        }
        return .parsed(unit, answer.cost)
    }

    /// Waits for the dead worker and says how it ended.
    private func reap() -> String {
        var status: Int32 = 0
        var waited: pid_t
        repeat { waited = waitpid(pid, &status, 0) } while waited < 0 && errno == EINTR
        guard waited == pid else { return "worker lost" }
        let signal = status & 0x7f
        if signal != 0 {
            let name = strsignal(signal).map { String(cString: $0) } ?? "signal \(signal)"
            return "\(name), signal \(signal)"
        }
        return "worker exited with status \((status >> 8) & 0xff)"
    }
}
