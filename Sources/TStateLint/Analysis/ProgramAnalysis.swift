import Foundation

/// The whole-program analysis: summaries bottom-up over the call graph (components of
/// mutually recursive functions iterated to a fixpoint), then every function analysed in its
/// entry context with its callees' summaries.
public final class ProgramAnalysis: @unchecked Sendable {
    public let program: Program
    public let model: APIModel
    public let graph: CallGraph
    /// Functions a thread Python did not create runs (pthread_create, registrars): usr -> why.
    public let foreignEntries: [String: String]
    /// Functions a host program calls, by name, with the state they are entered with.
    public let hostEntryPoints: [String: EntryAssumption]
    let limits: ExplorationLimits
    /// Per function, the key its memo entries are stored under (nil: no memo this run).
    let memoKeys: [String?]?
    /// Entries kept from earlier runs, by memo key and context.
    let storedMemo: [String: MemoEntry]

    private let lock = NSLock()
    private var summaries: [String: FunctionSummary] = [:]
    private var summaryDigests: [String: UInt64] = [:]
    /// Summaries of stored explorations, decoded when first asked for.
    private var codedSummaries: [String: Data] = [:]
    private var enteredDetached: [String: String] = [:]

    /// What the checks report, per function.
    public private(set) var diagnostics: [[Diagnostic]] = []
    /// Per function, where its explorations gave paths up at a bound (nil: none did).
    public private(set) var boundsReached: [String?] = []
    /// Per function, the memo entries this run used or made, and whether any is new.
    public private(set) var memo: [[String: MemoEntry]] = []
    public private(set) var memoChanged: [Bool] = []
    /// Explorations run, and those whose stored result was used instead.
    public private(set) var explorations = 0
    public private(set) var reusedExplorations = 0

    public init(program: Program, model: APIModel, foreignThreadRegistrars: Set<String> = [], hostEntryPoints: [String: EntryAssumption] = [:],
                limits: ExplorationLimits = ExplorationLimits(),
                memoKeys: [String?]? = nil, storedMemo: [String: MemoEntry] = [:]) {
        self.program = program
        self.model = model
        self.limits = limits
        self.memoKeys = memoKeys
        self.storedMemo = storedMemo
        self.hostEntryPoints = hostEntryPoints
        var references = program.units.flatMap(\.facts.staticReferences)
        references.sort { ($0.usr, $0.location) < ($1.usr, $1.location) }
        graph = CallGraph(functions: program.functions, staticReferences: references)
        foreignEntries = ProgramAnalysis.findForeignEntries(program.functions, model: model, registrars: foreignThreadRegistrars)
    }

    /// Functions passed to thread starters (the model's `thread-start` entries, at their
    /// argument) or to a configured registrar (any function argument).
    static func findForeignEntries(_ functions: [Function], model: APIModel, registrars: Set<String>) -> [String: String] {
        var entries: [String: String] = [:]
        for function in functions {
            for block in function.blocks {
                for event in block.events {
                    guard case .call(let call) = event.kind, let name = call.callee.name else { continue }
                    var candidates: [Operand] = []
                    if let entry = model.entry(name), entry.effect == .threadStart {
                        let index = entry.arg ?? 0
                        if call.arguments.indices.contains(index) { candidates = [call.arguments[index]] }
                    } else if registrars.contains(name) {
                        candidates = call.arguments
                    }
                    // `verbose ? watch_verbose : watch` reaches the call through a temporary.
                    var functionsPassed: [(String, String)] = []
                    for candidate in candidates {
                        switch candidate {
                        case .function(let target, let usr):
                            functionsPassed.append((target, usr))
                        case .variable(let variable):
                            for other in function.blocks.flatMap(\.events) {
                                if case .assign(variable, .function(let target, let usr)) = other.kind { functionsPassed.append((target, usr)) }
                            }
                        default:
                            break
                        }
                    }
                    for (target, usr) in functionsPassed where entries[usr] == nil {
                        entries[usr] = "`\(target)` runs on a thread started by `\(name)()` at \(event.location.file):\(event.location.line)"
                    }
                }
            }
        }
        return entries
    }

