#if canImport(Glibc)
import Glibc
#endif

/// How cgroups are mounted on this host.
public enum CgroupMode: String, Sendable, Equatable, CustomStringConvertible {
    /// Only v1 controller hierarchies ("legacy"; systemd `legacy` layout).
    case v1 = "legacy"
    /// v1 controller hierarchies plus a cgroup2 mount (systemd `hybrid`, usually at /sys/fs/cgroup/unified). The
    /// cgroup2 mount tracks processes and carries every controller that is not bound to a v1 hierarchy (on the CI
    /// hosts: `hugetlb`).
    case hybrid
    /// cgroup2 only, at /sys/fs/cgroup ("unified").
    case v2 = "unified"

    public var description: String { rawValue }
}

/// One mounted cgroup hierarchy: a v1 hierarchy with its controllers, or the cgroup2 mount.
public struct CgroupHierarchy: Sendable, Equatable {
    /// v1: the controllers bound to it, as /proc/self/cgroup lists them (`cpu`, `cpu,cpuacct`, `name=systemd`).
    /// cgroup2: the controllers usable through it (hybrid: only those not bound to v1).
    public var controllers: [String]
    public var isUnified: Bool
    /// Where the hierarchy is mounted, as seen in mountinfo (e.g. `/sys/fs/cgroup/cpu,cpuacct`).
    public var mountPoint: String
    /// The cgroup the mount shows at its mount point (mountinfo field 4, `/` unless bind-mounted or namespaced).
    public var mountRoot: String
    /// This process's own cgroup in the hierarchy (from /proc/self/cgroup), used for relative paths.
    public var ownCgroup: String

    /// The name of the mount point inside /sys/fs/cgroup (`cpu,cpuacct`, `systemd`, `unified`); "" for the cgroup2
    /// mount of a pure v2 host, which is /sys/fs/cgroup itself.
    public var mountName: String {
        if isUnified && mountPoint == "/sys/fs/cgroup" { return "" }
        return mountPoint.split(separator: "/").last.map(String.init) ?? ""
    }

    public func has(_ controller: String) -> Bool { controllers.contains(controller) }
}

/// Cgroup layout of the host: the mode plus every hierarchy. Detected once per process from
/// `/proc/self/mountinfo` and `/proc/self/cgroup`; both texts and a filesystem prefix are injectable so v1, hybrid
/// and v2 logic run against a fake tree in tests (the prefix is prepended to every mount point on disk access).
public struct CgroupHost: Sendable, Equatable {
    public let mode: CgroupMode
    /// v1 hierarchies first (mountinfo order), then the cgroup2 mount if it is used (hybrid, v2).
    public let hierarchies: [CgroupHierarchy]
    /// Prepended to mount points for every file access ("" on a real host).
    public let rootPrefix: String

    public init(mode: CgroupMode, hierarchies: [CgroupHierarchy], rootPrefix: String = "") {
        self.mode = mode
        self.hierarchies = hierarchies
        self.rootPrefix = rootPrefix
    }

    public var unified: CgroupHierarchy? { hierarchies.first { $0.isUnified } }
    public var v1Hierarchies: [CgroupHierarchy] { hierarchies.filter { !$0.isUnified } }

    /// The hierarchy that enforces `controller`: a v1 hierarchy that has it, else the cgroup2 mount when the
    /// controller is usable there. `nil` when the controller is not available on this host at all.
    public func hierarchy(for controller: String) -> CgroupHierarchy? {
        if let h = v1Hierarchies.first(where: { $0.has(controller) }) { return h }
        if let u = unified, u.has(controller) { return u }
        return nil
    }

    /// The on-disk path of a mount point (with the test prefix).
    func disk(_ mountPoint: String) -> String { rootPrefix + mountPoint }

    /// Detects the host from the running process's /proc files.
    public static func current() throws(CgroupError) -> CgroupHost {
        let mi = try CgroupFiles.read("/proc/self/mountinfo", step: "detect cgroup mode: read mountinfo")
        let pc = try CgroupFiles.read("/proc/self/cgroup", step: "detect cgroup mode: read /proc/self/cgroup")
        return try detect(mountinfo: mi, procSelfCgroup: pc)
    }

