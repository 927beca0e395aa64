import ArgumentParser

struct OCIStartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "Start a created container (its process execs the configured command).")
    @ParentCommand var oci: OCICommand
    @Argument(help: "Container id.") var id: String

    var invocation: OCIInvocation { OCIInvocation(globals: oci.globals, verb: .start(id: id)) }

    func run() throws { try OCICommand.execute(invocation) }
}
