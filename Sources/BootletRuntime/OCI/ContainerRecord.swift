import FoundationEssentials
import OCISpec

/// What bootlet remembers about a container: `<root>/<id>/state.json`, written atomically once the process
/// exists. Together with the monitor's `exit` record it is all a restarted runtime or runner needs.
public struct ContainerRecord: Codable, Sendable, Equatable {
    public var ociVersion: String = Spec.version
    public var id: String
    public var bundle: String
    public var rootfs: String
    public var pid: Int32
    /// /proc/<pid>/stat start time, so a recycled pid is never mistaken for the container.
    public var pidStartTime: UInt64
    public var monitorPid: Int32
    public var monitorStartTime: UInt64
    public var created: String
    /// When the process exec'd (ns since the epoch); nil until `start` for a created container.
    public var startedAt: Int64?
    public var annotations: [String: String]?
    /// Hooks still to run after creation (poststart on start, poststop on delete).
    public var hooks: Hooks?
    /// Container cgroup (relative path as passed to the cgroup manager), nil when the process stayed in the
    /// monitor's cgroups.
    public var cgroupPath: String?
    public var logPath: String?
    /// The container created its own pid namespace: when its init is gone, the kernel has killed everything else
    /// in it, so delete need not signal the cgroup's processes (runc skips signalAllProcesses the same way).
    public var ownPidNamespace: Bool?

    public init(
        id: String, bundle: String, rootfs: String, pid: Int32, pidStartTime: UInt64, monitorPid: Int32,
        monitorStartTime: UInt64, created: String, annotations: [String: String]?, hooks: Hooks?,
        cgroupPath: String? = nil, logPath: String? = nil
    ) {
        self.id = id
        self.bundle = bundle
        self.rootfs = rootfs
        self.pid = pid
        self.pidStartTime = pidStartTime
        self.monitorPid = monitorPid
        self.monitorStartTime = monitorStartTime
        self.created = created
        self.annotations = annotations
        self.hooks = hooks
        self.cgroupPath = cgroupPath
        self.logPath = logPath
    }
}

/// The monitor's `exit` file (see CShims/monitor/exitfile.c).
public struct ExitRecord: Codable, Sendable, Equatable {
    public var pid: Int32
    public var monitorPid: Int32?
    public var exitCode: Int32
    public var signal: Int32
    public var oomKilled: Bool
    public var startedAt: String
    public var finishedAt: String
    /// Set when the process never ran (exec failed, setup failed after `create`).
    public var startError: String?
    /// Set by bootlet (not the monitor) when the monitor vanished without recording the exit: "Unknown", with
    /// exit code 137, as containerd records a task whose shim is gone.
    public var reason: String?

    public init(pid: Int32, exitCode: Int32, signal: Int32 = 0, oomKilled: Bool = false, startedAt: String = "",
                finishedAt: String, startError: String? = nil, reason: String? = nil) {
        self.pid = pid
        self.exitCode = exitCode
        self.signal = signal
        self.oomKilled = oomKilled
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.startError = startError
        self.reason = reason
    }
}
