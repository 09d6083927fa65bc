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
            try (document.serialized(indent: 2) + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw UsageError("cannot write the baseline \(path): \(error.localizedDescription)")
        }
    }

    public static func fingerprints(in path: String) throws -> Set<String> {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageError("\(path): cannot read the baseline")
        }
        guard let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let findings = document["findings"] as? [[String: Any]] else {
            throw UsageError("\(path): not a tstate-lint baseline (expected {\"findings\": [{\"fingerprint\": ...}]})")
        }
        return Set(findings.compactMap { $0["fingerprint"] as? String })
    }
}
