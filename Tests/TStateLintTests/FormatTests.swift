import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import TStateLint

/// The machine-readable report formats: SARIF (validated against the official schema),
/// GitHub workflow commands, JUnit XML, GitLab Code Quality and JSON lines.
@Suite struct FormatTests {
    // MARK: Shared inputs

    /// The run over the whole Fixtures/ directory, computed once for every test here.
    static let fixtures: Result<RunResult, Error> = Result { try TestSupport.run(["Fixtures"], jobs: 2) }

    static func fixturesResult() throws -> RunResult {
        let result = try fixtures.get()
        guard !result.diagnostics.isEmpty else { throw TestFailure("the fixtures have no findings") }
        return result
    }

    static let schemaPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Resources/sarif-schema-2.1.0.json").path

    static var catalog: RuleCatalog { TestSupport.store.catalog }
    static let root = TestSupport.repositoryRoot

    static func diagnostic(_ rule: String, _ severity: Severity, file: String = "src/ext.c", line: Int, column: Int = 5,
                           message: String? = nil, trace: [TraceStep] = [], function: String = "f") -> Diagnostic {
        var diagnostic = Diagnostic(rule: rule, name: catalog.rule(rule)?.name ?? "", severity: severity,
                                    message: message ?? "\(rule) at line \(line)",
                                    location: SourceLocation(file: file, line: line, column: column, offset: 0),
                                    function: function, trace: trace)
        diagnostic.endColumn = column + 6
        diagnostic.fingerprint = Fingerprints.hex(Fingerprints.fnv1a("\(rule)|\(file)|\(line)|\(column)"))
        return diagnostic
    }

    static func step(_ file: String = "src/ext.c", _ line: Int, _ column: Int, _ message: String) -> TraceStep {
        TraceStep(location: SourceLocation(file: file, line: line, column: column, offset: 0), message: message)
    }

    static func runResult(_ diagnostics: [Diagnostic], suppressed: [Diagnostic] = [], files: [FileReport]? = nil) -> RunResult {
        let files = files ?? Array(Set(diagnostics.map(\.location.file))).sorted().map { FileReport(path: $0, status: .analyzed, message: nil) }
        return RunResult(diagnostics: diagnostics, suppressed: suppressed, files: files, functionsAnalysed: 3, notes: [], duration: 0.5)
    }

    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    static func sarif(_ result: RunResult, showSuppressed: Bool = false) throws -> (text: String, run: [String: Any]) {
        let text = SarifReport.render(result, catalog: catalog, version: "1.2.3", workingDirectory: root, showSuppressed: showSuppressed)
        let document = try json(text) as! [String: Any]
        let runs = document["runs"] as! [[String: Any]]
        guard runs.count == 1 else { throw TestFailure("expected one run, got \(runs.count)") }
        return (text, runs[0])
    }

