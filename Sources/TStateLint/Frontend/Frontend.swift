import CClang
import Foundation

/// Where parsing one file went, for `--statistics`.
public struct ParseCost: Codable, Sendable {
    public var libclangSeconds = 0.0
    public var loweringSeconds = 0.0
    /// Building precompiled preludes this file was the first to need.
    public var preludeSeconds = 0.0
    public var preludesBuilt = 0
    /// Files parsed on a shared precompiled prelude.
    public var filesOnPreludes = 0

    public init() {}

    public static func + (lhs: ParseCost, rhs: ParseCost) -> ParseCost {
        var sum = lhs
        sum.libclangSeconds += rhs.libclangSeconds
        sum.loweringSeconds += rhs.loweringSeconds
        sum.preludeSeconds += rhs.preludeSeconds
        sum.preludesBuilt += rhs.preludesBuilt
        sum.filesOnPreludes += rhs.filesOnPreludes
        return sum
    }
}

/// The only code that talks to libclang: parses one translation unit and lowers it to IR.
/// Not thread-safe: use one Frontend per thread.
public final class Frontend {
    private let index: CXIndex
    public let options: FrontendOptions

    private var preludes: PreludeStore?
    /// What the last `parse` cost.
    public private(set) var lastCost = ParseCost()

    public init(options: FrontendOptions) {
        _ = Frontend.parseOnCallingThread
        self.options = options
        // Declarations from a precompiled prelude are Python's, never the project's: not visited.
        self.index = clang_createIndex(1, 0)
    }

    deinit {
        disposeRetiredUnit()
        clang_disposeIndex(index)
    }

    /// The last file's libclang unit, disposed of at the next parse: a worker answers first.
    private var retiredUnit: CXTranslationUnit?

    private func disposeRetiredUnit() {
        if let retiredUnit { clang_disposeTranslationUnit(retiredUnit) }
        retiredUnit = nil
    }

    /// True when this libclang's expression layout was verified, so operators inside macro
    /// expansions are read exactly (see OperatorDecoder).
    public static var readsOperatorsInMacros: Bool { OperatorDecoder.layoutVerified }

    /// Deeply nested C is lowered recursively: threads that parse get this much stack.
    public static let workerStackSize = 512 << 20

    /// libclang parses on a thread of its own with 8 MB of stack, which clang's recursive
    /// descent overflows on a chain of some thousands of `else if`s (a crash that takes the
    /// process with it). Told not to, it parses on the calling thread and its large stack.
    /// Set once, before the first index exists; libclang reads it at every parse.
    private static let parseOnCallingThread: Void = {
        setenv("LIBCLANG_NOTHREADS", "1", 1)
    }()

