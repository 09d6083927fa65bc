import Foundation

/// What one exploration of a function gave the rest of the run, kept between runs: an edited
/// file re-explores its own functions and those whose callees now answer differently, and
/// nothing else.
///
/// An exploration is a pure function of the function's IR, its entry context, the model and
/// the answers the program gave it (callee summaries, indirect-call targets, which callees are
/// analysed as entered detached). The queries are recorded with their answers; a stored
/// result is used again only when every query still gets the same answer.
public struct MemoEntry: Sendable {
    public var queries: [MemoQuery]
    /// The function's summary, coded (explorations in the inferred context only): decoded
    /// only when an exploration asks for it, its digest is all that checking queries needs.
    public var summary: Data?
    public var summaryDigest: UInt64?
    public var callSiteAttachments: [String: [CallSiteAttachment]]
    /// What the checks report on this exploration; nil when it was not the final one.
    public var diagnostics: [Diagnostic]?
    /// For a member of a recursive component: the keys of all its members.
    public var component: String?
    /// The exploration's `FunctionAnalysis.boundReached`.
    public var boundReached: String? = nil
    /// The summary's `enteredDetachedWitness`, kept beside it so that inferring contexts
    /// does not decode every stored summary.
    public var enteredDetachedWitness: TraceStep? = nil
}

public enum MemoQuery: Hashable, Sendable {
    /// The digest of the callee's summary; nil: it has none.
    case summary(usr: String, digest: UInt64?)
    case indirectTargets(IndirectPointer, targets: [String])
    case enteredDetached(usr: String, answer: Bool)
}

extension EntryContext {
    /// Tells contexts apart in memo keys.
    var memoKey: String {
        "\(assumption)|\(isPythonEntry)|\(isForeignThread)|\(isHostEntry)|\(inferredHost)|\(description ?? "")"
    }
}

extension FunctionSummary {
    /// The summary coded, and its digest (stable across processes, unlike Swift's hashes).
    var coded: (data: Data, digest: UInt64) {
        let data = (try? UnitCoding.encoder().encode(self)) ?? Data()
        return (data, ContentHasher.hash(data))
    }
}

/// Answers an exploration's questions from the program and writes down what it asked.
final class RecordingSummaries: SummaryProvider, @unchecked Sendable {
    private let program: ProgramAnalysis
    private var asked = Set<MemoQuery>()
    private var summariesAsked = Set<String>()
    private(set) var queries: [MemoQuery] = []

    init(_ program: ProgramAnalysis) {
        self.program = program
    }

    private func note(_ query: MemoQuery) {
        if asked.insert(query).inserted { queries.append(query) }
    }

    /// Asked at every call on every path: the digest is looked up the first time only (it does
    /// not change while the function is explored).
    func summary(forUSR usr: String) -> FunctionSummary? {
        if summariesAsked.insert(usr).inserted { queries.append(.summary(usr: usr, digest: program.summaryDigest(forUSR: usr))) }
        return program.summary(forUSR: usr)
    }

    func indirectTargets(of call: Call, in function: Function) -> [String] {
        guard let pointer = IndirectPointer(call, in: function) else { return [] }
        let targets = program.graph.indirectTargets(of: pointer)
        note(.indirectTargets(pointer, targets: targets))
        return targets
    }

    func isAnalysedAsEnteredDetached(_ usr: String) -> Bool {
        let answer = program.isAnalysedAsEnteredDetached(usr)
        note(.enteredDetached(usr: usr, answer: answer))
        return answer
    }
}
