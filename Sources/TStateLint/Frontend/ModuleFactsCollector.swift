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
        for table in tables {
            let initializer = clang_Cursor_getVarDeclInitializer(table)
            guard !initializer.isNull else { continue }
            var type = table.type
            while clang_getArrayElementType(type).kind != CXType_Invalid {
                type = clang_getArrayElementType(type)
            }
            let typeName = type.spelling + " " + type.canonical.spelling
            let kind = Self.entryKind(forTableType: typeName)
            let tableName = table.spelling
            for reference in functionReferences(in: initializer) {
                let function = reference.referenced
                let usr = function.usr
                let name = function.spelling
                facts.staticReferences.append(FunctionReference(usr: usr, name: name, variable: tableName, variableType: type.spelling, location: context.location(reference.location)))
                if let kind, !facts.entryPoints.contains(where: { $0.usr == usr }) {
                    facts.entryPoints.append(EntryPoint(usr: usr, name: name, kind: kind, table: tableName))
                }
            }
        }
    }

    private func functionReferences(in cursor: CXCursor) -> [CXCursor] {
        let collector = ReferenceCollector()
        clang_visitChildren(cursor, { child, _, data in
            if clang_getCursorKind(child) == CXCursor_DeclRefExpr,
               clang_getCursorKind(clang_getCursorReferenced(child)) == CXCursor_FunctionDecl {
                Unmanaged<ReferenceCollector>.fromOpaque(data!).takeUnretainedValue().references.append(child)
            }
            return CXChildVisit_Recurse
        }, Unmanaged.passUnretained(collector).toOpaque())
        return collector.references
    }
}