    /// Detects the layout from the given texts. For hybrid and v2 the cgroup2 root's `cgroup.controllers` is read
    /// from disk (under `rootPrefix`) to learn which controllers cgroup2 carries.
    ///
    /// Rules (matching what runc and systemd call legacy/hybrid/unified):
    /// * a v1 hierarchy is a `cgroup` mount whose super options hold the controllers of a /proc/self/cgroup line;
    ///   the first such mount (preferring one under /sys/fs/cgroup) is used; unmounted hierarchies are skipped;
    /// * any v1 hierarchy with a real controller → `.v1`, or `.hybrid` when a `cgroup2` mount exists too;
    /// * otherwise a `cgroup2` mount (preferring /sys/fs/cgroup) → `.v2`; named v1 hierarchies are then ignored.
    public static func detect(
        mountinfo: String, procSelfCgroup: String, rootPrefix: String = ""
    ) throws(CgroupError) -> CgroupHost {
        let mounts = MountInfoEntry.visible(try MountInfoEntry.parse(mountinfo)) { $0.fsType == "cgroup" || $0.fsType == "cgroup2" }
        let lines = try ProcCgroupEntry.parse(procSelfCgroup)

        var v1: [CgroupHierarchy] = []
        for line in lines where line.hierarchyID != 0 && !line.controllers.isEmpty {
            let candidates = mounts.filter { m in
                m.fsType == "cgroup" && line.controllers.allSatisfy { m.superOptions.contains($0) }
            }
            guard let m = candidates.first(where: { $0.mountPoint.hasPrefix("/sys/fs/cgroup/") }) ?? candidates.first
            else { continue }
            if v1.contains(where: { $0.mountPoint == m.mountPoint }) { continue }
            v1.append(
                CgroupHierarchy(
                    controllers: line.controllers, isUnified: false, mountPoint: m.mountPoint, mountRoot: m.root,
                    ownCgroup: line.path
                )
            )
        }
        // Keep mountinfo order so that directories are created in a stable, host-defined order.
        v1.sort { a, b in
            (mounts.firstIndex { $0.mountPoint == a.mountPoint } ?? 0) < (mounts.firstIndex { $0.mountPoint == b.mountPoint } ?? 0)
        }

        let v2Mounts = mounts.filter { $0.fsType == "cgroup2" }
        let v2Mount =
            v2Mounts.first { $0.mountPoint == "/sys/fs/cgroup" } ?? v2Mounts.first { $0.mountPoint == "/sys/fs/cgroup/unified" }
            ?? v2Mounts.first
        let v2Own = lines.first { $0.hierarchyID == 0 }?.path ?? "/"

        let hasRealV1 = v1.contains { h in h.controllers.contains { !$0.hasPrefix("name=") } }
        if hasRealV1 {
            guard let v2Mount else { return CgroupHost(mode: .v1, hierarchies: v1, rootPrefix: rootPrefix) }
            let v1Controllers = Set(v1.flatMap(\.controllers))
            let available = try readControllers(rootPrefix + v2Mount.mountPoint)
            let unified = CgroupHierarchy(
                controllers: available.filter { !v1Controllers.contains($0) }, isUnified: true,
                mountPoint: v2Mount.mountPoint, mountRoot: v2Mount.root, ownCgroup: v2Own
            )
            return CgroupHost(mode: .hybrid, hierarchies: v1 + [unified], rootPrefix: rootPrefix)
        }
        guard let v2Mount else {
            throw CgroupError.unsupported(
                "detect cgroup mode", "no cgroup v1 controller hierarchy and no cgroup2 filesystem is mounted"
            )
        }
        let unified = CgroupHierarchy(
            controllers: try readControllers(rootPrefix + v2Mount.mountPoint), isUnified: true,
            mountPoint: v2Mount.mountPoint, mountRoot: v2Mount.root, ownCgroup: v2Own
        )
        return CgroupHost(mode: .v2, hierarchies: [unified], rootPrefix: rootPrefix)
    }

    static func readControllers(_ dir: String) throws(CgroupError) -> [String] {
        let text = try CgroupFiles.read(
            CgroupFiles.join(dir, "cgroup.controllers"), step: "detect cgroup mode: read cgroup2 controllers"
        )
        return text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    }
}
