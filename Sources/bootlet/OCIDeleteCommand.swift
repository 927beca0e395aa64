import ArgumentParser

struct OCIDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a stopped (or created) container and its state.")
    @ParentCommand var oci: OCICommand
    @Argument(help: "Container id.") var id: String
    @Flag(name: [.short, .long], help: "Kill a running container first (SIGKILL).") var force = false

    func run() throws { try oci.reporting { try oci.runtime().delete(id: id, force: force) } }
}
