import ArgumentParser

struct OCIDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a stopped (or created) container and its state.")
    @ParentCommand var oci: OCICommand
    @Argument(help: "Container id.") var id: String
    @Flag(name: [.short, .long], help: "Kill a running container first (SIGKILL).") var force = false

    var invocation: OCIInvocation { OCIInvocation(globals: oci.globals, verb: .delete(id: id, force: force)) }

    func run() throws { try OCICommand.execute(invocation) }
}
