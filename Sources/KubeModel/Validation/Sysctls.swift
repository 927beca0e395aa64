/// kubelet's sysctl admission (`pkg/kubelet/sysctl`): the safe set is always allowed, anything else must be in
/// `allowedUnsafeSysctls` (exact names or `prefix*` patterns); namespaced net/ipc sysctls are refused when the
/// pod shares that namespace with the host. A refusal fails the pod with reason `SysctlForbidden`.
public enum SysctlPolicy {
    /// The safe set (kernel-version gates of newer entries are all met on supported kernels ≥ 4.5).
    public static let safe: Set<String> = [
        "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
    ]

    /// Slash-separated names are converted to dots (`net/ipv4/tcp_rmem` → `net.ipv4.tcp_rmem`), as kubelet does
    /// before sending them to the runtime. A name that already has dots keeps them; a `.` inside a slash form
    /// (an interface name like `eth0.100`) becomes `/`.
    public static func normalize(_ name: String) -> String {
        guard let firstSep = name.firstIndex(where: { $0 == "." || $0 == "/" }), name[firstSep] == "/" else {
            return name
        }
        return String(name.map { $0 == "/" ? "." : ($0 == "." ? "/" : $0) })
    }

    /// Which namespace a sysctl belongs to (`net`, `ipc`), or nil when not namespaced.
    public static func namespace(of name: String) -> String? {
        let n = normalize(name)
        if n.hasPrefix("net.") { return "net" }
        if n.hasPrefix("kernel.shm") || n.hasPrefix("kernel.msg") || n.hasPrefix("fs.mqueue.") || n == "kernel.sem" {
            return "ipc"
        }
        return nil
    }

    /// nil when the pod is admitted; otherwise kubelet's admission message (reason `SysctlForbidden`).
    public static func admissionError(for pod: Pod, allowedUnsafe: [String] = []) -> String? {
        for s in pod.spec.securityContext?.sysctls ?? [] {
            let name = normalize(s.name)
            let allowed = safe.contains(name) || allowedUnsafe.contains { pattern in
                pattern.hasSuffix("*") ? name.hasPrefix(String(pattern.dropLast())) : normalize(pattern) == name
            }
            guard allowed else { return "forbidden sysctl: \"\(s.name)\" not allowlisted" }
            switch namespace(of: name) {
            case "net" where pod.spec.hostNetwork:
                return "forbidden sysctl: \"\(s.name)\" not allowed with host net enabled"
            case "ipc" where pod.spec.hostIPC:
                return "forbidden sysctl: \"\(s.name)\" not allowed with host ipc enabled"
            case nil:
                return "forbidden sysctl: \"\(s.name)\" is not a namespaced sysctl"
            default:
                break
            }
        }
        return nil
    }
}
