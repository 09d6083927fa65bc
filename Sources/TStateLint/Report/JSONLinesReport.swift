/// `--format json-lines`: one compact JSON object per diagnostic per line, with the keys of
/// the JSON report's diagnostics in the same order, and nothing else (no tool, files or
/// summary), so the output can be streamed, grepped and concatenated.
public enum JSONLinesReport {
    public static func render(_ result: RunResult) -> String {
        result.diagnostics.map { JSONReport.diagnostic($0).serialized(indent: nil) + "\n" }.joined()
    }
}
