import CClang

/// Reads the module's static tables: which functions Python calls (method tables, type
/// slots, getset tables, module slots) and every function named in a static initializer.
struct ModuleFactsCollector {
    let context: UnitContext

    private final class ReferenceCollector {
        var references: [CXCursor] = []
    }

    static func entryKind(forTableType type: String) -> EntryKind? {
        let slotTypes = ["PyTypeObject", "PyType_Slot", "PyNumberMethods", "PySequenceMethods", "PyMappingMethods",
                         "PyAsyncMethods", "PyBufferProcs", "struct _typeobject", "PyHeapTypeObject"]
        if type.contains("PyMethodDef") { return .method }
        if type.contains("PyGetSetDef") { return .getset }
        if type.contains("PyModuleDef") { return .moduleSlot }
        if slotTypes.contains(where: { type.contains($0) }) { return .typeSlot }
        return nil
    }

    func collect(tables: [CXCursor], into facts: inout ModuleFacts) {
        var seenStorage = Set<String>()
        var kindByTableType: [String: EntryKind?] = [:]
        var entryPointUSRs = Set(facts.entryPoints.map(\.usr))
        // Tentative definitions (`static PyObject *error;`) are storage too.
        for table in tables where table.storageClass != CX_SC_Extern {
            recordStorage(table, function: nil, into: &facts, seen: &seenStorage)
            moduleTables(table, into: &facts)
        }
        for (declaration, function) in context.localStatics {
            recordStorage(declaration, function: function, into: &facts, seen: &seenStorage)
        }
        func elementType(of table: CXCursor) -> (type: CXType, kind: EntryKind?) {
            var type = table.type
            while clang_getArrayElementType(type).kind != CXType_Invalid {
                type = clang_getArrayElementType(type)
            }
            let typeName = type.spelling + " " + type.canonical.spelling
            if kindByTableType[typeName] == nil { kindByTableType[typeName] = .some(Self.entryKind(forTableType: typeName)) }
            return (type, kindByTableType[typeName]!)
        }
        for table in tables {
            let initializer = clang_Cursor_getVarDeclInitializer(table)
            guard !initializer.isNull else { continue }
            let (type, kind) = elementType(of: table)
            let tableName = table.spelling
            let tableUSR = table.usr
            for reference in functionReferences(in: initializer) {
                let target = reference.referenced
                if target.kind == CXCursor_VarDecl {
                    facts.tableLinks.append(TableLink(from: tableUSR, to: target.usr))
                    continue
                }
                let function = target
                let usr = function.usr
                let name = function.spelling
                var entry = FunctionReference(usr: usr, name: name, variable: tableName, variableType: type.spelling, location: context.location(reference.location))
                entry.variableUSR = tableUSR
                facts.staticReferences.append(entry)
                if let kind, entryPointUSRs.insert(usr).inserted {
                    facts.entryPoints.append(EntryPoint(usr: usr, name: name, kind: kind, table: tableName))
                }
            }
        }
        // Tables inside functions (a `PyType_Slot` array handed to PyType_FromSpec) name
        // functions Python calls too.
        for table in context.localStatics.map(\.0) + context.localTables {
            let initializer = clang_Cursor_getVarDeclInitializer(table)
            guard !initializer.isNull, let kind = elementType(of: table).kind else { continue }
            for reference in functionReferences(in: initializer) where reference.referenced.kind == CXCursor_FunctionDecl {
                let function = reference.referenced
                if entryPointUSRs.insert(function.usr).inserted {
                    facts.entryPoints.append(EntryPoint(usr: function.usr, name: function.spelling, kind: kind, table: table.spelling))
                }
            }
        }
        for entry in context.runtimeEntryPoints where entryPointUSRs.insert(entry.usr).inserted {
            facts.entryPoints.append(entry)
        }
    }

    // MARK: Module definitions and slots

    private func moduleTables(_ variable: CXCursor, into facts: inout ModuleFacts) {
        let initializer = clang_Cursor_getVarDeclInitializer(variable)
        guard !initializer.isNull else { return }
        var type = variable.type.canonical
        let isArray = clang_getArrayElementType(type).kind != CXType_Invalid
        if isArray { type = clang_getArrayElementType(type).canonical }
        switch TypeSpelling.removing("const ", from: type.spelling) {
        case "struct PyModuleDef" where !isArray:
            var definition = ModuleDefinitionFact(variable: variable.spelling, usr: variable.usr, location: context.location(variable.location))
            for (field, value) in fieldInitializers(initializer, record: type) {
                switch field {
                case "m_name": definition.moduleName = stringValue(value)
                case "m_size": definition.size = integerValue(value)
                case "m_slots": definition.slotsUSR = referencedVariable(value)?.usr
                default: break
                }
            }
            facts.moduleDefinitions.append(definition)
        case "struct PyModuleDef_Slot" where isArray:
            for element in initializer.stripped.children where element.stripped.kind == CXCursor_InitListExpr {
                let parts = fieldInitializers(element.stripped, record: type)
                guard let slot = parts.first(where: { $0.0 == "slot" })?.1 else { continue }
                let value = parts.first(where: { $0.0 == "value" })?.1
                facts.moduleSlots.append(ModuleSlotFact(
                    tableUSR: variable.usr, table: variable.spelling, slot: integerValue(slot),
                    value: value.flatMap(integerValue) ?? (value == nil ? 0 : nil),
                    valueSpelling: value.map(spelling) ?? "NULL", location: context.location(element.location)))
            }
        default:
            break
        }
    }

