import ArgumentParser

/// `bootlet seccomp`: seccomp profiles bootlet uses.
struct SeccompCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seccomp",
        abstract: "Print the seccomp profiles bootlet applies (to reuse them with runc or crun).",
        subcommands: [SeccompDefaultCommand.self]
    )
}
