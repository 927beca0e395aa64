import ArgumentParser

@main
struct Bootlet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootlet",
        abstract: "A kubelet-compatible static-pod runner and self-hosting bootstrap controller.",
        subcommands: [OCICommand.self, ImageCommand.self]
    )
}
