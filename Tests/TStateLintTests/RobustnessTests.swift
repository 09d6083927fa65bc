import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import TStateLint

/// Hostile inputs: code nested or long enough to exhaust a stack or a quadratic algorithm,
/// files that are not C, odd paths, odd trees. Each case puts the bad input next to `good.c`
/// (one TS201 on line 6) and checks that the bad file gets a sensible status and that the
/// good file is analysed as if it were alone. Parsing runs in worker processes (as the tool
/// does), so a crash in libclang fails one file rather than this test process; a crash in the
/// driver or the analysis would still end the test process, so the cases that once crashed
/// the driver run the tool as a child process first.
///
/// Cases 1-4 of the fuzzing campaign (scripts/fuzz-csmith, scripts/fuzz-mutate) are here:
/// deep `if` nesting and long `else if` chains (stack overflows in libclang's parse thread),
/// 4,000 findings in one file (suppression comments rescanned per finding: quadratic), and a
/// header found through `-I.` (Foundation's `deletingLastPathComponent` traps on ".").
@Suite struct RobustnessTests {
    // MARK: Helpers

    /// The finding `good.c` has whatever is next to it.
    static let goodFindings = ["good.c:6:TS201"]

    static var good: String {
        DriverTests.conditional.replacingOccurrences(of: "#ifdef BUGGY\n", with: "").replacingOccurrences(of: "#endif\n", with: "")
    }

    /// A directory holding `good.c`.
    static func directoryWithGoodFile() throws -> String {
        let root = try DriverTests.directory()
        try DriverTests.write(good, to: root + "/good.c")
        return root
    }

    static func run(_ root: String, _ paths: [String] = ["."], arguments: [String] = [], timeout: TimeInterval = 300) throws -> RunResult {
        let executable = try #require(DriverTests.toolExecutable, "the tstate-lint executable is built next to the tests")
        var options = RunOptions(paths: paths, clangArguments: arguments, jobs: 2, workingDirectory: root)
        options.isolation = .workerProcesses(executable: executable, timeout: timeout, memoryLimit: 4 << 30)
        return try Runner(store: TestSupport.store).run(options)
    }

    static func status(_ result: RunResult) -> [String: FileReport] {
        Dictionary(result.files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
    }

    static func findings(_ result: RunResult, in file: String) -> [String] {
        DriverTests.findings(result).filter { $0.hasPrefix(file + ":") }
    }

    /// `good.c` analysed with its one finding, and the run not a failure.
    static func expectGoodFileUnchanged(_ result: RunResult, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(status(result)["good.c"]?.status == .analyzed, "\(result.files)", sourceLocation: sourceLocation)
        #expect(findings(result, in: "good.c") == goodFindings, sourceLocation: sourceLocation)
        #expect(!result.nothingAnalysable, sourceLocation: sourceLocation)
    }

    /// The function every deep case is put in: what the body does happens with the thread
    /// state released, and a `return NULL` after it is a TS101 that shows the body was
    /// lowered and explored to its end.
    static func deepFunction(_ body: String) -> String {
        "#include <Python.h>\nstatic PyObject *f(PyObject *self, PyObject *arg) {\n int x = PyObject_IsTrue(arg);\n Py_BEGIN_ALLOW_THREADS\n"
            + body + "\n if (x) return NULL;\n Py_END_ALLOW_THREADS\n Py_RETURN_NONE;\n}\n"
    }

    static func line(of needle: String, in text: String) -> Int {
        var line = 1
        for part in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if part.contains(needle) { return line }
            line += 1
        }
        return -1
    }

