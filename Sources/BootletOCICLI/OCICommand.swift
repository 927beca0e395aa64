import ArgumentParser
import BootletRuntime

/// `bootlet oci`: a runc-compatible command line over the bootlet runtime.
public struct OCICommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "oci",
        abstract: "Run OCI bundles with runc's command line (create, start, state, kill, delete, run, list).",
        subcommands: [
            OCICreateCommand.self, OCIStartCommand.self, OCIStateCommand.self, OCIKillCommand.self,
            OCIDeleteCommand.self, OCIRunCommand.self, OCIListCommand.self,
        ]
    )

    @Option(name: .long, help: "Root directory for container state.")
    var root: String = StateStore.defaultRoot

    @Option(name: .long, help: "Also append errors to this file (as containerd passes to runc).")
    var log: String?

    @Option(name: .customLong("log-format"), help: "Format of --log: text or json.")
    var logFormat: String = "text"

    @Flag(name: .long, help: "Accepted for runc compatibility; bootlet prints the same output.")
    var debug = false

    @Flag(name: .customLong("systemd-cgroup"), help: "Use the systemd cgroup driver (not supported: refused).")
    var systemdCgroup = false

    public init() {}

    var globals: OCIInvocation.Globals {
        OCIInvocation.Globals(root: root, log: log, logFormat: logFormat, debug: debug, systemdCgroup: systemdCgroup)
    }

    /// Runs what a subcommand asks for; a non-zero status (the container's, for `run`) becomes the exit code.
    public static func execute(_ invocation: OCIInvocation) throws {
        let code = try invocation.execute()
        if code != 0 { throw ExitCode(code) }
    }
}
