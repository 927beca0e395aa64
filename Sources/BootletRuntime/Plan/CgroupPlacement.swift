/// Where the container process goes in the cgroup hierarchies and what its `/sys/fs/cgroup` shows
/// (built from the container's cgroup manager: `init(manager:)`).
public struct CgroupPlacement: Sendable, Equatable {
    public struct MountSource: Sendable, Equatable {
        /// Entry name under /sys/fs/cgroup (`memory`, `cpu,cpuacct`, `unified`), or "." for the whole view.
        public var name: String
        /// Host directory to bind, or `=target` for a symlink (co-mounted controllers).
        public var source: String
        public init(name: String, source: String) {
            self.name = name
            self.source = source
        }
    }
    /// The cgroup's directory in each cgroup v1 hierarchy. Without a user namespace the child joins these itself
    /// by writing "0" to `tasks` (a thread moving itself skips the kernel's global threadgroup lock and its RCU
    /// grace period).
    public var v1Directories: [String]
    /// The cgroup's directory in the cgroup2 hierarchy (hybrid's unified mount, pure v2), joined by the monitor.
    public var cgroup2Directory: String?
    public var mountSources: [MountSource]
    /// True on a pure cgroup v2 host: with a cgroup namespace the container mounts cgroup2 itself.
    public var unified: Bool
    /// Memory-cgroup file whose `oom_kill` counter tells an OOM kill (v1 memory.oom_control, v2 memory.events).
    public var oomFile: String?

    public init(
        v1Directories: [String], cgroup2Directory: String?, mountSources: [MountSource], unified: Bool, oomFile: String?
    ) {
        self.v1Directories = v1Directories
        self.cgroup2Directory = cgroup2Directory
        self.mountSources = mountSources
        self.unified = unified
        self.oomFile = oomFile
    }

    /// `cgroup.procs` in every hierarchy: where the monitor writes the child's pid when it must move it itself.
    public var procsFiles: [String] { (v1Directories + cgroup2ProcsDirectories).map { $0 + "/cgroup.procs" } }
    /// `tasks` in every v1 hierarchy.
    public var taskFiles: [String] { v1Directories.map { $0 + "/tasks" } }
    /// `cgroup.procs` of the cgroup2 hierarchy, if any.
    public var cgroup2ProcsFiles: [String] { cgroup2ProcsDirectories.map { $0 + "/cgroup.procs" } }
    private var cgroup2ProcsDirectories: [String] { cgroup2Directory.map { [$0] } ?? [] }
}
