import CClang

/// The tokens written in the file over one range (a function body), by offset.
/// Tokens inside macro expansions are not here: only what the user wrote.
struct TokenIndex {
    struct Token {
        var offset: Int
        var kind: CXTokenKind
        /// Spelled only for punctuation and keywords; identifiers and literals are not needed.
        var spelling: String
    }

    private(set) var tokens: [Token] = []

    init(unit: CXTranslationUnit, range: CXSourceRange) {
        var raw: UnsafeMutablePointer<CXToken>?
        var count: UInt32 = 0
        clang_tokenize(unit, range, &raw, &count)
        guard let raw else { return }
        defer { clang_disposeTokens(unit, raw, count) }
        tokens.reserveCapacity(Int(count))
        for i in 0..<Int(count) {
            let token = raw[i]
            let kind = clang_getTokenKind(token)
            let offset = clang_getTokenLocation(unit, token).expanded.offset
            let spelled = kind == CXToken_Punctuation || kind == CXToken_Keyword
            tokens.append(Token(offset: offset, kind: kind, spelling: spelled ? clang_getTokenSpelling(unit, token).consume() : ""))
        }
    }

    /// Index of the first token at or after `offset`.
    func index(atOrAfter offset: Int) -> Int {
        var low = 0, high = tokens.count
        while low < high {
            let mid = (low + high) / 2
            if tokens[mid].offset < offset { low = mid + 1 } else { high = mid }
        }
        return low
    }

    func firstPunctuation(from start: Int, before end: Int) -> String? {
        var i = index(atOrAfter: start)
        while i < tokens.count, tokens[i].offset < end {
            if tokens[i].kind == CXToken_Punctuation { return tokens[i].spelling }
            i += 1
        }
        return nil
    }

    /// For `for (init; cond; inc) body` starting at `offset`: the offsets of the two
    /// top-level semicolons and the closing parenthesis, or nil when the header is not
    /// written in the file (a macro expansion).
    func forHeader(at offset: Int) -> (firstSemicolon: Int, secondSemicolon: Int, closingParen: Int)? {
        var i = index(atOrAfter: offset)
        guard i < tokens.count, tokens[i].offset == offset, tokens[i].spelling == "for" else { return nil }
        i += 1
        guard i < tokens.count, tokens[i].spelling == "(" else { return nil }
        var depth = 0
        var semicolons: [Int] = []
        while i < tokens.count {
            let token = tokens[i]
            if token.kind == CXToken_Punctuation {
                switch token.spelling {
                case "(", "[", "{": depth += 1
                case ")", "]", "}":
                    depth -= 1
                    if depth == 0 {
                        guard semicolons.count == 2 else { return nil }
                        return (semicolons[0], semicolons[1], token.offset)
                    }
                case ";" where depth == 1: semicolons.append(token.offset)
                default: break
                }
            }
            i += 1
        }
        return nil
    }
}
