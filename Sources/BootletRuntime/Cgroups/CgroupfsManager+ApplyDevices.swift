#if canImport(Glibc)
import Glibc
#endif
import Logging
import OCISpec

/// `apply` for block I/O, hugetlb, devices, network and the `unified` map.
extension CgroupfsManager {
    // MARK: block I/O

    func applyBlockIO(_ b: LinuxBlockIO) throws(CgroupError) {
        let (dir, v2) = try target(v2BlockController, for: "set block I/O limits")
        let throttles: [(devices: [LinuxThrottleDevice]?, v1: String, v2: String)] = [
            (b.throttleReadBpsDevice, "blkio.throttle.read_bps_device", "rbps"),
            (b.throttleWriteBpsDevice, "blkio.throttle.write_bps_device", "wbps"),
            (b.throttleReadIOPSDevice, "blkio.throttle.read_iops_device", "riops"),
            (b.throttleWriteIOPSDevice, "blkio.throttle.write_iops_device", "wiops"),
        ]
        if v2 {
            let bfq = fileExists(dir, "io.bfq.weight")
            if let w = b.weight, w != 0 {
                // BFQ takes the blkio range (1-1000) unchanged; io.weight needs the 1-10000 conversion (runc).
                if bfq {
                    try set(dir, "io.bfq.weight", String(w), "set block I/O weight (io.bfq.weight)")
                } else {
                    try set(dir, "io.weight", String(CgroupConversions.ioWeight(fromBlkioWeight: w)), "set block I/O weight")
                }
            }
            if b.leafWeight != nil {
                logger.warning("cgroups: block I/O leaf weight for \(path) has no cgroup v2 equivalent; ignored")
            }
            for d in b.weightDevice ?? [] {
                guard let w = d.weight else { continue }
                guard bfq else {
                    throw CgroupError.unsupported(
                        "set per-device block I/O weight for \(path)", "needs the BFQ scheduler (no io.bfq.weight)"
                    )
                }
                try set(dir, "io.bfq.weight", "\(d.major):\(d.minor) \(w)", "set per-device block I/O weight")
            }
            for t in throttles {
                for d in t.devices ?? [] {
                    try set(dir, "io.max", "\(d.major):\(d.minor) \(t.v2)=\(d.rate)", "set block I/O throttle \(t.v2)")
                }
            }
            return
        }
        if let w = b.weight, w != 0 {
            let file = try firstExisting(dir, ["blkio.weight", "blkio.bfq.weight"], "set block I/O weight")
            try set(dir, file, String(w), "set block I/O weight")
        }
        if let lw = b.leafWeight, lw != 0 {
            let file = try firstExisting(dir, ["blkio.leaf_weight"], "set block I/O leaf weight")
            try set(dir, file, String(lw), "set block I/O leaf weight")
        }
        for d in b.weightDevice ?? [] {
            if let w = d.weight {
                let file = try firstExisting(
                    dir, ["blkio.weight_device", "blkio.bfq.weight_device"], "set per-device block I/O weight"
                )
                try set(dir, file, "\(d.major):\(d.minor) \(w)", "set per-device block I/O weight")
            }
            if let lw = d.leafWeight {
                let file = try firstExisting(dir, ["blkio.leaf_weight_device"], "set per-device block I/O leaf weight")
                try set(dir, file, "\(d.major):\(d.minor) \(lw)", "set per-device block I/O leaf weight")
            }
        }
        for t in throttles {
            for d in t.devices ?? [] {
                try set(dir, t.v1, "\(d.major):\(d.minor) \(d.rate)", "set block I/O throttle")
            }
        }
    }

    /// blkio on v1, io on cgroup2.
    var v2BlockController: String { host.hierarchy(for: "blkio") != nil ? "blkio" : "io" }

    func firstExisting(_ dir: String, _ files: [String], _ what: String) throws(CgroupError) -> String {
        if let f = files.first(where: { fileExists(dir, $0) }) { return f }
        throw CgroupError.unsupported(
            "\(what) for \(path)", "this kernel's blkio controller has none of \(files.joined(separator: ", ")) in \(dir) "
                + "(weights need the BFQ I/O scheduler)"
        )
    }

    // MARK: hugetlb

    /// v1 `hugetlb.<size>.limit_in_bytes`; v2 `hugetlb.<size>.max`, plus `hugetlb.<size>.rsvd.max` when the kernel
    /// has it (runc sets both so reservations cannot dodge the limit).
    func applyHugetlb(_ limits: [LinuxHugepageLimit]) throws(CgroupError) {
        let (dir, v2) = try target("hugetlb", for: "set hugepage limits")
        for l in limits {
            guard CgroupConversions.validHugepageSize(l.pageSize) else {
                throw CgroupError.invalid(
                    "set hugepage limit for \(path)", "page size \"\(l.pageSize)\" is not of the form <n>KB|MB|GB (e.g. 2MB)"
                )
            }
            let file = v2 ? "hugetlb.\(l.pageSize).max" : "hugetlb.\(l.pageSize).limit_in_bytes"
            let value = String(l.limit)
            let rc = CgroupFiles.writeErrno(CgroupFiles.join(dir, file), value)
            if rc == ENOENT {
                throw CgroupError.unsupported(
                    "set hugepage limit \(l.pageSize) for \(path)",
                    "this host has no \(l.pageSize) huge pages (no \(CgroupFiles.join(dir, file)))"
                )
            } else if rc != 0 {
                throw CgroupError(
                    step: "set hugepage limit \(l.pageSize) for \(path)", path: CgroupFiles.join(dir, file), errno: rc,
                    detail: "writing \"\(value)\""
                )
            }
            if v2 {
                // Reservation accounting (Linux 5.7+): absent on older kernels, which is fine.
                let rsvd = CgroupFiles.join(dir, "hugetlb.\(l.pageSize).rsvd.max")
                let rc = CgroupFiles.writeErrno(rsvd, value)
                if rc != 0 && rc != ENOENT {
                    throw CgroupError(
                        step: "set hugepage reservation limit \(l.pageSize) for \(path)", path: rsvd, errno: rc,
                        detail: "writing \"\(value)\""
                    )
                }
            }
        }
    }

