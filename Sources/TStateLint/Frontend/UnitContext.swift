import CClang
import Foundation

/// What the Frontend needs from the C-API model: which calls never return and which
/// macros have an effect given by name.
public struct FrontendOptions: Codable, Hashable, Sendable {
    public var noReturnFunctions: Set<String>
    public var modelledMacros: Set<String>
    /// CPython's object structs, whose fields need an attached thread state.
    public var objectStructs: Set<String>
    public var maxNestingDepth: Int
    public var maxEventsPerFunction: Int

    public init(noReturnFunctions: Set<String> = [], modelledMacros: Set<String> = [], objectStructs: Set<String> = [],
                maxNestingDepth: Int = 4000, maxEventsPerFunction: Int = 400_000) {
        self.noReturnFunctions = noReturnFunctions
        self.modelledMacros = modelledMacros
        self.objectStructs = objectStructs
        self.maxNestingDepth = maxNestingDepth
        self.maxEventsPerFunction = maxEventsPerFunction
    }
}

struct MacroExpansion {
    var name: String
    var start: Int
    var end: Int
    var location: SourceLocation
}

/// The top-level macro expansions written in one file, sorted by offset.
struct MacroIndex {
    private(set) var expansions: [MacroExpansion] = []

    mutating func add(_ expansion: MacroExpansion) { expansions.append(expansion) }
    mutating func finish() { expansions.sort { $0.start < $1.start } }

    /// The expansion whose range contains `offset`.
    func expansion(containing offset: Int) -> MacroExpansion? {
        var low = 0, high = expansions.count
        while low < high {
            let mid = (low + high) / 2
            if expansions[mid].start <= offset { low = mid + 1 } else { high = mid }
        }
        guard low > 0 else { return nil }
        let candidate = expansions[low - 1]
        return offset <= candidate.end ? candidate : nil
    }

    func expansions(startingIn range: ClosedRange<Int>) -> [MacroExpansion] {
        var low = 0, high = expansions.count
        while low < high {
            let mid = (low + high) / 2
            if expansions[mid].start < range.lowerBound { low = mid + 1 } else { high = mid }
        }
        var result: [MacroExpansion] = []
        while low < expansions.count, expansions[low].start <= range.upperBound {
            result.append(expansions[low])
            low += 1
        }
        return result
    }
}

/// Per-translation-unit state shared by the lowering of all its functions: file names,
/// which files are CPython's headers or the project's, macro expansions, type classes.
final class UnitContext {
    let unit: CXTranslationUnit
    let options: FrontendOptions
    let projectRoots: [String]
    let workingDirectory: String

    private var pathByFile: [UnsafeMutableRawPointer: String] = [:]
    private var pythonHeaderByFile: [UnsafeMutableRawPointer: Bool] = [:]
    private var projectFileByFile: [UnsafeMutableRawPointer: Bool] = [:]
    private var pythonHeaderDirectories: [String: Bool] = [:]
    private var valueTypeBySpelling: [String: ValueType] = [:]
    private var valueTypeByCanonicalType: [UnsafeRawPointer?: ValueType] = [:]
    private var noReturnByUSR: [String: Bool] = [:]
    private var functionByDeclaration: [UnsafeRawPointer: FunctionDeclaration] = [:]
    private var fieldIsObjectFieldByDeclaration: [UnsafeRawPointer: String?] = [:]
    private var keyByDeclaration: [UnsafeRawPointer: String] = [:]
    var macroIndexByFile: [String: MacroIndex] = [:]
    var modelledMacroIndexByFile: [String: MacroIndex] = [:]
    /// `static` locals met while lowering, with their function's name.
    var localStatics: [(CXCursor, String)] = []
    /// Functions stored into a Python slot or table field by code (`Type.tp_repr = f;`, a
    /// local `PyType_Slot slots[] = {...}`): Python calls them, as it calls those in static tables.
    var runtimeEntryPoints: [EntryPoint] = []
    /// Locals with a brace initializer (a `PyType_Slot` array built on the stack).
    var localTables: [CXCursor] = []
    /// Macros defined in the main file and the project's headers, by name.
    var projectMacros: [String: CXCursor] = [:]
    /// Functions declared in the main file and the project's headers: name to USR.
    var projectFunctions: [String: String] = [:]

    /// Locations in the main file read without asking libclang (see MainFileLocations).
    private var mainFile: MainFileLocations?