    /// Parses and lowers one file. With `preludeDirectory`, a file that starts with a plain
    /// prelude ending in `#include <Python.h>` shares a precompiled header of it (see Prelude),
    /// built now unless `buildsPrelude` is false. `lowered` is given each function as soon as it is lowered.
    public func parse(path: String, arguments: [String], projectRoots: [String], workingDirectory: String,
                      preludeDirectory: String? = nil, buildsPrelude: Bool = true,
                      inferFlags: ((MissingInclude, [String]) -> [InferredFlag])? = nil,
                      lowered: ((Function) -> Void)? = nil) -> TranslationUnit {
        disposeRetiredUnit()
        lastCost = ParseCost()
        let displayPath = PathDisplay.display(path, workingDirectory: workingDirectory)
        var precompiled: String?
        var preludeDependencies: [String] = []
        if let preludeDirectory {
            if preludes?.directory != preludeDirectory { preludes = PreludeStore(directory: preludeDirectory) }
            if let prelude = Prelude.of(fileAt: path) {
                let started = Date()
                let built = preludes!.built
                precompiled = preludes!.header(for: prelude, arguments: arguments, index: index, building: buildsPrelude)
                if preludes!.built > built {
                    lastCost.preludesBuilt = preludes!.built - built
                    lastCost.preludeSeconds = Date().timeIntervalSince(started)
                }
            }
        }
        let parseStarted = Date()
        var (status, parsed) = translate(path, arguments: arguments + (precompiled.map { ["-include-pch", $0] } ?? []))
        if let header = precompiled {
            if status == CXError_ASTReadError || status == CXError_Failure || parsed.map(Frontend.rejectsPrecompiledHeader) == true {
                parsed.map(clang_disposeTranslationUnit)
                preludes!.discard(header)
                (status, parsed) = translate(path, arguments: arguments)
            } else {
                preludeDependencies = preludes!.dependencies(of: header)
                lastCost.filesOnPreludes = 1
            }
        }
        var inferred: [InferredFlag] = []
        if let inferFlags {
            // Each round looks for every header clang did not find (the first time also for every
            // include of the file and its project headers the tree can answer) and parses again:
            // a header found can include others that are missing.
            // Then a macro a missing header would have defined, written between a declaration's
            // type and its name (`int SDLCALL f(...)`), is defined empty: without that, clang's
            // recovery drops the function and often the rest of the file.
            var round = 0
            while round < 6, status == CXError_Success, let unit = parsed {
                var more: [InferredFlag] = []
                for missing in Frontend.missingIncludes(in: unit, mainFile: path) {
                    let found = inferFlags(MissingInclude(spelling: missing.spelling, includer: missing.includer, angled: missing.angled,
                                                          mainFile: path, firstRound: round == 0 && more.isEmpty),
                                           arguments + (inferred + more).map(\.flag))
                    more += found.filter { flag in !more.contains { $0.flag == flag.flag } }
                }
                if more.isEmpty {
                    more = Frontend.unknownDeclarationMacros(in: unit, projectRoots: projectRoots, workingDirectory: workingDirectory)
                        .filter { name in !inferred.contains { $0.flag == "-D\(name)=" } }
                        .map { InferredFlag(flag: "-D\($0)=", reason: "`\($0)` stands between a declaration's type and its name, and the header that defines it was not found: defined empty") }
                }
                round += 1
                guard !more.isEmpty else { break }
                inferred += more
                clang_disposeTranslationUnit(unit)
                (status, parsed) = translate(path, arguments: arguments + inferred.map(\.flag))
                preludeDependencies = []
            }
        }
        lastCost.libclangSeconds = Date().timeIntervalSince(parseStarted)
        guard status == CXError_Success, let unit = parsed else {
            return TranslationUnit(path: displayPath, status: .failed, message: "libclang could not parse the file (\(Frontend.describe(status)))")
        }
        defer { retiredUnit = unit }

        let (errorLocations, firstError, firstErrorLocation) = Frontend.errors(in: unit, mainFile: path, projectRoots: projectRoots, workingDirectory: workingDirectory)
        let errorCount = errorLocations.count
        let context = UnitContext(unit: unit, options: options, projectRoots: projectRoots, workingDirectory: workingDirectory)
        context.errorLocations = errorLocations
        let loweringStarted = Date()
        var result = lower(unit: unit, context: context, mainPath: displayPath, lowered: lowered)
        lastCost.loweringSeconds = Date().timeIntervalSince(loweringStarted)
        result.dependencies = Array(Set(Frontend.includedFiles(of: unit, mainFile: path) + preludeDependencies)).sorted()
        result.inferred = inferred
        var messages: [String] = []
        if errorCount > 0 {
            result.status = .parseErrors
            result.firstErrorLocation = firstErrorLocation.map { SourceLocation(file: displayPath, line: $0.line, column: $0.column, offset: $0.offset) }
            messages.append("\(errorCount) error\(errorCount == 1 ? "" : "s") while parsing; analysed what parsed. First: \(firstError)")
        }
        if let refused = Frontend.refusedFunctions(result.functions) {
            messages.append(refused)
            // Nothing in the file was analysed.
            if result.functions.allSatisfy({ $0.loweringProblem != nil }) { result.status = .failed }
        }
        if !messages.isEmpty { result.message = messages.joined(separator: "; ") }
        return result
    }

