import Foundation

/// What a module declares about sub-interpreters, and what keeps it from being isolated: the
/// readiness report, and the program-level rules TS304, TS402, TS403, TS404, TS405.
public struct ModuleReadiness: Hashable, Codable, Sendable {
    public enum InitKind: String, Hashable, Codable, Sendable {
        case multiPhase = "multi-phase"
        case singlePhase = "single-phase"
        case unknown
    }

    /// `Py_mod_multiple_interpreters`.
    public enum Interpreters: String, Hashable, Codable, Sendable {
        case absent
        case notSupported = "not-supported"
        case supported
        case perInterpreterGIL = "per-interpreter-gil-supported"
        case unknown
    }

    /// `Py_mod_gil`.
    public enum GIL: String, Hashable, Codable, Sendable {
        case absent
        case used
        case notUsed = "not-used"
        case unknown
    }

    public struct Blocker: Hashable, Codable, Sendable {
        /// The rule that reports it, or nil for what is not a finding by itself (single-phase init).
        public var rule: String?
        public var message: String
        public var location: SourceLocation
    }

    public var name: String
    public var definition: String
    public var location: SourceLocation
    public var initKind: InitKind
    public var multipleInterpreters: Interpreters
    public var multipleInterpretersSpelling: String?
    public var gil: GIL
    public var stateSize: Int64?
    public var files: [String]
    public var blockers: [Blocker]
    /// The function that makes a second interpreter's import fail (Cython's
    /// `__Pyx_check_single_interpreter`): it keeps the first interpreter's id in a static.
    public var singleInterpreterGuard: String?

    /// Imported by several interpreters: it must keep nothing in process-wide storage.
    public var loadsInSeveralInterpreters: Bool { multipleInterpreters != .notSupported && singleInterpreterGuard == nil }

    /// Could declare `Py_MOD_PER_INTERPRETER_GIL_SUPPORTED` as it stands.
    public var readyForPerInterpreterGIL: Bool { initKind == .multiPhase && blockers.isEmpty }

    public var multipleInterpretersDescription: String {
        if let singleInterpreterGuard, multipleInterpreters != .notSupported {
            return "`\(singleInterpreterGuard)` refuses to import it in a second interpreter"
        }
        switch multipleInterpreters {
        case .absent: return initKind == .singlePhase ? "single-phase init: shared by legacy sub-interpreters" : "no Py_mod_multiple_interpreters slot: supported by default"
        case .notSupported: return "declares Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED"
        case .supported: return "declares Py_MOD_MULTIPLE_INTERPRETERS_SUPPORTED"
        case .perInterpreterGIL: return "declares Py_MOD_PER_INTERPRETER_GIL_SUPPORTED"
        case .unknown: return "Py_mod_multiple_interpreters with a value that is not a constant"
        }
    }
}

enum ModuleIsolation {
    static let rules = ["TS304", "TS402", "TS403", "TS404", "TS405"]

    static let multiPhaseCreators: Set<String> = ["PyModuleDef_Init", "PyModule_FromDefAndSpec", "PyModule_FromDefAndSpec2"]
    static let singlePhaseCreators: Set<String> = ["PyModule_Create", "PyModule_Create2", "_PyModule_CreateInitialized", "Py_InitModule4", "Py_InitModule4_64"]
    static let interpreterCreators: Set<String> = ["Py_NewInterpreter", "Py_NewInterpreterFromConfig", "_Py_NewInterpreterFromConfig", "_Py_NewInterpreter"]
    static let mainInterpreterBound: Set<String> = ["PyGILState_Ensure", "PyGILState_GetThisThreadState"]
    static let explicitSwitches: Set<String> = ["PyEval_AcquireThread", "PyEval_RestoreThread", "PyEval_ReleaseThread", "PyThreadState_Swap",
                                                "PyThreadState_New"]

    static let interpreterIdentity: Set<String> = ["PyInterpreterState_GetID", "PyInterpreterState_Get", "_PyInterpreterState_Get",
                                                   "PyInterpreterState_Main"]

