import CClang

/// The local variables and parameters a function body writes after their declaration
/// (assigned, incremented, address taken), by declaration offset and name.
enum WrittenVariables {
    static func collect(in tree: CursorTree, context: UnitContext, tokens: () -> TokenIndex?) -> Set<String> {
        var written = Set<String>()
        for cursor in tree.allCursors {
            var target: CXCursor?
            switch cursor.kind {
            case CXCursor_BinaryOperator:
                let op = OperatorDecoder.binary(cursor, tokens: tokens)
                if op == .assign || (op == .other && !OperatorDecoder.layoutVerified) { target = tree.firstChild(cursor) }
            case CXCursor_CompoundAssignOperator:
                target = tree.firstChild(cursor)
            case CXCursor_UnaryOperator:
                let op = OperatorDecoder.unary(cursor, tokens: tokens)
                if op.isIncrementOrDecrement || op == .addressOf || op == .other { target = tree.firstChild(cursor) }
            default:
                break
            }
            guard var target else { continue }
            while target.isWrapper, let inner = tree.lastExpressionChild(target) {
                target = inner
            }
            if target.kind == CXCursor_DeclRefExpr {
                written.insert(context.declarationKey(target.referenced))
            }
        }
        return written
    }
}
