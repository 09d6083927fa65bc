import CClang

/// Lowers one C function definition to a control-flow graph of events.
///
/// Statements become blocks and edges (if/else, all loops with break/continue, switch with
/// fallthrough and default, goto and labels, `&&`/`||`/`?:`, statement expressions, calls
/// that never return); expressions become calls, assignments and field accesses in
/// evaluation order, with temporaries for nested call results.
final class FunctionLowering {
    private struct LoweringLimit: Error {
        var reason: String
    }

    private enum VariableKey: Hashable {
        case declaration(offset: Int, name: String)
        case global(usr: String)
        case field(base: VarID, name: String)
        case dereference(base: VarID)
        case element(base: VarID)
    }

    private final class SwitchContext {
        var cases: [SwitchCase] = []
        var defaultTarget: BlockID?
    }

    private let context: UnitContext
    private let declaration: CXCursor
    private let file: String
    private let tree: CursorTree

    private var variables: [Variable] = []
    private var variableByKey: [VariableKey: VarID] = [:]
    private var variableByDeclaration: [UnsafeRawPointer: VarID] = [:]
    private var blocks: [Block] = []
    private var current: BlockID = 0
    private var nextEventID = 0
    private var labelBlocks: [String: BlockID] = [:]
    private var addressTakenLabels: Set<String> = []
    private var indirectGotoBlocks: [BlockID] = []
    private var breakTargets: [BlockID] = []
    private var continueTargets: [BlockID] = []
    private var switches: [SwitchContext] = []
    private var emittedMacroStarts: Set<Int> = []
    /// The macro indexes of the file last asked about.
    private var indexedFile: String?
    private var fileMacroIndexes: (all: MacroIndex?, modelled: MacroIndex?)
    private var depth = 0
    private var tokenIndex: TokenIndex?
    private var tokenIndexBuilt = false
    /// Declarations (by offset and name) that the body writes after their initializer.
    private var writtenDeclarations = Set<String>()
    /// A local pointer initialised from another variable and never written: `lo = self`.
    private var aliases: [VarID: VarID] = [:]
    private var conditionKeys: [ConditionKey] = []
    /// Offsets in the function's file where clang reported an error inside the body: code
    /// around them may have been dropped. Empty for code that parsed.
    private var bodyErrors: [Int] = []
    /// Those of them inside a macro's expansion (at the offset where the macro is used).
    private var macroErrors: Set<Int> = []
    private var accountedErrors = Set<Int>()
    private var conditionKeyIndex: [String: Int] = [:]

    init(context: UnitContext, declaration: CXCursor, file: String) {
        self.context = context
        self.declaration = declaration
        self.file = file
        self.tree = CursorTree(root: declaration)
    }

    func lower() -> Function {
        let name = declaration.spelling
        let children = tree.children(declaration)
        var parameterCount = 0
        for child in children where child.kind == CXCursor_ParmDecl {
            _ = declareVariable(child, kind: .parameter(index: parameterCount))
            parameterCount += 1
        }
        let body = children.last { $0.kind == CXCursor_CompoundStmt }
        let closingBrace = closingBraceLocation(of: body ?? declaration)
        if body != nil { writtenDeclarations = WrittenVariables.collect(in: tree, context: context, tokens: tokens) }
        current = newBlock()
        var problem: String?
        if let body {
            let extent = offsets(body)
            bodyErrors = context.errorOffsets(in: file).filter { $0 > extent.start && $0 < extent.end }
            if !bodyErrors.isEmpty { macroErrors = context.macroErrorOffsets(in: file) }
            do {
                try lowerStatement(body)
            } catch let limit as LoweringLimit {
                problem = limit.reason
            } catch {
                problem = "\(error)"
            }
        }
        if problem == nil {
            terminate(.returns(nil), at: closingBrace)
            connectIndirectGotos()
            distrustUnaccountedErrors()
        } else {
            // A partial graph would invent paths; keep the function with no body.
            blocks = [Block(events: [], terminator: .unreachable, terminatorLocation: closingBrace)]
            current = 0
        }
        let function = Function(
            name: name,
            usr: declaration.usr,
            file: file,
            location: context.location(declaration.location),
            closingBrace: closingBrace,
            isStatic: declaration.storageClass == CX_SC_Static,
            returnType: context.valueType(of: declaration.type.resultType),
            parameterCount: parameterCount,
            variables: variables,
            blocks: blocks,
            entry: 0,
            loweringProblem: problem
        )
        var compacted = CFGCompaction.removeUnreachableBlocks(function)
        compacted.conditionKeys = conditionKeys
        compacted.signature = declaration.type.canonical.spelling
        return compacted
    }

    // MARK: - Blocks and events

    private func newBlock() -> BlockID {
        blocks.append(Block())
        return blocks.count - 1
    }

    private func emit(_ kind: EventKind, at location: SourceLocation) throws {
        let label = macroIndexes(location.file).all?.expansion(containing: location.offset)?.name
        blocks[current].events.append(Event(id: nextEventID, kind: kind, location: location, macro: label))
        nextEventID += 1
        if nextEventID > context.options.maxEventsPerFunction {
            throw LoweringLimit(reason: "function has more than \(context.options.maxEventsPerFunction) events")
        }
    }

    private func macroIndexes(_ file: String) -> (all: MacroIndex?, modelled: MacroIndex?) {
        if file != indexedFile {
            indexedFile = file
            fileMacroIndexes = (context.macroIndexByFile[file], context.modelledMacroIndexByFile[file])
        }
        return fileMacroIndexes
    }

    /// Ends the current block; whatever follows goes into a fresh block that is only
    /// reachable if a label or case leads into it.
    private func terminate(_ terminator: Terminator, at location: SourceLocation) {
        blocks[current].terminator = terminator
        blocks[current].terminatorLocation = location
        current = newBlock()
    }

    private func jump(to target: BlockID, _ kind: JumpKind = .next, at location: SourceLocation? = nil) {
        terminate(.jump(target, kind), at: location ?? blocks[current].events.last?.location ?? .unknown)
        current = target
    }

    private func jumpAway(to target: BlockID, _ kind: JumpKind, at location: SourceLocation) {
        terminate(.jump(target, kind), at: location)
    }

    private func labelBlock(_ name: String) -> BlockID {
        if let block = labelBlocks[name] { return block }
        let block = newBlock()
        labelBlocks[name] = block
        return block
    }

    private func connectIndirectGotos() {
        let targets = addressTakenLabels.isEmpty ? Array(labelBlocks.values) : addressTakenLabels.compactMap { labelBlocks[$0] }
        for block in indirectGotoBlocks {
            let cases = targets.sorted().map { SwitchCase(value: nil, target: $0) }
            let fallback = cases.first?.target
            blocks[block].terminator = fallback.map { .switchOn(.unknown, cases: cases, defaultTarget: $0) } ?? .noReturn
        }
    }

