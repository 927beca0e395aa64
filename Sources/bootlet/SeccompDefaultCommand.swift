import ArgumentParser
import BootletOCICLI
import BootletRuntime
import OCISpec

/// `bootlet seccomp default`: the RuntimeDefault profile (containerd's policy) resolved for a capability set, as
/// OCI `linux.seccomp` JSON.
struct SeccompDefaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "default",
        abstract: "Print the RuntimeDefault seccomp profile for a bounding capability set as OCI JSON."
    )

    @Option(name: .long, help: "Comma-separated bounding capabilities (default: containerd's default set).")
    var caps: String?

    func run() throws {
        let set = caps.map { $0.split(separator: ",").map { Capability(rawValue: String($0)) } } ?? Capability.containerdDefault
        try printJSON(RuntimeDefaultProfile.profile(boundingCapabilities: Set(set)))
    }
}