    /// Runs the tool as a child process (a trap in the driver then fails the test instead of
    /// ending the test process).
    static func runTool(_ arguments: [String], in directory: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let executable = try #require(DriverTests.toolExecutable, "the tstate-lint executable is built next to the tests")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Both pipes are read before waiting: a full pipe would block the child.
        final class Box: @unchecked Sendable { var data = Data() }
        let stderrBox = Box()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            stderrBox.data = errors.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }
        let stdoutData = output.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        let stderrData = stderrBox.data
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? -process.terminationStatus : process.terminationStatus
        return (status, String(decoding: stdoutData, as: UTF8.self), String(decoding: stderrData, as: UTF8.self))
    }

    static var rulesDirectory: String { TestSupport.repositoryRoot + "/Rules" }

    // MARK: Deep and long code

    enum Deep: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case nestedIf, elseIfChain, nestedParentheses, nestedBlocks, andChain, plusChain, nestedConditional

        var testDescription: String { rawValue }

        var body: String {
            switch self {
            case .nestedIf: String(repeating: "if (x) ", count: 10_000) + ";"
            case .elseIfChain: String(repeating: "if (x) {} else ", count: 10_000) + ";"
            case .nestedParentheses: "x = " + String(repeating: "(", count: 10_000) + "x" + String(repeating: ")", count: 10_000) + ";"
            case .nestedBlocks: String(repeating: "{", count: 10_000) + ";" + String(repeating: "}", count: 10_000)
            case .andChain: "x = " + Array(repeating: "x", count: 10_000).joined(separator: " && ") + ";"
            case .plusChain: "x = " + Array(repeating: "x", count: 50_000).joined(separator: " + ") + ";"
            case .nestedConditional: "x = " + String(repeating: "x ? 1 : ", count: 10_000) + "0;"
            }
        }

        var expected: FileStatus {
            switch self {
            // Too deep to lower: the function is named in the status, the rest of the file stays.
            case .nestedIf: .failed
            // clang stops at its bracket depth limit (256) and recovers.
            case .nestedParentheses, .nestedBlocks: .parseErrors
            case .elseIfChain, .andChain, .plusChain, .nestedConditional: .analyzed
            }
        }
    }

    /// Fuzzing crashes 1 (10,000 nested `if`) and 2 (10,000-long `else if` chain): SIGSEGV in
    /// libclang's parse thread, and the lowering and analysis recursed as deep.
    @Test(.timeLimit(.minutes(5)), arguments: Deep.allCases)
    func deepOrLongCodeCostsAtMostItsFunction(_ deep: Deep) throws {
        let root = try Self.directoryWithGoodFile()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let text = Self.deepFunction(deep.body)
        try DriverTests.write(text, to: root + "/deep.c")
        let result = try Self.run(root)
        let report = try #require(Self.status(result)["deep.c"])
        #expect(report.status == deep.expected, "\(report.message ?? "")")
        switch deep.expected {
        case .failed:
            #expect(report.message?.contains("nesting deeper than") == true, "\(report.message ?? "")")
            #expect(report.message?.contains("`f`") == true, "\(report.message ?? "")")
            // Not analysed, so not clean: its own finding (TS003), and no other.
            #expect(Self.findings(result, in: "deep.c") == ["deep.c:1:TS003"])
        case .parseErrors:
            #expect(report.message?.contains("bracket nesting level") == true, "\(report.message ?? "")")
        default:
            #expect(Self.findings(result, in: "deep.c") == ["deep.c:\(Self.line(of: "return NULL", in: text)):TS101"])
        }
        Self.expectGoodFileUnchanged(result)
    }

    @Test(.timeLimit(.minutes(5)))
    func aSwitchWithAHundredThousandCases() throws {
        let root = try Self.directoryWithGoodFile()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cases = (0..<100_000).map { "case \($0): x = \($0); break;\n" }.joined()
        let text = Self.deepFunction("switch (x) {\n" + cases + "}")
        try DriverTests.write(text, to: root + "/switch.c")
        let started = ContinuousClock.now
        let result = try Self.run(root)
        print("RobustnessTests: 100,000-case switch took \(ContinuousClock.now - started)")
        #expect(Self.status(result)["switch.c"]?.status == .analyzed, "\(result.files)")
        #expect(Self.findings(result, in: "switch.c") == ["switch.c:\(Self.line(of: "return NULL", in: text)):TS101"])
        Self.expectGoodFileUnchanged(result)
    }

    @Test(.timeLimit(.minutes(5)))
    func aFunctionOfTwoHundredThousandStatements() throws {
        let root = try Self.directoryWithGoodFile()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let statements = (0..<200_000).map { " x = x + \($0);\n" }.joined()
        let text = Self.deepFunction(statements)
        try DriverTests.write(text, to: root + "/long.c")
        let started = ContinuousClock.now
        let result = try Self.run(root)
        print("RobustnessTests: 200,000 statements took \(ContinuousClock.now - started)")
        #expect(Self.status(result)["long.c"]?.status == .analyzed, "\(result.files)")
        #expect(Self.findings(result, in: "long.c") == ["long.c:\(Self.line(of: "return NULL", in: text)):TS101"])
        Self.expectGoodFileUnchanged(result)
    }

    /// Fuzzing crash 3: every finding rescanned its whole file for `ignore-file` comments, so
    /// 4,000 findings took over a minute. The time limit is what catches that coming back.
    @Test(.timeLimit(.minutes(2)))
    func fourThousandFindingsInOneFile() throws {
        let root = try Self.directoryWithGoodFile()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let functions = (0..<4000).map {
            "static PyObject *f\($0)(PyObject *s, PyObject *x) {\n Py_BEGIN_ALLOW_THREADS\n if (x) return NULL;\n Py_END_ALLOW_THREADS\n Py_RETURN_NONE;\n}\n"
        }
        try DriverTests.write("#include <Python.h>\n" + functions.joined(), to: root + "/many.c")
        let started = ContinuousClock.now
        let result = try Self.run(root)
        print("RobustnessTests: 4,000 findings took \(ContinuousClock.now - started)")
        #expect(Self.status(result)["many.c"]?.status == .analyzed)
        let found = result.diagnostics.filter { $0.location.file == "many.c" }
        #expect(found.count == 4000)
        #expect(found.allSatisfy { $0.rule == "TS101" })
        // One per function, each on its `return NULL` (line 4 of the function's 6).
        #expect(Set(found.map(\.function)).count == 4000)
        #expect(found.allSatisfy { ($0.location.line - 4) % 6 == 0 })
        Self.expectGoodFileUnchanged(result)
    }

    /// The part of crash 3 that was quadratic, alone: matching 4,000 findings against the
    /// suppression comments of their 24,000-line file. Rescanning the file per finding took
    /// over a minute in a debug build; found once, it takes milliseconds.
    @Test func matchingSuppressionsIsLinearInTheFindings() throws {
        let root = try DriverTests.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let functions = (0..<4000).map {
            "static PyObject *f\($0)(PyObject *s, PyObject *x) {\n Py_BEGIN_ALLOW_THREADS\n if (x) return NULL;\n Py_END_ALLOW_THREADS\n Py_RETURN_NONE;\n}\n"
        }
        try DriverTests.write("#include <Python.h>\n// tstate-lint: ignore-file[TS201]\n" + functions.joined(), to: root + "/many.c")
        let diagnostics = (0..<4000).map {
            Diagnostic(rule: "TS101", message: "returns with the thread state released",
                       location: SourceLocation(file: "many.c", line: 5 + 6 * $0, column: 9, offset: 0), function: "f\($0)", trace: [])
        }
        let matcher = Suppressions.Matcher(sources: SourceCache(), workingDirectory: root)
        let started = ContinuousClock.now
        let suppressed = diagnostics.filter { matcher.suppresses($0) }
        let elapsed = ContinuousClock.now - started
        #expect(suppressed.isEmpty)
        #expect(elapsed < .seconds(10), "\(elapsed) to match 4,000 findings")
        // The file-wide comment is still found for the rule it names.
        var covered = diagnostics[17]
        covered.rule = "TS201"
        #expect(matcher.suppresses(covered))
    }

    // MARK: Files that are not C

    @Test func aBinaryFileNamedLikeCSource() throws {
        let root = try Self.directoryWithGoodFile()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var generator = SystemRandomNumberGenerator()
        // "Py" so it is not skipped as not using the C-API; NULs early, where the check looks.
        var bytes: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, 0x50, 0x79, 0x00, 0x00, 0xff, 0xfe]
        bytes += (0..<20_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try Data(bytes).write(to: URL(fileURLWithPath: root + "/binary.c"))
        let result = try Self.run(root)
        #expect(Self.status(result)["binary.c"]?.status == .failed)
        #expect(Self.status(result)["binary.c"]?.message?.contains("binary file") == true)
        #expect(Self.findings(result, in: "binary.c") == ["binary.c:1:TS003"])
        Self.expectGoodFileUnchanged(result)
    }

    /// A NUL past the first 8 KiB is not taken for a binary file: clang ignores it, and the
    /// findings around it are reported (and every report format renders the line).
    @Test func aNulByteLateInASourceFile() throws {
        let root = try Self.directoryWithGoodFile()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var bytes = Array(("/*" + String(repeating: "x", count: 9000) + "*/\n").utf8)
        bytes += Array(Self.good.replacingOccurrences(of: "work", with: "late").replacingOccurrences(of: "Py_DECREF(arg);", with: "Py_DECREF(arg); \u{0} /* \u{0} */").utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: root + "/late_nul.c"))
        let result = try Self.run(root)
        #expect(Self.status(result)["late_nul.c"]?.status == .analyzed, "\(result.files)")
        #expect(Self.findings(result, in: "late_nul.c") == ["late_nul.c:7:TS201"])
        for format in ReportFormat.allCases {
            let rendered = Reporter.render(result, format: format, catalog: TestSupport.store.catalog, version: "test", color: false,
                                           workingDirectory: root, showSuppressed: false)
            #expect(rendered.contains("late_nul.c"), "\(format)")
        }
        Self.expectGoodFileUnchanged(result)
    }

    /// Invalid UTF-8 in a comment (on the line of a finding, so the reports quote it) and in a
    /// string literal: the files are analysed and the findings keep their lines and columns.
    @Test func invalidUTF8InACommentAndAStringLiteral() throws {
        let root = try Self.directoryWithGoodFile()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let invalid: [UInt8] = [0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x28, 0xa1, 0xed, 0xa0, 0x80, 0xc0, 0xaf, 0x80]
        func source(_ name: String, _ before: String, _ after: String) -> Data {
            let text = Self.good.replacingOccurrences(of: "work", with: name)
            let parts = text.components(separatedBy: "Py_DECREF(arg);")
            return Data(parts[0].utf8) + Data(before.utf8) + Data(invalid) + Data(after.utf8) + Data(parts[1].utf8)
        }
        // The comment goes after the call on line 6; the string literal is used on line 6 too.
        try source("in_comment", "Py_DECREF(arg); /* ", " */").write(to: URL(fileURLWithPath: root + "/comment.c"))
        try source("in_string", "Py_DECREF(arg); (void)\"", "\";").write(to: URL(fileURLWithPath: root + "/string.c"))
        let result = try Self.run(root)
        #expect(Self.status(result)["comment.c"]?.status == .analyzed, "\(result.files)")
        #expect(Self.status(result)["string.c"]?.status == .analyzed, "\(result.files)")
        let located = result.diagnostics.filter { $0.location.file != "good.c" }.map { "\($0.location.file):\($0.location.line):\($0.location.column):\($0.rule)" }
        #expect(located.sorted() == ["comment.c:6:5:TS201", "string.c:6:5:TS201"])
        for format in ReportFormat.allCases {
            let rendered = Reporter.render(result, format: format, catalog: TestSupport.store.catalog, version: "test", color: false,
                                           workingDirectory: root, showSuppressed: false)
            #expect(rendered.contains("comment.c") && rendered.contains("string.c"), "\(format)")
        }
        Self.expectGoodFileUnchanged(result)
    }

    @Test func anEmptyFileAndAFileOfOnlyMacros() throws {
        let root = try Self.directoryWithGoodFile()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = FileManager.default.createFile(atPath: root + "/empty.c", contents: Data())
        try DriverTests.write("""
        #define PY_SSIZE_T_CLEAN
        #include <Python.h>
        #define RELEASE Py_BEGIN_ALLOW_THREADS
        #define ACQUIRE Py_END_ALLOW_THREADS
        #define TOUCH(o) Py_DECREF(o)
        """, to: root + "/macros.c")
        let result = try Self.run(root)
        // An empty file used to be `failed: cannot read the file` (FileHandle.readToEnd() gives
        // nil for an empty file), which alone made the run exit 2.
        #expect(Self.status(result)["empty.c"]?.status == .skipped, "\(result.files)")
        #expect(Self.status(result)["empty.c"]?.message?.contains("does not use the Python C-API") == true)
        #expect(Self.status(result)["macros.c"]?.status == .analyzed, "\(result.files)")
        #expect(Self.findings(result, in: "empty.c").isEmpty && Self.findings(result, in: "macros.c").isEmpty)
        Self.expectGoodFileUnchanged(result)

        let alone = try Self.run(root, ["empty.c"])
        #expect(!alone.nothingAnalysable)
    }

    /// Tests usually run as root, for whom mode 000 does not stop reading: then the file must
    /// be analysed like any other, and that it could not be tested is printed.
    @Test func anUnreadableFile() throws {
        let root = try Self.directoryWithGoodFile()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try DriverTests.write(Self.good.replacingOccurrences(of: "work", with: "secret"), to: root + "/secret.c")
        #expect(chmod(root + "/secret.c", 0) == 0)
        let unreadable = access(root + "/secret.c", R_OK) != 0
        let result = try Self.run(root)
        if unreadable {
            #expect(Self.status(result)["secret.c"]?.status == .failed, "\(result.files)")
            #expect(Self.status(result)["secret.c"]?.message?.contains("cannot read") == true)
            #expect(Self.findings(result, in: "secret.c").isEmpty)
        } else {
            print("RobustnessTests: secret.c with mode 000 is still readable (running as root): checked it is analysed instead")
            #expect(Self.status(result)["secret.c"]?.status == .analyzed, "\(result.files)")
            #expect(Self.findings(result, in: "secret.c") == ["secret.c:6:TS201"])
        }
        Self.expectGoodFileUnchanged(result)
    }

    /// A FIFO named like a source: opening it to read waits for a writer, so a run once hung
    /// forever on it. A watchdog opens it for writing (and closes it at once, which gives a
    /// waiting reader end-of-file) so that a regression fails the test instead of hanging it.
    @Test(.timeLimit(.minutes(2)))
    func aFIFONamedLikeCSource() throws {
        let root = try Self.directoryWithGoodFile()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fifo = root + "/pipe.c"
        #expect(mkfifo(fifo, 0o644) == 0)
        final class Watchdog: @unchecked Sendable {
            let lock = NSLock()
            var stop = false
            var readerSeen = false
        }
        let watchdog = Watchdog()
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            while true {
                watchdog.lock.lock()
                let stop = watchdog.stop
                watchdog.lock.unlock()
                if stop { break }
                // Succeeds only while someone has the FIFO open for reading.
                let descriptor = open(fifo, O_WRONLY | O_NONBLOCK)
                if descriptor >= 0 {
                    close(descriptor)
                    watchdog.lock.lock(); watchdog.readerSeen = true; watchdog.lock.unlock()
                }
                usleep(200_000)
            }
            finished.signal()
        }
        let result = try Self.run(root)
        watchdog.lock.lock(); watchdog.stop = true; watchdog.lock.unlock()
        finished.wait()
        #expect(!watchdog.readerSeen, "something opened the FIFO to read it")
        #expect(Self.status(result)["pipe.c"]?.status == .failed, "\(result.files)")
        #expect(Self.status(result)["pipe.c"]?.message == "not a regular file")
        Self.expectGoodFileUnchanged(result)
    }

    /// C++ sources are discovered (`.cc`, `.cpp`) and parsed as C++ (by their extension).
    @Test func cPlusPlusSources() throws {
        let root = try Self.directoryWithGoodFile()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try DriverTests.write(Self.good.replacingOccurrences(of: "work", with: "cc_work"), to: root + "/ext.cc")
        // Something only C++ parses, so that a C parse would show as parse errors.
        try DriverTests.write(Self.good.replacingOccurrences(of: "work", with: "cpp_work")
            + "namespace detail { template <typename T> T identity(T value) { return value; } }\n", to: root + "/ext.cpp")
        let result = try Self.run(root)
        #expect(Self.status(result)["ext.cc"]?.status == .analyzed, "\(result.files)")
        #expect(Self.status(result)["ext.cpp"]?.status == .analyzed, "\(result.files)")
        #expect(Self.findings(result, in: "ext.cc") == ["ext.cc:6:TS201"])
        #expect(Self.findings(result, in: "ext.cpp") == ["ext.cpp:6:TS201"])
        Self.expectGoodFileUnchanged(result)
    }

    // MARK: Paths and trees

    @Test(.timeLimit(.minutes(2)))
    func symlinkLoopsEndDiscovery() throws {
        let root = try Self.directoryWithGoodFile()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fm = FileManager.default
        // Two links to each other (named like sources), a directory link to its parent, one to itself.
        try fm.createSymbolicLink(atPath: root + "/a.c", withDestinationPath: "b.c")
        try fm.createSymbolicLink(atPath: root + "/b.c", withDestinationPath: "a.c")
        try fm.createDirectory(atPath: root + "/sub", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: root + "/sub/up", withDestinationPath: "..")
        try fm.createSymbolicLink(atPath: root + "/self", withDestinationPath: ".")
        try DriverTests.write(Self.good.replacingOccurrences(of: "work", with: "inner"), to: root + "/sub/inner.c")
        let result = try Self.run(root)
        // Each file once, under its own path, not again through sub/up/ or self/; the links
        // that lead nowhere are listed as failed, not dropped.
        #expect(result.files.map(\.path).sorted() == ["a.c", "b.c", "good.c", "sub/inner.c"])
        #expect(Self.status(result)["a.c"]?.status == .failed)
        #expect(Self.status(result)["b.c"]?.status == .failed)
        #expect(Self.findings(result, in: "sub/inner.c") == ["sub/inner.c:6:TS201"])
        Self.expectGoodFileUnchanged(result)

        // Named on the command line, a link loop is a clear error, not a hang.
        let error = #expect(throws: UsageError.self) { try Self.run(root, ["a.c", "good.c"]) }
        #expect(error?.description == "a.c: a symbolic link that leads nowhere (a loop, or a missing target)")
    }

    @Test func pathsWithSpacesAndNonASCIINames() throws {
        let root = try Self.directoryWithGoodFile()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let name = "dir with space/ünïcödé.c"
        try DriverTests.write(Self.good.replacingOccurrences(of: "work", with: "unicode"), to: root + "/" + name)
        let result = try Self.run(root)
        #expect(Self.status(result)[name]?.status == .analyzed, "\(result.files)")
        #expect(Self.findings(result, in: name) == ["\(name):6:TS201"])
        let text = Reporter.render(result, format: .text, catalog: TestSupport.store.catalog, version: "test", color: false,
                                   workingDirectory: root, showSuppressed: false)
        #expect(text.contains("\(name):6:5: error:"))
        Self.expectGoodFileUnchanged(result)

        // Given by name, and as an absolute path from elsewhere.
        let named = try Self.run(root, [name, "good.c"])
        #expect(Self.findings(named, in: name) == ["\(name):6:TS201"])
        let other = try DriverTests.directory()
        defer { try? FileManager.default.removeItem(atPath: other) }
        let elsewhere = try Self.run(other, [root + "/" + name])
        #expect(elsewhere.files.map(\.path) == [root + "/" + name])
    }

    @Test func aMissingPathIsAClearError() throws {
        let root = try Self.directoryWithGoodFile()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let error = #expect(throws: UsageError.self) { try Self.run(root, ["good.c", "missing/nothing.c"]) }
        #expect(error?.description == "missing/nothing.c: no such file or directory")

        let tool = try Self.runTool(["check", "--isolated", "--no-cache", "--rules-dir", Self.rulesDirectory, "good.c", "missing/nothing.c"], in: root)
        #expect(tool.status == 2)
        #expect(tool.stderr.contains("missing/nothing.c: no such file or directory"), "\(tool.stderr)")

        // The good file alone is still fine.
        Self.expectGoodFileUnchanged(try Self.run(root, ["good.c"]))
    }

    /// Fuzzing crash 4: a header found through `-I.` by a file named relatively is "./h.h" to
    /// clang, and the directory of its directory was taken with NSString's
    /// deletingLastPathComponent, which traps on "." (every program fixture crashed that way
    /// with `-I.`). An explicit `#include "./h.h"` is here too. The tool runs as a child process,
    /// as the fuzzer ran it: relative clang arguments are resolved against the process's
    /// directory, which for the Runner below is the test's, not `root`.
    @Test func aHeaderFoundThroughMinusIDotOrIncludedAsDotSlash() throws {
        let root = try Self.directoryWithGoodFile()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try DriverTests.write("""
        static PyObject *
        from_header(PyObject *self, PyObject *arg)
        {
            Py_BEGIN_ALLOW_THREADS
            Py_DECREF(arg);
            Py_END_ALLOW_THREADS
            Py_RETURN_NONE;
        }
        """, to: root + "/h.h")
        try DriverTests.write("#include <Python.h>\n#include \"./h.h\"\n"
            + "static PyMethodDef methods[] = {{\"f\", from_header, METH_O, NULL}, {NULL, NULL, 0, NULL}};\n", to: root + "/uses.c")
        // The fuzzer's reproducer, as it was minimised.
        try DriverTests.write("int v;\n", to: root + "/plain.h")
        try DriverTests.write("#include \"plain.h\"\n/* Py */\n", to: root + "/repro.c")

        let tool = try Self.runTool(["check", "--isolated", "--no-cache", "--rules-dir", Self.rulesDirectory, "--format", "json", "-j", "1",
                                     "uses.c", "repro.c", "good.c", "--", "-I."], in: root)
        #expect(tool.status == 1, "\(tool.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(tool.stdout.utf8)) as? [String: Any], "\(tool.stderr)")
        let files = (report["files"] as? [[String: Any]] ?? []).map { "\($0["path"] ?? ""): \($0["status"] ?? "") \($0["message"] ?? "")" }
        #expect(files == ["good.c: analyzed <null>", "repro.c: analyzed <null>", "uses.c: analyzed <null>"])
        let diagnostics = report["diagnostics"] as? [[String: Any]] ?? []
        #expect(diagnostics.map { "\($0["file"] ?? ""):\($0["line"] ?? ""):\($0["rule"] ?? "")" }.sorted() == ["good.c:6:TS201", "h.h:5:TS201"])

        let result = try Self.run(root, ["uses.c", "repro.c", "good.c"], arguments: ["-I" + root])
        #expect(Self.status(result)["uses.c"]?.status == .analyzed, "\(result.files)")
        #expect(Self.status(result)["repro.c"]?.status == .analyzed, "\(result.files)")
        #expect(Self.findings(result, in: "h.h") == ["h.h:5:TS201"])
        Self.expectGoodFileUnchanged(result)
    }

    @Test func pathHelpersOnEdgeCases() {
        let cases: [(path: String, directory: String, last: String, pathExtension: String)] = [
            (".", ".", ".", ""),
            ("", ".", "", ""),
            ("/", "/", "", ""),
            ("a", ".", "a", ""),
            ("a/", ".", "a", ""),
            ("/a", "/", "a", ""),
            ("./h.h", ".", "h.h", "h"),
            ("../h.h", "..", "h.h", "h"),
            ("a//b", "a", "b", ""),
            ("//", "/", "", ""),
            ("..", ".", "..", ""),
            (".hidden", ".", ".hidden", ""),
            ("dir.d/file", "dir.d", "file", ""),
            ("/x/y.tar.gz", "/x", "y.tar.gz", "gz"),
        ]
        for c in cases {
            #expect(PathDisplay.directory(of: c.path) == c.directory, "directory(of: \"\(c.path)\")")
            #expect(PathDisplay.lastComponent(of: c.path) == c.last, "lastComponent(of: \"\(c.path)\")")
            #expect(PathDisplay.pathExtension(of: c.path) == c.pathExtension, "pathExtension(of: \"\(c.path)\")")
        }
        // The directory of a directory, down to the root, ends (Foundation's version traps on ".").
        for start in ["./h.h", "a/b/c", "/a/b", "../../x"] {
            var path = start
            var steps = 0
            while steps < 10 {
                let parent = PathDisplay.directory(of: path)
                if parent == path { break }
                path = parent
                steps += 1
            }
            #expect(steps < 10, "\(start)")
            #expect(path == "." || path == "/" || path == "..", "\(start) -> \(path)")
        }
    }

    /// Discovery in a directory of 100,000 files that are not sources: it ends, in reasonable
    /// time, with the one source in it.
    @Test(.timeLimit(.minutes(3)))
    func aDirectoryOfAHundredThousandFiles() throws {
        let root = try Self.directoryWithGoodFile()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let created = ContinuousClock.now
        for index in 0..<100_000 {
            let descriptor = open(root + "/file\(index).txt", O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
            #expect(descriptor >= 0)
            if descriptor >= 0 { close(descriptor) }
        }
        let started = ContinuousClock.now
        let result = try Self.run(root)
        print("RobustnessTests: 100,000 files created in \(started - created), the run took \(ContinuousClock.now - started)")
        #expect(result.files.map(\.path) == ["good.c"])
        Self.expectGoodFileUnchanged(result)
    }
}
