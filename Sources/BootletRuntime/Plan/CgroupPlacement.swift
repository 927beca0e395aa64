#if canImport(Glibc)
import Glibc
#endif

/// Where the container process goes in the cgroup hierarchies and what its `/sys/fs/cgroup` shows.
///
/// The cgroup manager produces this for a container cgroup; `stayInCurrent()` keeps the process in the
/// monitor's own cgroups (an OCI bundle without `linux.cgroupsPath` when no manager is configured).
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
    /// `cgroup.procs` files, one per hierarchy: where the monitor writes the child's pid.
    public var procsFiles: [String]
    /// `tasks` files of the cgroup v1 hierarchies among them. Without a user namespace the child joins those
    /// itself by writing "0" (a thread moving itself skips the kernel's global threadgroup lock and its RCU grace
    /// period); only the cgroup2 entries of `procsFiles` are then left to the monitor.
    public var taskFiles: [String]
    public var mountSources: [MountSource]
    /// True on a pure cgroup v2 host: with a cgroup namespace the container mounts cgroup2 itself.
    public var unified: Bool
    /// Memory-cgroup file whose `oom_kill` counter tells an OOM kill (1 = v1 memory.oom_control, 2 = v2 memory.events).
    public var oomFile: (kind: UInt32, path: String)?

    public init(
        procsFiles: [String], taskFiles: [String] = [], mountSources: [MountSource], unified: Bool,
        oomFile: (kind: UInt32, path: String)?
    ) {
        self.procsFiles = procsFiles
        self.taskFiles = taskFiles
        self.mountSources = mountSources
        self.unified = unified
        self.oomFile = oomFile
    }

    public static func == (a: CgroupPlacement, b: CgroupPlacement) -> Bool {
        a.procsFiles == b.procsFiles && a.taskFiles == b.taskFiles && a.mountSources == b.mountSources && a.unified == b.unified
            && a.oomFile?.kind == b.oomFile?.kind && a.oomFile?.path == b.oomFile?.path
    }

    /// The `procsFiles` of cgroup2 hierarchies (those without a `tasks` file in `taskFiles`).
    public var unifiedProcsFiles: [String] {
        let v1Dirs = Set(taskFiles.map { String($0.dropLast("/tasks".count)) })
        return procsFiles.filter { !v1Dirs.contains(String($0.dropLast("/cgroup.procs".count))) }
    }

    /// The cgroups of the calling process, as a placement that joins nothing.
    public static func stayInCurrent(mountinfo: String? = nil, procSelfCgroup: String? = nil) -> CgroupPlacement {
        let mi = mountinfo ?? ((try? FileIO.readString("/proc/self/mountinfo")) ?? "")
        let pc = procSelfCgroup ?? ((try? FileIO.readString("/proc/self/cgroup")) ?? "")
        // hierarchy key ("" for cgroup2, else the controller list / name=) -> path
        var paths: [String: String] = [:]
        for e in (try? ProcCgroupEntry.parse(pc)) ?? [] { paths[e.controllers.joined(separator: ",")] = e.path }
        var sources: [MountSource] = []
        var unified = false
        let known: Set<String> = ["rw", "ro", "relatime", "nosuid", "nodev", "noexec", "clone_children", "noprefix"]
        for m in (try? MountInfoEntry.parse(mi)) ?? [] where m.fsType == "cgroup" || m.fsType == "cgroup2" {
            let name = m.mountPoint.split(separator: "/").last.map(String.init) ?? ""
            var key = ""
            if m.fsType == "cgroup" {
                key = m.superOptions.filter { !known.contains($0) && !$0.hasPrefix("release_agent") }.joined(separator: ",")
            }
            guard let own = paths[key] else { continue }
            if m.fsType == "cgroup2" && m.mountPoint == "/sys/fs/cgroup" { unified = true }
            // Path of our cgroup relative to this mount's root.
            var rel = own
            if m.root != "/" && rel.hasPrefix(m.root) { rel = String(rel.dropFirst(m.root.count)) }
            let src = rel == "/" || rel.isEmpty ? m.mountPoint : m.mountPoint + rel
            sources.append(MountSource(name: unified ? "." : name, source: src))
        }
        if unified { sources = sources.filter { $0.name == "." }.prefix(1).map { $0 } }
        return CgroupPlacement(procsFiles: [], mountSources: sources, unified: unified, oomFile: nil)
    }
}