    // MARK: - Locations

    private func location(_ cursor: CXCursor) -> SourceLocation {
        context.location(context.start(of: cursor))
    }

    private func offsets(_ cursor: CXCursor) -> (start: Int, end: Int) {
        let extent = cursor.extent
        return (context.offset(extent.start), context.offset(extent.end))
    }

    private func closingBraceLocation(of cursor: CXCursor) -> SourceLocation {
        var end = context.location(cursor.extent.end)
        if end.column > 1 { end.column -= 1 }
        if end.offset > 0 { end.offset -= 1 }
        return end
    }

    private func tokens() -> TokenIndex? {
        if !tokenIndexBuilt {
            tokenIndexBuilt = true
            tokenIndex = TokenIndex(unit: context.unit, range: declaration.extent)
        }
        return tokenIndex
    }

    private func binaryOperator(_ cursor: CXCursor) -> BinaryOperator {
        OperatorDecoder.binary(cursor, tokens: tokens)
    }

    private func unaryOperator(_ cursor: CXCursor) -> UnaryOperator {
        OperatorDecoder.unary(cursor, tokens: tokens)
    }

    // MARK: - Variables

    private func resolveAlias(_ variable: VarID) -> VarID {
        var current = variable
        var steps = 0
        while let target = aliases[current], steps < 16 {
            current = target
            steps += 1
        }
        return current
    }

    private func declareVariable(_ cursor: CXCursor, kind: VariableKind) -> VarID {
        let location = context.location(cursor.location)
        let name = cursor.spelling
        let key = VariableKey.declaration(offset: location.offset, name: name)
        if let known = variableByKey[key] { return known }
        return addVariable(key: key, Variable(name: name, kind: kind, type: context.valueType(of: cursor.type), location: location))
    }

    private func addVariable(key: VariableKey?, _ variable: Variable) -> VarID {
        variables.append(variable)
        let id = variables.count - 1
        if let key { variableByKey[key] = id }
        return id
    }

    /// A temporary for a value the code does not name; `describing` names it in messages ("PyObject_Call()").
    private func newTemporary(type: CXType, at location: SourceLocation, describing description: String = "") -> VarID {
        addVariable(key: nil, Variable(name: description, kind: .temporary, type: context.valueType(of: type), location: location))
    }

    private func variable(forDeclaration declaration: CXCursor) -> VarID {
        guard let identity = declaration.data.0 else { return resolveVariable(forDeclaration: declaration) }
        if let known = variableByDeclaration[identity] { return known }
        let variable = resolveVariable(forDeclaration: declaration)
        variableByDeclaration[identity] = variable
        return variable
    }

    private func resolveVariable(forDeclaration declaration: CXCursor) -> VarID {
        let isFileScope = declaration.semanticParent.kind == CXCursor_TranslationUnit
        if declaration.kind == CXCursor_VarDecl && (isFileScope || declaration.storageClass == CX_SC_Static || declaration.storageClass == CX_SC_Extern) {
            let usr = declaration.usr
            let key = VariableKey.global(usr: usr)
            if let known = variableByKey[key] { return known }
            return addVariable(key: key, Variable(name: declaration.spelling, kind: .global(usr: usr), type: context.valueType(of: declaration.type), location: context.location(declaration.location)))
        }
        return declareVariable(declaration, kind: .local)
    }

    /// The field `name` of what `base` holds; `member` (`base->name` or `base.name`) names it.
    private func fieldVariable(base: VarID, member: CXCursor) -> VarID {
        let name = member.spelling
        let key = VariableKey.field(base: base, name: name)
        if let known = variableByKey[key] { return known }
        let baseName = variables[base].name
        let throughPointer = tree.firstChild(member).map { $0.type.canonical.kind == CXType_Pointer } ?? true
        let shown = baseName.isEmpty ? name : baseName + (throughPointer ? "->" : ".") + name
        return addVariable(key: key, Variable(name: shown, kind: .field(base: base, name: name), type: context.valueType(of: member.type), location: variables[base].location))
    }

    private func dereferenceVariable(base: VarID, type: CXType) -> VarID {
        let key = VariableKey.dereference(base: base)
        if let known = variableByKey[key] { return known }
        let baseName = variables[base].name
        return addVariable(key: key, Variable(name: baseName.isEmpty ? "" : "*\(baseName)", kind: .dereference(base: base), type: context.valueType(of: type), location: variables[base].location))
    }

    // MARK: - Statements

    private func descend() throws {
        depth += 1
        if depth > context.options.maxNestingDepth {
            throw LoweringLimit(reason: "nesting deeper than \(context.options.maxNestingDepth) levels")
        }
    }

    private func lowerStatement(_ cursor: CXCursor) throws {
        try descend()
        defer { depth -= 1 }
        if !bodyErrors.isEmpty {
            try lowerDroppedMacroCode(in: cursor)
            try lowerDroppedParts(of: cursor)
        }
        switch cursor.kind {
        case CXCursor_CompoundStmt:
            try lowerCompound(cursor, valueOfLast: false)
        case CXCursor_DeclStmt:
            for declaration in tree.children(cursor) where declaration.kind == CXCursor_VarDecl {
                try lowerVariableDeclaration(declaration)
            }
        case CXCursor_IfStmt:
            try lowerIf(cursor)
        case CXCursor_WhileStmt:
            try lowerWhile(cursor)
        case CXCursor_DoStmt:
            try lowerDo(cursor)
        case CXCursor_ForStmt:
            try lowerFor(cursor)
        case CXCursor_SwitchStmt:
            try lowerSwitch(cursor)
        case CXCursor_CaseStmt:
            let children = tree.children(cursor)
            let target = newBlock()
            jump(to: target)
            let value = children.count == 2 ? constantValue(children[0]) : nil
            switches.last?.cases.append(SwitchCase(value: value, target: target))
            if let body = children.last, children.count >= 2 { try lowerStatement(body) }
        case CXCursor_DefaultStmt:
            let target = newBlock()
            jump(to: target)
            switches.last?.defaultTarget = target
            if let body = tree.children(cursor).last { try lowerStatement(body) }
        case CXCursor_LabelStmt:
            let target = labelBlock(cursor.spelling)
            jump(to: target)
            if let body = tree.children(cursor).last { try lowerStatement(body) }
        case CXCursor_GotoStmt:
            let label = tree.firstChild(cursor)?.spelling ?? cursor.spelling
            jumpAway(to: labelBlock(label), .goto(label: label), at: location(cursor))
        case CXCursor_IndirectGotoStmt:
            for child in tree.children(cursor) { _ = try lowerExpression(child, wantValue: false) }
            indirectGotoBlocks.append(current)
            terminate(.noReturn, at: location(cursor))
        case CXCursor_BreakStmt:
            if let target = breakTargets.last {
                jumpAway(to: target, .breakStatement, at: location(cursor))
            }
        case CXCursor_ContinueStmt:
            if let target = continueTargets.last {
                jumpAway(to: target, .continueStatement, at: location(cursor))
            }
        case CXCursor_ReturnStmt:
            let value = try tree.firstChild(cursor).map { try lowerExpression($0, wantValue: true) }
            terminate(.returns(value), at: location(cursor))
        case CXCursor_NullStmt, CXCursor_GCCAsmStmt, CXCursor_AsmStmt, CXCursor_MSAsmStmt, CXCursor_StaticAssert:
            break
        default:
            if cursor.isExpression {
                _ = try lowerExpression(cursor, wantValue: false)
            } else {
                // Statements C does not have (C++ try, range-for, ...): keep their effects in order.
                for child in tree.children(cursor) where child.isStatement || child.isExpression {
                    try lowerStatement(child)
                }
            }
        }
    }