    /// Runs python3 with a script and arguments; returns the exit status and the output.
    static func python(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func temporaryFile(_ text: String, suffix: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tstate-lint-format-\(UUID().uuidString)\(suffix)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Validates a SARIF document against the official 2.1.0 schema (Draft 7) with python's
    /// jsonschema; returns the validator's complaints (empty when valid).
    static func schemaErrors(_ sarif: String) throws -> String? {
        let script = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1], encoding="utf-8-sig"))
        document = json.load(open(sys.argv[2], encoding="utf-8"))
        validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        for error in errors[:20]:
            print("/".join(map(str, error.absolute_path)), error.message[:300])
        sys.exit(1 if errors else 0)
        """
        let path = try temporaryFile(sarif, suffix: ".sarif")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, output) = try python(script, [schemaPath, path])
        if status == 0 { return nil }
        return output.isEmpty ? "validator exited with \(status)" : output
    }

    // MARK: SARIF

    @Test func sarifOfTheFixturesValidatesAgainstTheOfficialSchema() throws {
        let result = try Self.fixturesResult()
        let (text, run) = try Self.sarif(result, showSuppressed: true)
        let errors = try Self.schemaErrors(text)
        #expect(errors == nil, "\(errors ?? "")")
        let results = run["results"] as! [[String: Any]]
        #expect(results.count == result.diagnostics.count + result.suppressed.count)
        let document = try Self.json(text) as! [String: Any]
        #expect(document["version"] as? String == "2.1.0")
        #expect(document["$schema"] as? String == "https://json.schemastore.org/sarif-2.1.0.json")
        let driver = (run["tool"] as! [String: Any])["driver"] as! [String: Any]
        #expect(driver["name"] as? String == "tstate-lint")
        #expect(driver["version"] as? String == "1.2.3")
        #expect(driver["semanticVersion"] as? String == "1.2.3")
        #expect(driver["informationUri"] as? String == "https://github.com/tstate-lint/tstate-lint")
        let fingerprints = results.map { ($0["partialFingerprints"] as! [String: String])["primaryLocationLineHash"]! }
        #expect(fingerprints == (result.diagnostics + result.suppressed).sorted(by: Diagnostic.ordered).map { $0.fingerprint + ":1" })
        #expect(results.filter { $0["suppressions"] != nil }.count == result.suppressed.count)
        #expect(!result.suppressed.isEmpty, "the fixtures include suppressed findings")
    }

    @Test func sarifWithoutFindingsValidatesAndReportsUnparsedFiles() throws {
        let files = [
            FileReport(path: "src/clean.c", status: .analyzed, message: nil),
            FileReport(path: "src/broken.c", status: .parseErrors, message: "3 errors, first: unknown type name 'foo'"),
            FileReport(path: "src/binary.c", status: .failed, message: "binary file, not C source"),
            FileReport(path: "src/plain.c", status: .skipped, message: "does not use the Python C-API"),
        ]
        let (text, run) = try Self.sarif(Self.runResult([], files: files))
        let errors = try Self.schemaErrors(text)
        #expect(errors == nil, "\(errors ?? "")")
        #expect((run["results"] as! [Any]).isEmpty)
        let rules = ((run["tool"] as! [String: Any])["driver"] as! [String: Any])["rules"] as! [[String: Any]]
        #expect(rules.count == Self.catalog.rules.count)
        let artifacts = (run["artifacts"] as! [[String: Any]]).map { ($0["location"] as! [String: Any])["uri"] as! String }
        #expect(artifacts == ["src/clean.c", "src/broken.c", "src/binary.c"], "skipped files are not artifacts")
        let invocation = (run["invocations"] as! [[String: Any]])[0]
        #expect(invocation["executionSuccessful"] as? Bool == false, "files were not analysed")
        let notifications = invocation["toolExecutionNotifications"] as! [[String: Any]]
        #expect(notifications.count == 2)
        for notification in notifications {
            #expect(notification["level"] as? String == "warning")
        }
        let texts = notifications.map { ($0["message"] as! [String: Any])["text"] as! String }
        #expect(texts[0].contains("src/broken.c") && texts[0].contains("parse-errors") && texts[0].contains("unknown type name"))
        #expect(texts[1].contains("src/binary.c") && texts[1].contains("failed") && texts[1].contains("binary file"))
    }

    @Test func theSchemaValidatorRejectsInvalidSarif() throws {
        // Without this, a validator that accepts anything would make the tests above pass.
        let valid = SarifReport.render(Self.runResult([Self.diagnostic("TS101", .error, line: 3)]), catalog: Self.catalog,
                                       version: "1.0.0", workingDirectory: Self.root)
        #expect(try Self.schemaErrors(valid) == nil)
        let broken = valid.replacingOccurrences(of: "\"startLine\": 3", with: "\"startLine\": 0")
        #expect(broken != valid)
        #expect(try Self.schemaErrors(broken) != nil)
        let badLevel = valid.replacingOccurrences(of: "\"level\": \"error\"", with: "\"level\": \"fatal\"")
        #expect(try Self.schemaErrors(badLevel) != nil)
    }

    @Test func sarifRulesComeFromTheCatalogAndResultsPointAtThem() throws {
        let result = try Self.fixturesResult()
        let (_, run) = try Self.sarif(result)
        let rules = ((run["tool"] as! [String: Any])["driver"] as! [String: Any])["rules"] as! [[String: Any]]
        #expect(rules.map { $0["id"] as! String } == Self.catalog.rules.map(\.id))
        for (rule, doc) in zip(rules, Self.catalog.rules) {
            #expect(rule["name"] as? String == doc.name)
            #expect((rule["shortDescription"] as! [String: Any])["text"] as? String == doc.summary)
            #expect(((rule["fullDescription"] as! [String: Any])["text"] as! String).hasPrefix(String(doc.explanation.prefix(40))))
            let help = rule["help"] as! [String: String]
            #expect(help["text"]!.contains(String(doc.explanation.prefix(40))))
            if let fix = doc.fix { #expect(help["markdown"]!.contains(fix.trimmingCharacters(in: .whitespacesAndNewlines))) }
            if doc.bad?.first != nil && doc.good?.first != nil {
                #expect(help["markdown"]!.components(separatedBy: "```c\n").count == 3, "a wrong and a right example")
            }
            #expect((rule["defaultConfiguration"] as! [String: Any])["level"] as? String == doc.severity.rawValue)
            let properties = rule["properties"] as! [String: Any]
            #expect(properties["tags"] as? [String] == (doc.tags ?? []))
            #expect(properties["precision"] as? String == (doc.precision ?? "high"))
            #expect(properties["problem.severity"] as? String == (doc.severity == .note ? "recommendation" : doc.severity.rawValue))
        }
        let results = run["results"] as! [[String: Any]]
        #expect(results.count == result.diagnostics.count)
        for (item, diagnostic) in zip(results, result.diagnostics) {
            let index = item["ruleIndex"] as! Int
            #expect(rules[index]["id"] as? String == diagnostic.rule)
            #expect(item["ruleId"] as? String == diagnostic.rule)
            #expect(item["level"] as? String == diagnostic.severity.rawValue)
            #expect((item["message"] as! [String: Any])["text"] as? String == diagnostic.message)
            let physical = ((item["locations"] as! [[String: Any]])[0])["physicalLocation"] as! [String: Any]
            let region = physical["region"] as! [String: Int]
            #expect(region == ["startLine": diagnostic.location.line, "startColumn": diagnostic.location.column,
                               "endLine": diagnostic.endLine, "endColumn": diagnostic.endColumn])
        }
        // Results in rules other than the first: the index is not always 0.
        #expect(Set(results.map { $0["ruleIndex"] as! Int }).count > 1)
    }

    @Test func sarifCodeFlowsFollowTheTrace() throws {
        let result = try Self.fixturesResult()
        let (_, run) = try Self.sarif(result)
        let results = run["results"] as! [[String: Any]]
        var withTrace = 0
        for (item, diagnostic) in zip(results, result.diagnostics) {
            guard !diagnostic.trace.isEmpty else {
                #expect(item["codeFlows"] == nil)
                continue
            }
            withTrace += 1
            let flows = item["codeFlows"] as! [[String: Any]]
            #expect(flows.count == 1)
            let threadFlows = flows[0]["threadFlows"] as! [[String: Any]]
            #expect(threadFlows.count == 1)
            let locations = threadFlows[0]["locations"] as! [[String: Any]]
            let expected = diagnostic.trace.map { ($0.location, $0.message) } + [(diagnostic.location, diagnostic.message)]
            #expect(locations.count == expected.count)
            for (index, (flowLocation, (source, message))) in zip(locations, expected).enumerated() {
                #expect(flowLocation["executionOrder"] as? Int == index + 1)
                #expect(flowLocation["nestingLevel"] as? Int == 0)
                let location = flowLocation["location"] as! [String: Any]
                #expect((location["message"] as! [String: Any])["text"] as? String == message)
                let physical = location["physicalLocation"] as! [String: Any]
                let artifact = physical["artifactLocation"] as! [String: Any]
                #expect(artifact["uri"] as? String == source.file)
                #expect(artifact["uriBaseId"] as? String == "%SRCROOT%")
                let region = physical["region"] as! [String: Int]
                #expect(region["startLine"] == source.line && region["startColumn"] == source.column)
            }
        }
        #expect(withTrace > 0)
    }

    @Test func sarifUrisAreRelativeToTheSourceRoot() throws {
        let result = try Self.fixturesResult()
        let (_, run) = try Self.sarif(result)
        let base = run["originalUriBaseIds"] as! [String: [String: String]]
        #expect(base["%SRCROOT%"]?["uri"] == "file://" + Self.root + "/")
        for item in run["results"] as! [[String: Any]] {
            let artifact = (((item["locations"] as! [[String: Any]])[0])["physicalLocation"] as! [String: Any])["artifactLocation"] as! [String: Any]
            let uri = artifact["uri"] as! String
            #expect(uri.hasPrefix("Fixtures/"), "\(uri)")
            #expect(artifact["uriBaseId"] as? String == "%SRCROOT%")
            let artifacts = run["artifacts"] as! [[String: Any]]
            let index = artifact["index"] as! Int
            #expect((artifacts[index]["location"] as! [String: Any])["uri"] as? String == uri)
        }
        let artifactURIs = (run["artifacts"] as! [[String: Any]]).map { ($0["location"] as! [String: Any])["uri"] as! String }
        #expect(Set(artifactURIs).count == artifactURIs.count, "each file once")
        #expect(Set(artifactURIs).isSuperset(of: result.diagnostics.map(\.location.file)))
        #expect(artifactURIs.count == result.files.filter { $0.status != .skipped }.count)

        // Characters a URI cannot carry are percent-encoded; files outside the root are absolute.
        let odd = Self.diagnostic("TS101", .error, file: "src dir/100%ä#x:y?.c", line: 2)
        let outside = Self.diagnostic("TS201", .error, file: "/elsewhere/lib.c", line: 4)
        let dotted = Self.diagnostic("TS103", .error, file: "./src/../pkg/m.c", line: 5)
        let (text, oddRun) = try Self.sarif(Self.runResult([odd, outside, dotted]))
        let uris = (oddRun["results"] as! [[String: Any]]).map {
            ((($0["locations"] as! [[String: Any]])[0])["physicalLocation"] as! [String: Any])["artifactLocation"] as! [String: Any]
        }
        #expect(uris[0]["uri"] as? String == "src%20dir/100%25%C3%A4%23x%3Ay%3F.c")
        #expect(uris[0]["uriBaseId"] as? String == "%SRCROOT%")
        #expect(uris[1]["uri"] as? String == "file:///elsewhere/lib.c")
        #expect(uris[1]["uriBaseId"] == nil)
        #expect(uris[2]["uri"] as? String == "pkg/m.c")
        let errors = try Self.schemaErrors(text)
        #expect(errors == nil, "\(errors ?? "")")
        #expect(SarifReport.directoryURI("/home/me/my project") == "file:///home/me/my%20project/")
    }

    @Test func sarifIncludesSuppressedFindingsOnlyWhenAsked() throws {
        let kept = Self.diagnostic("TS101", .error, line: 10)
        let suppressed = Self.diagnostic("TS103", .error, line: 4)
        let result = Self.runResult([kept], suppressed: [suppressed])
        let (_, hidden) = try Self.sarif(result)
        let hiddenResults = hidden["results"] as! [[String: Any]]
        #expect(hiddenResults.map { $0["ruleId"] as! String } == ["TS101"])
        #expect(hiddenResults[0]["suppressions"] == nil)

        let (text, shown) = try Self.sarif(result, showSuppressed: true)
        let shownResults = shown["results"] as! [[String: Any]]
        #expect(shownResults.map { $0["ruleId"] as! String } == ["TS103", "TS101"], "in report order")
        #expect(shownResults[0]["suppressions"] as? [[String: String]] == [["kind": "inSource"]])
        #expect(shownResults[1]["suppressions"] == nil)
        let errors = try Self.schemaErrors(text)
        #expect(errors == nil, "\(errors ?? "")")

        // Only SARIF shows them.
        for format in ReportFormat.allCases where format != .sarif && format != .text {
            let output = Reporter.render(result, format: format, catalog: Self.catalog, version: "1", color: false,
                                         workingDirectory: Self.root, showSuppressed: true)
            #expect(!output.contains("TS103"), "\(format)")
        }
    }

    // MARK: GitHub

    @Test func githubEscapesMessagesAndProperties() {
        let diagnostic = Self.diagnostic("TS101", .error, file: "a%b,c:d\re\nf.c", line: 12, column: 3,
                                         message: "100% sure: x, y\r\nz",
                                         trace: [Self.step("h,1.c", 7, 2, "released: here, 50%")])
        let output = GitHubReport.render(Self.runResult([diagnostic]))
        #expect(output == "::error file=a%25b%2Cc%3Ad%0De%0Af.c,line=12,col=3,endLine=12,endColumn=9,title=tstate-lint (TS101)"
            + "::100%25 sure: x, y%0D%0Az%0Ah,1.c:7:2: note: released: here, 50%25\n")
        #expect(GitHubReport.escapeData("a%b:c,d\r\n") == "a%25b:c,d%0D%0A")
        #expect(GitHubReport.escapeProperty("a%b:c,d\r\n") == "a%25b%3Ac%2Cd%0D%0A")
        #expect(GitHubReport.escapeProperty("%3A") == "%253A", "the escape character itself is escaped first")
    }

    @Test func githubUsesTheCommandOfEachSeverity() {
        let result = Self.runResult([Self.diagnostic("TS101", .error, line: 1), Self.diagnostic("TS205", .note, line: 2),
                                     Self.diagnostic("TS302", .warning, line: 3)])
        let lines = GitHubReport.render(result).split(separator: "\n").map(String.init)
        #expect(lines.map { String($0.prefix { $0 != " " }) } == ["::error", "::warning", "::notice"])
        #expect(lines.count == 3, "no summary or other output")
    }

    @Test func githubSortsBySeverityAndNoticesTheOverflow() {
        var diagnostics: [Diagnostic] = []
        for line in 1...12 { diagnostics.append(Self.diagnostic("TS101", .error, line: line * 10)) }
        // Warnings interleaved with the errors in report order.
        diagnostics.insert(Self.diagnostic("TS302", .warning, line: 15), at: 1)
        diagnostics.insert(Self.diagnostic("TS302", .warning, line: 55), at: 6)
        diagnostics.append(Self.diagnostic("TS302", .warning, line: 125))
        let lines = GitHubReport.render(Self.runResult(diagnostics)).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.last == "", "ends with a newline")
        let body = lines.dropLast()
        #expect(body.count == 16, "all 15 annotations and one notice")
        #expect(body.prefix(12).allSatisfy { $0.hasPrefix("::error ") })
        #expect(body.dropFirst(12).prefix(3).allSatisfy { $0.hasPrefix("::warning ") })
        let errorLines = body.prefix(12).map { $0.components(separatedBy: ",line=")[1].prefix { $0 != "," } }
        #expect(errorLines == (1...12).map { String($0 * 10)[...] }, "report order within a severity")
        let warningLines = body.dropFirst(12).prefix(3).map { $0.components(separatedBy: ",line=")[1].prefix { $0 != "," } }
        #expect(warningLines == ["15", "55", "125"])
        #expect(body.last == "::notice title=tstate-lint::2 more errors are not shown as annotations; run tstate-lint check locally or use --format sarif")

        // Both kinds overflowing, and none.
        let many = (1...11).map { Self.diagnostic("TS101", .error, line: $0) } + (1...13).map { Self.diagnostic("TS302", .warning, line: 100 + $0) }
        #expect(GitHubReport.render(Self.runResult(many)).hasSuffix(
            "::notice title=tstate-lint::1 more error and 3 more warnings are not shown as annotations; run tstate-lint check locally or use --format sarif\n"))
        let ten = (1...10).map { Self.diagnostic("TS101", .error, line: $0) } + (1...10).map { Self.diagnostic("TS205", .note, line: 50 + $0) }
        #expect(!GitHubReport.render(Self.runResult(ten)).contains("more"))
        let notes = (1...11).map { Self.diagnostic("TS205", .note, line: $0) }
        #expect(GitHubReport.render(Self.runResult(notes)).hasSuffix(
            "::notice title=tstate-lint::1 more note is not shown as an annotation; run tstate-lint check locally or use --format sarif\n"))
        #expect(GitHubReport.render(Self.runResult([])) == "")
    }

    // MARK: JUnit

    /// (tests, failures) of the root, and per suite (name, tests, failures, number of
    /// testcase elements, number of failure elements), read by a real XML parser.
    static func parseJUnit(_ xml: String) throws -> (tests: Int, failures: Int, suites: [(String, Int, Int, Int, Int)], messages: [String]) {
        #if canImport(FoundationXML)
        let document = try XMLDocument(xmlString: xml, options: [])
        guard let root = document.rootElement(), root.name == "testsuites" else { throw TestFailure("no <testsuites>") }
        func int(_ element: XMLElement, _ name: String) -> Int { Int(element.attribute(forName: name)?.stringValue ?? "") ?? -1 }
        let suites = root.elements(forName: "testsuite").map { suite -> (String, Int, Int, Int, Int) in
            let cases = suite.elements(forName: "testcase")
            return (suite.attribute(forName: "name")?.stringValue ?? "", int(suite, "tests"), int(suite, "failures"),
                    cases.count, cases.reduce(0) { $0 + $1.elements(forName: "failure").count })
        }
        let messages = try document.nodes(forXPath: "//failure/@message").compactMap(\.stringValue)
        return (int(root, "tests"), int(root, "failures"), suites, messages)
        #else
        let script = """
        import sys, json, xml.dom.minidom
        d = xml.dom.minidom.parse(sys.argv[1]).documentElement
        assert d.tagName == "testsuites"
        suites = [[s.getAttribute("name"), int(s.getAttribute("tests")), int(s.getAttribute("failures")),
                   len(s.getElementsByTagName("testcase")), len(s.getElementsByTagName("failure"))]
                  for s in d.getElementsByTagName("testsuite")]
        messages = [f.getAttribute("message") for f in d.getElementsByTagName("failure")]
        print(json.dumps([int(d.getAttribute("tests")), int(d.getAttribute("failures")), suites, messages]))
        """
        let path = try temporaryFile(xml, suffix: ".xml")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, output) = try python(script, [path])
        guard status == 0 else { throw TestFailure("not well-formed XML: \(output)") }
        let parsed = try json(output) as! [Any]
        let suites = (parsed[2] as! [[Any]]).map { ($0[0] as! String, $0[1] as! Int, $0[2] as! Int, $0[3] as! Int, $0[4] as! Int) }
        return (parsed[0] as! Int, parsed[1] as! Int, suites, parsed[3] as! [String])
        #endif
    }

    @Test func junitIsWellFormedXMLWithMatchingCounts() throws {
        let result = try Self.fixturesResult()
        let parsed = try Self.parseJUnit(JUnitReport.render(result))
        let checked = result.files.filter { $0.status == .analyzed || $0.status == .parseErrors }
        let suiteNames = parsed.suites.map(\.0)
        #expect(Set(checked.map(\.path)).isSubset(of: Set(suiteNames)), "every checked file is a suite, even when clean")
        #expect(!result.files.contains { $0.status == .skipped && suiteNames.contains($0.path) })
        // A file that was not analysed (TS003) is a JUnit error, not a failure.
        let checks = result.diagnostics.filter { $0.rule != "TS003" }
        #expect(result.diagnostics.contains { $0.rule == "TS003" }, "the TS003 fixture does not parse")
        #expect(parsed.failures == checks.count)
        #expect(parsed.tests == parsed.suites.reduce(0) { $0 + $1.3 })
        for (name, tests, failures, cases, failureElements) in parsed.suites {
            let expected = checks.filter { $0.location.file == name }.count
            let all = result.diagnostics.filter { $0.location.file == name }.count
            #expect(failures == expected && failureElements == expected, "\(name)")
            #expect(tests == cases && cases == max(1, all), "\(name)")
        }
        #expect(parsed.suites.contains { $0.2 == 0 }, "clean fixtures show as passing suites")
        #expect(parsed.messages.sorted() == checks.map(\.message).sorted())
    }

    @Test func junitEscapesEverything() throws {
        let message = "a & b < c > d \"e\" 'f' \u{1}g\rh\ti\nj"
        let diagnostic = Self.diagnostic("TS101", .error, file: "x&<y>\"'.c", line: 3, message: message,
                                         trace: [Self.step("x&<y>\"'.c", 1, 1, "</failure>&amp;")])
        let xml = JUnitReport.render(Self.runResult([diagnostic]))
        #expect(!xml.contains("\u{1}"))
        #expect(xml.contains("&lt;/failure&gt;&amp;amp;"))
        let parsed = try Self.parseJUnit(xml)
        #expect(parsed.tests == 1 && parsed.failures == 1)
        #expect(parsed.suites.map(\.0) == ["x&<y>\"'.c"])
        #expect(parsed.messages == ["a & b < c > d \"e\" 'f' #x01g\rh\ti\nj"])
        #expect(JUnitReport.escape("\u{1}\u{1f}\u{fffe}") == "#x01#x1F#xFFFE")

        let empty = try Self.parseJUnit(JUnitReport.render(Self.runResult([], files: [FileReport(path: "ok.c", status: .analyzed, message: nil)])))
        #expect(empty.tests == 1 && empty.failures == 0)
        #expect(empty.suites.count == 1 && empty.suites[0].0 == "ok.c" && empty.suites[0].3 == 1 && empty.suites[0].4 == 0)
    }

    // MARK: GitLab

    @Test func gitlabCodeQuality() throws {
        let result = try Self.fixturesResult()
        let issues = try Self.json(GitLabReport.render(result, workingDirectory: Self.root)) as! [[String: Any]]
        #expect(issues.count == result.diagnostics.count)
        var fingerprints = Set<String>()
        for (issue, diagnostic) in zip(issues, result.diagnostics) {
            #expect(Set(issue.keys) == ["description", "check_name", "fingerprint", "severity", "location"])
            #expect(issue["description"] as? String == "\(diagnostic.message) [\(diagnostic.rule)]")
            #expect(issue["check_name"] as? String == diagnostic.rule)
            let fingerprint = issue["fingerprint"] as! String
            #expect(fingerprint.count == 32 && fingerprint.allSatisfy { $0.isHexDigit && !$0.isUppercase })
            #expect(fingerprint.hasPrefix(diagnostic.fingerprint))
            fingerprints.insert(fingerprint)
            let location = issue["location"] as! [String: Any]
            #expect(location["path"] as? String == diagnostic.location.file)
            #expect(location["lines"] as? [String: Int] == ["begin": diagnostic.location.line, "end": diagnostic.endLine])
        }
        #expect(fingerprints.count == issues.count)
        #expect(GitLabReport.render(result, workingDirectory: Self.root) == GitLabReport.render(result, workingDirectory: Self.root))

        let severities = try Self.json(GitLabReport.render(Self.runResult([
            Self.diagnostic("TS101", .error, line: 1), Self.diagnostic("TS302", .warning, line: 2),
            Self.diagnostic("TS205", .note, line: 3), Self.diagnostic("TS201", .error, file: Self.root + "/src/abs.c", line: 4),
        ]), workingDirectory: Self.root)) as! [[String: Any]]
        #expect(severities.map { $0["severity"] as! String } == ["critical", "major", "info", "critical"])
        #expect((severities[3]["location"] as! [String: Any])["path"] as? String == "src/abs.c", "relative to the root")
        #expect(GitLabReport.render(Self.runResult([]), workingDirectory: Self.root) == "[]\n")
    }

    // MARK: JSON lines

    @Test func jsonLinesHasOneObjectPerDiagnostic() throws {
        let result = try Self.fixturesResult()
        let output = JSONLinesReport.render(result)
        #expect(output.hasSuffix("\n"))
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == result.diagnostics.count)
        let keys = ["rule", "name", "severity", "message", "file", "line", "column", "end_line", "end_column", "function", "trace", "fingerprint"]
        for (line, diagnostic) in zip(lines, result.diagnostics) {
            #expect(!line.isEmpty && !line.contains("\n"))
            let object = try Self.json(String(line)) as! [String: Any]
            #expect(Set(object.keys) == Set(keys))
            #expect(object["fingerprint"] as? String == diagnostic.fingerprint)
            #expect(object["line"] as? Int == diagnostic.location.line)
            #expect((object["trace"] as! [Any]).count == diagnostic.trace.count)
            // Keys in the JSON report's order.
            let positions = keys.map { line.range(of: "\"\($0)\":")!.lowerBound }
            #expect(positions == positions.sorted())
            #expect(line.hasPrefix("{\"rule\":\""))
        }
        #expect(JSONLinesReport.render(Self.runResult([])) == "")
    }

    // MARK: Dispatch

    @Test func reporterDispatchesEveryFormat() throws {
        #expect(ReportFormat.allCases.map(\.rawValue) == ["text", "json", "json-lines", "github", "sarif", "junit", "gitlab"])
        let result = Self.runResult([Self.diagnostic("TS101", .error, line: 3, trace: [Self.step("src/ext.c", 1, 1, "released here")])])
        func render(_ format: ReportFormat) -> String {
            Reporter.render(result, format: format, catalog: Self.catalog, version: "9.9.9", color: false,
                            workingDirectory: Self.root, showSuppressed: false)
        }
        #expect(render(.text) == TextReport(color: false, workingDirectory: Self.root).render(result))
        #expect(render(.json) == JSONReport.render(result, version: "9.9.9"))
        #expect(render(.jsonLines) == JSONLinesReport.render(result))
        #expect(render(.github) == GitHubReport.render(result))
        #expect(render(.sarif) == SarifReport.render(result, catalog: Self.catalog, version: "9.9.9", workingDirectory: Self.root))
        #expect(render(.junit) == JUnitReport.render(result))
        #expect(render(.gitlab) == GitLabReport.render(result, workingDirectory: Self.root))
        #expect(Set(ReportFormat.allCases.map(render)).count == ReportFormat.allCases.count, "all formats differ")
    }
}
