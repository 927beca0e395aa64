import ArgumentParser
import BootletRuntime

/// `bootlet oci`: a runc-compatible command line over the bootlet runtime.
struct OCICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
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

    /// Build the runtime for a subcommand, honouring the global options.
    func runtime() throws -> OCIRuntime {
        if systemdCgroup {
            throw RuntimeError("configure runtime", "--systemd-cgroup", detail: "the systemd cgroup driver is not supported; use cgroupfs paths")
        }
        return try OCIRuntime(store: StateStore(root: root))
    }

    /// Run `body`, copying a failure to `--log` before it reaches ArgumentParser's error output.
    func reporting<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as ExitCode { throw e } catch {
            if let log {
                let msg = "\(error)"
                let line = logFormat == "json"
                    ? "{\"level\":\"error\",\"msg\":\(jsonString(msg)),\"time\":\"\(Timestamp.now())\"}\n"
                    : "time=\"\(Timestamp.now())\" level=error msg=\(jsonString(msg))\n"
                appendLine(log, line)
            }
            throw error
        }
    }
}
