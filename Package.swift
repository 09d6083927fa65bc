// swift-tools-version:6.0
import PackageDescription
import Foundation

/// Debian ships libclang without a pkg-config file: find the newest /usr/lib/llvm-N
/// that has both the headers and libclang.so, or honour LLVM_DIR.
func locateLLVM() -> String {
    let fm = FileManager.default
    func usable(_ dir: String) -> Bool {
        fm.fileExists(atPath: dir + "/include/clang-c/Index.h") && fm.fileExists(atPath: dir + "/lib/libclang.so")
    }
    if let dir = ProcessInfo.processInfo.environment["LLVM_DIR"], usable(dir) { return dir }
    let candidates = ((try? fm.contentsOfDirectory(atPath: "/usr/lib")) ?? [])
        .filter { $0.hasPrefix("llvm-") }
        .compactMap { name -> (Int, String)? in
            guard let version = Int(name.dropFirst("llvm-".count)) else { return nil }
            return (version, "/usr/lib/" + name)
        }
        .sorted { $0.0 > $1.0 }
    return candidates.first { usable($0.1) }?.1 ?? "/usr/lib/llvm-14"
}

let llvm = locateLLVM()
let clangImport: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-I\(llvm)/include"])]
let clangLink: [LinkerSetting] = [.unsafeFlags(["-L\(llvm)/lib", "-Xlinker", "-rpath", "-Xlinker", "\(llvm)/lib"])]

let package = Package(
    name: "tstate-lint",
    products: [
        .executable(name: "tstate-lint", targets: ["tstate-lint"]),
        .library(name: "TStateLint", targets: ["TStateLint"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CClang", path: "Sources/CClang"),
        .target(
            name: "TStateLint",
            dependencies: ["CClang", "TOMLKit"],
            // Exclusive access is checked in debug builds (the tests); in release the checks on
            // every class property access cost 5-10% of the lowering and the analysis.
            swiftSettings: clangImport + [.swiftLanguageMode(.v5), .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))],
            linkerSettings: clangLink
        ),
        .executableTarget(
            name: "tstate-lint",
            dependencies: ["TStateLint", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: clangImport + [.swiftLanguageMode(.v5)],
            linkerSettings: clangLink
        ),
        .testTarget(
            name: "TStateLintTests",
            dependencies: ["TStateLint", "CClang"],
            exclude: ["Resources"],
            swiftSettings: clangImport + [.swiftLanguageMode(.v5)],
            linkerSettings: clangLink
        ),
    ]
)
