import Testing
@testable import TStateLint

/// Builds IR by hand, so the analysis is tested without libclang. Every event and terminator
/// gets its own line number, which the assertions use to name places.
struct IRBuilder {
    var variables: [Variable] = []
    var blocks: [Block] = [Block()]
    var nextEvent = 0
    var line = 1
    let file = "hand.c"

    mutating func variable(_ name: String, _ type: ValueType = .integer, kind: VariableKind = .local) -> VarID {
        variables.append(Variable(name: name, kind: kind, type: type, location: location()))
        return variables.count - 1
    }

    mutating func block() -> BlockID {
        blocks.append(Block())
        return blocks.count - 1
    }

    mutating func location() -> TStateLint.SourceLocation {
        defer { line += 1 }
        return TStateLint.SourceLocation(file: file, line: line, column: 1, offset: line * 10)
    }

    /// Adds an event and returns its line.
    @discardableResult
    mutating func add(_ kind: EventKind, to block: BlockID, macro: String? = nil) -> Int {
        let location = location()
        blocks[block].events.append(Event(id: nextEvent, kind: kind, location: location, macro: macro))
        nextEvent += 1
        return location.line
    }

    @discardableResult
    mutating func call(_ name: String, _ arguments: [Operand] = [], into result: VarID? = nil, in block: BlockID,
                       origin: CalleeOrigin = .pythonAPI, macro: String? = nil) -> Int {
        add(.call(Call(callee: .direct(name: name, usr: "c:@F@" + name, origin: origin), arguments: arguments, result: result)), to: block, macro: macro)
    }

    @discardableResult
    mutating func end(_ block: BlockID, _ terminator: Terminator) -> Int {
        let location = location()
        blocks[block].terminator = terminator
        blocks[block].terminatorLocation = location
        return location.line
    }

    func build(_ name: String = "f") -> Function {
        Function(name: name, usr: "c:@F@" + name, file: file, location: TStateLint.SourceLocation(file: file, line: 0, column: 1, offset: 0),
                 closingBrace: TStateLint.SourceLocation(file: file, line: 999, column: 1, offset: 9990), isStatic: false,
                 returnType: .pyObject, parameterCount: 0, variables: variables, blocks: blocks)
    }
}

@Suite struct AnalysisTests {
    let model = TestSupport.store.model

    func diagnose(_ function: Function, entry: EntryContext = EntryContext(assumption: .attached, isPythonEntry: true, description: "in PyMethodDef table `methods`")) -> [String] {
        let analysis = PathExplorer(function: function, model: model, entryContext: entry).run()
        return Checks.run(analysis, model: model).map { "\($0.rule)@\($0.location.line)" }.sorted()
    }

    /// `_save = NULL; if (big) _save = SaveThread(); work(); if (_save) RestoreThread(_save); return`
    func numpyStyle(restore: Bool) -> (Function, Int) {
        var b = IRBuilder()
        let save = b.variable("_save", .threadState)
        let saved = b.variable("", .threadState, kind: .temporary)
        let (release, work, check, doRestore, exit) = (b.block(), b.block(), b.block(), b.block(), b.block())
        b.add(.assign(target: save, value: .integer(0)), to: 0)
        b.end(0, .branch(.unknown, then: release, else: work))
        b.call("PyEval_SaveThread", into: saved, in: release)
        b.add(.assign(target: save, value: .variable(saved)), to: release)
        b.end(release, .jump(work, .next))
        b.call("compute", in: work, origin: .other)
        b.end(work, .jump(check, .next))
        b.end(check, .branch(Condition(variable: save, comparison: .nonZero), then: restore ? doRestore : exit, else: exit))
        b.call("PyEval_RestoreThread", [.variable(save)], in: doRestore)
        b.end(doRestore, .jump(exit, .next))
        let returnLine = b.end(exit, .returns(.unknown))
        return (b.build(), returnLine)
    }

    @Test func conditionalReleaseCorrelatedThroughSaveIsClean() {
        #expect(diagnose(numpyStyle(restore: true).0) == [])
    }

    @Test func conditionalReleaseWithoutRestoreIsReportedAtTheReturn() {
        let (function, returnLine) = numpyStyle(restore: false)
        #expect(diagnose(function) == ["TS101@\(returnLine)"])
    }

