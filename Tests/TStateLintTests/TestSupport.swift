import Foundation
@testable import TStateLint

enum TestSupport {
    static let repositoryRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static let fixturesDirectory = repositoryRoot + "/Fixtures"

    static let store: RuleStore = {
        do {
            return try RuleStore.load(directory: repositoryRoot + "/Rules")
        } catch {
            fatalError("cannot load Rules/: \(error)")
        }
    }()

    static func run(_ paths: [String], jobs: Int = 1, select: [String]? = nil, arguments: [String] = []) throws -> RunResult {
        try Runner(store: store).run(RunOptions(paths: paths, clangArguments: arguments, select: select, jobs: jobs,
                                                workingDirectory: repositoryRoot))
    }

    /// `/* expect: TS101 TS201 */` comments: the (line, rule) pairs a file must report.
    static func expectations(in path: String) -> Set<Expectation> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        var result = Set<Expectation>()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard let range = line.range(of: "expect:") else { continue }
            let rest = line[range.upperBound...].prefix { $0 != "*" }
            for rule in rest.split(whereSeparator: { $0 == " " || $0 == "," }) where rule.hasPrefix("TS") {
                result.insert(Expectation(line: index + 1, rule: String(rule)))
            }
        }
        return result
    }

    static func reported(_ result: RunResult, in file: String) -> Set<Expectation> {
        Set(result.diagnostics.filter { $0.location.file == file }.map { Expectation(line: $0.location.line, rule: $0.rule) })
    }

    /// Writes a C snippet (with Python.h included unless it already is) to a fresh file.
    static func write(_ code: String, name: String = "snippet.c", directory: URL? = nil) throws -> String {
        let directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("tstate-lint-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        let source = code.contains("#include <Python.h>") ? code : "#define PY_SSIZE_T_CLEAN\n#include <Python.h>\n" + code
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func lower(_ code: String) throws -> TranslationUnit {
        let path = try write(code)
        var arguments: [String] = []
        if let include = PythonIncludes.locate() { arguments.append("-I" + include) }
        let frontend = Frontend(options: Runner(store: store).frontendOptions())
        let directory = (path as NSString).deletingLastPathComponent
        return frontend.parse(path: path, arguments: arguments, projectRoots: [directory], workingDirectory: directory)
    }

    static func function(_ name: String, in code: String) throws -> Function {
        let unit = try lower(code)
        guard let function = unit.functions.first(where: { $0.name == name }) else {
            throw TestFailure("no function \(name) in \(unit.functions.map(\.name)); status \(unit.status) \(unit.message ?? "")")
        }
        return function
    }
}

struct Expectation: Hashable, CustomStringConvertible {
    var line: Int
    var rule: String
    var description: String { "\(rule)@\(line)" }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
