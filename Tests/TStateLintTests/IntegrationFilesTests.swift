import Foundation
import Testing
@testable import TStateLint

/// The pre-commit hook and the GitHub Action are valid YAML and call the tool with options it has.
@Suite struct IntegrationFilesTests {
    static func yaml(_ name: String) throws -> String {
        let script = "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))"
        let (status, output) = try FormatTests.python(script, [TestSupport.repositoryRoot + "/" + name])
        guard status == 0 else { throw TestFailure("\(name): \(output)") }
        return output
    }

    static func checkOptions() throws -> String {
        let executable = try #require(DriverTests.toolExecutable)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["check", "--help"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func preCommitHookRunsTheWholeTree() throws {
        let hooks = try #require(try JSONSerialization.jsonObject(with: Data(Self.yaml(".pre-commit-hooks.yaml").utf8)) as? [[String: Any]])
        let hook = try #require(hooks.first)
        #expect(hook["id"] as? String == "tstate-lint")
        #expect(hook["language"] as? String == "swift")
        #expect(hook["entry"] as? String == "tstate-lint check")
        #expect(hook["pass_filenames"] as? Bool == false)
    }

    @Test func actionUsesOnlyOptionsTheToolHas() throws {
        let action = try #require(try JSONSerialization.jsonObject(with: Data(Self.yaml("action.yml").utf8)) as? [String: Any])
        let runs = try #require(action["runs"] as? [String: Any])
        #expect(runs["using"] as? String == "composite")
        let steps = try #require(runs["steps"] as? [[String: Any]])
        #expect(steps.contains { ($0["uses"] as? String)?.hasPrefix("github/codeql-action/upload-sarif@") == true })
        let scripts = steps.compactMap { $0["run"] as? String }.joined(separator: "\n")
        let help = try Self.checkOptions()
        let used = Set(scripts.split(whereSeparator: { $0 == " " || $0 == "\n" }).filter { $0.hasPrefix("--") && $0.count > 2 }.map(String.init))
        #expect(!used.isEmpty)
        for option in used where option != "--package-path" {
            #expect(help.contains(option), "action.yml uses \(option), which `tstate-lint check` does not have")
        }
    }
}
