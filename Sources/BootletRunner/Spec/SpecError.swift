import BootletRuntime
import KubeModel

/// A failure to turn a pod's container into an OCI spec, classified the way kubelet reports it.
///
/// kubelet puts the container in `waiting` with a reason and a message:
/// * `CreateContainerConfigError` — kubelet's own `generateContainerConfig` failed (runAsNonRoot policy, subPath,
///   environment, seccomp `Localhost` without a profile name). `message` is kubelet's exact text.
/// * `CreateContainerError` — the runtime (containerd) refused the config (missing Localhost profile file, image
///   user not in `/etc/passwd`, no command). `message` follows containerd's wording where it has one.
/// * `SysctlForbidden` — the sandbox's sysctls fail kubelet's admission check (pod-level).
public struct SpecError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `ContainerReason.createContainerConfigError`, `ContainerReason.createContainerError` or
    /// `PodReason.sysctlForbidden`.
    public var reason: String
    /// The message shown in `state.waiting.message` (kubelet's wording).
    public var message: String
    /// What was being built, for logs: `container "c" of pod "p_ns(uid)"`.
    public var object: String

    public init(reason: String, message: String, object: String) {
        self.reason = reason
        self.message = message
        self.object = object
    }

    static func config(_ message: String, _ object: String) -> SpecError {
        SpecError(reason: ContainerReason.createContainerConfigError, message: message, object: object)
    }

    static func create(_ message: String, _ object: String) -> SpecError {
        SpecError(reason: ContainerReason.createContainerError, message: message, object: object)
    }

    public var description: String { "build OCI spec for \(object): \(reason): \(message)" }
}

/// kubelet's `format.Pod`: `name_namespace(uid)`.
func formatPod(_ pod: Pod) -> String {
    "\(pod.metadata.name ?? "")_\(pod.metadata.namespace ?? "")(\(pod.metadata.uid ?? ""))"
}

/// Go's `syscall.Errno.Error()` text: glibc's `strerror` with a lower-case first letter, as Go prints
/// `open /x: no such file or directory`.
func goErrnoText(_ e: Int32) -> String {
    var t = errnoText(e)
    if let f = t.first, f.isUppercase, !(t.count > 1 && t.dropFirst().first?.isUppercase == true) {
        t = f.lowercased() + t.dropFirst()
    }
    return t
}
