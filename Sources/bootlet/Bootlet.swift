import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

@main
struct Bootlet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootlet",
        abstract: "A kubelet-compatible static-pod runner and self-hosting bootstrap controller.",
        subcommands: [KubeletCommand.self, OCICommand.self, ImageCommand.self, SeccompCommand.self]
    )

    static func main() {
        // A hook or client that closes its pipe early must give EPIPE, not kill bootlet. Children never inherit
        // this: every spawn resets signal dispositions.
        signal(SIGPIPE, SIG_IGN)
        Bootlet.main(nil)
    }
}