    /// Lowers `{ ... }`, placing the macros that the model knows by name (a critical
    /// section that expands to a bare `{`, a user's wrapper) at their position among the statements.
    @discardableResult
    private func lowerCompound(_ cursor: CXCursor, valueOfLast: Bool) throws -> Operand {
        // No modelled macro starts inside the braces: the statements in order, without looking
        // where each starts.
        var placesMacros = false
        var range = (start: 0, end: 0)
        var fileName = ""
        if !context.modelledMacroIndexByFile.isEmpty {
            let extent = cursor.extent
            let start = context.location(extent.start)
            fileName = start.file
            range = (start.offset, context.offset(extent.end))
            if let index = macroIndexes(fileName).modelled {
                placesMacros = !index.expansions(startingIn: range.start...max(range.start, range.end)).isEmpty
            }
        }
        guard placesMacros else {
            let children = tree.children(cursor)
            var value = Operand.unknown
            var gapStart = bodyErrors.isEmpty ? 0 : offsets(cursor).start + 1
            for (index, child) in children.enumerated() {
                if !bodyErrors.isEmpty {
                    let childRange = offsets(child)
                    try lowerDroppedCode(from: gapStart, to: childRange.start)
                    gapStart = childRange.end
                }
                if valueOfLast && index == children.count - 1 && child.isExpression {
                    value = try lowerExpression(child, wantValue: true)
                } else {
                    try lowerStatement(child)
                }
            }
            if !bodyErrors.isEmpty { try lowerDroppedCode(from: gapStart, to: offsets(cursor).end - 1) }
            return value
        }
        try emitModelledMacros(in: fileName, startingIn: range.start...range.start)
        var position = range.start
        let children = tree.children(cursor)
        var value = Operand.unknown
        for (index, child) in children.enumerated() {
            let childRange = offsets(child)
            if !bodyErrors.isEmpty { try lowerDroppedCode(from: position == range.start ? position + 1 : position, to: childRange.start) }
            if childRange.start >= position {
                try emitModelledMacros(in: fileName, startingIn: position...childRange.start)
            }
            if valueOfLast && index == children.count - 1 && child.isExpression {
                value = try lowerExpression(child, wantValue: true)
            } else {
                try lowerStatement(child)
            }
            if childRange.end > childRange.start {
                try emitModelledMacros(in: fileName, startingIn: childRange.start...(childRange.end - 1))
            }
            position = max(position, childRange.end)
        }
        if range.end > position {
            if !bodyErrors.isEmpty { try lowerDroppedCode(from: position, to: range.end - 1) }
            try emitModelledMacros(in: fileName, startingIn: position...(range.end - 1))
        }
        return value
    }

    // MARK: - Code that did not parse

    /// An error between two statements: clang dropped what was written there.
    private func lowerDroppedCode(from start: Int, to end: Int) throws {
        guard end > start, takeErrors(in: start..<end) else { return }
        try lowerDropped(start..<end, keepsLeadingKeyword: false)
    }

    /// An error inside a statement that has no statements of its own (an expression, a
    /// declaration, a `return`), or inside the condition of one that has: the part clang could
    /// not make sense of is gone from it.
    private func lowerDroppedParts(of statement: CXCursor) throws {
        switch statement.kind {
        case CXCursor_CompoundStmt, CXCursor_CaseStmt, CXCursor_DefaultStmt, CXCursor_LabelStmt:
            return
        case CXCursor_IfStmt, CXCursor_WhileStmt, CXCursor_DoStmt, CXCursor_ForStmt, CXCursor_SwitchStmt:
            for child in tree.children(statement) where child.isExpression {
                let range = offsets(child)
                guard range.end > range.start, takeErrors(in: range.start..<(range.end + 1)) else { continue }
                try lowerDropped(range.start..<range.end, keepsLeadingKeyword: false)
            }
        default:
            let range = offsets(statement)
            guard range.end > range.start, takeErrors(in: range.start..<range.end) else { return }
            try lowerDropped(range.start..<range.end, keepsLeadingKeyword: true)
        }
    }

    /// An error inside a macro's expansion is placed at the macro's use, where every statement
    /// of the expansion starts: it goes before the first of them, the outermost.
    private func lowerDroppedMacroCode(in statement: CXCursor) throws {
        guard !macroErrors.isEmpty else { return }
        let range = offsets(statement)
        let inside = bodyErrors.filter { $0 == range.start && macroErrors.contains($0) && !accountedErrors.contains($0) }
        guard !inside.isEmpty else { return }
        accountedErrors.formUnion(inside)
        try lowerDropped(range.start..<range.end, keepsLeadingKeyword: false)
    }

    /// A condition or other expression clang kept only as an opaque node.
    private func lowerDroppedExpression(_ expression: CXCursor) throws {
        let range = offsets(expression)
        guard range.end > range.start, takeErrors(in: range.start..<(range.end + 1)) else { return }
        try lowerDropped(range.start..<range.end, keepsLeadingKeyword: false)
    }

    /// Errors no statement or expression accounts for (inside a condition clang rebuilt, ...):
    /// where code went missing is not known, so no path of the function is trusted.
    private func distrustUnaccountedErrors() {
        guard let first = bodyErrors.first(where: { !accountedErrors.contains($0) }) else { return }
        let at = context.location(inFile: file, offset: first) ?? location(declaration)
        blocks[0].events.insert(Event(id: nextEventID, kind: .unparsed(names: [], functions: [], controlFlow: true), location: at), at: 0)
        nextEventID += 1
    }

