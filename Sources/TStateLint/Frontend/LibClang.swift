import CClang

/// Thin, copy-free helpers over libclang's C API. Only the Frontend uses these.

extension CXString {
    /// Consumes the string: converts and disposes it.
    func consume() -> String {
        defer { clang_disposeString(self) }
        guard let cString = clang_getCString(self) else { return "" }
        return String(cString: cString)
    }
}

extension CXCursor {
    var spelling: String { clang_getCursorSpelling(self).consume() }
    var usr: String { clang_getCursorUSR(self).consume() }
    var isNull: Bool { clang_Cursor_isNull(self) != 0 }
    var referenced: CXCursor { clang_getCursorReferenced(self) }
    var type: CXType { clang_getCursorType(self) }
    var semanticParent: CXCursor { clang_getCursorSemanticParent(self) }
    var storageClass: CX_StorageClass { clang_Cursor_getStorageClass(self) }
    var isDefinition: Bool { clang_isCursorDefinition(self) != 0 }
    var isExpression: Bool { (CXCursor_FirstExpr.rawValue...CXCursor_LastExpr.rawValue).contains(kind.rawValue) }

    /// Parentheses, a cast or an implicit conversion: what `stripped` looks through.
    var isWrapper: Bool { kind == CXCursor_UnexposedExpr || kind == CXCursor_ParenExpr || kind == CXCursor_CStyleCastExpr }

    /// The expression inside any parentheses, casts and implicit conversions around it.
    var stripped: CXCursor { stripped(onlyExpressionChild: \.onlyExpressionChild) }

    /// The same, with a wrapper's only expression child found by `onlyExpressionChild`.
    func stripped(onlyExpressionChild: (CXCursor) -> CXCursor?) -> CXCursor {
        var cursor = self
        while cursor.isWrapper, let only = onlyExpressionChild(cursor) { cursor = only }
        return cursor
    }

    /// The last direct child that is an expression.
    var lastExpressionChild: CXCursor? {
        var last: CXCursor?
        withUnsafeMutablePointer(to: &last) { pointer in
            _ = clang_visitChildren(self, { child, _, data in
                if clang_isExpression(clang_getCursorKind(child)) != 0 { data!.assumingMemoryBound(to: CXCursor?.self).pointee = child }
                return CXChildVisit_Continue
            }, pointer)
        }
        return last
    }

    /// The child expression when there is exactly one.
    private var onlyExpressionChild: CXCursor? {
        var found: (cursor: CXCursor?, count: Int) = (nil, 0)
        withUnsafeMutablePointer(to: &found) { pointer in
            _ = clang_visitChildren(self, { child, _, data in
                guard clang_isExpression(clang_getCursorKind(child)) != 0 else { return CXChildVisit_Continue }
                let found = data!.assumingMemoryBound(to: (cursor: CXCursor?, count: Int).self)
                found.pointee.count += 1
                found.pointee.cursor = child
                return found.pointee.count > 1 ? CXChildVisit_Break : CXChildVisit_Continue
            }, pointer)
        }
        return found.count == 1 ? found.cursor : nil
    }
    var isStatement: Bool { (CXCursor_FirstStmt.rawValue...CXCursor_LastStmt.rawValue).contains(kind.rawValue) }

    /// Direct children in source order.
    var children: [CXCursor] {
        var cursors: [CXCursor] = []
        cursors.reserveCapacity(4)
        withUnsafeMutablePointer(to: &cursors) { pointer in
            _ = clang_visitChildren(self, { child, _, data in
                data!.assumingMemoryBound(to: [CXCursor].self).pointee.append(child)
                return CXChildVisit_Continue
            }, pointer)
        }
        return cursors
    }

    /// The first direct child, without collecting the others.
    var firstChild: CXCursor? {
        var first: CXCursor?
        withUnsafeMutablePointer(to: &first) { pointer in
            _ = clang_visitChildren(self, { child, _, data in
                data!.assumingMemoryBound(to: CXCursor?.self).pointee = child
                return CXChildVisit_Break
            }, pointer)
        }
        return first
    }

    var extent: CXSourceRange { clang_getCursorExtent(self) }
    var location: CXSourceLocation { clang_getCursorLocation(self) }
}

extension CXType {
    var spelling: String { clang_getTypeSpelling(self).consume() }
    var canonical: CXType { clang_getCanonicalType(self) }
    var pointee: CXType { clang_getPointeeType(self) }
    var declaration: CXCursor { clang_getTypeDeclaration(self) }
    var resultType: CXType { clang_getResultType(self) }
}

/// A location resolved to the file it expands in.
struct ExpandedLocation {
    var file: CXFile?
    var line: Int
    var column: Int
    var offset: Int
}

extension CXSourceLocation {
    var expanded: ExpandedLocation {
        var file: CXFile?
        var line: UInt32 = 0, column: UInt32 = 0, offset: UInt32 = 0
        clang_getExpansionLocation(self, &file, &line, &column, &offset)
        return ExpandedLocation(file: file, line: Int(line), column: Int(column), offset: Int(offset))
    }

    var isInSystemHeader: Bool { clang_Location_isInSystemHeader(self) != 0 }
}

extension CXSourceRange {
    var start: CXSourceLocation { clang_getRangeStart(self) }
    var end: CXSourceLocation { clang_getRangeEnd(self) }
}

func fileName(_ file: CXFile?) -> String {
    guard let file else { return "" }
    return clang_getFileName(file).consume()
}
