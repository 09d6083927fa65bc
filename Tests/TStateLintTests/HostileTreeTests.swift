import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import TStateLint

/// A hostile tree, compile database or cache (the cases of `shared/cases/robustness/`): it
/// can neither delete files, hide findings nor leak the content of files outside the tree,
/// and every scan it can drive is linear or bounded with a status that says so.
extension RobustnessTests {
    // MARK: Hostile tree

    /// `f` returns with the thread state released on one path: TS101 on line 4.
    static let released = """
    #include <Python.h>
    static PyObject *f(PyObject *s, PyObject *a) {
        Py_BEGIN_ALLOW_THREADS
        if (s == NULL) return NULL;
        Py_END_ALLOW_THREADS
        Py_RETURN_NONE;
    }
    static PyMethodDef m[] = {{"f", f, METH_VARARGS, NULL}, {NULL}};

    """

    static let balanced = """
    #include <Python.h>
    static PyObject *f(PyObject *s, PyObject *a) {
        Py_BEGIN_ALLOW_THREADS
        Py_END_ALLOW_THREADS
        Py_RETURN_NONE;
    }
    static PyMethodDef m[] = {{"f", f, METH_VARARGS, NULL}, {NULL}};

    """

    static func setModificationTime(_ path: String, daysAgo: Double) {
        let seconds = Int(Date().timeIntervalSince1970 - daysAgo * 86400)
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW)
    }

    /// Case 03: `cache-dir = "."` pruned the project (headers, `.git/index.lock`) and wrote a
    /// `.gitignore` of `*` there. The cache deletes only what it created and can prove it did.
    @Test func aCacheDirectoryThatIsTheProjectIsRefusedNotPruned() throws {
        let root = try Self.directoryWithGoodFile()
        try DriverTests.write("#define X 1\n", to: root + "/include/mylib.h")
        try DriverTests.write("lock\n", to: root + "/.git/index.lock")
        for path in ["/include/mylib.h", "/.git/index.lock"] { Self.setModificationTime(root + path, daysAgo: 30) }
        #expect(throws: UsageError.self) { try DriverTests.run(root) { $0.cacheDirectory = root } }
        let tool = try Self.runTool(["check", ".", "-q", "--cache-dir", "."], in: root)
        #expect(tool.status == 2)
        #expect(tool.stderr.contains("is not a tstate-lint cache"), "\(tool.stderr)")
        #expect(FileManager.default.fileExists(atPath: root + "/include/mylib.h"))
        #expect(FileManager.default.fileExists(atPath: root + "/.git/index.lock"))
        #expect(!FileManager.default.fileExists(atPath: root + "/.gitignore"))

        // In a cache of its own, only stale entries it names are removed, not a planted header.
        let cache = root + "/cache"
        _ = try DriverTests.run(root, ["good.c"]) { $0.cacheDirectory = cache }
        try DriverTests.write("x", to: cache + "/preludes/mine.h")
        try DriverTests.write("x", to: cache + "/preludes/0123456789abcdef.h")
        try DriverTests.write("x", to: cache + "/notes.lock")
        for path in ["/preludes/mine.h", "/preludes/0123456789abcdef.h", "/notes.lock"] { Self.setModificationTime(cache + path, daysAgo: 30) }
        try? FileManager.default.removeItem(atPath: cache + "/last-prune")
        CacheDirectory.pruneStaleEntries(cache, staleAfter: 7 * 86400)
        #expect(FileManager.default.fileExists(atPath: cache + "/preludes/mine.h"))
        #expect(FileManager.default.fileExists(atPath: cache + "/notes.lock"))
        #expect(!FileManager.default.fileExists(atPath: cache + "/preludes/0123456789abcdef.h"))
    }

    /// Case 04: a committed cache directory that is a symbolic link made the tool write outside the tree.
    @Test func aCacheDirectoryThatIsALinkIsRefused() throws {
        let root = try Self.directoryWithGoodFile()
        let elsewhere = try DriverTests.directory()
        try FileManager.default.createSymbolicLink(atPath: root + "/.tstate-lint-cache", withDestinationPath: elsewhere)
        let tool = try Self.runTool(["check", "."], in: root)
        #expect(tool.status == 2)
        #expect(tool.stderr.contains("symbolic link"), "\(tool.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
    }

    /// Cases 08 and 13: a cache entry swapped for another file's, and a committed prelude header
    /// that turns the save/restore calls into no-ops, hid findings. Entries are keyed by a
    /// per-user secret and their name; a prelude is rebuilt unless its record verifies.
    @Test func cacheEntriesPlantedOrSwappedAreNotTrusted() throws {
        let root = try DriverTests.directory()
        for index in 1...3 { try DriverTests.write(Self.released, to: root + "/bad\(index).c") }
        try DriverTests.write(Self.balanced, to: root + "/clean.c")
        let cache = root + "/.tstate-lint-cache"
        func findings() throws -> [String] {
            try DriverTests.findings(DriverTests.run(root) { $0.cacheDirectory = cache }).sorted()
        }
        let expected = ["bad1.c:4:TS101", "bad2.c:4:TS101", "bad3.c:4:TS101"]
        #expect(try findings() == expected)

        // Every unit entry replaced by the clean file's, the stored run result removed.
        let units = try FileManager.default.subpathsOfDirectory(atPath: cache).filter { $0.hasSuffix(".unit") }.map { cache + "/" + $0 }
        let cleanEntry = try #require(units.first { (try? Data(contentsOf: URL(fileURLWithPath: $0)))?.range(of: Data("clean.c".utf8)) != nil })
        for unit in units where unit != cleanEntry {
            try FileManager.default.removeItem(atPath: unit)
            try FileManager.default.copyItem(atPath: cleanEntry, toPath: unit)
        }
        try? FileManager.default.removeItem(atPath: cache + "/runs")
        #expect(try findings() == expected)

        // The prelude header rewritten to make the calls no-ops, the runs forgotten.
        let headers = try FileManager.default.contentsOfDirectory(atPath: cache + "/preludes").filter { $0.hasSuffix(".h") }
        #expect(!headers.isEmpty, "three files share a prelude")
        for header in headers {
            try DriverTests.write("#include <Python.h>\n#define PyEval_SaveThread() NULL\n#define PyEval_RestoreThread(x) ((void)0)\n",
                                  to: cache + "/preludes/" + header)
        }
        try? FileManager.default.removeItem(atPath: cache + "/runs")
        try? FileManager.default.removeItem(atPath: cache + "/memo")
        for unit in units { try? FileManager.default.removeItem(atPath: unit) }
        #expect(try findings() == expected)

        // An entry whose checksum was computed without the user's key is a miss.
        let entry = try #require(try FileManager.default.subpathsOfDirectory(atPath: cache).first { $0.hasSuffix(".unit") })
        let data = try Data(contentsOf: URL(fileURLWithPath: cache + "/" + entry))
        #expect(UnitCache.verified(data, at: cache + "/" + entry) != nil)
        #expect(UnitCache.verified(data, at: cache + "/00/0000000000000000.unit") == nil)
    }

    /// Case 09: `-o` renamed a temporary file over its target, so `/dev/null`, a FIFO or a
    /// link became a regular file. Only a regular file is replaced; anything else is written in place.
    @Test func outputIsWrittenInPlaceUnlessTheTargetIsARegularFile() throws {
        let root = try DriverTests.directory()
        try DriverTests.write("precious\n", to: root + "/target.txt")
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: "target.txt")
        try OutputFile.write(Data("report\n".utf8), to: root + "/link")
        var info = stat()
        #expect(lstat(root + "/link", &info) == 0 && info.st_mode & S_IFMT == S_IFLNK)
        #expect(try String(contentsOfFile: root + "/target.txt", encoding: .utf8) == "report\n")

        // As the tool does: a reader that goes away is an error of the write, not a signal.
        signal(SIGPIPE, SIG_IGN)
        #expect(mkfifo(root + "/fifo", 0o644) == 0)
        let reader = DispatchQueue.global()
        final class Box: @unchecked Sendable { var text = "" }
        let read = Box()
        let done = DispatchSemaphore(value: 0)
        reader.async {
            let handle = FileHandle(forReadingAtPath: root + "/fifo")
            read.text = String(decoding: handle?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
            done.signal()
        }
        try OutputFile.write(Data("through the fifo\n".utf8), to: root + "/fifo")
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(read.text == "through the fifo\n")
        #expect(lstat(root + "/fifo", &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)

        try OutputFile.write(Data("x".utf8), to: "/dev/null")
        #expect(stat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
        #expect(throws: OutputFile.Failure.self) { try OutputFile.write(Data("x".utf8), to: root) }

        // A regular file is replaced whole, keeping its mode.
        try DriverTests.write("old old old\n", to: root + "/report.txt")
        chmod(root + "/report.txt", 0o640)
        try OutputFile.write(Data("new\n".utf8), to: root + "/report.txt")
        #expect(try String(contentsOfFile: root + "/report.txt", encoding: .utf8) == "new\n")
        #expect(stat(root + "/report.txt", &info) == 0 && info.st_mode & 0o777 == 0o640)
    }

    /// Case 17: `-include` of any readable file put its first token into the report.
    @Test func errorsInFilesOutsideTheTreeAreNotQuoted() throws {
        let outside = try DriverTests.directory()
        try DriverTests.write("ghp_FAKESECRETTOKEN1234567890\n", to: outside + "/secret.txt")
        let root = try DriverTests.directory()
        try DriverTests.write(Self.released, to: root + "/ext.c")
        try DriverTests.write("-include\n\(outside)/secret.txt\n", to: root + "/compile_flags.txt")
        let result = try DriverTests.run(root)
        let file = try #require(Self.status(result)["ext.c"])
        #expect(file.status == .parseErrors)
        #expect(file.message?.contains("outside the analysed tree") == true, "\(file.message ?? "")")
        #expect(file.message?.contains("FAKESECRET") == false)
        for format in [ReportFormat.text, .json, .sarif] {
            let rendered = Reporter.render(result, format: format, catalog: TestSupport.store.catalog, version: "test",
                                           color: false, workingDirectory: root, showSuppressed: false)
            #expect(!rendered.contains("FAKESECRET"), "\(format)")
        }

        // An error in the tree is quoted as clang words it, and a missing header is named.
        try DriverTests.write("#include <Python.h>\n#include \"nothere.h\"\nint x = ;\n", to: root + "/ext.c")
        try FileManager.default.removeItem(atPath: root + "/compile_flags.txt")
        let inTree = try DriverTests.run(root)
        #expect(Self.status(inTree)["ext.c"]?.message?.contains("'nothere.h' file not found") == true)
    }

    /// Cases 14 and 16: a compile_flags.txt with `-include /dev/stdin` ran every file to the
    /// time limit; `cfg` on a FIFO hung. Flags naming special files are dropped with a note,
    /// and no special file is opened to read.
    @Test(.timeLimit(.minutes(2)))
    func specialFilesNamedByFlagsAreRefused() throws {
        let root = try DriverTests.directory()
        try DriverTests.write(Self.released, to: root + "/ext.c")
        #expect(mkfifo(root + "/fifo.h", 0o644) == 0)
        try DriverTests.write("-include\n/dev/stdin\n-imacros/dev/zero\n-include\n\(root)/fifo.h\n-DX=1\n", to: root + "/compile_flags.txt")
        let started = Date()
        let result = try Self.run(root, timeout: 30)
        #expect(Date().timeIntervalSince(started) < 25)
        #expect(DriverTests.findings(result) == ["ext.c:4:TS101"])
        for flag in ["-include /dev/stdin", "-imacros/dev/zero", "-include \(root)/fifo.h"] {
            #expect(result.notes.contains { $0.contains("dropped `\(flag)`") && $0.contains("other than a regular file") }, "\(flag): \(result.notes)")
        }
        let given = CompileFlags.withoutPluginFlags(["-Xclang", "-include-pch", "-Xclang", "/dev/urandom", "@/dev/stdin",
                                                     "-include", "config.h", "-DX"], directory: root)
        #expect(given.arguments == ["-include", "config.h", "-DX"])
        #expect(given.refused == ["-Xclang -include-pch -Xclang /dev/urandom", "@/dev/stdin"])

        // A compile database, configuration or baseline that is a FIFO is an error, not a hang.
        #expect(RegularFile.contents(atPath: root + "/fifo.h") == nil)
        #expect(throws: UsageError.self) { try CompilationDatabase.load(root + "/fifo.h", workingDirectory: root) }
        #expect(throws: UsageError.self) { try Baseline.fingerprints(in: root + "/fifo.h") }

        // `cfg` refuses what is not a regular file and fails on what does not parse.
        #expect(mkfifo(root + "/fifo.c", 0o644) == 0)
        let fifo = try Self.runTool(["cfg", "fifo.c"], in: root)
        #expect(fifo.status == 1)
        #expect(fifo.stdout.contains("not a regular file"))
        try DriverTests.write("int f(void) { return ; }}\n", to: root + "/broken.c")
        #expect(try Self.runTool(["cfg", "broken.c"], in: root).status == 1)
        try DriverTests.write("#include \"/dev/zero\"\n", to: root + "/zero.c")
        let zero = try Self.runTool(["cfg", "zero.c", "--timeout", "5"], in: root)
        #expect(zero.status == 1)
        #expect(zero.stdout.contains("failed"), "\(zero.stdout)")
    }

    /// Case 01: a negative `arg` in the configuration's effects crashed the process.
    @Test func configurationValuesOutOfRangeAreErrors() throws {
        let root = try DriverTests.directory()
        try DriverTests.write("[effects]\nrestore_state = { effect = \"attach\", arg = -1 }\n", to: root + "/.tstate-lint.toml")
        try DriverTests.write(Self.released, to: root + "/r.c")
        let tool = try Self.runTool(["check", "r.c", "--no-cache"], in: root)
        #expect(tool.status == 2)
        #expect(tool.stderr.contains("`arg` must be"), "\(tool.stderr)")
        try DriverTests.write("[effects]\nrestore_state = { effect = \"attach\", arg = 99999999999 }\n", to: root + "/.tstate-lint.toml")
        #expect(try Self.runTool(["check", "r.c", "--no-cache"], in: root).status == 2)
    }

    /// Case 02: one byte that is not UTF-8 in pyproject.toml made the whole table be ignored.
    @Test func aConfigurationThatIsNotUTF8IsAnErrorWithItsLine() throws {
        let root = try DriverTests.directory()
        try DriverTests.write(Self.released, to: root + "/base.c")
        var bytes = Data("[tool.tstate-lint]\nexclude = [\"*.c\"]\n# caf".utf8)
        bytes.append(contentsOf: [0xE9, 0x0A])
        try bytes.write(to: URL(fileURLWithPath: root + "/pyproject.toml"))
        let tool = try Self.runTool(["check", ".", "--no-cache"], in: root)
        #expect(tool.status == 2)
        #expect(tool.stderr.contains("pyproject.toml:3: not valid UTF-8"), "\(tool.stderr)")
    }

    /// Case 04: names that are not UTF-8 vanished, dangling links were skipped silently, and
    /// links out of the tree were followed. Each now has a status.
    @Test func everyFileFoundHasAStatusWhateverItsName() throws {
        let root = try Self.directoryWithGoodFile()
        let outside = try DriverTests.directory()
        try DriverTests.write("/* SECRET-MARKER */\n" + Self.released, to: outside + "/secret.c")
        try FileManager.default.createSymbolicLink(atPath: root + "/out.c", withDestinationPath: outside + "/secret.c")
        try FileManager.default.createSymbolicLink(atPath: root + "/outdir", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: root + "/dangling.c", withDestinationPath: root + "/nothing.c")
        let raw: [UInt8] = Array((root + "/bad").utf8) + [0xFF, 0xFE] + Array(".c".utf8) + [0]
        let descriptor = raw.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { open($0, O_CREAT | O_WRONLY, 0o644) }
        }
        #expect(descriptor >= 0)
        let text = Array(Self.released.utf8)
        _ = text.withUnsafeBufferPointer { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)

        let result = try Self.run(root)
        Self.expectGoodFileUnchanged(result)
        let files = Self.status(result)
        #expect(files["bad\\377\\376.c"]?.status == .failed, "\(result.files)")
        #expect(files["bad\\377\\376.c"]?.message?.contains("not valid UTF-8") == true)
        #expect(files["dangling.c"]?.status == .failed)
        #expect(files["out.c"]?.status == .failed)
        #expect(files["out.c"]?.message?.contains("outside the analysed tree") == true)
        #expect(files["outdir"]?.status == .failed, "\(result.files)")
        #expect(!result.files.contains { $0.path.contains("secret.c") })
        #expect(Self.findings(result, in: "outdir/secret.c").isEmpty)
        // Each is a finding of its own (TS003), and none quotes what the link points to.
        #expect(Self.findings(result, in: "out.c") == ["out.c:1:TS003"])
        #expect(!TextReport(color: false, workingDirectory: root).render(result).contains("SECRET-MARKER"))
    }

    /// Case 15: `exclude` globs matched the absolute path above the project, so `*/build/*`
    /// excluded everything in a checkout under any `build` directory.
    @Test func excludePatternsMatchPathsInTheProjectOnly() throws {
        let above = try DriverTests.directory() + "/build/checkout"
        try DriverTests.write(Self.released, to: above + "/src/ext.c")
        try DriverTests.write(Self.released, to: above + "/build/gen.c")
        try DriverTests.write("[tool.tstate-lint]\nexclude = [\"*/build/*\", \"build\"]\n", to: above + "/pyproject.toml")
        let tool = try Self.runTool(["check", ".", "--no-cache", "--format", "json"], in: above)
        #expect(tool.status == 1, "\(tool.stderr)")
        #expect(tool.stdout.contains("\"src/ext.c\""))
        #expect(!tool.stdout.contains("\"build/gen.c\""))
        #expect(FileDiscovery.matches(["*/build/*"], path: above + "/src/ext.c", name: "ext.c", bases: [above]) == false)
        #expect(FileDiscovery.matches(["/*/build/*"], path: above + "/src/ext.c", name: "ext.c", bases: [above]))
    }

    /// Case 05: file names with control characters went raw into text output (a name can hold
    /// a GitHub workflow command or terminal escapes).
    @Test func textOutputEscapesControlCharacters() {
        #expect(TextReport.printable("x\n::error file=a::INJECTED\nq.c") == "x\\n::error file=a::INJECTED\\nq.c")
        #expect(TextReport.printable("esc\u{1B}]0;title\u{07}.c") == "esc\\x1b]0;title\\x07.c")
        #expect(TextReport.printable("caf\u{E9}.c") == "caf\u{E9}.c")
    }

    /// Case 06: the whole source line was echoed under a finding (a 100 MB line, a 100 MB report).
    @Test func longSourceLinesAreShownAroundTheFindingOnly() throws {
        let root = try DriverTests.directory()
        let long = Self.released.replacingOccurrences(of: "return NULL;", with: "return NULL; /*" + String(repeating: "y", count: 1_000_000) + "*/")
        try DriverTests.write(long, to: root + "/long.c")
        let tool = try Self.runTool(["check", "long.c", "--no-cache", "-q"], in: root)
        #expect(tool.status == 1)
        #expect(tool.stdout.utf8.count < 2_000, "\(tool.stdout.utf8.count) bytes")
        #expect(tool.stdout.contains("return NULL; /*yyy"))
        let (text, indent, _) = TextReport.excerpt(of: String(repeating: "é", count: 500) + "X" + String(repeating: "z", count: 500), column: 1001, width: 1)
        #expect(text.hasPrefix("...") && text.hasSuffix("..."))
        let caret = indent.count
        #expect(Array(text)[caret] == "X")
    }

    /// Case 07: a function past the path-exploration bound lost a real finding with status
    /// `analyzed` and no word. Its file now says which function and where.
    @Test func aFunctionPastTheExplorationBoundSaysSo() throws {
        let root = try DriverTests.directory()
        var source = "#include <Python.h>\nint work(int);\nstatic PyObject *s(PyObject *self, PyObject *args) {\n    long k = PyLong_AsLong(args);\n    PyThreadState *ts;\n    switch (k) {\n"
        for index in 0..<300 {
            source += index == 150
                ? "    case \(index): ts = PyEval_SaveThread(); work(\(index)); break;\n"
                : "    case \(index): ts = PyEval_SaveThread(); work(\(index)); PyEval_RestoreThread(ts); break;\n"
        }
        source += "    }\n    Py_RETURN_NONE;\n}\nstatic PyMethodDef m[] = {{\"s\", s, METH_VARARGS, NULL}, {NULL}};\n"
        try DriverTests.write(source, to: root + "/switch300.c")
        let cache = root + "/cache"
        for cached in [false, true, true] {
            let result = try DriverTests.run(root) { if cached { $0.cacheDirectory = cache } }
            let file = try #require(Self.status(result)["switch300.c"])
            #expect(file.status == .analyzed)
            #expect(file.message?.contains("`s` (switch300.c:3)") == true, "\(file.message ?? "nil")")
            #expect(file.message?.contains("not analysed completely") == true)
            if !result.statistics.resultReused { #expect(result.statistics.functionsAtBound == 1) }
            let text = TextReport(color: false, workingDirectory: root).render(result)
            #expect(text.contains("switch300.c: note: function `s`"))
        }

        // A function within the bound says nothing.
        try DriverTests.write(Self.released, to: root + "/switch300.c")
        let small = try DriverTests.run(root)
        #expect(Self.status(small)["switch300.c"]?.message == nil)
    }

    /// Case 10: a baseline cost about 64 times its size in memory; now its fingerprints only,
    /// and malformed JSON is an error with its place.
    @Test func baselinesAreDecodedToTheirFingerprintsAndCheckedAsJSON() throws {
        let root = try DriverTests.directory()
        func fingerprints(_ text: String) throws -> Set<String> {
            try DriverTests.write(text, to: root + "/baseline.json")
            return try Baseline.fingerprints(in: root + "/baseline.json")
        }
        #expect(try fingerprints(#"{"findings": [{"fingerprint": "abc", "x": [1, 2.5e3, true, null, {"y": "\u00e9"}]}, {"fingerprint": "def"}]}"#) == ["abc", "def"])
        for malformed in [#"{"findings": [{"fingerprint": "abc"}"#, #"{"findings": [] "#, String(repeating: "[", count: 300) + String(repeating: "]", count: 300),
                          #"{"findings": [{"fingerprint": "\ud800"}]}"#, #"{"findings": 1} x"#, #"{"other": []}"#] {
            #expect(throws: UsageError.self, "\(malformed.prefix(40))") { try fingerprints(malformed) }
        }
    }

    /// Cases 11 and 12: the suppression scan was quadratic in a comment's length, and a
    /// marker inside a string literal silenced the file.
    @Test(.timeLimit(.minutes(2)))
    func suppressionCommentsAreReadInOnePassAndOnlyInComments() throws {
        let root = try DriverTests.directory()
        let marker = String(repeating: "tstate-lint: ignore[", count: 50_000)
        try DriverTests.write(Self.released + "/* " + marker + " */\n", to: root + "/hang.c")
        let started = Date()
        let result = try DriverTests.run(root) { $0.alwaysSelect = ["TS002"] }
        #expect(Date().timeIntervalSince(started) < 60)
        #expect(DriverTests.findings(result).filter { $0.hasSuffix("TS101") } == ["hang.c:4:TS101"])

        let inString = Self.released.replacingOccurrences(of: "Py_RETURN_NONE;", with: "const char *doc = \"tstate-lint: ignore-file\"; (void)doc;\n    Py_RETURN_NONE;")
            .replacingOccurrences(of: "return NULL;", with: "return NULL; const char *n = \"NOLINT\";")
        try DriverTests.write(inString, to: root + "/hang.c")
        #expect(try DriverTests.findings(DriverTests.run(root)) == ["hang.c:4:TS101"])

        let code = #"a = "/* x */"; b = R"(// y)"; c = '\''; d = 1'000; /* NOLINT */ e = "z"; // ok"#
        let masked = String(decoding: SourceCache.commentsOnly(Array(code.utf8)), as: UTF8.self)
        #expect(masked.utf8.count == code.utf8.count)
        #expect(masked.contains("/* NOLINT */") && masked.hasSuffix(" ok"))
        #expect(!masked.contains("x") && !masked.contains("y") && !masked.contains("z"), "\(masked)")
        #expect(Suppressions.directives(in: "// NOLINT(" + String(repeating: "TS101,", count: 1000) + ")").map(\.rules) == [[]])
    }
}