    private func takeErrors(in range: Range<Int>) -> Bool {
        let inside = bodyErrors.filter { range.contains($0) && !accountedErrors.contains($0) }
        accountedErrors.formUnion(inside)
        return !inside.isEmpty
    }

    /// What dropped code could still have done: a local passed by address (`&format`) may
    /// have been written; the names it mentions and whether it jumps let the analysis decide
    /// whether the thread state may have changed there (see `EventKind.unparsed`).
    private func lowerDropped(_ range: Range<Int>, keepsLeadingKeyword: Bool) throws {
        guard var tokens = context.spelledTokens(in: file, range) else { return }
        if keepsLeadingKeyword, tokens.first?.kind == CXToken_Keyword { tokens.removeFirst() }
        let first = tokens.first { $0.kind != CXToken_Punctuation } ?? tokens.first
        let at = first.flatMap { context.location(inFile: file, offset: $0.offset) } ?? location(declaration)
        let dropped = DroppedCode(tokens: tokens) { name in
            context.projectMacros[name].map { Array(context.spelledTokens(of: $0).dropFirst()) }
        }
        for name in dropped.addressTaken {
            if let variable = visibleVariable(named: name) { try emit(.assign(target: variable, value: .unknown), at: at) }
        }
        try emit(.unparsed(names: dropped.names, functions: dropped.names.compactMap { context.projectFunctions[$0] }, controlFlow: dropped.jumps), at: at)
    }

    /// The local or parameter a name refers to, the latest declared first.
    private func visibleVariable(named name: String) -> VarID? {
        variables.indices.last { index in
            let variable = variables[index]
            switch variable.kind {
            case .local, .parameter: return variable.name == name
            default: return false
            }
        }
    }

    private func emitModelledMacros(in fileName: String, startingIn range: ClosedRange<Int>) throws {
        guard let index = macroIndexes(fileName).modelled else { return }
        for expansion in index.expansions(startingIn: range) where !emittedMacroStarts.contains(expansion.start) {
            try emitMacro(expansion)
        }
    }

    private func emitMacro(_ expansion: MacroExpansion) throws {
        emittedMacroStarts.insert(expansion.start)
        try emit(.macro(name: expansion.name), at: expansion.location)
    }

    /// `Type.tp_repr = (reprfunc)f;`, `def->ml_meth = f;`: a field of one of Python's slot or
    /// table structures is given a function, which Python then calls.
    private func recordSlotAssignment(_ target: CXCursor, function name: String, usr: String) {
        let member = tree.stripped(target)
        guard member.kind == CXCursor_MemberRefExpr else { return }
        let record = clang_getCursorSemanticParent(member.referenced)
        guard let kind = ModuleFactsCollector.entryKind(forTableType: record.type.spelling + " " + record.type.canonical.spelling) else { return }
        let base = tree.children(member).first(where: { $0.isExpression }).map { tree.stripped($0).spelling } ?? ""
        let slot = base.isEmpty ? member.spelling : "\(base).\(member.spelling)"
        context.runtimeEntryPoints.append(EntryPoint(usr: usr, name: name, kind: kind, table: slot))
    }

    private func lowerVariableDeclaration(_ declaration: CXCursor) throws {
        if declaration.storageClass == CX_SC_Static { context.localStatics.append((declaration, self.declaration.spelling)) }
        if declaration.storageClass == CX_SC_Static || declaration.storageClass == CX_SC_Extern { return }
        let variable = declareVariable(declaration, kind: .local)
        let initializer = clang_Cursor_getVarDeclInitializer(declaration)
        guard !initializer.isNull else { return }
        if tree.stripped(initializer).kind == CXCursor_InitListExpr { context.localTables.append(declaration) }
        let value = try lowerExpression(initializer, wantValue: true)
        try emit(.assign(target: variable, value: value), at: location(declaration))
        let source = tree.stripped(initializer)
        if source.kind == CXCursor_DeclRefExpr, case .variable(let target) = value,
           variables[target].kind == .local || variables[target].kind.isParameter,
           !writtenDeclarations.contains(context.declarationKey(declaration)),
           !writtenDeclarations.contains(context.declarationKey(source.referenced)) {
            aliases[variable] = resolveAlias(target)
        }
    }

    /// `if`, and the `else if` chain after it, in a loop: a chain of thousands of `else if`s
    /// does not nest the lowering.
    private func lowerIf(_ cursor: CXCursor) throws {
        let join = newBlock()
        var statement = cursor
        while true {
            let children = tree.children(statement)
            guard children.count == 2 || children.count == 3 else {
                for child in children { try lowerStatement(child) }
                jump(to: join)
                return
            }
            let thenBlock = newBlock()
            let elseBlock = children.count == 3 ? newBlock() : join
            try lowerCondition(children[0], then: thenBlock, else: elseBlock)
            current = thenBlock
            try lowerStatement(children[1])
            jump(to: join)
            guard children.count == 3 else { break }
            current = elseBlock
            if children[2].kind == CXCursor_IfStmt {
                statement = children[2]
                continue
            }
            try lowerStatement(children[2])
            jump(to: join)
            break
        }
        current = join
    }

    private func lowerWhile(_ cursor: CXCursor) throws {
        let children = tree.children(cursor)
        guard children.count == 2 else {
            for child in children { try lowerStatement(child) }
            return
        }
        let header = newBlock()
        jump(to: header)
        let body = newBlock()
        let exit = newBlock()
        try lowerCondition(children[0], then: body, else: exit)
        current = body
        try lowerLoopBody(children[1], breakTarget: exit, continueTarget: header)
        jump(to: header, .loopBack, at: location(children[1]))
        current = exit
    }

    private func lowerDo(_ cursor: CXCursor) throws {
        let children = tree.children(cursor)
        guard children.count == 2 else {
            for child in children { try lowerStatement(child) }
            return
        }
        let body = newBlock()
        let conditionBlock = newBlock()
        let exit = newBlock()
        jump(to: body)
        try lowerLoopBody(children[0], breakTarget: exit, continueTarget: conditionBlock)
        jump(to: conditionBlock)
        try lowerCondition(children[1], then: body, else: exit)
        current = exit
    }

    private func lowerLoopBody(_ body: CXCursor, breakTarget: BlockID, continueTarget: BlockID) throws {
        breakTargets.append(breakTarget)
        continueTargets.append(continueTarget)
        defer {
            breakTargets.removeLast()
            continueTargets.removeLast()
        }
        try lowerStatement(body)
    }

