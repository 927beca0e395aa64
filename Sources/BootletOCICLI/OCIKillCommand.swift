import ArgumentParser
import BootletRuntime

struct OCIKillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill", abstract: "Send a signal (default SIGTERM) to the container's init process.")
    @ParentCommand var oci: OCICommand
    @Argument(help: "Container id.") var id: String
    @Argument(help: "Signal name or number (KILL, SIGKILL, 9).") var signal: String = "SIGTERM"
    @Flag(name: [.short, .long], help: "Send to every process of the container (its pid namespace dies with init).")
    var all = false

    var invocation: OCIInvocation { OCIInvocation(globals: oci.globals, verb: .kill(id: id, signal: signal, all: all)) }

    func run() throws { try OCICommand.execute(invocation) }
}