    /// The initializers of a struct's fields, positional or designated (`.m_size = 0`).
    private func fieldInitializers(_ list: CXCursor, record: CXType) -> [(String, CXCursor)] {
        let fields = record.declaration.children.filter { $0.kind == CXCursor_FieldDecl }.map(\.spelling)
        var result: [(String, CXCursor)] = []
        var index = 0
        for child in list.children {
            var value = child
            let parts = child.children
            if child.kind == CXCursor_UnexposedExpr, let designator = parts.first, designator.kind == CXCursor_MemberRef, parts.count >= 2 {
                index = fields.firstIndex(of: designator.spelling) ?? index
                value = parts[parts.count - 1]
            }
            if index < fields.count { result.append((fields[index], value)) }
            index += 1
        }
        return result
    }

    /// An integer constant, or one cast to a pointer (`(void *)2`, `NULL`).
    private func integerValue(_ cursor: CXCursor) -> Int64? {
        for candidate in [cursor, cursor.stripped] {
            guard let result = clang_Cursor_Evaluate(candidate) else { continue }
            defer { clang_EvalResult_dispose(result) }
            if clang_EvalResult_getKind(result) == CXEval_Int { return clang_EvalResult_getAsLongLong(result) }
        }
        return nil
    }

    private func stringValue(_ cursor: CXCursor) -> String? {
        let literal = cursor.stripped
        guard literal.kind == CXCursor_StringLiteral else { return nil }
        let text = literal.spelling
        guard text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 else { return nil }
        return String(text.dropFirst().dropLast())
    }

    private func referencedVariable(_ cursor: CXCursor) -> CXCursor? {
        let target = cursor.stripped
        if target.kind == CXCursor_DeclRefExpr, target.referenced.kind == CXCursor_VarDecl { return target.referenced }
        return nil
    }

    /// The expression as written: the macro's name when it came from one.
    private func spelling(_ cursor: CXCursor) -> String {
        let location = cursor.location
        let expanded = location.expanded
        if let macro = context.macroIndexByFile[context.path(of: expanded.file)]?.expansion(containing: expanded.offset) {
            return macro.name
        }
        let extent = clang_getCursorExtent(cursor)
        var tokens: UnsafeMutablePointer<CXToken>?
        var count: UInt32 = 0
        clang_tokenize(context.unit, extent, &tokens, &count)
        defer { if let tokens { clang_disposeTokens(context.unit, tokens, count) } }
        guard let tokens, count > 0 else { return "" }
        return (0..<Int(min(count, 12))).map { clang_getTokenSpelling(context.unit, tokens[$0]).consume() }.joined(separator: " ")
            .replacingOccurrences(of: "( ", with: "(").replacingOccurrences(of: " )", with: ")").replacingOccurrences(of: ") ", with: ")")
    }

    // MARK: Static storage

    /// Types whose static instances are definitions, not state, even when they contain an
    /// object header or an object pointer (PyModuleDef starts with PyObject_HEAD; Argument
    /// Clinic's _PyArg_Parser caches an interned tuple the runtime manages).
    static let immutableDefinitionTypes: Set<String> = [
        "PyModuleDef", "PyModuleDef_Base", "_PyArg_Parser", "PyMethodDef", "PyMemberDef", "PyGetSetDef", "PyType_Spec",
        "PyType_Slot", "PyModuleDef_Slot", "PyStructSequence_Desc", "PyStructSequence_Field",
    ]

    private func recordStorage(_ variable: CXCursor, function: String?, into facts: inout ModuleFacts, seen: inout Set<String>) {
        let usr = variable.usr
        guard seen.insert(usr).inserted else { return }
        // Argument Clinic's per-function statics in core builds: immortal, managed by the runtime.
        if function != nil && (variable.spelling == "_kwtuple" || variable.spelling == "_parser") { return }
        guard let (holding, field) = classifyStorage(variable.type, depth: 0) else { return }
        var fact = StaticStorageFact(name: variable.spelling, usr: usr, location: context.location(variable.location),
                                     function: function, holding: holding, type: variable.type.spelling, field: field)
        if holding == .aggregate {
            let initializer = clang_Cursor_getVarDeclInitializer(variable)
            fact.initializesObjects = !initializer.isNull && initializesObject(initializer)
        }
        facts.staticStorage.append(fact)
    }