    /// The first exploration of a function, in the inferred context.
    private struct FirstPass {
        var analysis: FunctionAnalysis?
        var callSiteAttachments: [String: Set<CallSiteAttachment>]
        var enteredDetachedWitness: TraceStep?
        var memo: MemoEntry?
        var isNew: Bool
    }

    public func run() {
        let functions = graph.functions
        var firstPass = [FirstPass?](repeating: nil, count: functions.count)
        let components = graph.stronglyConnectedComponents()
        let summarized = ResultSlots<[(Int, FirstPass)]>(count: components.count)
        DependencyScheduler(components: components, callees: graph.callees).run { component in
            summarized[component] = self.summarize(component: components[component])
        }
        for case let component? in summarized.values {
            for (index, pass) in component { firstPass[index] = pass }
        }

        // What the first pass saw at the calls decides the contexts the analysis infers.
        var seenAt: [String: Set<CallSiteAttachment>] = [:]
        var firstCaller: [String: String] = [:]
        var attachWitness: [String: TraceStep] = [:]
        for (index, pass) in firstPass.enumerated() {
            if let witness = pass!.enteredDetachedWitness { attachWitness[functions[index].usr] = witness }
            for (usr, seen) in pass!.callSiteAttachments {
                seenAt[usr, default: []].formUnion(seen)
                if firstCaller[usr] == nil { firstCaller[usr] = functions[index].name }
            }
        }
        let contexts = inferContexts(seenAt: seenAt, firstCaller: firstCaller, attachWitness: attachWitness)

        // Each function in its entry context (callers of those now entered detached again),
        // then checked.
        let callsEnteredDetached = functions.indices.map { index in
            graph.callees[index].contains { enteredDetached[functions[$0].usr] != nil }
        }
        let results = ResultSlots<(diagnostics: [Diagnostic], memo: [String: MemoEntry], changed: Bool, bound: String?)>(count: functions.count)
        let counts = (explored: Counter(), reused: Counter())
        DispatchQueue.concurrentPerform(iterations: functions.count) { index in
            let first = firstPass[index]!
            var memo: [String: MemoEntry] = [:]
            var changed = first.isNew
            let firstKey = self.memoKey(index, context: .inferred)
            if first.isNew { counts.explored.increment() } else if first.memo != nil { counts.reused.increment() }
            if let entry = first.memo, let firstKey { memo[firstKey] = entry }
            let diagnostics: [Diagnostic]
            // The first exploration's summary is what callers used; the final one, the findings.
            var bound = first.analysis?.boundReached ?? first.memo?.boundReached
            if contexts[index].assumption != .unknown || contexts[index].isHostEntry || callsEnteredDetached[index] {
                let context = contexts[index]
                // Apart from the first exploration's key even when the context is the same
                // (a caller of a function entered detached explored again).
                let key = self.memoKey(index, context: context).map { $0 + "|final" }
                if let key, let entry = self.storedMemo[key], let stored = entry.diagnostics, self.stillHolds(entry.queries) {
                    diagnostics = stored
                    bound = bound ?? entry.boundReached
                    memo[key] = entry
                    counts.reused.increment()
                } else {
                    let recorder = key == nil ? nil : RecordingSummaries(self)
                    let analysis = PathExplorer(function: functions[index], model: self.model, entryContext: context,
                                                limits: self.limits, summaries: recorder ?? self).run()
                    diagnostics = Checks.run(analysis, model: self.model)
                    bound = bound ?? analysis.boundReached
                    if let key, let recorder {
                        memo[key] = MemoEntry(queries: recorder.queries, summary: nil, summaryDigest: nil, callSiteAttachments: [:],
                                              diagnostics: diagnostics, component: nil, boundReached: analysis.boundReached)
                    }
                    changed = true
                    counts.explored.increment()
                }
            } else if let stored = first.memo?.diagnostics {
                diagnostics = stored
            } else {
                // Explored again only when a stored first exploration was not the final one then.
                if first.analysis == nil { counts.explored.increment() }
                let analysis = first.analysis ?? PathExplorer(function: functions[index], model: self.model, entryContext: .inferred,
                                                              limits: self.limits, summaries: self).run()
                diagnostics = Checks.run(analysis, model: self.model)
                bound = bound ?? analysis.boundReached
                if let firstKey, memo[firstKey] != nil {
                    memo[firstKey]!.diagnostics = diagnostics
                    changed = true
                }
            }
            results[index] = (diagnostics, memo, changed, bound)
        }
        let values = results.values.map { $0! }
        diagnostics = values.map(\.diagnostics)
        boundsReached = values.map(\.bound)
        memo = values.map(\.memo)
        memoChanged = values.map(\.changed)
        explorations = counts.explored.current
        reusedExplorations = counts.reused.current
    }