    init(unit: CXTranslationUnit, options: FrontendOptions, projectRoots: [String], workingDirectory: String) {
        self.unit = unit
        self.options = options
        self.projectRoots = projectRoots
        self.workingDirectory = workingDirectory
        let name = clang_getTranslationUnitSpelling(unit).consume()
        if let file = clang_getFile(unit, name) {
            mainFile = MainFileLocations(unit: unit, file: file)
            mainFilePath = path(of: file)
        }
    }

    private var mainFilePath = ""

    func path(of file: CXFile?) -> String {
        guard let file else { return "" }
        if let known = pathByFile[file] { return known }
        let path = PathDisplay.display(fileName(file), workingDirectory: workingDirectory)
        pathByFile[file] = path
        fileByPath[path] = file
        return path
    }

    private var fileByPath: [String: CXFile] = [:]
    /// Where clang reported errors (given by the Frontend, which reads the diagnostics once).
    var errorLocations: [CXSourceLocation] = []
    private var errorOffsetsByFile: [String: [Int]]?
    private var macroErrorOffsetsByFile: [String: Set<Int>] = [:]

    /// Errors in a file that lie inside a macro's expansion, by the offset of the macro's use.
    func macroErrorOffsets(in file: String) -> Set<Int> {
        _ = errorOffsets(in: file)
        return macroErrorOffsetsByFile[file] ?? []
    }

    /// Where clang reported errors in a file (by offset, sorted), as displayed paths name it.
    func errorOffsets(in file: String) -> [Int] {
        if errorOffsetsByFile == nil {
            var found: [String: [Int]] = [:]
            for errorLocation in errorLocations {
                // Where the code was written: an error inside a macro's expansion is at the macro's use.
                let at = location(errorLocation.expanded)
                found[at.file, default: []].append(at.offset)
                // At the very start of a macro's use: inside what the macro expands to.
                if macroIndexByFile[at.file]?.expansion(containing: at.offset)?.start == at.offset {
                    macroErrorOffsetsByFile[at.file, default: []].insert(at.offset)
                }
            }
            errorOffsetsByFile = found.mapValues { $0.sorted() }
        }
        return errorOffsetsByFile![file] ?? []
    }

    /// A location in a file the unit has opened, by offset.
    func location(inFile path: String, offset: Int) -> SourceLocation? {
        guard let file = fileByPath[path] else { return nil }
        return location(clang_getLocationForOffset(unit, file, UInt32(offset)))
    }

    /// The tokens written in a range of a file, spelled (identifiers too); nil when the file is
    /// not one the unit opened.
    func spelledTokens(in path: String, _ range: Range<Int>) -> [SpelledToken]? {
        guard let file = fileByPath[path] else { return nil }
        return spelledTokens(in: clang_getRange(clang_getLocationForOffset(unit, file, UInt32(range.lowerBound)),
                                                clang_getLocationForOffset(unit, file, UInt32(range.upperBound))))
    }

    /// The tokens of a cursor's extent (a macro's definition), spelled.
    func spelledTokens(of cursor: CXCursor) -> [SpelledToken] {
        spelledTokens(in: cursor.extent)
    }

    private func spelledTokens(in extent: CXSourceRange) -> [SpelledToken] {
        var raw: UnsafeMutablePointer<CXToken>?
        var count: UInt32 = 0
        clang_tokenize(unit, extent, &raw, &count)
        guard let raw else { return [] }
        defer { clang_disposeTokens(unit, raw, count) }
        return (0..<Int(count)).map { index in
            let token = raw[index]
            return (clang_getTokenKind(token), clang_getTokenSpelling(unit, token).consume(), offset(clang_getTokenLocation(unit, token)))
        }
    }

    func location(_ location: CXSourceLocation) -> SourceLocation {
        mainFileLocation(location) ?? self.location(location.expanded)
    }

    /// Per cursor kind: checks left before `start(of:)` trusts libclang's cursor location, or -1.
    private var cursorLocationChecks = [Int8](repeating: 8, count: 1024)

    /// Where a cursor starts: the start of its extent. For statements and most expressions
    /// that is also libclang's cursor location, which costs far less (an extent's end is found
    /// by lexing the last token again). Member references (located at the member) and implicit
    /// conversions (located at what they convert) are not; every other kind is compared with
    /// the extent the first times it is met, and one difference sends it to the extent for good.
    func start(of cursor: CXCursor) -> CXSourceLocation {
        let kind = Int(cursor.kind.rawValue)
        guard cursor.isExpression || cursor.isStatement, cursor.kind != CXCursor_MemberRefExpr,
              cursor.kind != CXCursor_UnexposedExpr, kind < cursorLocationChecks.count else { return cursor.extent.start }
        let checks = cursorLocationChecks[kind]
        if checks == 0 { return cursor.location }
        let start = cursor.extent.start
        if checks > 0 {
            let location = cursor.location
            let agrees = location.int_data == start.int_data && location.ptr_data.0 == start.ptr_data.0
            cursorLocationChecks[kind] = agrees ? checks - 1 : -1
        }
        return start
    }

