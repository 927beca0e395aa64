#if canImport(Glibc)
import Glibc
#endif
import Logging
import OCISpec

/// The cgroupfs driver: plain mkdir/write/rmdir in every mounted hierarchy, the way runc's `fs`/`fs2` managers and
/// kubelet's cgroupfs driver lay cgroups out. A value type; all state lives in the filesystem, so two managers for
/// the same path are interchangeable (e.g. one in `create`, another in `delete`).
public struct CgroupfsManager: CgroupManager {
    public let host: CgroupHost
    public let path: CgroupPath
    let logger: Logger
    /// One placement per hierarchy, in `host.hierarchies` order.
    let placements: [Placement]

    /// Where the cgroup lives in one hierarchy.
    struct Placement: Sendable {
        let hierarchy: CgroupHierarchy
        /// On-disk mount point (with the test prefix).
        let base: String
        /// Components from the mount point down to the cgroup itself.
        let components: [String]

        var dir: String { base + "/" + components.joined(separator: "/") }

        /// Directories from the mount point (index 0) down to the cgroup (last).
        var levels: [String] {
            var out = [base]
            var cur = base
            for c in components {
                cur += "/" + c
                out.append(cur)
            }
            return out
        }
    }

    public init(host: CgroupHost, path: CgroupPath, logger: Logger = Logger(label: "bootlet.cgroups")) {
        self.host = host
        self.path = path
        self.logger = logger
        self.placements = host.hierarchies.map { h in
            var comps: [String] = []
            if !path.isAbsolute {
                var own = Substring(h.ownCgroup)
                if h.mountRoot != "/", own.hasPrefix(h.mountRoot) { own = own.dropFirst(h.mountRoot.count) }
                comps = own.split(separator: "/").map(String.init)
            }
            return Placement(hierarchy: h, base: host.disk(h.mountPoint), components: comps + path.components)
        }
    }

    // MARK: - Paths

    /// The cgroup's directory in the hierarchy that enforces `controller` (e.g. `memory`, `hugetlb`), or nil when
    /// the controller is not available on this host.
    public func directory(for controller: String) -> String? {
        guard let h = host.hierarchy(for: controller) else { return nil }
        return placements.first { $0.hierarchy == h }?.dir
    }

    /// The cgroup's directory in the cgroup2 mount (hybrid, v2).
    public var unifiedDirectory: String? { placements.first { $0.hierarchy.isUnified }?.dir }

    public func oomEventsFile() -> String? {
        guard let dir = directory(for: "memory") else { return nil }
        return dir + (dir == unifiedDirectory ? "/memory.events" : "/memory.oom_control")
    }

    /// Every directory of the cgroup, one per hierarchy.
    public var directories: [String] { placements.map(\.dir) }

    public func procsFiles() -> [String] {
        placements.map { CgroupFiles.join($0.dir, "cgroup.procs") }
    }

    public func mountSources() -> [CgroupMountSource] {
        placements.map { p in
            let name = p.hierarchy.mountName
            let aliases =
                p.hierarchy.isUnified
                ? [] : p.hierarchy.controllers.filter { !$0.hasPrefix("name=") && $0 != name && name.contains(",") }
            return CgroupMountSource(name: name, hostPath: p.dir, isUnified: p.hierarchy.isUnified, aliases: aliases)
        }
    }

    /// True when the cgroup directory exists in every hierarchy.
    public func exists() -> Bool {
        placements.allSatisfy { CgroupFiles.isDirectory($0.dir) }
    }

    // MARK: - Create

    public func create() throws(CgroupError) {
        var created: [String] = []
        do throws(CgroupError) {
            for p in placements {
                let levels = p.levels
                let leaf = levels.count - 1
                // Usually only the leaf is new (the pod cgroup exists): one mkdir; walk down from the top only
                // when a parent is missing.
                if mkdir(levels[leaf], 0o755) == 0 {
                    created.append(levels[leaf])
                } else if errno == ENOENT {
                    for i in 1...leaf {
                        if try CgroupFiles.makeDirectory(levels[i], step: "create cgroup \(path)") { created.append(levels[i]) }
                    }
                } else if errno != EEXIST {
                    throw CgroupError(step: "create cgroup \(path)", path: levels[leaf], errno: errno)
                }
                // v1 cpuset: a new cgroup starts with empty cpus/mems and refuses tasks (ENOSPC) until they are
                // set, so copy them from the parent, fixing empty ancestors first (runc's cpusetEnsureParent).
                if !p.hierarchy.isUnified && p.hierarchy.has("cpuset") { try ensureCpuset(levels, leaf) }
                // v2: like runc's fs2 CreateCgroupPath, enable every available controller in each ancestor so the
                // leaf gets cpu/memory/io/pids/... files; failures surface later in apply with the file name.
                if p.hierarchy.isUnified && host.mode == .v2 { enableAllControllers(p) }
            }
        } catch {
            for d in created.reversed() { _ = rmdir(d) }
            throw error
        }
    }

