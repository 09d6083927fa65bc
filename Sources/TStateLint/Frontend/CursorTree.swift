import CClang

/// Every cursor under one function definition, read from libclang in a single recursive visit.
/// Asking libclang for one node's children sets up a visitor each time; on lxml's 10 MB
/// `etree.c` those set-ups were a quarter of the lowering. Statements, expressions and
/// declarations are found again by the AST node they stand for; other cursors (type and member
/// references), and cursors not under the definition, are asked of libclang.
final class CursorTree {
    private let nodes: NodeTable
    private let cursors: [CXCursor]
    /// Children of node `n` are `childList[childStart[n] ..< childStart[n] + childCount[n]]`.
    private let childStart: [Int32]
    private let childCount: [Int32]
    private let childList: [CXCursor]

    private struct Builder {
        var cursors: [CXCursor] = []
        var parents: [Int32] = []
        /// The nodes from the root to the last one visited.
        var stack: [Int32] = []
        var lost = false
    }

    init(root: CXCursor) {
        var builder = Builder()
        builder.cursors.append(root)
        builder.parents.append(-1)
        builder.stack.append(0)
        withUnsafeMutablePointer(to: &builder) { pointer in
            _ = clang_visitChildren(root, { child, parent, data in
                let builder = data!.assumingMemoryBound(to: Builder.self)
                while let top = builder.pointee.stack.last, !CursorTree.same(builder.pointee.cursors[Int(top)], parent) {
                    builder.pointee.stack.removeLast()
                }
                guard let parentNode = builder.pointee.stack.last else {
                    builder.pointee.lost = true
                    return CXChildVisit_Break
                }
                let node = Int32(builder.pointee.cursors.count)
                builder.pointee.cursors.append(child)
                builder.pointee.parents.append(parentNode)
                builder.pointee.stack.append(node)
                return CXChildVisit_Recurse
            }, pointer)
        }
        // A visit this code cannot follow: every question goes to libclang instead.
        guard !builder.lost else {
            var all = [root]
            withUnsafeMutablePointer(to: &all) { pointer in
                _ = clang_visitChildren(root, { child, _, data in
                    data!.assumingMemoryBound(to: [CXCursor].self).pointee.append(child)
                    return CXChildVisit_Recurse
                }, pointer)
            }
            (nodes, cursors, childStart, childCount, childList) = (NodeTable(), all, [], [], [])
            return
        }
        let cursors = builder.cursors
        // A node reached twice (a shared subexpression) is two nodes with the same children.
        var nodes = NodeTable(capacity: cursors.count)
        for (node, cursor) in cursors.enumerated() {
            if let key = NodeTable.key(cursor) { nodes.insert(key, Int32(node)) }
        }
        var childCount = [Int32](repeating: 0, count: cursors.count)
        for parent in builder.parents.dropFirst() { childCount[Int(parent)] += 1 }
        var childStart = [Int32](repeating: 0, count: cursors.count)
        var next: Int32 = 0
        for node in cursors.indices {
            childStart[node] = next
            next += childCount[node]
        }
        var filled = childStart
        var childList = [CXCursor](repeating: root, count: cursors.count - 1)
        for node in cursors.indices.dropFirst() {
            let parent = Int(builder.parents[node])
            childList[Int(filled[parent])] = cursors[node]
            filled[parent] += 1
        }
        (self.nodes, self.cursors, self.childStart, self.childCount, self.childList) = (nodes, cursors, childStart, childCount, childList)
    }

    private static func same(_ a: CXCursor, _ b: CXCursor) -> Bool {
        a.kind == b.kind && a.data.0 == b.data.0 && a.data.1 == b.data.1 && a.data.2 == b.data.2
    }

    /// Every cursor under the root (the root first), in visiting order.
    var allCursors: [CXCursor] { cursors }

    /// The direct children of a cursor, in source order.
    func children(_ cursor: CXCursor) -> CursorList {
        guard let key = NodeTable.key(cursor), let node = nodes.find(key) else { return CursorList(cursor.children) }
        return CursorList(childList, start: Int(childStart[Int(node)]), count: Int(childCount[Int(node)]))
    }

    func firstChild(_ cursor: CXCursor) -> CXCursor? {
        children(cursor).first
    }

    func lastExpressionChild(_ cursor: CXCursor) -> CXCursor? {
        children(cursor).last { $0.isExpression }
    }

    /// `CXCursor.stripped`, read from the tree.
    func stripped(_ cursor: CXCursor) -> CXCursor {
        cursor.stripped { onlyExpressionChild($0) }
    }

    private func onlyExpressionChild(_ cursor: CXCursor) -> CXCursor? {
        var only: CXCursor?
        for child in children(cursor) where child.isExpression {
            if only != nil { return nil }
            only = child
        }
        return only
    }
}

/// AST node -> tree node, open addressing on the node's address and the cursor's kind.
/// (Swift's Dictionary hashes with SipHash: a third of the tree's cost when it was one.)
private struct NodeTable {
    private var keys: [UInt]
    private var values: [Int32]

    init(capacity: Int = 0) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        keys = Array(repeating: 0, count: size)
        values = Array(repeating: 0, count: size)
    }

    /// Statements and expressions stand for their `Stmt *`, declarations for their `Decl *`;
    /// user-space addresses leave the top bits free for the kind. Other cursors have no key.
    static func key(_ cursor: CXCursor) -> UInt? {
        let kind = cursor.kind.rawValue
        let bits: UInt
        if (CXCursor_FirstExpr.rawValue...CXCursor_LastExpr.rawValue).contains(kind)
            || (CXCursor_FirstStmt.rawValue...CXCursor_LastStmt.rawValue).contains(kind) {
            bits = UInt(bitPattern: cursor.data.1)
        } else if (CXCursor_FirstDecl.rawValue...CXCursor_LastDecl.rawValue).contains(kind)
                    || (CXCursor_FirstExtraDecl.rawValue...CXCursor_LastExtraDecl.rawValue).contains(kind) {
            bits = UInt(bitPattern: cursor.data.0)
        } else {
            return nil
        }
        guard bits != 0, bits >> 52 == 0, kind < 1 << 11 else { return nil }
        return bits | UInt(kind) << 52
    }

    private func slot(_ key: UInt) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & (keys.count - 1)
    }

    func find(_ key: UInt) -> Int32? {
        var index = slot(key)
        while true {
            let stored = keys[index]
            if stored == key { return values[index] }
            if stored == 0 { return nil }
            index = (index + 1) & (keys.count - 1)
        }
    }

    /// Keys are inserted once the tree is read, into a table twice their number.
    mutating func insert(_ key: UInt, _ value: Int32) {
        var index = slot(key)
        while keys[index] != 0 && keys[index] != key { index = (index + 1) & (keys.count - 1) }
        keys[index] = key
        values[index] = value
    }
}

/// A run of cursors, indexed from 0.
struct CursorList: RandomAccessCollection {
    private let storage: [CXCursor]
    let startIndex = 0
    let endIndex: Int
    private let offset: Int

    init(_ storage: [CXCursor], start: Int = 0, count: Int? = nil) {
        self.storage = storage
        self.offset = start
        self.endIndex = count ?? storage.count
    }

    subscript(position: Int) -> CXCursor { storage[offset + position] }
}