    /// The location when it is written in the main file (not in a macro), found without libclang.
    func mainFileLocation(_ location: CXSourceLocation) -> SourceLocation? {
        guard mainFile != nil, let (line, column, offset) = mainFile!.resolve(location) else { return nil }
        let known = SourceLocation(file: mainFilePath, line: line, column: column, offset: offset)
        if mainFile!.needsChecking {
            let asked = self.location(location.expanded)
            mainFile!.check(known == asked)
            return asked
        }
        return known
    }

    /// The offset of a location in the file it expands in.
    func offset(_ location: CXSourceLocation) -> Int {
        mainFileLocation(location)?.offset ?? location.expanded.offset
    }

    func location(_ expanded: ExpandedLocation) -> SourceLocation {
        SourceLocation(file: path(of: expanded.file), line: expanded.line, column: expanded.column, offset: expanded.offset)
    }

    /// A header of CPython: its directory (or its parent, for cpython/ and internal/) holds Python.h.
    func isPythonHeader(_ file: CXFile?) -> Bool {
        guard let file else { return false }
        if let known = pythonHeaderByFile[file] { return known }
        let directory = PathDisplay.directory(of: fileName(file))
        let result = directoryHoldsPythonHeaders(directory)
            || directoryHoldsPythonHeaders(PathDisplay.directory(of: directory))
        pythonHeaderByFile[file] = result
        return result
    }

    private func directoryHoldsPythonHeaders(_ directory: String) -> Bool {
        if let known = pythonHeaderDirectories[directory] { return known }
        let result = FileManager.default.fileExists(atPath: directory + "/Python.h")
            && FileManager.default.fileExists(atPath: directory + "/pystate.h")
        pythonHeaderDirectories[directory] = result
        return result
    }

    func isPythonHeader(declaration: CXCursor) -> Bool {
        isPythonHeader(declaration.location.expanded.file)
    }

    /// A file whose functions this run analyses: the main file, or a header under a
    /// project root that is neither a system header nor one of CPython's.
    func isProjectFile(_ file: CXFile?, location: CXSourceLocation) -> Bool {
        guard let file else { return false }
        if clang_Location_isFromMainFile(location) != 0 { return true }
        if let known = projectFileByFile[file] { return known }
        var result = false
        if !location.isInSystemHeader && !isPythonHeader(file) {
            let absolute = PathDisplay.absolute(fileName(file), workingDirectory: workingDirectory)
            result = projectRoots.contains { PathDisplay.isUnder(absolute, root: $0) }
        }
        projectFileByFile[file] = result
        return result
    }

    /// What the lowering needs of a called function, asked of libclang once per declaration.
    struct FunctionDeclaration {
        var name: String
        var usr: String
        var isPythonAPI: Bool
        var isNoReturn: Bool
    }

    func function(_ declaration: CXCursor) -> FunctionDeclaration {
        if let key = declaration.data.0, let known = functionByDeclaration[key] { return known }
        let result = FunctionDeclaration(name: declaration.spelling, usr: declaration.usr,
                                         isPythonAPI: APIModel.looksLikePythonAPI(declaration.spelling) && isPythonHeader(declaration: declaration),
                                         isNoReturn: isNoReturn(declaration))
        if let key = declaration.data.0 { functionByDeclaration[key] = result }
        return result
    }

    /// A local or parameter as the lowering names it: where it is declared, and its name.
    func declarationKey(_ declaration: CXCursor) -> String {
        if let identity = declaration.data.0, let known = keyByDeclaration[identity] { return known }
        let key = "\(declaration.location.expanded.offset):\(declaration.spelling)"
        if let identity = declaration.data.0 { keyByDeclaration[identity] = key }
        return key
    }

