import Foundation
import Testing
@testable import TStateLint

/// Module facts and the readiness report, field by field.
@Suite struct IsolationTests {
    static func modules(_ fixture: String) throws -> [ModuleReadiness] {
        try TestSupport.run([TestSupport.fixturesDirectory + "/" + fixture], select: ["ALL"]).modules
    }

    @Test func isolatedModuleIsReady() throws {
        let modules = try Self.modules("TS402/clean_isolated_module.c")
        let module = try #require(modules.first)
        #expect(modules.count == 1)
        #expect(module.name == "isolated")
        #expect(module.definition == "isolated_module")
        #expect(module.location.file == "Fixtures/TS402/clean_isolated_module.c")
        #expect(module.initKind == .multiPhase)
        #expect(module.multipleInterpreters == .perInterpreterGIL)
        #expect(module.multipleInterpretersSpelling == "Py_MOD_PER_INTERPRETER_GIL_SUPPORTED")
        #expect(module.gil == .absent)
        #expect(module.stateSize == 24)
        #expect(module.blockers.isEmpty)
        #expect(module.readyForPerInterpreterGIL)
    }

    @Test func singlePhaseModuleIsBlocked() throws {
        let module = try #require(try Self.modules("TS402/bad_single_phase_module.c").first)
        #expect(module.name == "legacy")
        #expect(module.initKind == .singlePhase)
        #expect(module.multipleInterpreters == .absent)
        #expect(module.stateSize == -1)
        #expect(module.loadsInSeveralInterpreters)
        #expect(!module.readyForPerInterpreterGIL)
        #expect(module.blockers.map { "\($0.rule ?? "-")@\($0.location.line)" } == ["TS402@4", "-@23"])
        #expect(module.blockers[1].message.hasPrefix("single-phase initialization"))
    }

    @Test func notSupportedModuleKeepsItsCacheButIsNotReady() throws {
        let result = try TestSupport.run([TestSupport.fixturesDirectory + "/TS402/clean_not_supported_keeps_cache.c"], select: ["ALL"])
        #expect(result.diagnostics.isEmpty)
        let module = try #require(result.modules.first)
        #expect(module.multipleInterpreters == .notSupported)
        #expect(module.multipleInterpretersSpelling == "(void *)0")
        #expect(!module.loadsInSeveralInterpreters)
        #expect(module.blockers.map { "\($0.rule ?? "-")@\($0.location.line)" } == ["TS402@9", "TS403@10"])
        #expect(!module.readyForPerInterpreterGIL)
    }

    @Test func claimsAndFindModuleInOneFile() throws {
        let modules = try Self.modules("TS404/bad_find_module_and_claims.c")
        #expect(modules.map(\.name) == ["modern", "globals", "legacy"])
        #expect(modules.map(\.initKind) == [.multiPhase, .multiPhase, .singlePhase])
        #expect(modules.map(\.multipleInterpreters) == [.absent, .perInterpreterGIL, .supported])
        #expect(modules.map { $0.blockers.compactMap(\.rule) } == [["TS404"], ["TS404"], ["TS404"]])
    }

    @Test func jsonAndTextReportsCarryTheModules() throws {
        let result = try TestSupport.run([TestSupport.fixturesDirectory + "/TS402"], select: ["ALL"])
        let document = try JSONSerialization.jsonObject(with: Data(JSONReport.render(result, version: "test").utf8)) as! [String: Any]
        let modules = document["modules"] as! [[String: Any]]
        #expect(modules.map { $0["name"] as! String }.sorted() == ["cached", "cyext", "ids", "isolated", "legacy", "numbers", "parser"])
        let keys: Set<String> = ["name", "definition", "file", "line", "init", "multiple_interpreters", "multiple_interpreters_spelling", "gil",
                                 "m_size", "single_interpreter_guard", "loads_in_several_interpreters", "ready_for_per_interpreter_gil",
                                 "files", "blockers"]
        for module in modules { #expect(Set(module.keys) == keys) }
        let parser = try #require(modules.first { $0["name"] as? String == "parser" })
        #expect(parser["init"] as? String == "multi-phase")
        #expect(parser["multiple_interpreters"] as? String == "absent")
        #expect((parser["blockers"] as! [[String: Any]]).compactMap { $0["rule"] as? String } == ["TS402", "TS402", "TS402", "TS402", "TS402"])

        // Cython's guard keeps a second interpreter out: its statics block isolation but are not findings.
        let cython = try #require(modules.first { $0["name"] as? String == "cyext" })
        #expect(cython["single_interpreter_guard"] as? String == "__Pyx_check_single_interpreter")
        #expect(cython["loads_in_several_interpreters"] as? Bool == false)
        #expect((cython["blockers"] as! [[String: Any]]).compactMap { $0["rule"] as? String }.sorted() == ["TS402", "TS402", "TS403"])
        let ids = try #require(modules.first { $0["name"] as? String == "ids" })
        #expect(ids["single_interpreter_guard"] is NSNull && ids["loads_in_several_interpreters"] as? Bool == true)

        let text = ReadinessReport.text(result.modules)
        #expect(text.contains("isolated"))
        #expect(text.contains("`__Pyx_check_single_interpreter` refuses to import it in a second interpreter"))
        #expect(text.contains("2 of 7 modules could declare Py_MOD_PER_INTERPRETER_GIL_SUPPORTED"))
    }
}