    /// The header's semicolons and closing parenthesis. Written in the main file, the header
    /// alone is read again as tokens (a Cython function is thousands of them); else the body's.
    private func forHeader(_ cursor: CXCursor, body: CXCursor) -> (firstSemicolon: Int, secondSemicolon: Int, closingParen: Int)? {
        let start = cursor.extent.start
        let bodyStart = body.extent.start
        if let forLocation = context.mainFileLocation(start), let bodyLocation = context.mainFileLocation(bodyStart),
           forLocation.offset < bodyLocation.offset {
            return TokenIndex(unit: context.unit, range: clang_getRange(start, bodyStart)).forHeader(at: forLocation.offset)
        }
        return tokens()?.forHeader(at: offsets(cursor).start)
    }

    /// libclang omits absent parts of `for (init; cond; inc)`: which child is which comes
    /// from where it starts relative to the header's semicolons.
    private func lowerFor(_ cursor: CXCursor) throws {
        let children = tree.children(cursor)
        guard let body = children.last else { return }
        var initializer: CXCursor?, condition: CXCursor?, increment: CXCursor?
        let heads = Array(children.dropLast())
        let written = forHeader(cursor, body: body)
        if let written {
            for head in heads {
                let start = offsets(head).start
                if start < written.firstSemicolon { initializer = head }
                else if start < written.secondSemicolon { condition = head }
                else if start < written.closingParen { increment = head }
            }
        } else if heads.count == 3 {
            (initializer, condition, increment) = (heads[0], heads[1], heads[2])
        } else {
            // The header is inside a macro and some parts are missing: run what is there
            // before the loop and treat the condition as unknown.
            for head in heads { try lowerStatement(head) }
        }
        if let initializer { try lowerStatement(initializer) }
        let header = newBlock()
        jump(to: header)
        let bodyBlock = newBlock()
        let exit = newBlock()
        let incrementBlock = newBlock()
        if let condition {
            try lowerCondition(condition, then: bodyBlock, else: exit)
        } else if heads.count == 3 || written != nil {
            jump(to: bodyBlock)
        } else {
            terminate(.branch(.unknown, then: bodyBlock, else: exit), at: location(cursor))
        }
        current = bodyBlock
        try lowerLoopBody(body, breakTarget: exit, continueTarget: incrementBlock)
        jump(to: incrementBlock)
        if let increment { _ = try lowerExpression(increment, wantValue: false) }
        jump(to: header, .loopBack, at: location(body))
        current = exit
    }

    private func lowerSwitch(_ cursor: CXCursor) throws {
        let children = tree.children(cursor)
        guard children.count >= 2, let body = children.last else {
            for child in children { try lowerStatement(child) }
            return
        }
        let subject = try lowerExpression(children[children.count - 2], wantValue: true)
        let dispatch = current
        let switchLocation = location(cursor)
        let exit = newBlock()
        let switchContext = SwitchContext()
        switches.append(switchContext)
        breakTargets.append(exit)
        current = newBlock()
        try lowerStatement(body)
        jump(to: exit)
        switches.removeLast()
        breakTargets.removeLast()
        blocks[dispatch].terminator = .switchOn(subject, cases: switchContext.cases, defaultTarget: switchContext.defaultTarget ?? exit)
        blocks[dispatch].terminatorLocation = switchLocation
        current = exit
    }

    // MARK: - Conditions

    private func lowerCondition(_ cursor: CXCursor, then thenBlock: BlockID, else elseBlock: BlockID) throws {
        try descend()
        defer { depth -= 1 }
        let condition = tree.stripped(cursor)
        if let constant = constantValue(condition) {
            jumpAway(to: constant != 0 ? thenBlock : elseBlock, .next, at: location(condition))
            return
        }
        switch condition.kind {
        case CXCursor_BinaryOperator:
            let operands = tree.children(condition)
            guard operands.count == 2 else { break }
            switch binaryOperator(condition) {
            case .logicalAnd, .logicalOr:
                // `a && b && c ...` nests to the left: its terms are lowered in a loop.
                let isAnd = binaryOperator(condition) == .logicalAnd
                let terms = operatorChain(condition) { $0 == (isAnd ? .logicalAnd : .logicalOr) }
                for term in terms.dropLast() {
                    let middle = newBlock()
                    try lowerCondition(term, then: isAnd ? middle : thenBlock, else: isAnd ? elseBlock : middle)
                    current = middle
                }
                try lowerCondition(terms[terms.count - 1], then: thenBlock, else: elseBlock)
                return
            case .comma:
                _ = try lowerExpression(operands[0], wantValue: false)
                try lowerCondition(operands[1], then: thenBlock, else: elseBlock)
                return
            case .equal, .notEqual:
                let isEqual = binaryOperator(condition) == .equal
                for (constantSide, subjectSide) in [(1, 0), (0, 1)] {
                    guard let constant = constantValue(operands[constantSide]) else { continue }
                    let subject = try lowerExpression(operands[subjectSide], wantValue: true)
                    branch(on: subject, isEqual ? .equals(constant) : .notEquals(constant), orKeyOf: condition, then: thenBlock, else: elseBlock)
                    return
                }
                if operands.allSatisfy({ context.valueType(of: $0.type) == .threadState }) {
                    // Two thread states compared (`prior != PyThreadState_Get()`): the edges say
                    // whether they are one.
                    let left = try lowerExpression(operands[0], wantValue: true)
                    let right = try lowerExpression(operands[1], wantValue: true)
                    if case .variable(let first) = left, case .variable(let second) = right {
                        terminate(.branch(Condition(variable: first, comparison: isEqual ? .sameAs(second) : .differentFrom(second)),
                                          then: thenBlock, else: elseBlock), at: location(condition))
                    } else {
                        branch(on: .unknown, .nonZero, orKeyOf: condition, then: thenBlock, else: elseBlock)
                    }
                    return
                }
            default:
                break
            }
        case CXCursor_UnaryOperator:
            if unaryOperator(condition) == .logicalNot, let operand = tree.children(condition).first {
                try lowerCondition(operand, then: elseBlock, else: thenBlock)
                return
            }
        case CXCursor_ConditionalOperator:
            let parts = tree.children(condition)
            if parts.count == 3 {
                let whenTrue = newBlock()
                let whenFalse = newBlock()
                try lowerCondition(parts[0], then: whenTrue, else: whenFalse)
                current = whenTrue
                try lowerCondition(parts[1], then: thenBlock, else: elseBlock)
                current = whenFalse
                try lowerCondition(parts[2], then: thenBlock, else: elseBlock)
                return
            }
        default:
            break
        }
        let value = try lowerExpression(condition, wantValue: true)
        branch(on: value, .nonZero, orKeyOf: condition, then: thenBlock, else: elseBlock)
    }