    /// Some object-typed expression in the initializer is not a null constant
    /// (`&PyDateTime_DateType` in a C-API capsule struct, unlike a template's NULL fields).
    private func initializesObject(_ initializer: CXCursor) -> Bool {
        final class Finder {
            var found = false
            var classify: (CXCursor) -> CXChildVisitResult = { _ in CXChildVisit_Recurse }
        }
        let finder = Finder()
        finder.classify = { [self] cursor in
            guard clang_isExpression(clang_getCursorKind(cursor)) != 0,
                  context.valueType(of: clang_getCursorType(cursor)) == .pyObject else { return CXChildVisit_Recurse }
            let inner = cursor.stripped
            let isNull = (inner.kind == CXCursor_IntegerLiteral || inner.kind == CXCursor_GNUNullExpr) && integerValue(inner) ?? 0 == 0
            return isNull ? CXChildVisit_Continue : CXChildVisit_Break
        }
        clang_visitChildren(initializer, { child, _, data in
            let finder = Unmanaged<Finder>.fromOpaque(data!).takeUnretainedValue()
            let next = finder.classify(child)
            if next == CXChildVisit_Break { finder.found = true }
            return next
        }, Unmanaged.passUnretained(finder).toOpaque())
        return finder.found
    }

    private func bareName(_ type: CXType) -> String {
        TypeSpelling.bare(type.spelling)
    }

    /// Storage classified per type as written: a generated module declares thousands of
    /// `static PyObject *` alike.
    private final class StorageClasses {
        var byType: [UnsafeRawPointer: (StaticStorageFact.Holding, String?)?] = [:]
    }
    private let storageClasses = StorageClasses()

    private func classifyStorage(_ type: CXType, depth: Int) -> (StaticStorageFact.Holding, String?)? {
        guard depth == 0, let identity = type.data.0 else { return classifyStorageUncached(type, depth: depth) }
        if let known = storageClasses.byType[identity] { return known }
        let result = classifyStorageUncached(type, depth: depth)
        storageClasses.byType[identity] = .some(result)
        return result
    }

    private func classifyStorageUncached(_ type: CXType, depth: Int) -> (StaticStorageFact.Holding, String?)? {
        guard depth < 4 else { return nil }
        let canonical = type.canonical
        if Self.immutableDefinitionTypes.contains(bareName(type)) || Self.immutableDefinitionTypes.contains(bareName(canonical)) { return nil }
        switch canonical.kind {
        case CXType_Pointer:
            let pointee = canonical.pointee
            if Self.immutableDefinitionTypes.contains(bareName(pointee)) || Self.immutableDefinitionTypes.contains(bareName(pointee.canonical)) { return nil }
            if context.valueType(of: canonical) == .pyObject { return (.objectPointer, nil) }
            // PyObject **: a table of objects allocated at run time.
            if pointee.canonical.kind == CXType_Pointer, context.valueType(of: pointee.canonical) == .pyObject { return (.objectPointerArray, nil) }
            return nil
        case CXType_ConstantArray, CXType_IncompleteArray:
            let element = clang_getArrayElementType(canonical)
            guard let (holding, field) = classifyStorage(element, depth: depth + 1) else { return nil }
            return (holding == .objectPointer ? .objectPointerArray : holding, field)
        case CXType_Record:
            let name = bareName(canonical)
            if name == "_typeobject" || name == "PyHeapTypeObject" || name == "_heaptypeobject" { return (.staticType, nil) }
            if context.recordStartsWithObjectHeader(canonical, depth: 0) || name == "_object" { return (.staticObject, nil) }
            for field in canonical.declaration.children where field.kind == CXCursor_FieldDecl {
                if let (holding, inner) = classifyStorage(field.type, depth: depth + 1) {
                    _ = holding
                    return (.aggregate, field.spelling + (inner.map { "." + $0 } ?? ""))
                }
            }
            return nil
        default:
            return nil
        }
    }

    private func functionReferences(in cursor: CXCursor) -> [CXCursor] {
        let collector = ReferenceCollector()
        clang_visitChildren(cursor, { child, _, data in
            guard clang_getCursorKind(child) == CXCursor_DeclRefExpr else { return CXChildVisit_Recurse }
            let referenced = clang_getCursorReferenced(child)
            if clang_getCursorKind(referenced) == CXCursor_FunctionDecl
                || (clang_getCursorKind(referenced) == CXCursor_VarDecl && clang_getCursorKind(clang_getCursorSemanticParent(referenced)) == CXCursor_TranslationUnit) {
                Unmanaged<ReferenceCollector>.fromOpaque(data!).takeUnretainedValue().references.append(child)
            }
            return CXChildVisit_Recurse
        }, Unmanaged.passUnretained(collector).toOpaque())
        return collector.references
    }
}
