import Testing
@testable import TStateLint

/// The Frontend's lowering of each C construct to the CFG.
@Suite struct CFGTests {
    static let prelude = """
    extern void a(void); extern void b(void); extern void c(void); extern void d(void);
    extern int cond(void); extern int cond2(void);

    """

    func lower(_ name: String, _ body: String) throws -> Function {
        try TestSupport.function(name, in: Self.prelude + body)
    }

    @Test func ifElseJoins() throws {
        let f = try lower("f", "void f(int x) { if (x) a(); else b(); c(); }")
        let entry = f.blocks[f.entry]
        guard case .branch(let condition, let t, let e) = entry.terminator else { Issue.record("entry must branch"); return }
        #expect(condition.variable.map { f.variables[$0].name } == "x")
        #expect(condition.comparison == .nonZero)
        #expect(f.calls(in: t) == ["a"])
        #expect(f.calls(in: e) == ["b"])
        let join = f.block(calling: "c")
        #expect(f.reachable(from: t).contains(join) && f.reachable(from: e).contains(join))
    }

    /// A field is named as it is written: `s.flag` of a struct, `p->flag` through a pointer.
    @Test func fieldsAreNamedWithTheirOperator() throws {
        let f = try lower("f", """
        struct config { int flag; struct config *next; };
        struct config settings;
        void f(struct config *p) { if (settings.flag) a(); if (p->flag) b(); if (settings.next->flag) c(); }
        """)
        let names = Set(f.variables.map(\.name))
        #expect(names.isSuperset(of: ["settings.flag", "p->flag", "settings.next", "settings.next->flag"]), "\(names)")
    }

    /// The block each call is in is the target taken when `comparison` holds for the variable.
    @Test func negationAndNullComparisonsBecomeConditions() throws {
        let f = try lower("f", "void f(void *p, int n) { if (!p) a(); if (p == NULL) b(); if (n != 3) c(); }")
        func takenWhen(_ callee: String) -> (String, Comparison)? {
            let target = f.block(calling: callee)
            for block in f.blocks {
                guard case .branch(let condition, let t, let e) = block.terminator, let v = condition.variable else { continue }
                if t == target { return (f.variables[v].name, condition.comparison) }
                if e == target { return (f.variables[v].name, condition.comparison.negated) }
            }
            return nil
        }
        #expect(takenWhen("a")! == ("p", .zero))
        #expect(takenWhen("b")! == ("p", .zero))
        #expect(takenWhen("c")! == ("n", .notEquals(3)))
    }

    @Test func whileLoopHasBackEdgeBreakAndContinue() throws {
        let f = try lower("f", "void f(int x) { while (cond()) { if (x) break; if (cond2()) continue; a(); } b(); }")
        #expect(f.jumps(of: .loopBack).count == 1)
        #expect(f.jumps(of: .breakStatement).count == 1)
        #expect(f.jumps(of: .continueStatement).count == 1)
        let after = f.block(calling: "b")
        #expect(f.reachable(from: f.block(calling: "a")).contains(after))
        #expect(f.reachable(from: f.block(calling: "a")).contains(f.block(calling: "cond")), "the body loops back to the condition")
    }

    @Test func forWithAllPartsRunsIncrementBeforeTheBackEdge() throws {
        let f = try lower("f", "void f(void) { int i; for (i = 0; i < 10; i = i + 1) a(); b(); }")
        #expect(f.jumps(of: .loopBack).count == 1)
        let assignments = f.blocks.flatMap(\.events).compactMap { event -> String? in
            if case .assign(let target, _) = event.kind { return f.variables[target].name }
            return nil
        }
        #expect(assignments == ["i", "i"], "initializer, then increment")
        guard case .branch = f.blocks.first(where: { $0.terminator.successors.count == 2 })?.terminator else {
            Issue.record("the condition branches"); return
        }
    }

    @Test func forWithoutPartsLoopsUntilBreak() throws {
        let f = try lower("f", "void f(void) { for (;;) { if (cond()) break; a(); } b(); }")
        #expect(f.jumps(of: .loopBack).count == 1)
        #expect(f.jumps(of: .breakStatement).count == 1)
        let loopHead = f.block(calling: "cond")
        #expect(f.reachable(from: f.block(calling: "a")).contains(loopHead))
    }

    @Test func doWhileZeroRunsOnceWithoutBackEdge() throws {
        let f = try lower("f", "#define M() do { a(); } while (0)\nvoid f(void) { M(); b(); }")
        #expect(f.jumps(of: .loopBack).isEmpty)
        #expect(f.blocks.allSatisfy { if case .branch = $0.terminator { return false } else { return true } })
        #expect(f.reachable(from: f.block(calling: "a")).contains(f.block(calling: "b")))
    }

    @Test func doWhileLoopsBack() throws {
        let f = try lower("f", "void f(void) { do { a(); } while (cond()); b(); }")
        let body = f.block(calling: "a")
        #expect(f.reachable(from: f.block(calling: "cond")).contains(body))
    }