    /// Branches on `value`, or, when the Frontend cannot name it, on the condition's structural
    /// key (so that two tests of one side-effect-free expression agree).
    private func branch(on value: Operand, _ comparison: Comparison, orKeyOf condition: CXCursor, then thenBlock: BlockID, else elseBlock: BlockID) {
        if value == .unknown, let key = conditionKey(condition) {
            terminate(.branch(Condition(variable: nil, comparison: .nonZero, key: key), then: thenBlock, else: elseBlock), at: location(condition))
        } else {
            branch(on: value, comparison, then: thenBlock, else: elseBlock, at: location(condition))
        }
    }

    /// The index of a side-effect-free condition's structural key, or nil when the expression
    /// calls, assigns, or uses something the key cannot name.
    private func conditionKey(_ cursor: CXCursor) -> Int? {
        var dependencies = Set<VarID>()
        var budget = 64
        guard let text = keyText(cursor, &dependencies, &budget) else { return nil }
        if let known = conditionKeyIndex[text] { return known }
        conditionKeys.append(ConditionKey(text: text, dependencies: dependencies.sorted()))
        conditionKeyIndex[text] = conditionKeys.count - 1
        return conditionKeys.count - 1
    }

    private func keyText(_ cursor: CXCursor, _ dependencies: inout Set<VarID>, _ budget: inout Int) -> String? {
        budget -= 1
        guard budget > 0 else { return nil }
        let expression = tree.stripped(cursor)
        if let constant = constantValue(expression) { return "#\(constant)" }
        let children = tree.children(expression).filter { $0.isExpression }
        switch expression.kind {
        case CXCursor_DeclRefExpr:
            let declaration = expression.referenced
            guard declaration.kind == CXCursor_VarDecl || declaration.kind == CXCursor_ParmDecl else { return nil }
            let variable = resolveAlias(variable(forDeclaration: declaration))
            dependencies.insert(variable)
            return "v\(variable)"
        case CXCursor_MemberRefExpr:
            guard let base = children.first, let baseText = keyText(base, &dependencies, &budget) else { return nil }
            if baseText.hasPrefix("v"), let baseVariable = Int(baseText.dropFirst()) {
                let field = fieldVariable(base: baseVariable, member: expression)
                dependencies.insert(field)
                return "v\(field)"
            }
            return "(\(baseText)).\(expression.spelling)"
        case CXCursor_UnaryOperator:
            let op = unaryOperator(expression)
            guard !op.isIncrementOrDecrement, let code = OperatorDecoder.exactUnary(expression, tokens: tokens),
                  let operand = children.first, let text = keyText(operand, &dependencies, &budget) else { return nil }
            if op == .dereference, text.hasPrefix("v"), let base = Int(text.dropFirst()) {
                let target = dereferenceVariable(base: base, type: expression.type)
                dependencies.insert(target)
                return "v\(target)"
            }
            return "\(code)(\(text))"
        case CXCursor_BinaryOperator:
            let op = binaryOperator(expression)
            guard op != .assign, op != .comma, children.count == 2, let code = OperatorDecoder.exactBinary(expression, tokens: tokens),
                  let left = keyText(children[0], &dependencies, &budget),
                  let right = keyText(children[1], &dependencies, &budget) else { return nil }
            return "(\(left) \(code) \(right))"
        case CXCursor_ArraySubscriptExpr:
            guard children.count == 2, let array = keyText(children[0], &dependencies, &budget),
                  let index = keyText(children[1], &dependencies, &budget) else { return nil }
            return "\(array)[\(index)]"
        default:
            return nil
        }
    }

    private func branch(on value: Operand, _ comparison: Comparison, then thenBlock: BlockID, else elseBlock: BlockID, at location: SourceLocation) {
        let normalized: Comparison
        switch comparison {
        case .equals(0): normalized = .zero
        case .notEquals(0): normalized = .nonZero
        default: normalized = comparison
        }
        switch value {
        case .integer(let constant):
            jumpAway(to: normalized.holds(for: constant) == true ? thenBlock : elseBlock, .next, at: location)
        case .address, .function:
            jumpAway(to: normalized.holds(for: 1) == true ? thenBlock : elseBlock, .next, at: location)
        case .variable(let variable):
            terminate(.branch(Condition(variable: variable, comparison: normalized), then: thenBlock, else: elseBlock), at: location)
        case .unknown:
            terminate(.branch(.unknown, then: thenBlock, else: elseBlock), at: location)
        }
    }

    // MARK: - Expressions

    /// The value of an integer constant expression: literals, enumerators, NULL, `-1`, sizeof,
    /// and operators over them. Checked on at most `constantNodes` nodes and evaluated once, so
    /// a long generated chain costs no more at each of its levels.
    private func constantValue(_ cursor: CXCursor) -> Int64? {
        let expression = tree.stripped(cursor)
        if expression.kind == CXCursor_DeclRefExpr {
            let declaration = expression.referenced
            return declaration.kind == CXCursor_EnumConstantDecl ? clang_getEnumConstantDeclValue(declaration) : nil
        }
        var budget = Self.constantNodes
        guard isConstantExpression(expression, &budget) else { return nil }
        return evaluate(expression)
    }

    private static let constantNodes = 256

    private func isConstantExpression(_ cursor: CXCursor, _ budget: inout Int) -> Bool {
        budget -= 1
        guard budget >= 0 else { return false }
        let expression = tree.stripped(cursor)
        switch expression.kind {
        case CXCursor_IntegerLiteral, CXCursor_CharacterLiteral, CXCursor_UnaryExpr:
            return true
        case CXCursor_DeclRefExpr:
            return expression.referenced.kind == CXCursor_EnumConstantDecl
        case CXCursor_UnaryOperator:
            guard let operand = tree.firstChild(expression) else { return false }
            return isConstantExpression(operand, &budget)
        case CXCursor_BinaryOperator:
            // The right operand first: a left-nested chain of calls fails at once.
            let operands = tree.children(expression)
            return operands.count == 2 && isConstantExpression(operands[1], &budget) && isConstantExpression(operands[0], &budget)
        default:
            return false
        }
    }

    /// The operands of a left-nested chain of one operator (`a && b && c`, `a + b - c`, `a, b, c`)
    /// in evaluation order, found without recursion. `sameChain` says which operators continue it.
    private func operatorChain(_ cursor: CXCursor, _ sameChain: (BinaryOperator) -> Bool) -> [CXCursor] {
        var rightOperands: [CXCursor] = []
        var node = tree.stripped(cursor)
        while node.kind == CXCursor_BinaryOperator, sameChain(binaryOperator(node)) {
            let operands = tree.children(node)
            guard operands.count == 2 else { break }
            rightOperands.append(operands[1])
            node = tree.stripped(operands[0])
        }
        return [node] + rightOperands.reversed()
    }

