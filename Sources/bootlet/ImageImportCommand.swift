import ArgumentParser
import BootletImages

/// `bootlet image import PATH [--tag REF]` / `bootlet image import --from-dir DIR --tag REF [...]`.
struct ImageImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an OCI image layout, a docker save / OCI archive, or a plain directory.",
        discussion: """
            PATH is an OCI image layout directory, a `docker save` tar (optionally gzip/zstd compressed), an OCI \
            archive, or an unpacked docker save directory. Layers are verified (sha256 of blob and diffID) and \
            unpacked once into shared snapshots. --from-dir DIR builds a one-layer image from a host directory.
            """
    )

    @OptionGroup var store: ImageStoreOptions

    @Argument(help: "OCI layout directory or image archive (omit with --from-dir).")
    var path: String?

    @Option(name: .long, help: "Reference for the image (e.g. etcd:3.5.9, registry.local:5000/x/y:tag).")
    var tag: String?

    @Option(name: .customLong("from-dir"), help: "Build a one-layer image from this directory (needs --tag).")
    var fromDir: String?

    @Option(name: .long, parsing: .unconditional, help: "Entrypoint as a JSON array or a single executable path (--from-dir).")
    var entrypoint: String?

    @Option(name: .long, parsing: .unconditional, help: "Cmd as a JSON array or a single argument (--from-dir).")
    var cmd: String?

    @Option(name: .long, help: "Environment variable NAME=VALUE (--from-dir; repeatable).")
    var env: [String] = []

    @Option(name: .long, help: "Working directory (--from-dir).")
    var workdir: String?

    @Option(name: .long, help: "User[:group] the process runs as (--from-dir).")
    var user: String?

    @Option(name: .customLong("stop-signal"), help: "Stop signal, e.g. SIGINT (--from-dir).")
    var stopSignal: String?

    @Flag(name: .customLong("allow-devices"), help: "Accept character/block device nodes in layers.")
    var allowDevices = false

    func validate() throws {
        if fromDir != nil {
            guard path == nil else { throw ValidationError("give either PATH or --from-dir, not both") }
            guard tag != nil else { throw ValidationError("--from-dir needs --tag REF") }
        } else {
            guard path != nil else { throw ValidationError("missing PATH (or --from-dir DIR --tag REF)") }
            for (name, v) in [("--entrypoint", entrypoint), ("--cmd", cmd), ("--workdir", workdir), ("--user", user), ("--stop-signal", stopSignal)] where v != nil {
                throw ValidationError("\(name) applies only to --from-dir")
            }
            if !env.isEmpty { throw ValidationError("--env applies only to --from-dir") }
        }
        for e in env where e.firstIndex(of: "=") == nil { throw ValidationError("--env \(e): want NAME=VALUE") }
    }

    func run() throws {
        let s = try store.open()
        let images: [Image]
        if let dir = fromDir, let tag {
            let cfg = ImageConfig(entrypoint: try Self.argv(entrypoint, "--entrypoint"), cmd: try Self.argv(cmd, "--cmd"),
                                  env: env, workingDir: workdir, user: user, stopSignal: stopSignal)
            images = [try s.importDirectory(dir, tag: tag, config: cfg, allowDevices: allowDevices)]
        } else {
            images = try s.importPath(path ?? "", options: ImportOptions(tag: tag, allowDevices: allowDevices))
        }
        for i in images { print("\(i.references.joined(separator: " ")) \(i.id)") }
    }

    /// `["a","b"]` (docker's exec form) or one plain word.
    static func argv(_ s: String?, _ flag: String) throws -> [String]? {
        guard let s else { return nil }
        guard s.hasPrefix("[") else { return [s] }
        guard let parsed = JSONStringArray.parse(s) else { throw ValidationError("\(flag): invalid JSON array \(s)") }
        return parsed
    }
}
