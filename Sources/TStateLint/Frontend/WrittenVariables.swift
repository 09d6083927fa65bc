import CClang

/// The local variables and parameters a function body writes after their declaration
/// (assigned, incremented, address taken), by declaration offset and name.
enum WrittenVariables {
    private final class Collector {
        var written = Set<String>()
        let tokens: () -> TokenIndex?

        init(tokens: @escaping () -> TokenIndex?) {
            self.tokens = tokens
        }
    }

    static func collect(in body: CXCursor, tokens: @escaping () -> TokenIndex?) -> Set<String> {
        let collector = Collector(tokens: tokens)
        clang_visitChildren(body, { cursor, _, data in
            let collector = Unmanaged<Collector>.fromOpaque(data!).takeUnretainedValue()
            var target: CXCursor?
            switch clang_getCursorKind(cursor) {
            case CXCursor_BinaryOperator:
                let op = OperatorDecoder.binary(cursor, tokens: collector.tokens)
                if op == .assign || (op == .other && !OperatorDecoder.layoutVerified) { target = cursor.firstChild }
            case CXCursor_CompoundAssignOperator:
                target = cursor.firstChild
            case CXCursor_UnaryOperator:
                let op = OperatorDecoder.unary(cursor, tokens: collector.tokens)
                if op.isIncrementOrDecrement || op == .addressOf || op == .other { target = cursor.firstChild }
            default:
                break
            }
            if var written = target {
                while written.kind == CXCursor_ParenExpr || written.kind == CXCursor_UnexposedExpr || written.kind == CXCursor_CStyleCastExpr,
                      let inner = written.lastExpressionChild {
                    written = inner
                }
                if written.kind == CXCursor_DeclRefExpr {
                    let declaration = written.referenced
                    collector.written.insert("\(declaration.location.expanded.offset):\(declaration.spelling)")
                }
            }
            return CXChildVisit_Recurse
        }, Unmanaged.passUnretained(collector).toOpaque())
        return collector.written
    }
}