    /// For a field of one of CPython's object structs, the struct's spelling; nil for any other field.
    func objectStructOfField(_ field: CXCursor) -> String? {
        if let key = field.data.0, let known = fieldIsObjectFieldByDeclaration[key] { return known }
        var result: String?
        if field.kind == CXCursor_FieldDecl && isPythonHeader(declaration: field) {
            let recordType = field.semanticParent.type
            if isCPythonObjectStruct(recordType) { result = recordType.spelling }
        }
        if let key = field.data.0 { fieldIsObjectFieldByDeclaration[key] = .some(result) }
        return result
    }

    func isNoReturn(_ function: CXCursor) -> Bool {
        let name = function.spelling
        if options.noReturnFunctions.contains(name) { return true }
        let usr = function.usr
        if let known = noReturnByUSR[usr] { return known }
        let result = function.type.spelling.contains("__attribute__((noreturn))")
        noReturnByUSR[usr] = result
        return result
    }

    func valueType(of type: CXType) -> ValueType {
        let canonical = type.canonical
        let identity = canonical.data.0
        if let known = valueTypeByCanonicalType[identity] { return known }
        let spelling = canonical.spelling
        let result = valueTypeBySpelling[spelling] ?? classify(type: type, canonical: canonical)
        valueTypeBySpelling[spelling] = result
        valueTypeByCanonicalType[identity] = result
        return result
    }

    private func classify(type: CXType, canonical: CXType) -> ValueType {
        switch canonical.kind {
        case CXType_Pointer:
            let pointee = canonical.pointee.canonical
            let name = TypeSpelling.removing("const ", from: pointee.spelling)
            switch name {
            case "struct _ts": return .threadState
            case "struct _is": return .interpreterState
            case "struct _object": return .pyObject
            // Module definitions start with PyObject_HEAD but are static data, not objects.
            case "struct PyModuleDef", "struct PyModuleDef_Base": return .pointer
            default: return recordStartsWithObjectHeader(pointee, depth: 0) ? .pyObject : .pointer
            }
        case CXType_Enum:
            return type.spelling.contains("PyGILState_STATE") || canonical.spelling.contains("PyGILState_STATE") ? .gilState : .integer
        case CXType_Bool, CXType_Char_U, CXType_UChar, CXType_UShort, CXType_UInt, CXType_ULong, CXType_ULongLong,
             CXType_Char_S, CXType_SChar, CXType_Short, CXType_Int, CXType_Long, CXType_LongLong, CXType_WChar:
            return type.spelling.contains("PyGILState_STATE") ? .gilState : .integer
        default:
            return .other
        }
    }

    /// One of CPython's object structs (the model's list), by typedef or struct name.
    func isCPythonObjectStruct(_ type: CXType) -> Bool {
        options.objectStructs.contains(TypeSpelling.bare(type.spelling)) || options.objectStructs.contains(TypeSpelling.bare(type.canonical.spelling))
    }

    /// `struct { PyObject_HEAD ... }` or `struct { PyObject ob_base; ... }`, nested.
    func recordStartsWithObjectHeader(_ record: CXType, depth: Int) -> Bool {
        guard depth < 4, record.kind == CXType_Record else { return false }
        let declaration = record.declaration
        guard let firstField = declaration.children.first(where: { $0.kind == CXCursor_FieldDecl }) else { return false }
        let fieldType = firstField.type.canonical
        if fieldType.spelling == "struct _object" { return true }
        return recordStartsWithObjectHeader(fieldType, depth: depth + 1)
    }
}

