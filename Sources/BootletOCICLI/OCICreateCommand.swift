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

    var invocation: OCIInvocation {
        OCIInvocation(globals: oci.globals, verb: .create(OCIInvocation.Launch(
            id: id, bundle: bundle, pidFile: pidFile, consoleSocket: consoleSocket, noPivot: noPivot, logPath: logPath,
            noNewKeyring: noNewKeyring, preserveFds: preserveFds
        )))
    }

    func run() throws { try OCICommand.execute(invocation) }
}