    @Test func switchHasCasesFallthroughAndDefault() throws {
        let f = try lower("f", """
        enum { THREE = 3 };
        void f(int k) {
            switch (k) {
            case 1: a();
            case 2: b(); break;
            case THREE: c(); break;
            default: d();
            }
        }
        """)
        guard case .switchOn(let subject, let cases, let defaultTarget) = f.blocks[f.entry].terminator else {
            Issue.record("entry must dispatch"); return
        }
        #expect(subject.variable.map { f.variables[$0].name } == "k")
        #expect(cases.map(\.value) == [1, 2, 3])
        #expect(f.calls(in: defaultTarget).contains("d"))
        let caseOne = cases[0].target, caseTwo = cases[1].target
        #expect(f.reachable(from: caseOne).contains(caseTwo), "case 1 falls through into case 2")
        #expect(!f.reachable(from: f.block(calling: "c")).contains(f.block(calling: "d")), "break leaves the switch")
    }

    @Test func switchWithoutDefaultGoesToExit() throws {
        let f = try lower("f", "void f(int k) { switch (k) { case 1: a(); break; } b(); }")
        guard case .switchOn(_, _, let defaultTarget) = f.blocks[f.entry].terminator else { Issue.record("dispatch"); return }
        #expect(f.reachable(from: defaultTarget).union([defaultTarget]).contains(f.block(calling: "b")))
    }

    @Test func gotoJumpsToItsLabel() throws {
        let f = try lower("f", "int f(int x) { if (x) goto fail; a(); return 0; fail: b(); return -1; }")
        #expect(f.jumps(of: .goto(label: "fail")).count == 1)
        let returns = f.blocks.compactMap { block -> Operand? in
            if case .returns(let value) = block.terminator { return value ?? .unknown }
            return nil
        }
        #expect(Set(returns) == [.integer(0), .integer(-1)])
        #expect(!f.reachable(from: f.block(calling: "a")).contains(f.block(calling: "b")))
    }

    @Test func shortCircuitEvaluatesRightOperandConditionally() throws {
        let f = try lower("f", "void f(void) { if (cond() && cond2()) a(); if (cond() || cond2()) b(); }")
        let first = f.block(calling: "cond")
        let second = f.block(calling: "cond2")
        #expect(first != second, "the right operand is in its own block")
        #expect(f.reachable(from: first).contains(f.block(calling: "a")))
        let branches = f.blocks.filter { if case .branch = $0.terminator { return true } else { return false } }
        #expect(branches.count == 4)
    }

    @Test func conditionalOperatorAssignsATemporaryInBothArms() throws {
        let f = try lower("f", "int f(int x) { int y = x ? cond() : 7; return y; }")
        let assignedConstants = f.blocks.flatMap(\.events).compactMap { event -> Int64? in
            if case .assign(_, .integer(let value)) = event.kind { return value }
            return nil
        }
        #expect(assignedConstants == [7])
        #expect(f.blocks.contains { if case .branch = $0.terminator { return true } else { return false } })
    }

    @Test func noreturnCallsEndThePath() throws {
        let f = try lower("f", "#include <stdlib.h>\nvoid f(int x) { if (x) { a(); abort(); b(); } Py_FatalError(\"x\"); c(); }")
        #expect(f.blocks.filter { $0.terminator == .noReturn }.count == 2)
        #expect(!f.blocks.flatMap { f.calls(in: f.blocks.firstIndex(of: $0)!) }.contains("b"), "code after abort() is unreachable")
        #expect(!f.blocks.flatMap { f.calls(in: f.blocks.firstIndex(of: $0)!) }.contains("c"))
    }

    @Test func statementExpressionsAreLoweredInPlace() throws {
        let f = try lower("f", "int f(void) { int v = ({ a(); cond(); }); return v; }")
        #expect(f.calls(in: f.entry) == ["a", "cond"])
    }

    @Test func allowThreadsMacrosAreCallsLabelledWithTheMacro() throws {
        let f = try lower("f", "void f(void) { Py_BEGIN_ALLOW_THREADS a(); Py_END_ALLOW_THREADS }")
        let events = f.blocks[f.entry].events
        let save = events.first { if case .call(let call) = $0.kind { return call.callee.name == "PyEval_SaveThread" } else { return false } }
        #expect(save?.macro == "Py_BEGIN_ALLOW_THREADS")
        let assignsSave = events.contains { event in
            if case .assign(let target, .variable) = event.kind { return f.variables[target].name == "_save" }
            return false
        }
        #expect(assignsSave, "`_save = PyEval_SaveThread()` inside the macro is an assignment")
        let restore = events.first { if case .call(let call) = $0.kind { return call.callee.name == "PyEval_RestoreThread" } else { return false } }
        #expect(restore?.macro == "Py_END_ALLOW_THREADS")
    }

