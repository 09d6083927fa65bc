import Foundation

/// A Python version as the headers or a project's metadata state it.
struct PythonVersion: Comparable, CustomStringConvertible, Hashable {
    var major: Int
    var minor: Int

    var description: String { "\(major).\(minor)" }

    static func < (lhs: PythonVersion, rhs: PythonVersion) -> Bool { (lhs.major, lhs.minor) < (rhs.major, rhs.minor) }

    init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// From `PY_MAJOR_VERSION` and `PY_MINOR_VERSION` in a directory's patchlevel.h.
    init?(patchlevelIn directory: String) {
        guard let data = RegularFile.contents(atPath: directory + "/patchlevel.h") else { return nil }
        var major: Int?
        var minor: Int?
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("#define") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 3 else { continue }
            if words[1] == "PY_MAJOR_VERSION" { major = Int(words[2]) }
            if words[1] == "PY_MINOR_VERSION" { minor = Int(words[2]) }
        }
        guard let major, let minor else { return nil }
        self.init(major: major, minor: minor)
    }

    /// Installed Pythons' include directories (the one on PATH, /usr and /usr/local, pyenv's),
    /// each with its version.
    static func installedIncludeDirectories() -> [(directory: String, version: PythonVersion)] {
        var candidates: [String] = []
        if let onPath = PythonIncludes.locate() { candidates.append(onPath) }
        for base in ["/usr/include", "/usr/local/include"] {
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []).sorted() where name.hasPrefix("python3.") {
                candidates.append(base + "/" + name)
            }
        }
        let environment = ProcessInfo.processInfo.environment
        if let pyenv = environment["PYENV_ROOT"] ?? environment["HOME"].map({ $0 + "/.pyenv" }) {
            let versions = pyenv + "/versions"
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: versions)) ?? []).sorted() {
                let include = versions + "/" + name + "/include"
                for inner in ((try? FileManager.default.contentsOfDirectory(atPath: include)) ?? []).sorted() where inner.hasPrefix("python3.") {
                    candidates.append(include + "/" + inner)
                }
            }
        }
        var seen = Set<String>()
        return candidates.compactMap { directory in
            guard seen.insert(directory).inserted, FileManager.default.fileExists(atPath: directory + "/pyconfig.h"),
                  let version = PythonVersion(patchlevelIn: directory) else { return nil }
            return (directory, version)
        }
    }

    /// The installed pyconfig.h nearest a version: the same minor version first.
    static func configuration(nearest wanted: PythonVersion?) -> (directory: String, version: PythonVersion?)? {
        let installed = installedIncludeDirectories()
        guard let wanted else { return installed.first.map { ($0.directory, $0.version) } }
        let best = installed.min { a, b in
            abs((a.version.major - wanted.major) * 100 + a.version.minor - wanted.minor)
                < abs((b.version.major - wanted.major) * 100 + b.version.minor - wanted.minor)
        }
        return best.map { ($0.directory, $0.version) }
    }
}

/// What a project says about the Pythons it supports: `requires-python` in pyproject.toml,
/// `python_requires` in setup.cfg or setup.py (read as text).
struct PythonRequirement {
    var specifier: String
    var source: String

    static func declared(in root: String) -> PythonRequirement? {
        let sources: [(file: String, key: String)] = [("pyproject.toml", "requires-python"), ("setup.cfg", "python_requires"), ("setup.py", "python_requires")]
        for (file, key) in sources {
            guard let data = RegularFile.contents(atPath: root + "/" + file) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            guard let keyRange = text.range(of: key) else { continue }
            let rest = text[keyRange.upperBound...].prefix(200)
            let line = rest.prefix { $0 != "\n" }
            let value = line.drop { $0 == " " || $0 == "=" || $0 == "\t" }
            var specifier = String(value).trimmingCharacters(in: .whitespaces)
            if let quote = specifier.first, quote == "\"" || quote == "'" {
                specifier = String(specifier.dropFirst().prefix { $0 != quote })
            }
            guard specifier.contains(where: \.isNumber) else { continue }
            return PythonRequirement(specifier: specifier, source: "\(file) `\(key)`")
        }
        return nil
    }

    /// Whether a version satisfies every clause (`>=3.8`, `<4`, `!=3.9.*`, `~=3.10`, `==3.12.*`).
    func admits(_ version: PythonVersion) -> Bool {
        for rawClause in specifier.split(separator: ",") {
            let clause = rawClause.trimmingCharacters(in: .whitespaces)
            let operatorText = String(clause.prefix { "<>=!~".contains($0) })
            let numbers = clause.dropFirst(operatorText.count).trimmingCharacters(in: .whitespaces)
                .split(separator: ".").map { Int($0) }
            guard let major = numbers.first ?? nil else { continue }
            let minor = numbers.count > 1 ? (numbers[1] ?? 0) : 0
            let wildcard = clause.hasSuffix(".*")
            let bound = PythonVersion(major: major, minor: minor)
            switch operatorText {
            case ">=", "~=": if version < bound { return false }
            case ">": if version <= bound { return false }
            case "<": if version >= bound { return false }
            case "<=": if version > bound { return false }
            case "==": if wildcard && numbers.count == 2 ? version.major != major : version != bound { return false }
            case "!=": if version == bound && (wildcard || numbers.count == 2) { return false }
            default: continue
            }
        }
        return true
    }
}

extension Runner {
    /// Says when the Python headers in use are not a version the tree is written for: another
    /// version than a CPython tree's own pyconfig.h, or one the project's metadata excludes.
    static func versionNotes(_ jobs: [ParseJob], scope: IncludeSearchScope, trees: [String: CPythonTree?],
                             configurations: [String: (directory: String, version: PythonVersion?)?], workingDirectory: String) -> [String] {
        var notes: [String] = []
        var treesNoted = Set<String>()
        for tree in trees.values.compactMap({ $0 }).sorted(by: { $0.root < $1.root }) where treesNoted.insert(tree.root).inserted {
            let shown = PathDisplay.display(tree.root, workingDirectory: workingDirectory)
            guard let entry = configurations[tree.root] else { continue }
            if let configuration = entry {
                if let installed = configuration.version, let own = tree.version, installed != own {
                    notes.append("\(shown) is CPython \(own) and is not configured; its files are parsed with the pyconfig.h of Python \(installed) (\(configuration.directory)), the nearest installed: run ./configure there for exact results")
                }
            } else if !FileManager.default.fileExists(atPath: tree.root + "/pyconfig.h") {
                notes.append("\(shown) is a CPython source tree without pyconfig.h, and no installed Python has one: run ./configure there, or pass `-- -I<directory holding pyconfig.h>`")
            }
        }
        var headerVersions: [String: PythonVersion] = [:]
        for job in jobs where job.inferred.isEmpty {
            guard let directory = PythonIncludes.directoryNamingPythonHeaders(job.arguments), headerVersions[directory] == nil,
                  let version = PythonVersion(patchlevelIn: directory) else { continue }
            headerVersions[directory] = version
        }
        for root in scope.roots {
            guard let requirement = PythonRequirement.declared(in: root) else { continue }
            for (directory, version) in headerVersions.sorted(by: { $0.key < $1.key }) where !requirement.admits(version) {
                notes.append("the Python headers in use are \(version)'s (\(directory)), but \(PathDisplay.display(root, workingDirectory: workingDirectory))'s \(requirement.source) is \"\(requirement.specifier)\": pass a supported version's headers with `-- -I…/include/python3.X` or `python-include` in the configuration")
            }
            break
        }
        return notes
    }
}