    func enableAllControllers(_ p: Placement) {
        let levels = p.levels
        // The leaf's cgroup.controllers is its parent's subtree_control, which can only hold what every ancestor
        // enabled: if it already lists everything the root has, there is nothing to do (one read).
        let have = Set(words(CgroupFiles.readTrimmed(CgroupFiles.join(levels[levels.count - 1], "cgroup.controllers")) ?? ""))
        if Set(p.hierarchy.controllers).isSubset(of: have) { return }
        for dir in levels.dropLast() { enableControllers(nil, in: dir) }
    }

    /// Enables controllers in `dir/cgroup.subtree_control`: `wanted == nil` means every controller `dir` has, with
    /// errors ignored (runc's behaviour at create); otherwise the named ones, and failures are errors.
    @discardableResult
    func enableControllers(_ wanted: [String]?, in dir: String) -> CgroupError? {
        let controllersFile = CgroupFiles.join(dir, "cgroup.controllers")
        let subtreeFile = CgroupFiles.join(dir, "cgroup.subtree_control")
        let available = words(CgroupFiles.readTrimmed(controllersFile) ?? "")
        let enabled = Set(words(CgroupFiles.readTrimmed(subtreeFile) ?? "").map { $0.hasPrefix("+") ? String($0.dropFirst()) : $0 })
        if let wanted, let missing = wanted.first(where: { !available.contains($0) }) {
            return CgroupError(
                step: "enable cgroup2 controller \(missing) for \(path)", path: controllersFile,
                detail: "the controller is not available there (cgroup.controllers: \"\(available.joined(separator: " "))\")"
            )
        }
        let toEnable = (wanted ?? available).filter { available.contains($0) && !enabled.contains($0) }
        if toEnable.isEmpty { return nil }
        let rc = CgroupFiles.writeErrno(subtreeFile, toEnable.map { "+" + $0 }.joined(separator: " "))
        if rc == 0 { return nil }
        if wanted == nil {
            for c in toEnable { _ = CgroupFiles.writeErrno(subtreeFile, "+" + c) }
            logger.debug("could not enable all cgroup2 controllers in \(subtreeFile): \(String(cString: strerror(rc)))")
            return nil
        }
        return CgroupError(
            step: "enable cgroup2 controllers \(toEnable.joined(separator: ",")) for \(path)", path: subtreeFile, errno: rc,
            detail: rc == EBUSY ? "the cgroup has processes of its own (cgroup v2 no-internal-processes rule)" : nil
        )
    }

    /// Makes sure `controllers` are enabled in every ancestor of the cgroup in the cgroup2 hierarchy, so that their
    /// files exist in the leaf. Used by `apply` for controllers bound to cgroup2 (all of them on v2; on hybrid the
    /// ones v1 does not carry, e.g. hugetlb). Enabling is lazy on hybrid because there the cgroup2 tree is
    /// otherwise only used for process tracking and enabling a controller in its root is a host-wide change.
    func ensureUnifiedControllers(_ controllers: [String]) throws(CgroupError) {
        guard !controllers.isEmpty, let p = placements.first(where: { $0.hierarchy.isUnified }) else { return }
        let levels = p.levels
        let have = Set(words(CgroupFiles.readTrimmed(CgroupFiles.join(levels[levels.count - 1], "cgroup.controllers")) ?? ""))
        if Set(controllers).isSubset(of: have) { return }
        for dir in levels.dropLast() {
            if let e = enableControllers(controllers, in: dir) { throw e }
        }
    }