    private func memoKey(_ index: Int, context: EntryContext) -> String? {
        guard let key = memoKeys?[index] else { return nil }
        return key + "|" + context.memoKey
    }

    /// Whether every question a stored exploration asked gets the same answer now.
    private func stillHolds(_ queries: [MemoQuery]) -> Bool {
        queries.allSatisfy { query in
            switch query {
            case .summary(let usr, let digest): return summaryDigest(forUSR: usr) == digest
            case .indirectTargets(let pointer, let targets): return graph.indirectTargets(of: pointer) == targets
            case .enteredDetached(let usr, let answer): return isAnalysedAsEnteredDetached(usr) == answer
            }
        }
    }

    /// Calls to it are reported inside it (it is analysed as entered detached), not at its callers.
    func markEnteredDetached(_ usr: String, caller: String) {
        lock.lock()
        enteredDetached[usr] = caller
        lock.unlock()
    }

    func entryContext(of function: Function) -> EntryContext {
        if let reason = foreignEntries[function.usr] {
            return EntryContext(assumption: .detached, isPythonEntry: false, description: reason, isForeignThread: true)
        }
        return program.entryContext(of: function)
    }

    /// Records a summary just built; false when it is the one already known.
    private func install(_ summary: FunctionSummary) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard summaries[summary.usr] != summary else { return false }
        summaries[summary.usr] = summary
        return true
    }

    private func installStored(_ summary: Data, usr: String, digest: UInt64) {
        lock.lock()
        codedSummaries[usr] = summary
        summaryDigests[usr] = digest
        lock.unlock()
    }

    /// Analyses a component until its members' summaries stop changing, or not at all when
    /// the stored explorations of all its members still hold.
    ///
    /// The members of a recursive component ask each other for summaries that change from one
    /// round to the next; those answers follow from the members' IR and the answers from
    /// outside, so only the questions asked outside the component (in every round) are kept,
    /// and the stored results are used when the component has the same members.
    private func summarize(component: [Int]) -> [(Int, FirstPass)] {
        let isRecursive = component.count > 1 || graph.callees[component[0]].contains(component[0])
        let keys = component.map { memoKey($0, context: .inferred) }
        let memoised = !keys.contains(nil)
        let componentKey = isRecursive && memoised ? keys.map { $0! }.joined(separator: "\n") : nil
        if memoised {
            let entries = keys.compactMap { storedMemo[$0!] }
            if entries.count == component.count,
               entries.allSatisfy({ $0.summary != nil && $0.summaryDigest != nil && $0.component == componentKey && stillHolds($0.queries) }) {
                return zip(component, entries).map { index, entry in
                    installStored(entry.summary!, usr: graph.functions[index].usr, digest: entry.summaryDigest!)
                    return (index, FirstPass(analysis: nil, callSiteAttachments: entry.callSiteAttachments.mapValues(Set.init),
                                             enteredDetachedWitness: entry.enteredDetachedWitness, memo: entry, isNew: false))
                }
            }
        }
        let recorders = memoised ? component.map { _ in RecordingSummaries(self) } : nil
        var analyses: [FunctionAnalysis] = []
        var built: [FunctionSummary] = []
        for _ in 0..<(isRecursive ? 4 : 1) {
            analyses = component.enumerated().map { position, index in
                PathExplorer(function: graph.functions[index], model: model, entryContext: .inferred,
                             limits: limits, summaries: recorders?[position] ?? self).run()
            }
            // Built after all members are explored: their explorations read the previous round's.
            built = analyses.enumerated().map { position, analysis in
                SummaryBuilder.summarize(analysis, summaries: recorders?[position] ?? self, model: model)
            }
            var changed = false
            for summary in built where install(summary) { changed = true }
            if !changed { break }
        }
        let members = Set(component.map { graph.functions[$0].usr })
        return component.indices.map { position in
            let analysis = analyses[position]
            var entry: MemoEntry?
            // Every summary has a digest when there is a memo, also those of functions not
            // memoised: their callers' questions compare it.
            if memoKeys != nil {
                let coded = built[position].coded
                lock.lock()
                summaryDigests[built[position].usr] = coded.digest
                lock.unlock()
                if let recorder = recorders?[position] {
                    let queries = recorder.queries.filter { query in
                        if case .summary(let usr, _) = query { return !members.contains(usr) }
                        return true
                    }
                    entry = MemoEntry(queries: queries, summary: coded.data, summaryDigest: coded.digest,
                                      callSiteAttachments: analysis.callSiteAttachments.mapValues { $0.sorted { "\($0)" < "\($1)" } },
                                      diagnostics: nil, component: componentKey, boundReached: analysis.boundReached,
                                      enteredDetachedWitness: built[position].enteredDetachedWitness)
                }
            }
            return (component[position], FirstPass(analysis: analysis, callSiteAttachments: analysis.callSiteAttachments,
                                                   enteredDetachedWitness: built[position].enteredDetachedWitness, memo: entry, isNew: true))
        }
    }

    func summaryDigest(forUSR usr: String) -> UInt64? {
        lock.lock()
        defer { lock.unlock() }
        return summaryDigests[usr]
    }
}

