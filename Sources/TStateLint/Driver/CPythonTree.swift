import Foundation

/// A CPython source tree (Include/Python.h with Include/internal): the flags its Makefile
/// gives a file, read from the tree's own data (Modules/Setup.bootstrap.in, Makefile.pre.in),
/// never run.
struct CPythonTree {
    let root: String
    /// Modules/ sources built into the interpreter (`Py_BUILD_CORE_BUILTIN`).
    let builtinModules: Set<String>
    /// Modules/ sources that are part of libpython (`Py_BUILD_CORE`).
    let coreModules: Set<String>
    /// The tree's version, from Include/patchlevel.h.
    let version: PythonVersion?

    /// The tree a file is in, if any; directories already looked at are remembered.
    static func containing(_ file: String, known: inout [String: CPythonTree?]) -> CPythonTree? {
        var directory = PathDisplay.directory(of: file)
        var visited: [String] = []
        var found: CPythonTree?
        while true {
            if let answer = known[directory] { found = answer; break }
            visited.append(directory)
            if FileManager.default.fileExists(atPath: directory + "/Include/Python.h"),
               FileManager.default.fileExists(atPath: directory + "/Include/internal") {
                found = CPythonTree(root: directory)
                break
            }
            let parent = PathDisplay.directory(of: directory)
            if parent == directory || parent.isEmpty || visited.count > 32 { break }
            directory = parent
        }
        for directory in visited { known[directory] = .some(found) }
        return found
    }

    init(root: String) {
        self.root = root
        var builtin = Set<String>()
        if let data = RegularFile.contents(atPath: root + "/Modules/Setup.bootstrap.in") {
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("@") && !line.hasPrefix("*") {
                for word in line.split(whereSeparator: { $0 == " " || $0 == "\t" }) where word.hasSuffix(".c") {
                    builtin.insert(String(word))
                }
            }
        }
        builtinModules = builtin
        var core = Set<String>()
        if let data = RegularFile.contents(atPath: root + "/Makefile.pre.in") {
            var inList = false
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("MODULE_OBJS=") { inList = true }
                guard inList else { continue }
                for word in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "=" || $0 == "\\" })
                where word.hasPrefix("Modules/") && word.hasSuffix(".o") {
                    core.insert(String(word.dropFirst("Modules/".count).dropLast(2)) + ".c")
                }
                if !line.hasSuffix("\\") && !line.hasPrefix("MODULE_OBJS=") { inList = false }
            }
        }
        coreModules = core.isEmpty ? ["main.c", "gcmodule.c", "getpath.c", "getbuildinfo.c"] : core
        version = PythonVersion(patchlevelIn: root + "/Include")
    }

    /// The define a file of the tree is compiled with.
    func buildDefine(for file: String) -> String {
        let modules = root + "/Modules/"
        guard file.hasPrefix(modules) else { return "Py_BUILD_CORE" }
        let relative = String(file.dropFirst(modules.count))
        if coreModules.contains(relative) { return "Py_BUILD_CORE" }
        return builtinModules.contains(relative) ? "Py_BUILD_CORE_BUILTIN" : "Py_BUILD_CORE_MODULE"
    }

    /// Include, Include/internal, Modules and the file's directory, the build define, and
    /// pyconfig.h: the tree's own when it was configured in place, else an installed Python's
    /// (after everything else, so that only pyconfig.h comes from there).
    func flags(for file: String, installedConfiguration: (directory: String, version: PythonVersion?)?) -> [InferredFlag] {
        let why = "\(PathDisplay.lastComponent(of: root))/ is a CPython source tree"
        var flags = [
            InferredFlag(flag: "-I" + root + "/Include", reason: why),
            InferredFlag(flag: "-I" + root + "/Include/internal", reason: why),
            InferredFlag(flag: "-I" + root + "/Modules", reason: why),
        ]
        let directory = PathDisplay.directory(of: file)
        if ![root + "/Include", root + "/Include/internal", root + "/Modules"].contains(directory) {
            flags.append(InferredFlag(flag: "-I" + directory, reason: why))
        }
        let define = buildDefine(for: file)
        flags.append(InferredFlag(flag: "-D" + define, reason: "how the tree's Makefile compiles \(PathDisplay.lastComponent(of: file))"))
        if FileManager.default.fileExists(atPath: root + "/pyconfig.h") {
            flags.append(InferredFlag(flag: "-I" + root, reason: "the tree's pyconfig.h (configured in place)"))
        } else if let installed = installedConfiguration {
            let version = installed.version.map { " \($0)" } ?? ""
            flags.append(InferredFlag(flag: "-idirafter" + installed.directory,
                                      reason: "the tree is not configured (no pyconfig.h): pyconfig.h of the installed Python\(version)"))
        }
        return flags
    }
}
