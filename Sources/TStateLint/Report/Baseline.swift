import Foundation

/// The findings a project has accepted for now (`--write-baseline`), by fingerprint, so a run
/// with `--baseline` reports only new ones. Line numbers are kept for people reading the file;
/// matching uses only the fingerprint, which survives edits elsewhere in the file.
public enum Baseline {
    public static func write(_ diagnostics: [Diagnostic], to path: String) throws {
        let entries: [JSONValue] = diagnostics.map { diagnostic in
            .object([
                ("fingerprint", .string(diagnostic.fingerprint)),
                ("rule", .string(diagnostic.rule)),
                ("file", .string(diagnostic.location.file)),
                ("line", .int(diagnostic.location.line)),
                ("function", .string(diagnostic.function)),
                ("message", .string(diagnostic.message)),
            ])
        }
        let document = JSONValue.object([
            ("tool", .string("tstate-lint")),
            ("version", .string(TStateLintVersion.current)),
            ("findings", .array(entries)),
        ])
        do {
            try OutputFile.write(Data((document.serialized(indent: 2) + "\n").utf8), to: path)
        } catch let error as OutputFile.Failure {
            throw UsageError("cannot write the baseline \(path): \(error.description)")
        }
    }

    /// The fingerprints a baseline accepts. Decoded straight into the fingerprints (about four
    /// times the file's size at the peak), not into a tree of Foundation objects (sixty times).
    public static func fingerprints(in path: String) throws -> Set<String> {
        guard let data = RegularFile.contents(atPath: path) else {
            throw UsageError("\(path): cannot read the baseline\(RegularFile.isSpecial(path) ? " (not a regular file)" : "")")
        }
        struct Document: Decodable {
            struct Finding: Decodable { var fingerprint: String? }
            var findings: [Finding]
        }
        do {
            return Set(try JSONDecoder().decode(Document.self, from: data).findings.compactMap(\.fingerprint))
        } catch {
            throw UsageError("\(path): not a tstate-lint baseline (\(describe(error)); expected {\"findings\": [{\"fingerprint\": ...}]})")
        }
    }

    private static func describe(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .dataCorrupted(let context), .keyNotFound(_, let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            let place = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
            return context.debugDescription + (place.isEmpty ? "" : " at \(place)")
        @unknown default:
            return "\(error)"
        }
    }
}