extension ProgramAnalysis: SummaryProvider {
    public func summary(forUSR usr: String) -> FunctionSummary? {
        lock.lock()
        defer { lock.unlock() }
        if let summary = summaries[usr] { return summary }
        guard let coded = codedSummaries.removeValue(forKey: usr),
              let summary = try? UnitCoding.decoder().decode(FunctionSummary.self, from: coded) else { return nil }
        summaries[usr] = summary
        return summary
    }

    public func indirectTargets(of call: Call, in function: Function) -> [String] {
        graph.indirectTargets(of: call, in: function)
    }

    public func isAnalysedAsEnteredDetached(_ usr: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return enteredDetached[usr] != nil
    }
}

/// Runs work for every component of the call graph, each as soon as the components it calls
/// are done, on all cores (not level by level: one large function does not hold back the
/// components that do not depend on it).
final class DependencyScheduler: @unchecked Sendable {
    private let dependents: [[Int]]
    private var waitingOn: [Int]
    private let lock = NSLock()
    private let group = DispatchGroup()

    init(components: [[Int]], callees: [[Int]]) {
        var componentOf = [Int](repeating: 0, count: callees.count)
        for (component, members) in components.enumerated() { for member in members { componentOf[member] = component } }
        var dependents = [[Int]](repeating: [], count: components.count)
        var waitingOn = [Int](repeating: 0, count: components.count)
        for (component, members) in components.enumerated() {
            var calledComponents = Set<Int>()
            for member in members {
                for callee in callees[member] where componentOf[callee] != component { calledComponents.insert(componentOf[callee]) }
            }
            waitingOn[component] = calledComponents.count
            for called in calledComponents { dependents[called].append(component) }
        }
        self.dependents = dependents
        self.waitingOn = waitingOn
    }

    func run(_ work: @escaping @Sendable (Int) -> Void) {
        let ready = waitingOn.indices.filter { waitingOn[$0] == 0 }
        for component in ready { start(component, work) }
        group.wait()
    }

    private func start(_ component: Int, _ work: @escaping @Sendable (Int) -> Void) {
        group.enter()
        DispatchQueue.global().async {
            work(component)
            var ready: [Int] = []
            self.lock.lock()
            for dependent in self.dependents[component] {
                self.waitingOn[dependent] -= 1
                if self.waitingOn[dependent] == 0 { ready.append(dependent) }
            }
            self.lock.unlock()
            for next in ready { self.start(next, work) }
            self.group.leave()
        }
    }
}