    /// Asks which interpreter it runs in and writes a static: the guard that lets only the
    /// first interpreter import a module.
    static func remembersFirstInterpreter(_ function: Function) -> Bool {
        var asksInterpreter = false
        var writesStatic = false
        for block in function.blocks {
            for event in block.events {
                switch event.kind {
                case .call(let call):
                    if case .direct(let name, _, _) = call.callee, interpreterIdentity.contains(name) { asksInterpreter = true }
                case .assign(let target, _):
                    if case .global = function.variables[target].kind, function.variables[target].type != .pyObject { writesStatic = true }
                default:
                    break
                }
            }
        }
        return asksInterpreter && writesStatic
    }

    struct CallSite {
        var function: Function
        var call: Call
        var event: Event
    }

    static func run(_ program: Program) -> (diagnostics: [Diagnostic], modules: [ModuleReadiness]) {
        // One pass over every event: direct calls by callee, what each function calls, the
        // functions it passes as values and the statics it uses, and the aggregates whose
        // object fields some function writes by name (`state.callback = cb`) or through their
        // address (`Py_XSETREF(state.cb, ...)`).
        var calls: [String: [CallSite]] = [:]
        var callees: [String: Set<String>] = [:]
        var referenced: [String: Set<String>] = [:]
        var globalsUsed: [String: Set<String>] = [:]
        var objectFieldsWritten = Set<String>()
        for function in program.functions {
            for block in function.blocks {
                for event in block.events {
                    var operands: [Operand] = []
                    var targets: [VarID] = []
                    switch event.kind {
                    case .call(let call):
                        operands = call.arguments
                        for case .address(let variable) in call.arguments { targets.append(variable) }
                        if case .direct(let name, let usr, _) = call.callee {
                            calls[name, default: []].append(CallSite(function: function, call: call, event: event))
                            callees[function.usr, default: []].insert(usr)
                        }
                    case .assign(let target, let value):
                        operands = [value]
                        targets.append(target)
                        if case .address(let variable) = value { targets.append(variable) }
                    case .escape(let value):
                        operands = [value]
                    case .fieldAccess, .macro, .unparsed:
                        break
                    }
                    for case .function(_, let usr) in operands { referenced[function.usr, default: []].insert(usr) }
                    for target in targets where function.variables[target].type == .pyObject {
                        var current = target
                        while let base = function.variables[current].kind.base { current = base }
                        if case .global(let usr) = function.variables[current].kind, current != target { objectFieldsWritten.insert(usr) }
                    }
                }
            }
            for variable in function.variables {
                if case .global(let usr) = variable.kind { globalsUsed[function.usr, default: []].insert(usr) }
            }
        }
        func globalUSR(_ operand: Operand?, in function: Function) -> String? {
            guard case .address(let variable)? = operand, case .global(let usr) = function.variables[variable].kind else { return nil }
            return usr
        }

        var definitions: [ModuleDefinitionFact] = []
        var definitionUnit: [String: Int] = [:]
        var slots: [String: [ModuleSlotFact]] = [:]
        var storage: [(StaticStorageFact, Int)] = []
        var seenStorage = Set<String>()
        for (index, unit) in program.units.enumerated() {
            for definition in unit.facts.moduleDefinitions where definitionUnit[definition.usr] == nil {
                definitionUnit[definition.usr] = index
                definitions.append(definition)
            }
            for slot in unit.facts.moduleSlots where !(slots[slot.tableUSR]?.contains(slot) ?? false) {
                slots[slot.tableUSR, default: []].append(slot)
            }
            for fact in unit.facts.staticStorage where seenStorage.insert(fact.usr).inserted {
                storage.append((fact, index))
            }
        }

        var creation: [String: (ModuleReadiness.InitKind, SourceLocation)] = [:]
        var creationFunction: [String: String] = [:]
        for name in multiPhaseCreators.union(singlePhaseCreators).sorted() {
            for site in calls[name] ?? [] {
                guard let usr = globalUSR(site.call.arguments.first, in: site.function) else { continue }
                creation[usr] = (multiPhaseCreators.contains(name) ? .multiPhase : .singlePhase, site.event.location)
                creationFunction[usr] = site.function.usr
            }
        }

        // What belongs to a module. With one module in the run: everything. With several:
        // the functions reached from its creation, its method and slot tables and its
        // callbacks (by direct calls and functions passed as values), and the statics those
        // functions use or that are declared in a file no other module reaches.
        var functionsByUSR: [String: Function] = [:]
        for function in program.functions where functionsByUSR[function.usr] == nil { functionsByUSR[function.usr] = function }
        storage.removeAll { fact, _ in fact.holding == .aggregate && !fact.initializesObjects && !objectFieldsWritten.contains(fact.usr) }
        var tableTargets: [String: Set<String>] = [:]
        for unit in program.units {
            for reference in unit.facts.staticReferences { tableTargets[reference.variableUSR, default: []].insert(reference.usr) }
            for link in unit.facts.tableLinks { tableTargets[link.from, default: []].insert(link.to) }
        }
        struct Membership {
            var functions: Set<String>
            var files: Set<String>
            var storage: [StaticStorageFact]
        }
        func membership(of definition: ModuleDefinitionFact) -> Membership {
            if definitions.count <= 1 {
                return Membership(functions: Set(functionsByUSR.keys), files: Set(program.units.flatMap(\.files)), storage: storage.map(\.0))
            }
            // Functions and static tables, by USR: a function reaches what it calls, the
            // functions it passes as values and the statics it uses; a table, what it names.
            var roots: Set<String> = [definition.usr]
            if let creator = creationFunction[definition.usr] { roots.insert(creator) }
            var reached = Set<String>()
            var work = Array(roots)
            while let usr = work.popLast() {
                guard reached.insert(usr).inserted else { continue }
                work += (callees[usr] ?? []).filter { !reached.contains($0) }
                work += (referenced[usr] ?? []).filter { !reached.contains($0) }
                work += (globalsUsed[usr] ?? []).filter { !reached.contains($0) }
                work += (tableTargets[usr] ?? []).filter { !reached.contains($0) }
            }
            let functions = reached.filter { functionsByUSR[$0] != nil }
            var files = Set(functions.compactMap { functionsByUSR[$0]?.file })
            files.insert(definition.location.file)
            let used = reached
            let names = Set(functions.compactMap { functionsByUSR[$0]?.name })
            let owned = storage.map(\.0).filter { fact in
                if let function = fact.function { return names.contains(function) && files.contains(fact.location.file) }
                return used.contains(fact.usr)
            }
            return Membership(functions: functions, files: files, storage: owned)
        }
        let found = ResultSlots<Membership>(count: definitions.count)
        DispatchQueue.concurrentPerform(iterations: definitions.count) { index in found[index] = membership(of: definitions[index]) }
        var memberships = found.values.map { $0! }
        let interpreterGuards = definitions.isEmpty ? [] : program.functions.filter(remembersFirstInterpreter)
        if definitions.count > 1 {
            var modulesPerFile: [String: Int] = [:]
            for member in memberships { for file in member.files { modulesPerFile[file, default: 0] += 1 } }
            for index in memberships.indices {
                let known = Set(memberships[index].storage.map(\.usr))
                memberships[index].storage += storage.map(\.0).filter { fact in
                    fact.function == nil && !known.contains(fact.usr) && memberships[index].files.contains(fact.location.file)
                        && modulesPerFile[fact.location.file] == 1
                }
            }
        }

        var diagnostics: [Diagnostic] = []
        var modules: [ModuleReadiness] = []
        var reported = Set<String>()
        func report(_ rule: String, _ message: String, at location: SourceLocation, function: String = "", trace: [TraceStep] = [],
                    into module: inout ModuleReadiness, diagnose: Bool = true) {
            module.blockers.append(.init(rule: rule, message: message, location: location))
            guard diagnose, reported.insert("\(rule)@\(location)").inserted else { return }
            diagnostics.append(Diagnostic(rule: rule, message: message, location: location, function: function, trace: trace))
        }

        for (definition, members) in zip(definitions, memberships) {
            let files = members.files
            let moduleSlots = definition.slotsUSR.flatMap { slots[$0] } ?? []
            var initKind = creation[definition.usr]?.0 ?? (definition.slotsUSR != nil ? .multiPhase : .unknown)
            if initKind == .unknown, definition.size == -1 { initKind = .singlePhase }
            var interpreters = ModuleReadiness.Interpreters.absent
            var interpretersSlot: ModuleSlotFact?
            var gil = ModuleReadiness.GIL.absent
            for slot in moduleSlots {
                switch slot.slot {
                case 3?:
                    interpretersSlot = slot
                    switch slot.value {
                    case 0?: interpreters = .notSupported
                    case 1?: interpreters = .supported
                    case 2?: interpreters = .perInterpreterGIL
                    default: interpreters = .unknown
                    }
                case 4?:
                    gil = slot.value == 0 ? .used : slot.value == 1 ? .notUsed : .unknown
                default:
                    break
                }
            }
            let name = definition.moduleName ?? definition.variable
            let guardFunction = interpreterGuards.filter { members.functions.contains($0.usr) }.map(\.name).sorted().first
            var module = ModuleReadiness(name: name, definition: definition.variable, location: definition.location, initKind: initKind,
                                         multipleInterpreters: interpreters, multipleInterpretersSpelling: interpretersSlot?.valueSpelling,
                                         gil: gil, stateSize: definition.size, files: files.sorted(), blockers: [],
                                         singleInterpreterGuard: guardFunction)
            let declaresSupport = interpreters == .supported || interpreters == .perInterpreterGIL
            let moduleNote = TraceStep(location: definition.location, message: "module `\(name)`: \(module.multipleInterpretersDescription)")

            if initKind == .singlePhase {
                let location = creation[definition.usr]?.1 ?? definition.location
                if declaresSupport, let slot = interpretersSlot {
                    report("TS404", "Module `\(name)` declares `\(slot.valueSpelling)` but is created with single-phase initialization, which cannot be isolated per interpreter",
                           at: slot.location, trace: [TraceStep(location: location, message: "single-phase initialization here")], into: &module)
                } else {
                    module.blockers.append(.init(rule: nil, message: "single-phase initialization: convert to multi-phase (PyModuleDef_Init with Py_mod_exec)", location: location))
                }
            }
            if definition.size == -1 && initKind != .singlePhase {
                if declaresSupport, let slot = interpretersSlot {
                    report("TS404", "Module `\(name)` declares `\(slot.valueSpelling)` but sets `m_size = -1`, which keeps its state in process-wide globals",
                           at: slot.location, trace: [TraceStep(location: definition.location, message: "`m_size` is -1 here")], into: &module)
                } else {
                    module.blockers.append(.init(rule: nil, message: "m_size = -1: the module has no per-interpreter state", location: definition.location))
                }
            }

            let inModule = { (function: Function) in members.functions.contains(function.usr) }
            if initKind == .multiPhase {
                for site in calls["PyState_FindModule"] ?? [] where inModule(site.function) {
                    report("TS404", "`PyState_FindModule()` does not find multi-phase modules: module `\(name)` is created with PyModuleDef_Init, so this returns NULL; pass the module (or use PyType_GetModuleByDef)",
                           at: site.event.location, function: site.function.name, trace: [moduleNote], into: &module)
                }
            }
            if declaresSupport {
                for callee in mainInterpreterBound {
                    for site in calls[callee] ?? [] where inModule(site.function) {
                        report("TS304", "`\(callee)()` always uses the main interpreter, but module `\(name)` declares `\(interpretersSlot?.valueSpelling ?? "")`: in a sub-interpreter it attaches the wrong interpreter",
                               at: site.event.location, function: site.function.name, trace: [moduleNote], into: &module)
                    }
                }
            }
            if !declaresSupport {
                for callee in mainInterpreterBound {
                    for site in calls[callee] ?? [] where inModule(site.function) {
                        module.blockers.append(.init(rule: nil, message: "`\(callee)()` in `\(site.function.name)` binds the main interpreter (TS304 once the module declares support)",
                                                     location: site.event.location))
                    }
                }
            }
            if initKind == .singlePhase {
                for site in calls["PyState_FindModule"] ?? [] where inModule(site.function) {
                    module.blockers.append(.init(rule: nil, message: "`PyState_FindModule()` in `\(site.function.name)` works only for single-phase modules (TS404 after conversion)",
                                                 location: site.event.location))
                }
            }
            // In a module that declares it cannot be loaded twice these are not findings, but
            // they are what stands between it and declaring support.
            let diagnose = module.loadsInSeveralInterpreters
            do {
                for fact in members.storage {
                    let place = fact.function.map { "a `static` local of `\($0)`" } ?? "process-wide storage"
                    let what: String
                    switch fact.holding {
                    case .objectPointer: what = "holds a Python object in \(place)"
                    case .objectPointerArray: what = "holds Python objects in \(place)"
                    case .staticObject: what = "is a statically allocated Python object"
                    case .staticType: what = "is a statically allocated type"
                    case .aggregate: what = "holds a Python object (field `\(fact.field ?? "")`) in \(place)"
                    }
                    let rule = fact.holding == .staticType ? "TS403" : "TS402"
                    let fix = fact.holding == .staticType ? "create it with PyType_FromModuleAndSpec and keep it in module state"
                        : "keep it in module state"
                    report(rule, "`\(fact.name)` \(what), shared by every interpreter that imports module `\(name)`; \(fix)",
                           at: fact.location, function: fact.function ?? "", trace: [moduleNote], into: &module, diagnose: diagnose)
                }
                for site in calls["Py_AddPendingCall"] ?? [] where inModule(site.function) {
                    guard site.call.arguments.count > 1, case .variable(let argument) = site.call.arguments[1],
                          site.function.variables[argument].type == .pyObject else { continue }
                    report("TS405", "`Py_AddPendingCall()` runs its function in the main interpreter, but `\(site.function.variables[argument].name)` is an object of the interpreter that imported module `\(name)`",
                           at: site.event.location, function: site.function.name, trace: [moduleNote], into: &module, diagnose: diagnose)
                }
            }
            module.blockers.sort { ($0.location, $0.message) < ($1.location, $1.message) }
            modules.append(module)
        }

        // Code that creates sub-interpreters: PyGILState binds the main interpreter.
        let creators = interpreterCreators.flatMap { calls[$0] ?? [] }.sorted { $0.event.location < $1.event.location }
        if let first = creators.first {
            var scratch = ModuleReadiness(name: "", definition: "", location: first.event.location, initKind: .unknown, multipleInterpreters: .unknown,
                                          gil: .unknown, files: [], blockers: [])
            let creatorFiles = Set(creators.map(\.function.file))
            // A function that also attaches thread states it chose (PyEval_AcquireThread of a
            // sub-interpreter's) uses PyGILState deliberately for the main interpreter, as
            // mod_wsgi's wsgi_acquire_interpreter does.
            let interpreterAware = Set(explicitSwitches.flatMap { calls[$0] ?? [] }.map(\.function.usr))
            for callee in mainInterpreterBound {
                for site in calls[callee] ?? [] where creatorFiles.contains(site.function.file) && !interpreterAware.contains(site.function.usr) {
                    let creator = creators.first { $0.function.file == site.function.file } ?? first
                    report("TS304", "`\(callee)()` always uses the main interpreter, but this code creates sub-interpreters: a thread running in one gets the main interpreter's thread state",
                           at: site.event.location, function: site.function.name,
                           trace: [TraceStep(location: creator.event.location, message: "`\(creator.call.callee.name ?? "")` creates a sub-interpreter in this file")],
                           into: &scratch)
                }
            }
        }
        modules.sort { ($0.location, $0.name) < ($1.location, $1.name) }
        return (diagnostics, modules)
    }
}
