import ArgumentParser
import BootletOCICLI

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
        // The per-container runc verbs skip ArgumentParser's parse when their command line is plain (OCIQuickParse).
        if let invocation = OCIQuickParse.parse(Array(CommandLine.arguments.dropFirst())) {
            do {
                try OCICommand.execute(invocation)
            } catch {
                Bootlet.exit(withError: error)
            }
            Bootlet.exit()
        }
        Bootlet.main(nil)
    }
}
