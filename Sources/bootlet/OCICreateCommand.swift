import ArgumentParser
import BootletRuntime

struct OCICreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a container from a bundle; its process waits until `start`."
    )
    @ParentCommand var oci: OCICommand

    @Argument(help: "Container id.") var id: String
    @Option(name: [.short, .long], help: "Path to the bundle directory (default: current directory).")
    var bundle: String = "."
    @Option(name: .customLong("pid-file"), help: "Write the container process id to this file.")
    var pidFile: String?
    @Option(name: .customLong("console-socket"), help: "Terminal console socket (not supported: refused).")
    var consoleSocket: String?
    @Flag(name: .customLong("no-pivot"), help: "Use chroot instead of pivot_root (for ramfs roots).")
    var noPivot = false
    @Option(name: .customLong("log-path"), help: "bootlet extension (like conmon's): write stdout/stderr as a CRI log here; stdin is /dev/null.")
    var logPath: String?
    @Flag(name: .customLong("no-new-keyring"), help: "Accepted for runc compatibility (bootlet creates no keyring).")
    var noNewKeyring = false
    @Option(name: .customLong("preserve-fds"), help: "Extra fds to pass (only 0 is supported).")
    var preserveFds: Int = 0

    func run() throws {
        try oci.reporting {
            if consoleSocket != nil {
                throw RuntimeError("create container", id, detail: "--console-socket (terminal mode) is not supported")
            }
            if preserveFds != 0 { throw RuntimeError("create container", id, detail: "--preserve-fds is not supported") }
            var opts = OCIRuntime.LaunchOptions()
            opts.pidFile = pidFile
            opts.noPivot = noPivot
            opts.logPath = logPath
            _ = try oci.runtime().launch(id: id, bundle: bundle, mode: .create, options: opts)
        }
    }
}
