// swift-tools-version:6.0
// bootlet: a kubelet-compatible static-pod runner and self-hosting bootstrap controller.
//
// Layering (one-way): CShims -> BootletRuntime -> BootletImages -> BootletRunner -> BootletBootstrap -> bootlet (CLI).
// OCISpec and KubeModel depend on nothing heavy (no NIO, no crypto).
import PackageDescription

/// `bootlet` is linked fully static: a static glibc executable starts in ~1 ms where the same binary linked
/// against the shared libstdc++/libswiftCore takes ~2 ms more (docs/benchmarks.md), and container start is on
/// the critical path of every pod.
let staticExecutable: [LinkerSetting] = [
    .unsafeFlags(["-static-executable"]),
    // FoundationEssentials' static archive needs these two; `--static-swift-stdlib` would add them, a plain
    // `swift build` does not.
    .linkedLibrary("_FoundationCollections"), .linkedLibrary("_FoundationCShims"), .linkedLibrary("swiftSynchronization"),
]
/// Pure C executables: no Swift start files, so they carry no Swift runtime (monitor RSS ~0.7 MiB, not ~1.7).
let cExecutable: [LinkerSetting] = [.unsafeFlags(["-static-executable", "-nostartfiles"])]
let gnu: [CSetting] = [.define("_GNU_SOURCE"), .unsafeFlags(["-Wall", "-Wextra", "-Wno-unused-parameter"])]

let package = Package(
    name: "bootlet",
    products: [
        .executable(name: "bootlet", targets: ["bootlet"]),
        .executable(name: "bootlet-monitor", targets: ["bootlet-monitor"]),
        .executable(name: "bootlet-pause", targets: ["bootlet-pause"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.30.0"),
    ],
    targets: [
        // MARK: C shims (all C code lives under CShims/, one concern per file)
        .target(name: "CBootletRuntime", path: "CShims/runtime", cSettings: gnu, linkerSettings: [.linkedLibrary("cap")]),
        .target(name: "CBootletSeccomp", path: "CShims/seccomp", cSettings: gnu, linkerSettings: [.linkedLibrary("seccomp")]),
        .target(name: "CBootletYAML", path: "CShims/yaml", cSettings: gnu, linkerSettings: [.linkedLibrary("yaml")]),
        // libarchive and exactly the libraries its linked members need (tar reader, gzip/zstd filters, pax writer,
        // read_disk); see CShims/archive/static_link.c and docs/images.md "Linking".
        .target(
            name: "CBootletArchive", path: "CShims/archive", cSettings: gnu,
            linkerSettings: [.linkedLibrary("archive"), .linkedLibrary("zstd"), .linkedLibrary("z"), .linkedLibrary("acl")]
        ),
        .executableTarget(name: "bootlet-pause", path: "CShims/pause", cSettings: gnu, linkerSettings: cExecutable),
        .executableTarget(
            name: "bootlet-monitor", dependencies: ["CBootletRuntime"], path: "CShims/monitor", cSettings: gnu,
            linkerSettings: cExecutable
        ),

        // MARK: Models (no heavy dependencies)
        .target(name: "OCISpec"),
        .target(name: "KubeModel", dependencies: ["CBootletYAML"]),

        // MARK: Runtime, images, runner
        .target(
            name: "BootletRuntime",
            dependencies: [
                "OCISpec", "CBootletRuntime", "CBootletSeccomp",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "BootletImages",
            dependencies: [
                "BootletRuntime", "OCISpec", "CBootletArchive",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // swift-crypto imports Foundation; without this, its String extensions (e.g. `contains`) leak into every
            // file and pull ICU-backed Foundation into the static binary.
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]
        ),
        .target(
            name: "BootletRunner",
            dependencies: [
                "BootletImages", "BootletRuntime", "KubeModel", "OCISpec", "CBootletArchive", "CBootletRuntime",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
            ]
        ),

        // MARK: CLI (one ArgumentParser command per file)
        // The `bootlet oci` commands (and their quick parse) as a library, so tests can compare both parsers.
        .target(
            name: "BootletOCICLI",
            dependencies: [
                "BootletRuntime", "OCISpec", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "bootlet",
            dependencies: [
                "BootletOCICLI", "BootletRunner", "BootletImages", "BootletRuntime", "KubeModel", "OCISpec",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            linkerSettings: staticExecutable
        ),

        // MARK: Benchmarks (bench/*.sh build these in release mode)
        .executableTarget(
            name: "bootlet-seccomp-bench", dependencies: ["BootletRuntime", "OCISpec"], path: "bench/seccomp"
        ),

        // MARK: Tests
        .testTarget(name: "OCISpecTests", dependencies: ["OCISpec"]),
        .testTarget(
            name: "BootletCLITests",
            dependencies: ["BootletOCICLI", "BootletRuntime", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "BootletRunnerCoreTests", dependencies: ["BootletRunner", "BootletRuntime", "KubeModel"]),
        .testTarget(
            name: "BootletRunnerProbeTests",
            dependencies: [
                "BootletRunner", "BootletRuntime", "KubeModel", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"), .product(name: "NIOHPACK", package: "swift-nio-http2"),
            ]
        ),
        .testTarget(name: "SeccompTests", dependencies: ["BootletRuntime", "OCISpec", "CBootletSeccomp", "CBootletRuntime"]),
        .testTarget(name: "CgroupTests", dependencies: ["BootletRuntime", "OCISpec"]),
        .testTarget(name: "KubeModelTests", dependencies: ["KubeModel"]),
        .testTarget(
            name: "BootletRunnerTests",
            dependencies: ["BootletRunner", "KubeModel", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "BootletImagesTests", dependencies: ["BootletImages", "BootletRuntime", "OCISpec"]),
        .testTarget(
            name: "BootletRunnerNetworkTests", dependencies: ["BootletRunner", "BootletRuntime", "CBootletRuntime", "KubeModel"]
        ),
        .testTarget(
            name: "BootletRunnerSpecTests",
            dependencies: ["BootletRunner", "BootletRuntime", "BootletImages", "KubeModel", "OCISpec"]
        ),
        .testTarget(
            name: "RuntimeIntegrationTests",
            dependencies: ["BootletRuntime", "OCISpec", "CBootletRuntime"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
