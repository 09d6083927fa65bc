import CClang
import Foundation
import Testing
@testable import TStateLint

/// The Frontend reads libclang's AST through shortcuts (one visit per function, locations from
/// their encoding, cursor locations for extents). Each must give what libclang's own calls give.
@Suite struct LibClangShortcutTests {
    static let source = """
    #include <stddef.h>
    #define CALL(f, x) f(x)
    #define LOOP(i, n) for (i = 0; i < (n); i++)
    #define BLOCK_BEGIN { int _saved = save();
    #define BLOCK_END restore(_saved); }
    struct point { int x, y; struct point *next; };
    int save(void);
    void restore(int);
    int use(int);
    int f(struct point *p, int n) {
        int i, total = 0;
        LOOP(i, n) { total += CALL(use, p->x); }
        for (i = 0; i < n; i++) total += p[i].y ?: 1;
        for (;;) { if (total > 10) break; total++; }
        BLOCK_BEGIN
        total += ({ int t = use(total); t * 2; });
        BLOCK_END
        switch (n) { case 1: total++; case 2: goto out; default: break; }
        total += (int)(long)&p->next->x + sizeof(struct point) + (struct point){1, 2}.x;
    out:
        return total ? total : -1;
    }
    static int g(void) { return CALL(use, 3) + CALL(use, CALL(use, 4)); }
    """

    /// Parses `source`, written with the given line ends, and hands every function definition
    /// and the unit to `check`.
    static func withFunctions(_ source: String, _ check: (CXTranslationUnit, [CXCursor]) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tstate-lint-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("shortcuts.c").path
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        guard let index = clang_createIndex(0, 0) else { throw TestFailure("no index") }
        defer { clang_disposeIndex(index) }
        var unit: CXTranslationUnit?
        let status = clang_parseTranslationUnit2(index, path, nil, 0, nil, 0, CXTranslationUnit_DetailedPreprocessingRecord.rawValue, &unit)
        guard status == CXError_Success, let unit else { throw TestFailure("parse failed: \(status)") }
        defer { clang_disposeTranslationUnit(unit) }
        let functions = clang_getTranslationUnitCursor(unit).children.filter {
            $0.kind == CXCursor_FunctionDecl && $0.isDefinition && clang_Location_isFromMainFile($0.location) != 0
        }
        #expect(functions.count == 2)
        try check(unit, functions)
    }

    /// The same node: a statement's cursor also carries the declaration libclang's visit
    /// started from, which differs between a visit from the function and one from the statement.
    static func same(_ a: CXCursor, _ b: CXCursor) -> Bool {
        guard a.kind == b.kind else { return false }
        if a.isExpression || a.isStatement { return a.data.1 == b.data.1 && a.data.2 == b.data.2 }
        return clang_equalCursors(a, b) != 0
    }

    @Test func theTreeGivesLibclangsChildren() throws {
        try Self.withFunctions(Self.source) { _, functions in
            var compared = 0
            for function in functions {
                let tree = CursorTree(root: function)
                for cursor in tree.allCursors {
                    let fromTree = Array(tree.children(cursor))
                    let fromLibclang = cursor.children
                    #expect(fromTree.count == fromLibclang.count, "children of a \(cursor.kind.rawValue)")
                    #expect(zip(fromTree, fromLibclang).allSatisfy { Self.same($0, $1) })
                    #expect(Self.same(tree.stripped(cursor), cursor.stripped))
                    compared += 1
                }
            }
            #expect(compared > 150)
        }
    }

    @Test func locationsReadFromTheirEncodingAreLibclangs() throws {
        for lineEnd in ["\n", "\r\n"] {
            let source = Self.source.replacingOccurrences(of: "\n", with: lineEnd)
            try Self.withFunctions(source) { unit, functions in
                let name = clang_getTranslationUnitSpelling(unit).consume()
                let file = try #require(clang_getFile(unit, name))
                let locations = try #require(MainFileLocations(unit: unit, file: file))
                var resolved = 0
                for function in functions {
                    for cursor in CursorTree(root: function).allCursors {
                        for location in [cursor.extent.start, cursor.extent.end, cursor.location] {
                            guard let (line, column, offset) = locations.resolve(location) else { continue }
                            let asked = location.expanded
                            #expect(asked.file == file && asked.line == line && asked.column == column && asked.offset == offset)
                            resolved += 1
                        }
                    }
                }
                #expect(resolved > 300)
            }
        }
    }

    @Test func aLoneCarriageReturnIsLeftToLibclang() throws {
        for source in [Self.source.replacingOccurrences(of: "int use(int);\n", with: "int use(int);\r"), Self.source + "\n\r"] {
            try Self.withFunctions(source) { unit, _ in
                let name = clang_getTranslationUnitSpelling(unit).consume()
                let file = try #require(clang_getFile(unit, name))
                #expect(MainFileLocations(unit: unit, file: file) == nil)
            }
        }
    }

    @Test func cursorStartsAreTheirExtentsStarts() throws {
        try Self.withFunctions(Self.source) { unit, functions in
            let context = UnitContext(unit: unit, options: FrontendOptions(), projectRoots: ["/"], workingDirectory: "/")
            var compared = 0
            // Three times over: the first answers for each kind are checked against the extent, later ones are not.
            for _ in 0..<3 {
                for function in functions {
                    for cursor in CursorTree(root: function).allCursors {
                        let start = context.start(of: cursor), extent = cursor.extent.start
                        #expect(start.int_data == extent.int_data, "start of a \(cursor.kind.rawValue)")
                        compared += 1
                    }
                }
            }
            #expect(compared > 450)
        }
    }
}