    // MARK: devices

    /// v1: each rule in order to `devices.allow` / `devices.deny` (`c 1:3 rwm`, `a` for all devices).
    /// cgroup2 has no device files: enforcement needs an eBPF program attached to the cgroup, which bootlet does
    /// not load yet, so the rules are logged as not enforced (the container's /dev still only holds the nodes the
    /// runtime creates, and the default capability set lacks CAP_MKNOD).
    func applyDevices(_ rules: [LinuxDeviceCgroup]) throws(CgroupError) {
        var lines: [(allow: Bool, line: String)] = []
        for r in rules { lines.append((r.allow, try Self.deviceRuleLine(r))) }
        guard let h = host.hierarchy(for: "devices"), !h.isUnified,
            let p = placements.first(where: { $0.hierarchy == h })
        else {
            let why =
                host.mode == .v2
                ? "cgroup v2 device control needs eBPF, which bootlet does not implement yet"
                : "the devices controller is not mounted"
            logger.warning("cgroups: \(rules.count) device cgroup rules for \(path) are NOT enforced: \(why)")
            return
        }
        for l in lines {
            try set(p.dir, l.allow ? "devices.allow" : "devices.deny", l.line, "apply device rule \"\(l.line)\"")
        }
    }

    static func deviceRuleLine(_ r: LinuxDeviceCgroup) throws(CgroupError) -> String {
        let type = r.type ?? "a"
        let access = r.access ?? "rwm"
        let step = "apply device rule"
        guard ["a", "b", "c"].contains(type) else { throw CgroupError.invalid(step, "device type \"\(type)\" is not a, b or c") }
        guard !access.isEmpty, access.allSatisfy({ "rwm".contains($0) }) else {
            throw CgroupError.invalid(step, "access \"\(access)\" is not a combination of r, w, m")
        }
        if type == "a" { return "a" }
        func num(_ v: Int64?) -> String { v.map { $0 < 0 ? "*" : String($0) } ?? "*" }
        return "\(type) \(num(r.major)):\(num(r.minor)) \(access)"
    }

    // MARK: network

    /// net_cls / net_prio exist only as v1 hierarchies; kubelet and containerd never set them. When they are not
    /// mounted (as on the CI hosts) the request is logged as not enforced.
    func applyNetwork(_ n: LinuxNetwork) throws(CgroupError) {
        if let id = n.classID {
            if let (dir, v2) = try? target("net_cls", for: "set net_cls class id"), !v2 {
                try set(dir, "net_cls.classid", String(id), "set net_cls class id")
            } else {
                logger.warning("cgroups: net_cls class id for \(path) NOT enforced: net_cls is not mounted")
            }
        }
        if let prios = n.priorities, !prios.isEmpty {
            if let (dir, v2) = try? target("net_prio", for: "set net_prio priorities"), !v2 {
                for p in prios {
                    try set(dir, "net_prio.ifpriomap", "\(p.name) \(p.priority)", "set net_prio priority")
                }
            } else {
                logger.warning("cgroups: net_prio priorities for \(path) NOT enforced: net_prio is not mounted")
            }
        }
    }

    // MARK: unified

    /// OCI `unified`: file name → value, written as is into the cgroup2 directory after everything else (so it
    /// overrides converted values, as in runc). Legacy v1 has nowhere to put them (error, like runc). On hybrid only
    /// keys of controllers bound to cgroup2 there (e.g. `hugetlb.*`) and core `cgroup.*` keys are accepted.
    func applyUnified(_ map: [String: String]) throws(CgroupError) {
        guard let u = host.unified, let p = placements.first(where: { $0.hierarchy.isUnified }) else {
            throw CgroupError.unsupported(
                "apply unified resources for \(path)", "cgroup v1 (legacy) hosts have no cgroup2 hierarchy for them"
            )
        }
        for key in map.keys.sorted() {
            guard let value = map[key] else { continue }
            let step = "apply unified resource \(key) for \(path)"
            let parts = key.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count >= 2, parts.allSatisfy({ !$0.isEmpty }), !key.contains("/") else {
                throw CgroupError.invalid(step, "\"\(key)\" is not a cgroup file name")
            }
            let controller = String(parts[0])
            if ["cgroup.procs", "cgroup.threads", "cgroup.subtree_control", "cgroup.kill", "cgroup.freeze"].contains(key) {
                throw CgroupError.invalid(step, "\(key) is managed by the runtime, not a resource")
            }
            if controller != "cgroup" && !u.has(controller) {
                let why =
                    host.mode == .hybrid
                    ? "the \(controller) controller is bound to a v1 hierarchy on this hybrid host"
                    : "the \(controller) controller is not available (cgroup.controllers)"
                throw CgroupError.unsupported(step, why)
            }
            try set(p.dir, key, value, "apply unified resource \(key)")
        }
    }
}
