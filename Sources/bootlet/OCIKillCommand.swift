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

    func run() throws {
        try oci.reporting { try oci.runtime().kill(id: id, signal: try Signals.parse(signal)) }
    }
}
