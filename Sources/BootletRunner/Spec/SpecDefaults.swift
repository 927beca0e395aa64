import OCISpec

/// The fixed parts of the specs containerd's CRI plugin generates, and kubelet's default path lists.
public enum SpecDefaults {
    /// containerd `pkg/oci/mounts.go` `defaultMounts()` without `/run` (CRI applies `WithoutRunMount`).
    /// `/dev/shm` is replaced by the sandbox's shm bind in every container.
    public static let systemMounts: [Mount] = [
        Mount(destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"]),
        Mount(
            destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
        Mount(
            destination: "/dev/pts", type: "devpts", source: "devpts",
            options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
        defaultShmMount,
        Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
        Mount(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
    ]

    /// The default spec's private `/dev/shm` (used only when no sandbox shm exists).
    public static let defaultShmMount = Mount(
        destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"])

    /// containerd `withMounts`: the cgroup view, read-only unless privileged (`WithWriteableCgroupfs`).
    public static func cgroupMount(writable: Bool) -> Mount {
        Mount(
            destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
            options: ["nosuid", "noexec", "nodev", "relatime", writable ? "rw" : "ro"])
    }

    /// kubelet `pkg/securitycontext/util.go` `defaultMaskedPaths` (procMount Default).
    public static let kubeletMaskedPaths = [
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ]

    /// kubelet `defaultReadonlyPaths`.
    public static let kubeletReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]

    /// containerd `populateDefaultUnixSpec` masked paths: what the pause container keeps (kubelet sends no lists
    /// for the sandbox).
    public static let containerdMaskedPaths = [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/sys/devices/virtual/powercap", "/proc/scsi",
    ]

    /// containerd `populateDefaultUnixSpec` read-only paths.
    public static let containerdReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]

    /// containerd `defaultUnixEnv`, added by `WithDefaultPathEnv` unless the image sets PATH.
    public static let defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// containerd's sandbox `/dev/shm` size (`defaultShmSize`, 64 MiB).
    public static let shmSizeOption = "size=65536k"

    /// kubelet `qos` policy: Guaranteed and node-critical pods.
    public static let guaranteedOOMScoreAdj = -997
    /// kubelet `qos` policy: BestEffort pods.
    public static let bestEffortOOMScoreAdj = 1000
    /// containerd `defaultSandboxOOMAdj` for the pause container.
    public static let sandboxOOMScoreAdj = -998
    /// containerd `DefaultSandboxCPUshares`.
    public static let sandboxCPUShares: UInt64 = 2

    /// The registry.k8s.io/pause image runs as `USER 65535:65535`; bootlet's pause does the same.
    public static let pauseUser = "65535:65535"
}
