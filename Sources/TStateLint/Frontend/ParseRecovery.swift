import CClang
import Foundation

/// What a parse that went wrong for want of headers tells the next one: the headers clang did
/// not find, and the macros a missing header would have defined around declarations.
extension Frontend {
    /// The headers clang could not find, each with the file that included it.
    static func missingIncludes(in unit: CXTranslationUnit, mainFile: String) -> [(spelling: String, includer: String, angled: Bool)] {
        var missing: [(spelling: String, includer: String, angled: Bool)] = []
        for index in 0..<clang_getNumDiagnostics(unit) {
            guard let diagnostic = clang_getDiagnostic(unit, index) else { continue }
            defer { clang_disposeDiagnostic(diagnostic) }
            let severity = clang_getDiagnosticSeverity(diagnostic)
            guard severity == CXDiagnostic_Fatal || severity == CXDiagnostic_Error else { continue }
            let text = clang_getDiagnosticSpelling(diagnostic).consume()
            guard text.hasPrefix("'"), let end = text.range(of: "' file not found") else { continue }
            let spelling = String(text[text.index(after: text.startIndex)..<end.lowerBound])
            let location = clang_getDiagnosticLocation(diagnostic).expanded
            let file = location.file.map { clang_getFileName($0).consume() } ?? ""
            // The location is the include's file-name token, delimiter first.
            var angled = false
            if let handle = location.file {
                var size = 0
                if let contents = clang_getFileContents(unit, handle, &size), Int(location.offset) < size {
                    angled = contents[Int(location.offset)] == CChar(UInt8(ascii: "<"))
                }
            }
            if !missing.contains(where: { $0.spelling == spelling }) { missing.append((spelling, file.isEmpty ? mainFile : file, angled)) }
        }
        return missing
    }

    /// Unknown identifiers clang stopped at in `static int SDLCALL f(void)` ("expected ';' after
    /// top level declarator" right after them), in the project's files.
    static func unknownDeclarationMacros(in unit: CXTranslationUnit, projectRoots: [String], workingDirectory: String) -> [String] {
        var names: [String] = []
        var errorOffsets = Set<Int>()
        for index in 0..<clang_getNumDiagnostics(unit) {
            guard let diagnostic = clang_getDiagnostic(unit, index) else { continue }
            defer { clang_disposeDiagnostic(diagnostic) }
            if clang_getDiagnosticSeverity(diagnostic) == CXDiagnostic_Error { errorOffsets.insert(clang_getDiagnosticLocation(diagnostic).expanded.offset) }
        }
        for index in 0..<clang_getNumDiagnostics(unit) {
            guard let diagnostic = clang_getDiagnostic(unit, index) else { continue }
            defer { clang_disposeDiagnostic(diagnostic) }
            guard clang_getDiagnosticSeverity(diagnostic) == CXDiagnostic_Error,
                  clang_getDiagnosticSpelling(diagnostic).consume() == "expected ';' after top level declarator" else { continue }
            let location = clang_getDiagnosticLocation(diagnostic).expanded
            guard let file = location.file, isInside(clang_getFileName(file).consume(), roots: projectRoots, workingDirectory: workingDirectory) else { continue }
            var size = 0
            guard let contents = clang_getFileContents(unit, file, &size), location.offset <= size else { continue }
            let bytes = UnsafeRawBufferPointer(start: contents, count: size)
            func isIdentifierByte(_ byte: UInt8) -> Bool {
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
            }
            // The error is at the name after the macro: step back over blanks to the macro.
            var end = location.offset
            while end > 0, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[end - 1]) { end -= 1 }
            var start = end
            while start > 0, isIdentifierByte(bytes[start - 1]) { start -= 1 }
            guard start < end, !(bytes[start] >= 0x30 && bytes[start] <= 0x39) else { continue }
            // What follows is the function's name and its `(`: `int SDLCALL f(`, not `int x *y`.
            var next = location.offset
            func skipBlanks() { while next < size, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[next]) { next += 1 } }
            skipBlanks()
            let nameStart = next
            while next < size, isIdentifierByte(bytes[next]) { next += 1 }
            skipBlanks()
            guard next > nameStart, next < size, bytes[next] == UInt8(ascii: "(") else { continue }
            // And what precedes it parsed: `G_BEGIN_DECLS GQuark f(` is about G_BEGIN_DECLS.
            var before = start
            while before > 0, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[before - 1]) { before -= 1 }
            var previous = before
            while previous > 0, isIdentifierByte(bytes[previous - 1]) { previous -= 1 }
            guard !errorOffsets.contains(previous) else { continue }
            let name = String(decoding: bytes[start..<end], as: UTF8.self)
            let keywords: Set<String> = ["int", "char", "void", "long", "short", "unsigned", "signed", "float", "double", "const", "static",
                                         "extern", "inline", "volatile", "struct", "union", "enum", "register", "restrict", "_Bool"]
            if !keywords.contains(name), !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// The directory of clang's own headers (stddef.h, stdarg.h ...) for this libclang.
    public static let builtinHeaderDirectory: String? = {
        // The loaded libclang, as the process maps it.
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8),
              let line = maps.split(separator: "\n").first(where: { $0.contains("/libclang") }),
              let slash = line.firstIndex(of: "/") else { return nil }
        let library = URL(fileURLWithPath: String(line[slash...])).resolvingSymlinksInPath()
        let clangDirectory = library.deletingLastPathComponent().appendingPathComponent("clang").path
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: clangDirectory)) ?? []).sorted { $0.compare($1, options: .numeric) == .orderedDescending }
        return versions.map { clangDirectory + "/" + $0 + "/include" }.first { FileManager.default.fileExists(atPath: $0 + "/stddef.h") }
    }()
}