    @Test func macrosModelledByNameBecomeEventsAtTheirPosition() throws {
        let f = try lower("f", """
        #define Py_BEGIN_CRITICAL_SECTION(op) {
        #define Py_END_CRITICAL_SECTION() }
        void f(PyObject *o) { a(); Py_BEGIN_CRITICAL_SECTION(o); b(); Py_END_CRITICAL_SECTION(); c(); }
        """)
        let order = f.blocks[f.entry].events.compactMap { event -> String? in
            switch event.kind {
            case .call(let call): return call.callee.name
            case .macro(let name): return name
            default: return nil
            }
        }
        #expect(order == ["a", "Py_BEGIN_CRITICAL_SECTION", "b", "Py_END_CRITICAL_SECTION", "c"])
    }

    @Test func repeatedSideEffectFreeConditionsShareAKey() throws {
        let f = try lower("f", "void f(int flags) { if ((flags & 4) == 0) a(); b(); if ((flags & 4) == 0) c(); if ((flags & 8) == 0) d(); }")
        let keys = f.blocks.compactMap { block -> Int? in
            if case .branch(let condition, _, _) = block.terminator { return condition.key }
            return nil
        }
        #expect(keys.count == 3)
        #expect(keys[0] == keys[1] && keys[0] != keys[2])
        #expect(f.conditionKeys[keys[0]].dependencies.map { f.variables[$0].name } == ["flags"])
    }

    @Test func localAliasOfAPointerSharesItsFields() throws {
        let f = try lower("f", """
        typedef struct { PyObject_HEAD PyThreadState *save; } Obj;
        void f(Obj *self) { Obj *lo = self; lo->save = PyEval_SaveThread(); PyEval_RestoreThread(self->save); }
        """)
        let fields = f.variables.filter { if case .field = $0.kind { return true } else { return false } }
        #expect(fields.map(\.name) == ["self->save"])
    }

    @Test func entryPointsComeFromTheModuleTables() throws {
        let unit = try TestSupport.lower("""
        static PyObject *meth(PyObject *self, PyObject *args) { Py_RETURN_NONE; }
        static PyObject *get_g(PyObject *self, void *closure) { Py_RETURN_NONE; }
        static void dealloc(PyObject *self) { }
        static int exec_module(PyObject *m) { return 0; }
        static PyObject *helper(void) { return NULL; }
        static PyMethodDef methods[] = {{"meth", meth, METH_VARARGS, NULL}, {NULL}};
        static PyGetSetDef getset[] = {{"g", get_g, NULL, NULL, NULL}, {NULL}};
        static PyType_Slot slots[] = {{Py_tp_dealloc, dealloc}, {0, NULL}};
        static PyModuleDef_Slot module_slots[] = {{Py_mod_exec, exec_module}, {0, NULL}};
        PyMODINIT_FUNC PyInit_m(void) { return NULL; }
        """)
        #expect(unit.status == .analyzed, "\(unit.message ?? "")")
        let kinds = Dictionary(unit.facts.entryPoints.map { ($0.name, $0.kind) }, uniquingKeysWith: { a, _ in a })
        #expect(kinds == ["meth": .method, "get_g": .getset, "dealloc": .typeSlot, "exec_module": .moduleSlot, "PyInit_m": .moduleInit])
    }

    @Test func tooDeepNestingIsRefusedNotCrashed() throws {
        let depth = 300
        let body = String(repeating: "if (cond()) { ", count: depth) + "a();" + String(repeating: " }", count: depth)
        let path = try TestSupport.write(Self.prelude + "void f(void) { \(body) }")
        var arguments: [String] = ["-fbracket-depth=2000"]
        if let include = PythonIncludes.locate() { arguments.append("-I" + include) }
        let options = FrontendOptions(maxNestingDepth: 100)
        let unit = Frontend(options: options).parse(path: path, arguments: arguments, projectRoots: ["/"], workingDirectory: "/")
        let f = try #require(unit.functions.first { $0.name == "f" })
        #expect(f.loweringProblem?.contains("nesting") == true)
    }
}

extension Function {
    func calls(in block: BlockID) -> [String] {
        blocks[block].events.compactMap { event in
            if case .call(let call) = event.kind { return call.callee.name }
            return nil
        }
    }

    func block(calling name: String) -> BlockID {
        blocks.indices.first { calls(in: $0).contains(name) } ?? -1
    }

    func jumps(of kind: JumpKind) -> [BlockID] {
        blocks.indices.filter { if case .jump(_, let k) = blocks[$0].terminator { return k == kind } else { return false } }
    }

    func reachable(from start: BlockID) -> Set<BlockID> {
        var seen = Set<BlockID>()
        var stack = [start]
        while let block = stack.popLast() {
            for successor in blocks[block].terminator.successors where seen.insert(successor).inserted {
                stack.append(successor)
            }
        }
        return seen
    }
}