    /// Says which functions were too large or too deeply nested to analyse (they keep no body).
    static func refusedFunctions(_ functions: [Function]) -> String? {
        let refused = functions.filter { $0.loweringProblem != nil }
        guard let first = refused.first else { return nil }
        func describe(_ function: Function) -> String {
            "`\(function.name)` (\(function.location.file):\(function.location.line)): \(function.loweringProblem!)"
        }
        if refused.count == 1 { return "function \(describe(first)); it was not analysed" }
        return "\(refused.count) functions were not analysed: \(abbreviated(refused.map(describe)))"
    }

    /// Descriptions of functions, the first three in full: "a; b; c; and 2 more".
    static func abbreviated(_ described: [String]) -> String {
        described.prefix(3).joined(separator: "; ") + (described.count > 3 ? "; and \(described.count - 3) more" : "")
    }

    private func lower(unit: CXTranslationUnit, context: UnitContext, mainPath: String, lowered: ((Function) -> Void)?) -> TranslationUnit {
        let topLevel = clang_getTranslationUnitCursor(unit).children
        var definitions: [(CXCursor, String)] = []
        var tables: [CXCursor] = []
        for cursor in topLevel {
            let location = cursor.location
            let resolved: SourceLocation
            if let inMainFile = context.mainFileLocation(location) {
                resolved = inMainFile
            } else {
                let expanded = location.expanded
                guard context.isProjectFile(expanded.file, location: location) else { continue }
                resolved = context.location(expanded)
            }
            switch cursor.kind {
            case CXCursor_MacroExpansion:
                // A macro expansion's location is the start of its extent.
                let name = cursor.spelling
                let expansion = MacroExpansion(name: name, start: resolved.offset, end: context.offset(cursor.extent.end), location: resolved)
                context.macroIndexByFile[resolved.file, default: MacroIndex()].add(expansion)
                if options.modelledMacros.contains(name) {
                    context.modelledMacroIndexByFile[resolved.file, default: MacroIndex()].add(expansion)
                }
            case CXCursor_FunctionDecl:
                context.projectFunctions[cursor.spelling] = cursor.usr
                if cursor.isDefinition { definitions.append((cursor, resolved.file)) }
            case CXCursor_MacroDefinition:
                context.projectMacros[cursor.spelling] = cursor
            case CXCursor_VarDecl:
                tables.append(cursor)
            default:
                break
            }
        }
        for key in context.macroIndexByFile.keys { context.macroIndexByFile[key]!.finish() }
        for key in context.modelledMacroIndexByFile.keys { context.modelledMacroIndexByFile[key]!.finish() }

        var result = TranslationUnit(path: mainPath, status: .analyzed)
        var files: [String] = [mainPath]
        for (definition, file) in definitions {
            let function = FunctionLowering(context: context, declaration: definition, file: file).lower()
            lowered?(function)
            result.functions.append(function)
            if !files.contains(file) { files.append(file) }
            let name = definition.spelling
            if name.hasPrefix("PyInit_") {
                result.facts.entryPoints.append(EntryPoint(usr: definition.usr, name: name, kind: .moduleInit, table: name))
            }
        }
        ModuleFactsCollector(context: context).collect(tables: tables, into: &result.facts)
        result.files = files
        return result
    }

    private func translate(_ path: String, arguments: [String]) -> (CXErrorCode, CXTranslationUnit?) {
        let flags = CXTranslationUnit_DetailedPreprocessingRecord.rawValue
            | CXTranslationUnit_KeepGoing.rawValue
            | CXTranslationUnit_IgnoreNonErrorsFromIncludedFiles.rawValue
        var unit: CXTranslationUnit?
        let argumentPointers = arguments.map { strdup($0) }
        defer { argumentPointers.forEach { free($0) } }
        let status = argumentPointers.map { UnsafePointer<CChar>($0) }.withUnsafeBufferPointer { buffer in
            clang_parseTranslationUnit2(index, path, buffer.baseAddress, Int32(buffer.count), nil, 0, flags, &unit)
        }
        return (status, unit)
    }

