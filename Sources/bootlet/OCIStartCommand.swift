import ArgumentParser

struct OCIStartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "Start a created container (its process execs the configured command).")
    @ParentCommand var oci: OCICommand
    @Argument(help: "Container id.") var id: String

    func run() throws { try oci.reporting { try oci.runtime().start(id: id) } }
}