    @Test func returnInsideReleasedBlockButNotAfterIt() {
        var b = IRBuilder()
        let save = b.variable("_save", .threadState)
        let t = b.variable("", .threadState, kind: .temporary)
        let (early, rest) = (b.block(), b.block())
        b.call("PyEval_SaveThread", into: t, in: 0, macro: "Py_BEGIN_ALLOW_THREADS")
        b.add(.assign(target: save, value: .variable(t)), to: 0)
        b.end(0, .branch(.unknown, then: early, else: rest))
        let earlyReturn = b.end(early, .returns(.integer(0)))
        b.call("PyEval_RestoreThread", [.variable(save)], in: rest, macro: "Py_END_ALLOW_THREADS")
        b.end(rest, .returns(.unknown))
        let function = b.build()
        #expect(diagnose(function) == ["TS101@\(earlyReturn)"])
        // A helper (not called by Python) loses `_save` just the same.
        #expect(diagnose(function, entry: .inferred) == ["TS101@\(earlyReturn)"])
    }

    /// The uses after the first are the same mistake; returning released is another one.
    @Test func apiCallWhileReleasedIsReportedOnceAndThePathGoesOn() {
        var b = IRBuilder()
        let t = b.variable("", .threadState, kind: .temporary)
        b.call("PyEval_SaveThread", into: t, in: 0)
        let first = b.call("PyErr_SetString", in: 0)
        b.call("Py_DecRef", in: 0)
        let exit = b.end(0, .returns(.integer(0)))
        #expect(diagnose(b.build()) == ["TS101@\(exit)", "TS201@\(first)"])
    }

    @Test func allowedAPIWhileReleasedIsClean() {
        var b = IRBuilder()
        let t = b.variable("", .threadState, kind: .temporary)
        let p = b.variable("p", .pointer)
        b.call("PyEval_SaveThread", into: t, in: 0)
        b.call("PyMem_RawMalloc", [.integer(8)], into: p, in: 0)
        b.call("PyThread_get_thread_ident", in: 0)
        b.call("PyEval_RestoreThread", [.variable(t)], in: 0)
        b.end(0, .returns(.unknown))
        #expect(diagnose(b.build()) == [])
    }

    @Test func doubleReleaseAndDoubleAcquire() {
        var b = IRBuilder()
        let t = b.variable("", .threadState, kind: .temporary)
        b.call("PyEval_SaveThread", into: t, in: 0)
        let second = b.call("PyEval_SaveThread", in: 0)
        b.end(0, .returns(.unknown))
        #expect(diagnose(b.build()) == ["TS103@\(second)"])

        var c = IRBuilder()
        let u = c.variable("", .threadState, kind: .temporary)
        c.call("PyEval_SaveThread", into: u, in: 0)
        c.call("PyEval_RestoreThread", [.variable(u)], in: 0)
        let again = c.call("PyEval_RestoreThread", [.variable(u)], in: 0)
        c.end(0, .returns(.unknown))
        #expect(diagnose(c.build()) == ["TS104@\(again)"])
    }

    @Test func helperThatRestoresFirstIsAssumedEnteredDetached() {
        // A C-library callback: attach the saved state, call Python, save it again.
        var b = IRBuilder()
        let self_ = b.variable("self", .pointer, kind: .parameter(index: 0))
        let field = b.variable("self->ts", .threadState, kind: .field(base: self_, name: "ts"))
        let t = b.variable("", .threadState, kind: .temporary)
        b.call("PyEval_RestoreThread", [.variable(field)], in: 0)
        b.call("PyObject_CallNoArgs", in: 0)
        b.call("PyEval_SaveThread", into: t, in: 0)
        b.add(.assign(target: field, value: .variable(t)), to: 0)
        b.end(0, .returns(.integer(0)))
        let function = b.build()
        #expect(diagnose(function, entry: .inferred) == [])
        // The same body in a Python method attaches while attached.
        #expect(diagnose(function).first?.hasPrefix("TS104") == true)
    }

    @Test func releaseWrapperThatKeepsTheStateIsNotReported() {
        var b = IRBuilder()
        let self_ = b.variable("self", .pointer, kind: .parameter(index: 0))
        let field = b.variable("self->save", .threadState, kind: .field(base: self_, name: "save"))
        let t = b.variable("", .threadState, kind: .temporary)
        b.call("PyEval_SaveThread", into: t, in: 0)
        b.add(.assign(target: field, value: .variable(t)), to: 0)
        let end = b.end(0, .returns(nil))
        let function = b.build()
        #expect(diagnose(function, entry: .inferred) == [])
        #expect(diagnose(function) == ["TS101@\(end)"], "Python needs the thread state back")
    }