    private func evaluate(_ cursor: CXCursor) -> Int64? {
        guard let result = clang_Cursor_Evaluate(cursor) else { return nil }
        defer { clang_EvalResult_dispose(result) }
        guard clang_EvalResult_getKind(result) == CXEval_Int else { return nil }
        return clang_EvalResult_getAsLongLong(result)
    }

    private func lowerExpression(_ cursor: CXCursor, wantValue: Bool) throws -> Operand {
        try descend()
        defer { depth -= 1 }
        // Parentheses and casts around one expression are looked through in a loop.
        let cursor = tree.stripped(cursor)
        switch cursor.kind {
        case CXCursor_UnexposedExpr, CXCursor_ParenExpr, CXCursor_CStyleCastExpr:
            let children = tree.children(cursor)
            if children.isEmpty, !bodyErrors.isEmpty { try lowerDroppedExpression(cursor) }
            for child in children where child.isExpression { _ = try lowerExpression(child, wantValue: false) }
            return .unknown
        case CXCursor_IntegerLiteral, CXCursor_CharacterLiteral:
            return constantValue(cursor).map(Operand.integer) ?? .unknown
        case CXCursor_UnaryExpr:
            return constantValue(cursor).map(Operand.integer) ?? .unknown
        case CXCursor_FloatingLiteral, CXCursor_StringLiteral, CXCursor_ImaginaryLiteral, CXCursor_GenericSelectionExpr:
            return .unknown
        case CXCursor_DeclRefExpr:
            return reference(cursor)
        case CXCursor_MemberRefExpr:
            return try memberReference(cursor, isWrite: false)
        case CXCursor_CallExpr:
            return try lowerCall(cursor, wantValue: wantValue)
        case CXCursor_BinaryOperator:
            return try lowerBinary(cursor, wantValue: wantValue)
        case CXCursor_CompoundAssignOperator:
            let operands = tree.children(cursor)
            for operand in operands.dropFirst() { _ = try lowerExpression(operand, wantValue: false) }
            if let target = try operands.first.flatMap({ try lvalue($0) }) {
                try emit(.assign(target: target, value: .unknown), at: location(cursor))
            }
            return .unknown
        case CXCursor_UnaryOperator:
            return try lowerUnary(cursor, wantValue: wantValue)
        case CXCursor_ConditionalOperator:
            var parts = tree.children(cursor)
            guard parts.count == 3 else { break }
            let join = newBlock()
            let result = wantValue ? newTemporary(type: cursor.type, at: location(cursor)) : nil
            // `a ? x : b ? y : z`: the chain of conditionals in the false branches, in a loop.
            while true {
                let whenTrue = newBlock()
                let whenFalse = newBlock()
                try lowerCondition(parts[0], then: whenTrue, else: whenFalse)
                current = whenTrue
                let value = try lowerExpression(parts[1], wantValue: result != nil)
                if let result { try emit(.assign(target: result, value: value), at: location(parts[1])) }
                jump(to: join)
                current = whenFalse
                let otherwise = tree.stripped(parts[2])
                if otherwise.kind == CXCursor_ConditionalOperator, case let next = tree.children(otherwise), next.count == 3 {
                    parts = next
                    continue
                }
                let last = try lowerExpression(parts[2], wantValue: result != nil)
                if let result { try emit(.assign(target: result, value: last), at: location(parts[2])) }
                jump(to: join)
                break
            }
            current = join
            return result.map(Operand.variable) ?? .unknown
        case CXCursor_StmtExpr:
            guard let body = tree.children(cursor).first(where: { $0.kind == CXCursor_CompoundStmt }) else { return .unknown }
            return try lowerCompound(body, valueOfLast: wantValue)
        case CXCursor_ArraySubscriptExpr:
            return try arrayElement(cursor).map(Operand.variable) ?? .unknown
        case CXCursor_AddrLabelExpr:
            addressTakenLabels.insert(tree.firstChild(cursor)?.spelling ?? cursor.spelling)
            return .unknown
        default:
            break
        }
        for child in tree.children(cursor) where child.isExpression {
            _ = try lowerExpression(child, wantValue: false)
        }
        return .unknown
    }

    private func reference(_ cursor: CXCursor) -> Operand {
        let declaration = cursor.referenced
        switch declaration.kind {
        case CXCursor_VarDecl, CXCursor_ParmDecl:
            return .variable(variable(forDeclaration: declaration))
        case CXCursor_FunctionDecl:
            let function = context.function(declaration)
            return .function(name: function.name, usr: function.usr)
        case CXCursor_EnumConstantDecl:
            return .integer(clang_getEnumConstantDeclValue(declaration))
        default:
            return .unknown
        }
    }

    private func memberReference(_ cursor: CXCursor, isWrite: Bool) throws -> Operand {
        let field = cursor.referenced
        let name = cursor.spelling
        let baseValue = try tree.children(cursor).first(where: { $0.isExpression }).map { try lowerExpression($0, wantValue: true) } ?? .unknown
        if let record = context.objectStructOfField(field) {
            try emit(.fieldAccess(FieldAccess(field: name, record: record, isWrite: isWrite)), at: context.location(cursor.location))
        }
        guard case .variable(let baseVariable) = baseValue else { return .unknown }
        return .variable(fieldVariable(base: resolveAlias(baseVariable), member: cursor))
    }

    /// The variable or field a function pointer is read from.
    private func pointerDeclaration(_ cursor: CXCursor) -> CXCursor? {
        let expression = tree.stripped(cursor)
        switch expression.kind {
        case CXCursor_DeclRefExpr, CXCursor_MemberRefExpr:
            let declaration = expression.referenced
            return declaration.isNull ? nil : declaration
        case CXCursor_ArraySubscriptExpr, CXCursor_UnaryOperator:
            return tree.children(expression).first(where: { $0.isExpression }).flatMap(pointerDeclaration)
        default:
            return nil
        }
    }

    /// `base[index]`: all elements of an array are one variable, like `*base` (weak updates).
    private func arrayElement(_ cursor: CXCursor) throws -> VarID? {
        let parts = tree.children(cursor).filter { $0.isExpression }
        guard parts.count == 2 else {
            for part in parts { _ = try lowerExpression(part, wantValue: false) }
            return nil
        }
        let base = try lowerExpression(parts[0], wantValue: true)
        _ = try lowerExpression(parts[1], wantValue: false)
        guard case .variable(let variable) = base else { return nil }
        let resolved = resolveAlias(variable)
        let key = VariableKey.element(base: resolved)
        if let known = variableByKey[key] { return known }
        let baseName = variables[resolved].name
        return addVariable(key: key, Variable(name: baseName.isEmpty ? "" : "\(baseName)[]", kind: .element(base: resolved),
                                              type: context.valueType(of: cursor.type), location: variables[resolved].location))
    }

