import Foundation

/// Finds CPython's headers when the flags do not name them.
public enum PythonIncludes {
    public static func argumentsNamePythonHeaders(_ arguments: [String]) -> Bool {
        directoryNamingPythonHeaders(arguments) != nil
    }

    /// The first include directory in the flags that holds Python.h.
    static func directoryNamingPythonHeaders(_ arguments: [String]) -> String? {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            var directory: String?
            for flag in ["-I", "-isystem", "-idirafter", "-iquote"] where argument.hasPrefix(flag) {
                directory = argument.count > flag.count ? String(argument.dropFirst(flag.count)) : (index + 1 < arguments.count ? arguments[index + 1] : nil)
            }
            if let directory, FileManager.default.fileExists(atPath: directory + "/Python.h") { return directory }
            index += 1
        }
        return nil
    }

    /// The include directory of the `python3` on PATH (run isolated, from `/`, so nothing in
    /// the analysed tree is imported), else the newest /usr/include/python3.*.
    public static func locate() -> String? { located }

    private static let located: String? = search()

    private static func search() -> String? {
        if let fromPython = askPython(), FileManager.default.fileExists(atPath: fromPython + "/Python.h") {
            return fromPython
        }
        let candidates = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/include")) ?? [])
            .filter { $0.hasPrefix("python3.") }
            .sorted { $0.compare($1, options: .numeric) == .orderedDescending }
        return candidates.map { "/usr/include/" + $0 }.first { FileManager.default.fileExists(atPath: $0 + "/Python.h") }
    }

    private static func askPython() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init).filter { $0.hasPrefix("/") }
        guard let python = directories.map({ $0 + "/python3" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return nil
        }
        let script = "import sysconfig; print(sysconfig.get_paths()['include'])"
        return SystemCommand.output(python, ["-I", "-S", "-c", script])?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
