import CClang

/// A token as written in a file, spelled (identifiers too).
typealias SpelledToken = (kind: CXTokenKind, spelling: String, offset: Int)

/// Code clang dropped because it did not parse, read from the tokens written there: what it
/// names, whether it always jumps away, and what it passes by address. What a project macro
/// used there expands to is read too (its definition), since that is what was dropped.
struct DroppedCode {
    private(set) var names: [String] = []
    /// A `return`, `goto`, `break` or `continue` not behind a test: no way on after it. After
    /// a test (`if (!ok) return NULL;`) the way on stays; only the way out is lost.
    private(set) var jumps = false
    /// `&name` as written: a local the dropped call may have written.
    private(set) var addressTaken: [String] = []

    static let maximumNames = 64
    static let maximumMacroDepth = 4

    /// `macroDefinition` gives the tokens a project macro expands to, nil for any other name.
    init(tokens: [SpelledToken], macroDefinition: (String) -> [SpelledToken]?) {
        var expanded = Set<String>()
        read(tokens, depth: 0, conditional: false, expanded: &expanded, macroDefinition: macroDefinition)
    }

    private mutating func read(_ tokens: [SpelledToken], depth: Int, conditional inherited: Bool, expanded: inout Set<String>,
                               macroDefinition: (String) -> [SpelledToken]?) {
        var conditional = inherited
        for (index, token) in tokens.enumerated() {
            if ["if", "while", "for", "switch", "case", "default", "?", "&&", "||"].contains(token.spelling) { conditional = true }
            switch token.kind {
            case CXToken_Keyword:
                if !conditional, ["return", "goto", "break", "continue"].contains(token.spelling) { jumps = true }
            case CXToken_Identifier:
                if !names.contains(token.spelling), names.count < Self.maximumNames { names.append(token.spelling) }
                if depth == 0, index > 0, tokens[index - 1].spelling == "&", !addressTaken.contains(token.spelling) {
                    addressTaken.append(token.spelling)
                }
                if depth < Self.maximumMacroDepth, !expanded.contains(token.spelling), let definition = macroDefinition(token.spelling) {
                    expanded.insert(token.spelling)
                    read(definition, depth: depth + 1, conditional: conditional, expanded: &expanded, macroDefinition: macroDefinition)
                }
            default:
                break
            }
        }
    }
}
