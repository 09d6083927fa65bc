import Foundation
import TOMLKit

public struct RuleStoreError: Error, CustomStringConvertible {
    public var description: String
}

/// Finds and loads the `Rules/` directory: the C-API model and the rule docs.
public struct RuleStore: Sendable {
    public var directory: String
    public var model: APIModel
    public var catalog: RuleCatalog
    /// A hash of every file the store was read from: a run's result depends on it (RunCache).
    public var digest: UInt64 = 0

    /// Where the Rules directory may be, in order: $TSTATE_LINT_RULES, next to the installed
    /// binary (`<prefix>/share/tstate-lint/Rules`), and the source checkout it was built from.
    public static func candidateDirectories(executable: String = CommandLine.arguments.first ?? "") -> [String] {
        var candidates: [String] = []
        if let fromEnvironment = ProcessInfo.processInfo.environment["TSTATE_LINT_RULES"], !fromEnvironment.isEmpty {
            candidates.append(fromEnvironment)
        }
        let resolved = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        candidates.append(resolved.appendingPathComponent("../share/tstate-lint/Rules").standardized.path)
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../Rules").standardized.path
        candidates.append(checkout)
        return candidates
    }

    public static func load(directory: String? = nil) throws -> RuleStore {
        let fm = FileManager.default
        let candidates = directory.map { [$0] } ?? candidateDirectories()
        guard let found = candidates.first(where: { fm.fileExists(atPath: $0 + "/model") && fm.fileExists(atPath: $0 + "/checks") }) else {
            throw RuleStoreError(description: "cannot find the Rules directory (looked in: \(candidates.joined(separator: ", "))); set TSTATE_LINT_RULES")
        }
        let decoder = TOMLDecoder()
        var hasher = ContentHasher()
        var modelFiles: [ModelFile] = []
        for path in try tomlFiles(in: found + "/model") {
            modelFiles.append(try decode(ModelFile.self, path: path, decoder: decoder, hasher: &hasher))
        }
        var families: [RuleFamilyFile] = []
        for path in try tomlFiles(in: found + "/checks") {
            families.append(try decode(RuleFamilyFile.self, path: path, decoder: decoder, hasher: &hasher))
        }
        var store = RuleStore(directory: found, model: APIModel(files: modelFiles), catalog: RuleCatalog(families: families))
        store.digest = hasher.value
        return store
    }

    private static func tomlFiles(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".toml") }
            .sorted()
            .map { directory + "/" + $0 }
    }

    private static func decode<T: Decodable>(_ type: T.Type, path: String, decoder: TOMLDecoder, hasher: inout ContentHasher) throws -> T {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw RuleStoreError(description: "\(path): cannot read: \(error.localizedDescription)")
        }
        hasher.add(path)
        hasher.add(text)
        do {
            return try decoder.decode(T.self, from: text)
        } catch let error as TOMLParseError {
            throw RuleStoreError(description: "\(path):\(error.source.begin.line): \(error.description)")
        } catch {
            throw RuleStoreError(description: "\(path): \(error)")
        }
    }
}
