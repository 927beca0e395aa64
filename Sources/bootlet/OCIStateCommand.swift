import ArgumentParser

struct OCIStateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state", abstract: "Print the OCI state of a container as JSON.")
    @ParentCommand var oci: OCICommand
    @Argument(help: "Container id.") var id: String

    func run() throws { try oci.reporting { try printJSON(try oci.runtime().state(id: id)) } }
}