    /// Gives `levels[i]` non-empty cpuset.cpus/mems, copying from the parent (fixed first if it is empty too).
    func ensureCpuset(_ levels: [String], _ i: Int) throws(CgroupError) {
        guard i > 0 else { return }
        for name in ["cpuset.cpus", "cpuset.mems"] {
            let file = CgroupFiles.join(levels[i], name)
            if let v = CgroupFiles.readTrimmed(file), !v.isEmpty { continue }
            let parentFile = CgroupFiles.join(levels[i - 1], name)
            var value = (try CgroupFiles.read(parentFile, step: "copy \(name) from the parent cgroup")).bl_trimmed()
            if value.isEmpty {
                try ensureCpuset(levels, i - 1)
                value = (try CgroupFiles.read(parentFile, step: "copy \(name) from the parent cgroup")).bl_trimmed()
            }
            try CgroupFiles.write(file, value, step: "copy \(name) from the parent cgroup for \(path)")
        }
    }

    // MARK: - Processes

    public func addProcess(_ pid: pid_t) throws(CgroupError) {
        for p in placements {
            let file = CgroupFiles.join(p.dir, "cgroup.procs")
            var attempts = 0
            while true {
                let rc = CgroupFiles.writeErrno(file, String(pid))
                if rc == 0 { break }
                attempts += 1
                if rc == ENOSPC, !p.hierarchy.isUnified, p.hierarchy.has("cpuset"), attempts == 1 {
                    // cpuset.cpus/mems emptied since create (e.g. CPU hot-unplug): copy from the parent and retry.
                    let levels = p.levels
                    try ensureCpuset(levels, levels.count - 1)
                    continue
                }
                if rc == EINVAL, attempts < 5 {
                    // A task still in TASK_NEW cannot be moved yet (runc retries the same way).
                    CgroupFiles.sleepMillis(10)
                    continue
                }
                throw CgroupError(
                    step: "add process \(pid) to cgroup \(path)", path: file, errno: rc,
                    detail: rc == ESRCH ? "the process no longer exists" : nil
                )
            }
        }
    }

    // MARK: - Remove

    public func remove() throws(CgroupError) {
        // One shared budget: just-killed processes leave their cgroups within milliseconds, so ~1 s of EBUSY
        // retries (runc's budget per path) covers them without multiplying by the number of hierarchies.
        let deadline = ContinuousClock.now.advanced(by: .seconds(1))
        var failures: [CgroupError] = []
        for p in placements {
            do throws(CgroupError) { try removeTree(p.dir, deadline: deadline) } catch { failures.append(error) }
        }
        if let first = failures.first {
            if failures.count == 1 { throw first }
            throw CgroupError(
                step: "remove cgroup \(path)", detail: failures.map(\.description).joined(separator: "; ")
            )
        }
    }

    /// rmdir bottom-up: child cgroups first, then the directory. EBUSY is retried with backoff until `deadline`
    /// while the cgroup looks empty (processes on their way out); when it still lists processes the error comes
    /// after a few quick retries, naming them. ENOENT is success.
    func removeTree(_ dir: String, deadline: ContinuousClock.Instant) throws(CgroupError) {
        if rmdir(dir) == 0 || errno == ENOENT { return }
        for child in try CgroupFiles.subdirectories(dir) {
            try removeTree(CgroupFiles.join(dir, child), deadline: deadline)
        }
        var delay = 1
        var busyWithProcesses = 0
        while true {
            if rmdir(dir) == 0 { return }
            let e = errno
            if e == ENOENT { return }
            if e == EINTR { continue }
            var detail: String? = nil
            if e == EBUSY {
                let procs = CgroupFiles.readTrimmed(CgroupFiles.join(dir, "cgroup.procs")) ?? ""
                if procs.isEmpty {
                    if ContinuousClock.now < deadline {
                        CgroupFiles.sleepMillis(delay)
                        delay = min(delay * 2, 100)
                        continue
                    }
                } else {
                    busyWithProcesses += 1
                    if busyWithProcesses < 4 {
                        CgroupFiles.sleepMillis(busyWithProcesses * 2)
                        continue
                    }
                    detail = "still has processes: \(procs.split(separator: "\n").joined(separator: " "))"
                }
            }
            throw CgroupError(step: "remove cgroup \(path)", path: dir, errno: e, detail: detail)
        }
    }
}

func words(_ s: String) -> [String] {
    s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init)
}
