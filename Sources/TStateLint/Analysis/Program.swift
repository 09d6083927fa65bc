/// All translation units of a run, linked: every function once (functions defined in a
/// project header are lowered by each includer; the first includer's copy is kept), and
/// the entry points found in the modules' tables.
public struct Program: Sendable {
    public let units: [TranslationUnit]
    public let functions: [Function]
    public let entryPoints: [String: EntryPoint]
    /// Where each function's IR came from: the unit and its position there.
    public let origins: [FunctionOrigin]
    /// For functions whose calls `linkDuplicateDefinitions` redirected: the redirections, so
    /// that the same IR linked differently is not taken for the same function.
    public let linkage: [Int: String]

    public struct FunctionOrigin: Sendable {
        public var unit: Int
        public var index: Int
    }

    public init(units: [TranslationUnit]) {
        var units = units
        var seen = Set<String>()
        var functions: [Function] = []
        var origins: [FunctionOrigin] = []
        for (unitIndex, unit) in units.enumerated() {
            for (index, function) in unit.functions.enumerated() {
                let key = "\(function.file):\(function.location.offset):\(function.name)"
                if seen.insert(key).inserted {
                    functions.append(function)
                    origins.append(FunctionOrigin(unit: unitIndex, index: index))
                }
            }
        }
        self.origins = origins
        linkage = Program.linkDuplicateDefinitions(&functions, units: &units)
        var entryPoints: [String: EntryPoint] = [:]
        for unit in units {
            for entry in unit.facts.entryPoints where entryPoints[entry.usr] == nil {
                entryPoints[entry.usr] = entry
            }
        }
        self.units = units
        self.functions = functions
        self.entryPoints = entryPoints
    }

    /// An external function defined in several files of the run belongs to several programs
    /// (two extension modules that each define `guard_release`, Pillow's `_webp.c` and
    /// `libImaging/Except.c` each defining `ImagingSectionEnter`). Each definition gets a USR
    /// of its own, and each use is linked to the nearest: in the same file, else in the same
    /// directory, else the first in the run.
    static func linkDuplicateDefinitions(_ functions: inout [Function], units: inout [TranslationUnit]) -> [Int: String] {
        var filesByUSR: [String: [String]] = [:]
        for function in functions where !function.isStatic { filesByUSR[function.usr, default: []].append(function.file) }
        let duplicated = filesByUSR.filter { $0.value.count > 1 }
        guard !duplicated.isEmpty else { return [:] }
        func own(_ usr: String, _ file: String) -> String { usr + "@" + file }
        func resolve(_ usr: String, from files: [String]) -> String {
            guard let definitions = duplicated[usr] else { return usr }
            for file in files where definitions.contains(file) { return own(usr, file) }
            for file in files {
                let directory = PathDisplay.directory(of: file)
                if let near = definitions.first(where: { PathDisplay.directory(of: $0) == directory }) { return own(usr, near) }
            }
            return own(usr, definitions[0])
        }
        var linkage: [Int: Set<String>] = [:]
        var current = 0
        func resolved(_ usr: String, from file: String) -> String {
            let target = resolve(usr, from: [file])
            linkage[current, default: []].insert(target)
            return target
        }
        func relink(_ operand: Operand, from file: String) -> Operand {
            guard case .function(let name, let usr) = operand, duplicated[usr] != nil else { return operand }
            return .function(name: name, usr: resolved(usr, from: file))
        }
        for index in functions.indices {
            current = index
            let file = functions[index].file
            if duplicated[functions[index].usr] != nil {
                functions[index].usr = own(functions[index].usr, file)
                linkage[index, default: []].insert(functions[index].usr)
            }
            for block in functions[index].blocks.indices {
                for event in functions[index].blocks[block].events.indices {
                    var kind = functions[index].blocks[block].events[event].kind
                    switch kind {
                    case .call(var call):
                        if case .direct(let name, let usr, let origin) = call.callee, duplicated[usr] != nil {
                            call.callee = .direct(name: name, usr: resolved(usr, from: file), origin: origin)
                        }
                        call.arguments = call.arguments.map { relink($0, from: file) }
                        kind = .call(call)
                    case .assign(let target, let value):
                        kind = .assign(target: target, value: relink(value, from: file))
                    case .escape(let value):
                        kind = .escape(relink(value, from: file))
                    case .unparsed(let names, let callees, let controlFlow):
                        kind = .unparsed(names: names, functions: callees.map { duplicated[$0] != nil ? resolved($0, from: file) : $0 },
                                         controlFlow: controlFlow)
                    case .fieldAccess, .macro:
                        continue
                    }
                    functions[index].blocks[block].events[event].kind = kind
                }
            }
        }
        for index in units.indices {
            let files = [units[index].path] + units[index].files
            for entry in units[index].facts.entryPoints.indices {
                units[index].facts.entryPoints[entry].usr = resolve(units[index].facts.entryPoints[entry].usr, from: files)
            }
            for reference in units[index].facts.staticReferences.indices {
                let usr = units[index].facts.staticReferences[reference].usr
                let file = units[index].facts.staticReferences[reference].location.file
                units[index].facts.staticReferences[reference].usr = resolve(usr, from: [file] + files)
            }
        }
        return linkage.mapValues { $0.sorted().joined(separator: " ") }
    }

    public func entryContext(of function: Function) -> EntryContext {
        if let entry = entryPoints[function.usr] {
            let description = entry.kind == .moduleInit ? "module init function" : "in \(entry.kind.rawValue) `\(entry.table)`"
            return EntryContext(assumption: .attached, isPythonEntry: true, description: description)
        }
        return .inferred
    }
}