public enum PathDisplay {
    /// The directory part of a path, as `dirname` gives it ("." for a bare name, "/" for a
    /// top-level entry). Foundation's `deletingLastPathComponent` traps on ".", so it is not used.
    public static func directory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        var directory = trimmed[..<slash]
        while directory.hasSuffix("/") { directory = directory.dropLast() }
        return directory.isEmpty ? "/" : String(directory)
    }

    /// The last component of a path ("" for "/").
    public static func lastComponent(of path: String) -> String {
        String(path.split(separator: "/", omittingEmptySubsequences: true).last ?? "")
    }

    /// The extension of the last component, without its dot ("" when there is none).
    public static func pathExtension(of path: String) -> String {
        let name = lastComponent(of: path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...])
    }

    public static func absolute(_ path: String, workingDirectory: String) -> String {
        let joined = path.hasPrefix("/") ? path : workingDirectory + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Whether `path` is `root` or lies below it (both absolute, compared as written).
    public static func isUnder(_ path: String, root: String) -> Bool {
        path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    /// The path with every symbolic link resolved (realpath); nil when it leads nowhere.
    public static func real(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Bytes of a name that is not UTF-8, printable: ASCII as is, every other byte (and the
    /// backslash) as a backslash and three octal digits.
    public static func escaped(_ bytes: [UInt8]) -> String {
        bytes.map { $0 >= 0x20 && $0 < 0x7F && $0 != 0x5C ? String(UnicodeScalar($0)) : "\\" + String(format: "%03o", $0) }.joined()
    }

    /// Relative to the working directory when under it, absolute otherwise.
    public static func display(_ path: String, workingDirectory: String) -> String {
        let absolutePath = absolute(path, workingDirectory: workingDirectory)
        let base = workingDirectory.hasSuffix("/") ? workingDirectory : workingDirectory + "/"
        if absolutePath.hasPrefix(base) { return String(absolutePath.dropFirst(base.count)) }
        return absolutePath
    }
}

/// Type spellings without qualifiers and tags, found by bytes (Foundation's string search
/// showed in profiles of large files: it runs for every declaration).
enum TypeSpelling {
    /// `const struct _object *` -> `_object *`.
    static func bare(_ spelling: String) -> String {
        var bytes = removing(Array("struct ".utf8), from: removing(Array("const ".utf8), from: Array(spelling.utf8)))
        while let last = bytes.last, last == 32 || last == 9 { bytes.removeLast() }
        let start = bytes.firstIndex { $0 != 32 && $0 != 9 } ?? bytes.count
        return String(decoding: bytes[start...], as: UTF8.self)
    }

    static func removing(_ needle: String, from spelling: String) -> String {
        String(decoding: removing(Array(needle.utf8), from: Array(spelling.utf8)), as: UTF8.self)
    }

    /// Every occurrence of `needle`, left to right, removed.
    private static func removing(_ needle: [UInt8], from bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= needle.count else { return bytes }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == needle[0], index + needle.count <= bytes.count, bytes[index..<index + needle.count].elementsEqual(needle) {
                index += needle.count
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }
}

/// libclang works out a location's line and column from the start of its line at every call
/// (a tenth of the lowering of a large file). A location written in the main file is its
/// offset from where that file starts in the unit's encoding; its line and column come from a
/// table of line starts. Locations in macros or other files are asked of libclang, and the
/// first answers are compared with libclang's: one mismatch and it is asked every time.
struct MainFileLocations {
    private let base: UInt32
    private let size: UInt32
    private let lineStarts: [Int]
    private var checksLeft = 512
    private var disabled = false

    init?(unit: CXTranslationUnit, file: CXFile) {
        var size = 0
        guard let contents = clang_getFileContents(unit, file, &size), size < Int(Int32.max) else { return nil }
        // The unit's extent starts at the main file's first byte (clang_getLocationForOffset
        // would first map every macro argument in the file).
        let start = clang_getRangeStart(clang_getCursorExtent(clang_getTranslationUnitCursor(unit)))
        // Macro locations have the top bit set; a file's locations are its base plus the offset.
        guard start.int_data & 0x8000_0000 == 0 else { return nil }
        let bytes = UnsafeRawPointer(contents)
        // A lone carriage return ends a line for clang too; that is rare enough to leave to it.
        var search = bytes
        while let found = memchr(search, 13, size - (search - bytes)) {
            let index = UnsafeRawPointer(found) - bytes
            if index + 1 == size || bytes.load(fromByteOffset: index + 1, as: UInt8.self) != 10 { return nil }
            search = UnsafeRawPointer(found) + 1
        }
        var starts = [0]
        search = bytes
        while let found = memchr(search, 10, size - (search - bytes)) {
            starts.append(UnsafeRawPointer(found) - bytes + 1)
            search = UnsafeRawPointer(found) + 1
        }
        base = start.int_data
        self.size = UInt32(size)
        lineStarts = starts
    }

    var needsChecking: Bool { checksLeft > 0 }

    mutating func check(_ agrees: Bool) {
        checksLeft -= 1
        if !agrees { disabled = true }
    }

    /// Line, column (1-based, in bytes, as clang counts) and offset of a location in the main file.
    func resolve(_ location: CXSourceLocation) -> (Int, Int, Int)? {
        let raw = location.int_data
        guard !disabled, raw & 0x8000_0000 == 0, raw >= base, raw - base <= size else { return nil }
        let offset = Int(raw - base)
        var low = 0, high = lineStarts.count
        while low < high {
            let mid = (low + high) / 2
            if lineStarts[mid] <= offset { low = mid + 1 } else { high = mid }
        }
        return (low, offset - lineStarts[low - 1] + 1, offset)
    }
}
