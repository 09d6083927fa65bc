import CClang
import Foundation

enum BinaryOperator: Equatable {
    case assign, equal, notEqual, logicalAnd, logicalOr, comma, other
}

enum UnaryOperator: Equatable {
    case postIncrement, postDecrement, preIncrement, preDecrement
    case addressOf, dereference, plus, minus, bitwiseNot, logicalNot, other

    var isIncrementOrDecrement: Bool {
        switch self {
        case .postIncrement, .postDecrement, .preIncrement, .preDecrement: return true
        default: return false
        }
    }
}

/// libclang 14 has no API for an operator's kind (clang_getCursorBinaryOperatorKind is LLVM 17+).
/// Tokens give it for code written in the file, but not inside macro expansions, where
/// `_save = PyEval_SaveThread()` lives. An expression cursor carries its `clang::Stmt *`, whose
/// first word holds the opcode bit-field; that layout is checked once per process against
/// expressions of known kind, and if it does not match, the tokens are used instead.
enum OperatorDecoder {
    private static let binaryCodes: [Int: BinaryOperator] = [14: .equal, 15: .notEqual, 19: .logicalAnd, 20: .logicalOr, 21: .assign, 32: .comma]
    private static let unaryCodes: [Int: UnaryOperator] = [
        0: .postIncrement, 1: .postDecrement, 2: .preIncrement, 3: .preDecrement,
        4: .addressOf, 5: .dereference, 6: .plus, 7: .minus, 8: .bitwiseNot, 9: .logicalNot,
    ]

    private static func rawBinaryCode(_ cursor: CXCursor) -> Int? {
        guard let statement = cursor.data.1 else { return nil }
        let word = statement.assumingMemoryBound(to: UInt32.self).pointee
        return Int((word >> 18) & 0x3f)
    }

    private static func rawUnaryCode(_ cursor: CXCursor) -> Int? {
        guard let statement = cursor.data.1 else { return nil }
        let word = statement.assumingMemoryBound(to: UInt32.self).pointee
        return Int((word >> 18) & 0x1f)
    }

    /// True when the statement layout of this libclang matches what `rawBinaryCode` reads.
    static let layoutVerified: Bool = verifyLayout()

    private static func verifyLayout() -> Bool {
        let source = """
        int probe(int a, int b, int *p) {
            a == b; a != b; a && b; a || b; a = b; a, b; a < b;
            !a; &a; *p; -a; a++; --a;
            return 0;
        }
        """
        let expectedBinary: [BinaryOperator] = [.equal, .notEqual, .logicalAnd, .logicalOr, .assign, .comma, .other]
        let expectedUnary: [UnaryOperator] = [.logicalNot, .addressOf, .dereference, .minus, .postIncrement, .preDecrement]
        guard let index = clang_createIndex(0, 0) else { return false }
        defer { clang_disposeIndex(index) }
        let name = "/tstate-lint-operator-probe.c"
        var unit: CXTranslationUnit?
        let status: CXErrorCode = name.withCString { namePointer in
            source.withCString { sourcePointer in
                var unsaved = CXUnsavedFile(Filename: namePointer, Contents: sourcePointer, Length: UInt(strlen(sourcePointer)))
                return clang_parseTranslationUnit2(index, namePointer, nil, 0, &unsaved, 1, 0, &unit)
            }
        }
        guard status == CXError_Success, let unit else { return false }
        defer { clang_disposeTranslationUnit(unit) }
        var binary: [BinaryOperator] = []
        var unary: [UnaryOperator] = []
        var pending = [clang_getTranslationUnitCursor(unit)]
        var ordered: [CXCursor] = []
        while let cursor = pending.popLast() {
            ordered.append(cursor)
            pending.append(contentsOf: cursor.children.reversed())
        }
        for cursor in ordered {
            switch cursor.kind {
            case CXCursor_BinaryOperator:
                binary.append(rawBinaryCode(cursor).flatMap { binaryCodes[$0] } ?? .other)
            case CXCursor_UnaryOperator:
                unary.append(rawUnaryCode(cursor).flatMap { unaryCodes[$0] } ?? .other)
            default:
                break
            }
        }
        return binary == expectedBinary && unary == expectedUnary
    }

    /// An exact identity for the operator, for comparing two expressions: the opcode when the
    /// layout is verified, else the operator token.
    static func exactBinary(_ cursor: CXCursor, tokens: () -> TokenIndex?) -> String? {
        if layoutVerified, let code = rawBinaryCode(cursor) { return "b\(code)" }
        let operands = cursor.children
        guard operands.count == 2, let tokens = tokens() else { return nil }
        let lhsEnd = operands[0].extent.end.expanded.offset
        let rhsStart = operands[1].extent.start.expanded.offset
        guard lhsEnd <= rhsStart else { return nil }
        return tokens.firstPunctuation(from: lhsEnd, before: rhsStart)
    }

    static func exactUnary(_ cursor: CXCursor, tokens: () -> TokenIndex?) -> String? {
        if layoutVerified, let code = rawUnaryCode(cursor) { return "u\(code)" }
        let op = unary(cursor, tokens: tokens)
        return op == .other ? nil : "\(op)"
    }

    static func binary(_ cursor: CXCursor, tokens: () -> TokenIndex?) -> BinaryOperator {
        if layoutVerified, let code = rawBinaryCode(cursor) {
            return binaryCodes[code] ?? .other
        }
        let operands = cursor.children
        guard operands.count == 2, let tokens = tokens() else { return .other }
        let lhsEnd = operands[0].extent.end.expanded.offset
        let rhsStart = operands[1].extent.start.expanded.offset
        guard lhsEnd <= rhsStart, let token = tokens.firstPunctuation(from: lhsEnd, before: rhsStart) else { return .other }
        switch token {
        case "=": return .assign
        case "==": return .equal
        case "!=": return .notEqual
        case "&&": return .logicalAnd
        case "||": return .logicalOr
        case ",": return .comma
        default: return .other
        }
    }

    static func unary(_ cursor: CXCursor, tokens: () -> TokenIndex?) -> UnaryOperator {
        if layoutVerified, let code = rawUnaryCode(cursor) {
            return unaryCodes[code] ?? .other
        }
        guard let operand = cursor.firstChild, let tokens = tokens() else { return .other }
        let start = cursor.extent.start.expanded.offset
        let operandStart = operand.extent.start.expanded.offset
        let operandEnd = operand.extent.end.expanded.offset
        let end = cursor.extent.end.expanded.offset
        if start < operandStart, let token = tokens.firstPunctuation(from: start, before: operandStart) {
            switch token {
            case "&": return .addressOf
            case "*": return .dereference
            case "+": return .plus
            case "-": return .minus
            case "~": return .bitwiseNot
            case "!": return .logicalNot
            case "++": return .preIncrement
            case "--": return .preDecrement
            default: return .other
            }
        }
        if operandEnd < end, let token = tokens.firstPunctuation(from: operandEnd, before: end) {
            if token == "++" { return .postIncrement }
            if token == "--" { return .postDecrement }
        }
        return .other
    }
}