    /// for (...) { g = Ensure(); if (x) { Release(g); continue; } if (y) break; Release(g); }
    @Test func ensureInALoopWithContinueAndBreak() {
        var b = IRBuilder()
        let g = b.variable("g", .gilState)
        let (head, body, skip, check, normal, exit) = (b.block(), b.block(), b.block(), b.block(), b.block(), b.block())
        b.end(0, .jump(head, .next))
        b.end(head, .branch(.unknown, then: body, else: exit))
        b.call("PyGILState_Ensure", into: g, in: body)
        b.end(body, .branch(.unknown, then: skip, else: check))
        b.call("PyGILState_Release", [.variable(g)], in: skip)
        b.end(skip, .jump(head, .continueStatement))
        let breakLine = b.end(check, .branch(.unknown, then: exit, else: normal))
        b.call("PyGILState_Release", [.variable(g)], in: normal)
        b.end(normal, .jump(head, .loopBack))
        let returnLine = b.end(exit, .returns(.unknown))
        #expect(breakLine > 0)
        #expect(diagnose(b.build(), entry: .inferred) == ["TS102@\(returnLine)"], "break skips the release")
    }

    @Test func releasingATokenTwiceOrAForeignValue() {
        var b = IRBuilder()
        let g = b.variable("g", .gilState)
        b.call("PyGILState_Ensure", into: g, in: 0)
        b.call("PyGILState_Release", [.variable(g)], in: 0)
        let twice = b.call("PyGILState_Release", [.variable(g)], in: 0)
        b.end(0, .returns(nil))
        #expect(diagnose(b.build(), entry: .inferred) == ["TS105@\(twice)"])

        var c = IRBuilder()
        let foreign = c.call("PyGILState_Release", [.integer(1)], in: 0)
        c.end(0, .returns(nil))
        #expect(diagnose(c.build(), entry: .inferred) == ["TS105@\(foreign)"])
    }

    @Test func switchingToASubinterpreterAndNotBack() {
        var b = IRBuilder()
        let main = b.variable("main", .threadState)
        let sub = b.variable("sub", .threadState)
        let (fail, ok) = (b.block(), b.block())
        b.call("PyThreadState_Get", into: main, in: 0)
        b.call("Py_NewInterpreter", into: sub, in: 0)
        b.end(0, .branch(Condition(variable: sub, comparison: .zero), then: fail, else: ok))
        b.end(fail, .returns(.integer(0)))
        b.call("Py_EndInterpreter", [.variable(sub)], in: ok)
        b.call("PyThreadState_Swap", [.variable(main)], in: ok)
        b.end(ok, .returns(.unknown))
        #expect(diagnose(b.build()) == [], "NULL from Py_NewInterpreter leaves the caller's state attached")

        var c = IRBuilder()
        let sub2 = c.variable("sub", .threadState)
        c.call("Py_NewInterpreter", into: sub2, in: 0)
        let leak = c.end(0, .returns(.unknown))
        #expect(diagnose(c.build()).contains("TS301@\(leak)"))
    }

    @Test func lockReleasedOnOnePathOnly() {
        var b = IRBuilder()
        let self_ = b.variable("self", .pointer, kind: .parameter(index: 0))
        let lock = b.variable("self->lock", .pointer, kind: .field(base: self_, name: "lock"))
        let (early, rest) = (b.block(), b.block())
        b.call("PyThread_acquire_lock", [.variable(lock), .integer(1)], in: 0)
        b.end(0, .branch(.unknown, then: early, else: rest))
        let leak = b.end(early, .returns(.integer(0)))
        b.call("PyThread_release_lock", [.variable(lock)], in: rest)
        b.end(rest, .returns(.unknown))
        #expect(diagnose(b.build()) == ["TS502@\(leak)"])
    }

    /// Twenty independent unknown branches in a row: 2^20 paths, bounded by merging.
    @Test func manyIndependentBranchesStayBounded() {
        var b = IRBuilder()
        var current = 0
        var flags: [VarID] = []
        for index in 0..<20 {
            let flag = b.variable("f\(index)")
            flags.append(flag)
            let (set, next) = (b.block(), b.block())
            b.end(current, .branch(.unknown, then: set, else: next))
            b.add(.assign(target: flag, value: .integer(1)), to: set)
            b.end(set, .jump(next, .next))
            current = next
        }
        for flag in flags { b.call("use", [.variable(flag)], in: current, origin: .other) }
        b.end(current, .returns(.unknown))
        let analysis = PathExplorer(function: b.build(), model: model, entryContext: .inferred).run()
        #expect(analysis.statesExplored < 20_000)
        #expect(Checks.run(analysis, model: model).isEmpty)
    }
}
