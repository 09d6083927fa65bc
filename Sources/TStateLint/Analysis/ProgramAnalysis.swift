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
    let limits: ExplorationLimits

    private let lock = NSLock()
    private var summaries: [String: FunctionSummary] = [:]
    private var enteredDetached: [String: String] = [:]

    public private(set) var analyses: [FunctionAnalysis] = []
    public private(set) var summaryDuration: TimeInterval = 0

    public init(program: Program, model: APIModel, foreignThreadRegistrars: Set<String> = [], limits: ExplorationLimits = ExplorationLimits()) {
        self.program = program
        self.model = model
        self.limits = limits
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
                        if index < call.arguments.count { candidates = [call.arguments[index]] }
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

    public func run() {
        let started = Date()
        let functions = graph.functions
        var firstPass = [FunctionAnalysis?](repeating: nil, count: functions.count)
        let components = graph.stronglyConnectedComponents()
        for level in graph.levels(of: components) {
            let results = ResultSlots<[(Int, FunctionAnalysis)]>(count: level.count)
            DispatchQueue.concurrentPerform(iterations: level.count) { position in
                results[position] = self.summarize(component: level[position])
            }
            for case let component? in results.values {
                for (index, analysis) in component { firstPass[index] = analysis }
            }
        }
        summaryDuration = Date().timeIntervalSince(started)

        // A static function that every call reaches with no thread state (as the first pass
        // saw the calls) is analysed as entered that way: what it does without one is reported
        // inside it, once, and its calls are not reported at the callers.
        var seenAt: [String: Set<CallSiteAttachment>] = [:]
        var firstCaller: [String: String] = [:]
        for analysis in firstPass.compactMap({ $0 }) {
            for (usr, seen) in analysis.callSiteAttachments.sorted(by: { $0.key < $1.key }) {
                seenAt[usr, default: []].formUnion(seen)
                if firstCaller[usr] == nil { firstCaller[usr] = analysis.function.name }
            }
        }
        var contexts = functions.map(entryContext(of:))
        for (index, function) in functions.enumerated() where function.isStatic && contexts[index].assumption == .unknown {
            guard seenAt[function.usr] == [.detached] else { continue }
            let caller = firstCaller[function.usr] ?? "its callers"
            contexts[index] = EntryContext(assumption: .detached, isPythonEntry: false,
                                           description: "only called with no thread state attached (from `\(caller)`)")
            lock.lock()
            enteredDetached[function.usr] = caller
            lock.unlock()
        }

        // Each function in its entry context; callers of those now entered detached again.
        var final = firstPass.map { $0! }
        let callsEnteredDetached = functions.indices.map { index in
            graph.callees[index].contains { enteredDetached[functions[$0].usr] != nil }
        }
        reanalyse(where: { contexts[$0].assumption != .unknown || callsEnteredDetached[$0] }, contexts: contexts, into: &final)
        analyses = final
    }

    private func reanalyse(where selected: (Int) -> Bool, contexts: [EntryContext], into analyses: inout [FunctionAnalysis]) {
        let indices = graph.functions.indices.filter(selected)
        let results = ResultSlots<FunctionAnalysis>(count: indices.count)
        DispatchQueue.concurrentPerform(iterations: indices.count) { position in
            let index = indices[position]
            results[position] = PathExplorer(function: self.graph.functions[index], model: self.model, entryContext: contexts[index],
                                             limits: self.limits, summaries: self).run()
        }
        for (position, index) in indices.enumerated() { analyses[index] = results[position]! }
    }

    func entryContext(of function: Function) -> EntryContext {
        if let reason = foreignEntries[function.usr] {
            return EntryContext(assumption: .detached, isPythonEntry: false, description: reason, isForeignThread: true)
        }
        return program.entryContext(of: function)
    }

    /// Analyses a component until its members' summaries stop changing.
    private func summarize(component: [Int]) -> [(Int, FunctionAnalysis)] {
        var results: [(Int, FunctionAnalysis)] = []
        let isRecursive = component.count > 1 || graph.callees[component[0]].contains(component[0])
        for _ in 0..<(isRecursive ? 4 : 1) {
            results = component.map { index in
                (index, PathExplorer(function: graph.functions[index], model: model, entryContext: .inferred,
                                     limits: limits, summaries: self).run())
            }
            var changed = false
            let built = results.map { SummaryBuilder.summarize($0.1, summaries: self, model: model) }
            lock.lock()
            for summary in built where summaries[summary.usr] != summary {
                summaries[summary.usr] = summary
                changed = true
            }
            lock.unlock()
            if !changed { break }
        }
        return results
    }

    public var summaryCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return summaries.count
    }
}

extension ProgramAnalysis: SummaryProvider {
    public func summary(forUSR usr: String) -> FunctionSummary? {
        lock.lock()
        defer { lock.unlock() }
        return summaries[usr]
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