    /// The variable an lvalue names, or nil when it is memory the IR does not track.
    private func lvalue(_ cursor: CXCursor) throws -> VarID? {
        let target = tree.stripped(cursor)
        switch target.kind {
        case CXCursor_DeclRefExpr:
            return reference(target).variable
        case CXCursor_MemberRefExpr:
            return try memberReference(target, isWrite: true).variable
        case CXCursor_ArraySubscriptExpr:
            return try arrayElement(target)
        case CXCursor_UnaryOperator:
            guard unaryOperator(target) == .dereference, let pointer = tree.firstChild(target) else { break }
            if case .variable(let base) = try lowerExpression(pointer, wantValue: true) {
                return dereferenceVariable(base: resolveAlias(base), type: target.type)
            }
            return nil
        default:
            break
        }
        _ = try lowerExpression(target, wantValue: false)
        return nil
    }

    private func lowerBinary(_ cursor: CXCursor, wantValue: Bool) throws -> Operand {
        let operands = tree.children(cursor)
        guard operands.count == 2 else {
            for operand in operands { _ = try lowerExpression(operand, wantValue: false) }
            return .unknown
        }
        switch binaryOperator(cursor) {
        case .assign:
            let value = try lowerExpression(operands[1], wantValue: true)
            if case .function(let name, let usr) = value { recordSlotAssignment(operands[0], function: name, usr: usr) }
            if let target = try lvalue(operands[0]) {
                try emit(.assign(target: target, value: value), at: location(cursor))
                return .variable(target)
            }
            if value != .unknown { try emit(.escape(value), at: location(cursor)) }
            return value
        case .comma:
            let terms = operatorChain(cursor) { $0 == .comma }
            for term in terms.dropLast() { _ = try lowerExpression(term, wantValue: false) }
            return try lowerExpression(terms[terms.count - 1], wantValue: wantValue)
        case .logicalAnd, .logicalOr:
            let whenTrue = newBlock()
            let whenFalse = newBlock()
            let join = newBlock()
            let result = wantValue ? newTemporary(type: cursor.type, at: location(cursor)) : nil
            try lowerCondition(cursor, then: whenTrue, else: whenFalse)
            for (block, value) in [(whenTrue, Int64(1)), (whenFalse, Int64(0))] {
                current = block
                if let result { try emit(.assign(target: result, value: .integer(value)), at: location(cursor)) }
                jump(to: join)
            }
            current = join
            return result.map(Operand.variable) ?? .unknown
        default:
            if let constant = constantValue(cursor) { return .integer(constant) }
            // `a + b + c ...`: the operands of the chain in order, without recursing down it.
            let terms = operatorChain(cursor) { ![.assign, .comma, .logicalAnd, .logicalOr].contains($0) }
            for term in terms { _ = try lowerExpression(term, wantValue: false) }
            return .unknown
        }
    }

    private func lowerUnary(_ cursor: CXCursor, wantValue: Bool) throws -> Operand {
        guard let operand = tree.children(cursor).first(where: { $0.isExpression }) else { return .unknown }
        let op = unaryOperator(cursor)
        switch op {
        case .addressOf:
            let target = tree.stripped(operand)
            switch target.kind {
            case CXCursor_DeclRefExpr:
                let value = reference(target)
                if case .variable(let variable) = value { return .address(variable) }
                return value
            case CXCursor_MemberRefExpr:
                if case .variable(let variable) = try memberReference(target, isWrite: false) { return .address(variable) }
                return .unknown
            default:
                _ = try lowerExpression(operand, wantValue: false)
                return .unknown
            }
        case .dereference:
            let pointer = try lowerExpression(operand, wantValue: true)
            if case .variable(let base) = pointer { return .variable(dereferenceVariable(base: resolveAlias(base), type: cursor.type)) }
            return .unknown
        case _ where op.isIncrementOrDecrement:
            if let target = try lvalue(operand) {
                try emit(.assign(target: target, value: .unknown), at: location(cursor))
            }
            return .unknown
        default:
            if let constant = constantValue(cursor) { return .integer(constant) }
            _ = try lowerExpression(operand, wantValue: false)
            return .unknown
        }
    }

    private func lowerCall(_ cursor: CXCursor, wantValue: Bool) throws -> Operand {
        let callLocation = location(cursor)
        if let expansion = macroIndexes(callLocation.file).modelled?.expansion(containing: callLocation.offset) {
            // The call is part of a macro whose effect the model gives by name.
            if !emittedMacroStarts.contains(expansion.start) { try emitMacro(expansion) }
            return .unknown
        }
        let calleeDeclaration = cursor.referenced
        let callee: Callee
        var isNoReturn = false
        if calleeDeclaration.kind == CXCursor_FunctionDecl {
            let function = context.function(calleeDeclaration)
            callee = .direct(name: function.name, usr: function.usr, origin: function.isPythonAPI ? .pythonAPI : .other)
            isNoReturn = function.isNoReturn
        } else {
            let calleeExpression = tree.children(cursor).first { $0.isExpression }
            var functionType = calleeExpression?.type.canonical
            if functionType?.kind == CXType_Pointer { functionType = functionType?.pointee.canonical }
            // Only pointers the project declares are resolved to the project's functions: a field
            // of a library's struct (APR's bucket type, a Python type's slot) may hold anything.
            let resolvable = calleeExpression.flatMap(pointerDeclaration).map { declaration in
                context.isProjectFile(declaration.location.expanded.file, location: declaration.location)
            } ?? false
            callee = .indirect(try calleeExpression.map { try lowerExpression($0, wantValue: true) } ?? .unknown,
                               signature: resolvable ? functionType?.spelling ?? "" : "")
        }
        var arguments: [Operand] = []
        let count = clang_Cursor_getNumArguments(cursor)
        if count > 0 {
            for index in 0..<UInt32(count) {
                arguments.append(try lowerExpression(clang_Cursor_getArgument(cursor, index), wantValue: true))
            }
        }
        let result = wantValue && !isNoReturn ? newTemporary(type: cursor.type, at: callLocation, describing: callee.name.map { "\($0)()" } ?? "") : nil
        try emit(.call(Call(callee: callee, arguments: arguments, result: result)), at: callLocation)
        if isNoReturn {
            terminate(.noReturn, at: callLocation)
        }
        return result.map(Operand.variable) ?? .unknown
    }
}
