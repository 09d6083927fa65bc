/// `--format junit`: JUnit XML for CI test views. Each analysed file is a test suite (so
/// clean files show as passing), each diagnostic a failing test case whose text is the
/// finding with its trace; a file without findings has one passing `tstate-lint` case.
public enum JUnitReport {
    public static func render(_ result: RunResult) -> String {
        var order: [String] = []
        var byFile: [String: [Diagnostic]] = [:]
        for file in result.files where file.status != .skipped {
            if byFile[file.path] == nil { order.append(file.path); byFile[file.path] = [] }
        }
        // Findings in headers analysed through a source get a suite of their own.
        var others: [String] = []
        for diagnostic in result.diagnostics {
            let file = diagnostic.location.file
            if byFile[file] == nil { others.append(file); byFile[file] = [] }
            byFile[file]!.append(diagnostic)
        }
        order += others.sorted()

        var suites = ""
        var tests = 0
        var failures = 0
        var errors = 0
        for file in order {
            let diagnostics = byFile[file] ?? []
            let caseCount = max(1, diagnostics.count)
            // A file that could not be analysed (TS003) is an error of the test run, not a failed check.
            let fileErrors = diagnostics.filter { $0.rule == "TS003" }.count
            tests += caseCount
            failures += diagnostics.count - fileErrors
            errors += fileErrors
            let name = escape(file)
            suites += "  <testsuite name=\"\(name)\" tests=\"\(caseCount)\" failures=\"\(diagnostics.count - fileErrors)\" errors=\"\(fileErrors)\">\n"
            if diagnostics.isEmpty {
                suites += "    <testcase name=\"tstate-lint\" classname=\"\(name)\"/>\n"
            }
            for diagnostic in diagnostics {
                let element = diagnostic.rule == "TS003" ? "error" : "failure"
                suites += "    <testcase name=\"\(escape("\(diagnostic.rule) line \(diagnostic.location.line)"))\" classname=\"\(name)\">"
                suites += "<\(element) message=\"\(escape(diagnostic.message))\" type=\"\(escape(diagnostic.rule))\">"
                suites += escape(ReportText.fullText(diagnostic), attribute: false) + "</\(element)></testcase>\n"
            }
            suites += "  </testsuite>\n"
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<testsuites name=\"tstate-lint\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\">\n"
            + suites + "</testsuites>\n"
    }

    /// Escapes text for XML 1.0: the five markup characters; CR always, and tab and LF in
    /// attribute values (which parsers would otherwise normalise to spaces), as character
    /// references; the characters XML 1.0 cannot represent at all (other C0 controls, U+FFFE,
    /// U+FFFF) as a visible `#xNN` instead.
    public static func escape(_ text: String, attribute: Bool = true) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t": out += attribute ? "&#9;" : "\t"
            case "\n": out += attribute ? "&#10;" : "\n"
            case "\r": out += "&#13;"
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    let digits = String(scalar.value, radix: 16, uppercase: true)
                    out += "#x" + String(repeating: "0", count: max(0, 2 - digits.count)) + digits
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
