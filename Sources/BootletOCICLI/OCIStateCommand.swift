import ArgumentParser

struct OCIStateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state", abstract: "Print the OCI state of a container as JSON.")
    @ParentCommand var oci: OCICommand
    @Argument(help: "Container id.") var id: String

    var invocation: OCIInvocation { OCIInvocation(globals: oci.globals, verb: .state(id: id)) }

    func run() throws { try OCICommand.execute(invocation) }
}
