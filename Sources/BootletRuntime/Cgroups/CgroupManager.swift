#if canImport(Glibc)
import Glibc
#endif
import Logging
import OCISpec

/// Which driver manages cgroups. kubelet's `--cgroup-driver`; only `cgroupfs` is implemented.
public enum CgroupDriver: String, Sendable {
    case cgroupfs
    case systemd
}

/// Lifecycle of one cgroup (a pod, QoS or container cgroup) across every mounted hierarchy.
///
/// A protocol so that a systemd driver (transient units over D-Bus) can be added later without touching callers.
/// The runtime calls, in order: `create`, `apply`, then either passes `procsFiles()` to the C child (which writes
/// "0" to each before exec) or calls `addProcess(pid)`; at the end `killAll` and `remove`.
public protocol CgroupManager: Sendable {
    var host: CgroupHost { get }
    var path: CgroupPath { get }

    /// Creates the cgroup (and missing ancestors) in every hierarchy. Idempotent.
    func create() throws(CgroupError)
    /// True when the cgroup's directory exists in every hierarchy (kubelet's `Exists`).
    func exists() -> Bool
    /// Writes the OCI resources (only the fields that are set).
    func apply(_ resources: LinuxResources) throws(CgroupError)
    /// Moves `pid` (all its threads) into the cgroup in every hierarchy.
    func addProcess(_ pid: pid_t) throws(CgroupError)
    /// Absolute `cgroup.procs` paths, one per hierarchy, for a child to join itself by writing "0".
    func procsFiles() -> [String]
    /// What to mount under a container's /sys/fs/cgroup.
    func mountSources() -> [CgroupMountSource]
    func stats() throws(CgroupError) -> CgroupStats
    /// Number of OOM kills in this cgroup (and below) so far; the monitor compares before/after an exit.
    func oomKillCount() throws(CgroupError) -> UInt64
    /// Every pid in the cgroup and its descendants.
    func pids() throws(CgroupError) -> [pid_t]
    /// Sends `signal` to every process in the cgroup and its descendants. For SIGKILL, waits until the cgroup is
    /// empty (processes that exited but were not reaped do not count) or fails after `timeout`.
    func killAll(signal: Int32, timeout: Duration) throws(CgroupError)
    /// Freezes / thaws every process (OCI pause / resume).
    func freeze() throws(CgroupError)
    func thaw() throws(CgroupError)
    /// Removes the cgroup and its descendants from every hierarchy; a missing directory is not an error.
    func remove() throws(CgroupError)
    /// The memory-cgroup file whose `oom_kill` counter the monitor compares (v1 `memory.oom_control`, v2
    /// `memory.events`: the same "key value" lines); nil without a memory controller.
    func oomEventsFile() -> String?
}

extension CgroupManager {
    public func killAll(signal: Int32 = SIGKILL) throws(CgroupError) {
        try killAll(signal: signal, timeout: .seconds(5))
    }
}

/// One entry for mounting /sys/fs/cgroup inside a container: mount `hostPath` at `/sys/fs/cgroup/<name>`
/// (`name` "" means /sys/fs/cgroup itself, the pure-v2 case) and create a symlink for each alias pointing at
/// `name`, as runc does for co-mounted controllers (`cpu -> cpu,cpuacct`).
public struct CgroupMountSource: Sendable, Equatable {
    public var name: String
    public var hostPath: String
    public var isUnified: Bool
    public var aliases: [String]

    public init(name: String, hostPath: String, isUnified: Bool, aliases: [String] = []) {
        self.name = name
        self.hostPath = hostPath
        self.isUnified = isUnified
        self.aliases = aliases
    }
}

/// Usage figures of one cgroup. `nil` where the controller is not available; limits are `nil` when unlimited.
public struct CgroupStats: Sendable, Equatable {
    public var memoryUsageBytes: UInt64?
    /// usage minus inactive file pages: what kubelet reports and evicts on.
    public var memoryWorkingSetBytes: UInt64?
    public var memoryLimitBytes: UInt64?
    public var cpuUsageNanoseconds: UInt64?
    public var pidsCurrent: UInt64?
    public var pidsLimit: UInt64?
    public var oomKills: UInt64?

    public init() {}
}

/// Entry point: builds the manager for a driver and path.
public enum Cgroups {
    /// The manager for `path` on `host`. The systemd driver is rejected with a clear error.
    public static func manager(
        path: CgroupPath, host: CgroupHost, driver: CgroupDriver = .cgroupfs,
        logger: Logger = Logger(label: "bootlet.cgroups")
    ) throws(CgroupError) -> any CgroupManager {
        switch driver {
        case .cgroupfs:
            return CgroupfsManager(host: host, path: path, logger: logger)
        case .systemd:
            throw CgroupError.unsupported(
                "create cgroup manager for \(path)",
                "systemd cgroup driver not supported; run with --cgroup-driver=cgroupfs"
            )
        }
    }

    /// The manager for an OCI `linux.cgroupsPath` (absent → `<containerID>` under the runtime's own cgroup).
    public static func manager(
        ociCgroupsPath: String?, containerID: String, host: CgroupHost, driver: CgroupDriver = .cgroupfs,
        logger: Logger = Logger(label: "bootlet.cgroups")
    ) throws(CgroupError) -> any CgroupManager {
        try manager(
            path: CgroupPath(ociCgroupsPath: ociCgroupsPath, containerID: containerID), host: host, driver: driver,
            logger: logger
        )
    }
}