    /// clang could not use the precompiled prelude (a header changed since it was built).
    private static func rejectsPrecompiledHeader(_ unit: CXTranslationUnit) -> Bool {
        for index in 0..<clang_getNumDiagnostics(unit) {
            guard let diagnostic = clang_getDiagnostic(unit, index) else { continue }
            defer { clang_disposeDiagnostic(diagnostic) }
            guard clang_getDiagnosticSeverity(diagnostic) == CXDiagnostic_Fatal else { continue }
            let text = clang_getDiagnosticSpelling(diagnostic).consume()
            if text.contains("precompiled header") || text.contains("PCH") || text.contains("AST file") || text.contains("has been modified since") {
                return true
            }
        }
        return false
    }

    static func includedFiles(of unit: CXTranslationUnit) -> [String] {
        let mainFile = clang_getTranslationUnitSpelling(unit).consume()
        return includedFiles(of: unit, mainFile: mainFile)
    }

    /// Every file the unit included (transitively), as libclang opened it, sorted.
    static func includedFiles(of unit: CXTranslationUnit, mainFile: String) -> [String] {
        final class Collector { var files = Set<String>() }
        let collector = Collector()
        clang_getInclusions(unit, { file, _, _, data in
            guard let file, let data else { return }
            let name = clang_getFileName(file).consume()
            if !name.isEmpty { Unmanaged<Collector>.fromOpaque(data).takeUnretainedValue().files.insert(name) }
        }, Unmanaged.passUnretained(collector).toOpaque())
        collector.files.remove(mainFile)
        return collector.files.sorted()
    }

    /// Where every error is, the first one as clang words it, and where it is when that is in
    /// the main file. An error in a file outside the analysed tree (a system header, or whatever
    /// hostile flags `-include`) is not quoted: clang's text holds that file's tokens, and
    /// reports end up in CI logs.
    private static func errors(in unit: CXTranslationUnit, mainFile: String, projectRoots: [String],
                               workingDirectory: String) -> ([CXSourceLocation], String, SourceLocation?) {
        var locations: [CXSourceLocation] = []
        var first = ""
        var firstLocation: SourceLocation?
        for index in 0..<clang_getNumDiagnostics(unit) {
            guard let diagnostic = clang_getDiagnostic(unit, index) else { continue }
            defer { clang_disposeDiagnostic(diagnostic) }
            let severity = clang_getDiagnosticSeverity(diagnostic)
            guard severity == CXDiagnostic_Error || severity == CXDiagnostic_Fatal else { continue }
            locations.append(clang_getDiagnosticLocation(diagnostic))
            if first.isEmpty {
                let text = clang_formatDiagnostic(diagnostic, CXDiagnostic_DisplaySourceLocation.rawValue | CXDiagnostic_DisplayColumn.rawValue).consume()
                let location = clang_getDiagnosticLocation(diagnostic).expanded
                let file = location.file.map { clang_getFileName($0).consume() } ?? ""
                if !file.isEmpty, PathDisplay.absolute(file, workingDirectory: workingDirectory) == PathDisplay.absolute(mainFile, workingDirectory: workingDirectory) {
                    firstLocation = SourceLocation(file: file, line: Int(location.line), column: Int(location.column), offset: Int(location.offset))
                }
                if file.isEmpty || isInside(file, roots: projectRoots, workingDirectory: workingDirectory) {
                    first = text
                } else if text.hasSuffix("file not found") {
                    // Names a header the file includes: what to pass with -I, not the file's content.
                    first = text
                } else {
                    first = "\(file):\(location.line):\(location.column): an error in a file outside the analysed tree (its text is not shown)"
                }
            }
        }
        return (locations, first, firstLocation)
    }

    /// Whether a file is under one of the roots, both with symbolic links resolved.
    static func isInside(_ file: String, roots: [String], workingDirectory: String) -> Bool {
        func real(_ path: String) -> String {
            let absolute = PathDisplay.absolute(path, workingDirectory: workingDirectory)
            return PathDisplay.real(absolute) ?? absolute
        }
        let path = real(file)
        return roots.contains { PathDisplay.isUnder(path, root: real($0)) }
    }

    private static func describe(_ status: CXErrorCode) -> String {
        switch status {
        case CXError_Crashed: return "libclang crashed on it"
        case CXError_InvalidArguments: return "invalid arguments"
        case CXError_ASTReadError: return "AST read error"
        default: return "failure"
        }
    }
}
