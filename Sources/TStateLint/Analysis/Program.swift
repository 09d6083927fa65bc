/// All translation units of a run, linked: every function once (functions defined in a
/// project header are lowered by each includer; the first includer's copy is kept), and
/// the entry points found in the modules' tables.
public struct Program: Sendable {
    public let units: [TranslationUnit]
    public let functions: [Function]
    public let entryPoints: [String: EntryPoint]

    public init(units: [TranslationUnit]) {
        self.units = units
        var seen = Set<String>()
        var functions: [Function] = []
        var entryPoints: [String: EntryPoint] = [:]
        for unit in units {
            for function in unit.functions {
                let key = "\(function.file):\(function.location.offset):\(function.name)"
                if seen.insert(key).inserted { functions.append(function) }
            }
            for entry in unit.facts.entryPoints where entryPoints[entry.usr] == nil {
                entryPoints[entry.usr] = entry
            }
        }
        self.functions = functions
        self.entryPoints = entryPoints
    }

    public func entryContext(of function: Function) -> EntryContext {
        if let entry = entryPoints[function.usr] {
            let description = entry.kind == .moduleInit ? "module init function" : "in \(entry.kind.rawValue) `\(entry.table)`"
            return EntryContext(assumption: .attached, isPythonEntry: true, description: description)
        }
        return .inferred
    }
}
