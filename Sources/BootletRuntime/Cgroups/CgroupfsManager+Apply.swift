#if canImport(Glibc)
import Glibc
#endif
import Logging
import OCISpec

/// `apply`: OCI `linux.resources` → control files. Each controller goes to the hierarchy that enforces it on this
/// host, and the file names follow that hierarchy's version, so hybrid needs no special case: memory is written as
/// v1 `memory.limit_in_bytes` while hugetlb (bound to cgroup2 there) is written as v2 `hugetlb.2MB.max`.
/// Only fields that are set are written (nil = leave as is), as runc does. Order follows runc's fs manager
/// (cpuset, cpu, memory, pids, blkio, hugetlb, devices, net), then the `unified` map, which overrides.
extension CgroupfsManager {
    public func apply(_ r: LinuxResources) throws(CgroupError) {
        try ensureUnifiedControllers(unifiedControllersNeeded(r))
        if let cpu = r.cpu {
            try applyCpuset(cpu)
            try applyCPU(cpu)
        }
        if let m = r.memory { try applyMemory(m) }
        if let p = r.pids { try applyPids(p) }
        if let b = r.blockIO { try applyBlockIO(b) }
        if let h = r.hugepageLimits, !h.isEmpty { try applyHugetlb(h) }
        if let d = r.devices, !d.isEmpty { try applyDevices(d) }
        if let n = r.network { try applyNetwork(n) }
        if let u = r.unified, !u.isEmpty { try applyUnified(u) }
    }

    /// Controllers that `r` writes through the cgroup2 hierarchy (so they must be enabled in its ancestors).
    func unifiedControllersNeeded(_ r: LinuxResources) -> [String] {
        guard let u = host.unified else { return [] }
        var want: [String] = []
        if let c = r.cpu {
            if c.shares != nil || c.quota != nil || c.period != nil || c.burst != nil || c.idle != nil { want.append("cpu") }
            if c.cpus != nil || c.mems != nil { want.append("cpuset") }
        }
        if r.memory != nil { want.append("memory") }
        if r.pids != nil { want.append("pids") }
        if r.blockIO != nil { want.append("io") }
        if let h = r.hugepageLimits, !h.isEmpty { want.append("hugetlb") }
        for key in (r.unified ?? [:]).keys {
            if let prefix = key.split(separator: ".").first.map(String.init), u.controllers.contains(prefix) {
                want.append(prefix)
            }
        }
        var seen = Set<String>()
        return want.filter { c in
            // Only controllers this host routes to cgroup2 (on hybrid, a v1-bound controller never is).
            host.hierarchy(for: c)?.isUnified == true && seen.insert(c).inserted
        }
    }

    /// The directory enforcing `controller` and whether it is cgroup2; a clear error when the host lacks it.
    func target(_ controller: String, for what: String) throws(CgroupError) -> (dir: String, v2: Bool) {
        guard let h = host.hierarchy(for: controller), let p = placements.first(where: { $0.hierarchy == h }) else {
            throw CgroupError.unsupported(
                "\(what) for \(path)", "the \(controller) controller is not available on this host (cgroup mode \(host.mode))"
            )
        }
        return (p.dir, h.isUnified)
    }

    func set(_ dir: String, _ file: String, _ value: String, _ what: String) throws(CgroupError) {
        let full = CgroupFiles.join(dir, file)
        let rc = CgroupFiles.writeErrno(full, value)
        guard rc != 0 else { return }
        var detail = "writing \"\(value)\""
        if rc == ENOENT { detail += "; no such control file: the controller is not enabled here or the kernel lacks it" }
        throw CgroupError(step: "\(what) for \(path)", path: full, errno: rc, detail: detail)
    }

    func fileExists(_ dir: String, _ file: String) -> Bool { CgroupFiles.exists(CgroupFiles.join(dir, file)) }

    // MARK: cpuset

    func applyCpuset(_ c: LinuxCPU) throws(CgroupError) {
        guard c.cpus != nil || c.mems != nil else { return }
        let (dir, _) = try target("cpuset", for: "set cpuset")
        if let cpus = c.cpus, !cpus.isEmpty { try set(dir, "cpuset.cpus", cpus, "set cpuset.cpus") }
        if let mems = c.mems, !mems.isEmpty { try set(dir, "cpuset.mems", mems, "set cpuset.mems") }
    }

    // MARK: cpu

    func applyCPU(_ c: LinuxCPU) throws(CgroupError) {
        let quota = c.quota ?? 0
        let period = c.period ?? 0
        let hasRT = (c.realtimeRuntime ?? 0) != 0 || (c.realtimePeriod ?? 0) != 0
        guard (c.shares ?? 0) != 0 || quota != 0 || period != 0 || c.burst != nil || c.idle != nil || hasRT else { return }
        if quota < -1 { throw CgroupError.invalid("set cpu quota for \(path)", "quota \(quota) is invalid (use -1 for none)") }
        let (dir, v2) = try target("cpu", for: "set cpu limits")
        if v2 {
            if hasRT {
                throw CgroupError.unsupported("set realtime cpu for \(path)", "cgroup v2 has no cpu.rt_* files")
            }
            if let idle = c.idle { try set(dir, "cpu.idle", String(idle), "set cpu.idle") }
            if let shares = c.shares, shares != 0 {
                try set(dir, "cpu.weight", String(CgroupConversions.cpuWeight(fromShares: shares)), "set cpu weight")
            }
            if quota != 0 || period != 0 {
                // runc's fs2: quota > 0 → value, otherwise "max"; the period only when given.
                var v = quota > 0 ? String(quota) : "max"
                if period != 0 { v += " \(period)" }
                try set(dir, "cpu.max", v, "set cpu quota/period (cpu.max)")
            }
            if let burst = c.burst { try set(dir, "cpu.max.burst", String(burst), "set cpu burst") }
            return
        }
        if let shares = c.shares, shares != 0 {
            try set(dir, "cpu.shares", String(shares), "set cpu shares")
            // The kernel clamps to [2, 262144]; report the clamp like runc instead of running with another value.
            if let got = CgroupFiles.readTrimmed(CgroupFiles.join(dir, "cpu.shares")).flatMap(UInt64.init), got != shares {
                throw CgroupError.invalid(
                    "set cpu shares for \(path)", "requested \(shares) but the kernel applied \(got) (allowed range 2-262144)"
                )
            }
        }
        // A new period can be rejected (EINVAL) while the old quota/new period would exceed the parent's limit;
        // then the quota goes first and the period is retried (runc's order).
        var periodPending = false
        if period != 0 {
            let rc = CgroupFiles.writeErrno(CgroupFiles.join(dir, "cpu.cfs_period_us"), String(period))
            if rc == EINVAL && quota != 0 {
                periodPending = true
            } else if rc != 0 {
                throw CgroupError(
                    step: "set cpu period for \(path)", path: CgroupFiles.join(dir, "cpu.cfs_period_us"), errno: rc,
                    detail: "writing \"\(period)\""
                )
            }
        }
        if quota != 0 { try set(dir, "cpu.cfs_quota_us", String(quota), "set cpu quota") }
        if periodPending { try set(dir, "cpu.cfs_period_us", String(period), "set cpu period") }
        if let burst = c.burst { try set(dir, "cpu.cfs_burst_us", String(burst), "set cpu burst") }
        if let rtp = c.realtimePeriod, rtp != 0 { try set(dir, "cpu.rt_period_us", String(rtp), "set realtime period") }
        if let rtr = c.realtimeRuntime, rtr != 0 { try set(dir, "cpu.rt_runtime_us", String(rtr), "set realtime runtime") }
        if let idle = c.idle { try set(dir, "cpu.idle", String(idle), "set cpu.idle") }
    }

    // MARK: memory

    /// OCI numbers: 0 = unset, -1 = unlimited.
    static func memoryString(_ v: Int64, v2: Bool) -> String { v == -1 ? (v2 ? "max" : "-1") : String(v) }

    func applyMemory(_ m: LinuxMemory) throws(CgroupError) {
        let limit = m.limit ?? 0
        var swap = m.swap ?? 0
        let reservation = m.reservation ?? 0
        for (name, v) in [("limit", limit), ("swap", swap), ("reservation", reservation)] where v < -1 {
            throw CgroupError.invalid("set memory \(name) for \(path)", "\(v) is invalid (use -1 for unlimited)")
        }
        if let s = m.swappiness, s > 100 {
            throw CgroupError.invalid("set memory swappiness for \(path)", "\(s) is out of range 0-100")
        }
        let (dir, v2) = try target("memory", for: "set memory limits")
        if m.kernel != nil {
            logger.warning("cgroups: kernel memory limit for \(path) ignored (deprecated; not supported by current kernels)")
        }
        if v2 {
            let swapMax = try CgroupConversions.swapMax(memorySwap: swap, memory: limit)
            // swap == limit gives 0: "no swap", which must be written, not treated as unset.
            let swapValue: String? = swapMax != 0 ? Self.memoryString(swapMax, v2: true) : (swap > 0 ? "0" : nil)
            if let swapValue {
                let rc = CgroupFiles.writeErrno(CgroupFiles.join(dir, "memory.swap.max"), swapValue)
                // Without swap accounting the file is absent; "max" and "0" then mean what the host does anyway.
                if rc != 0 && !(rc == ENOENT && (swapValue == "max" || swapValue == "0")) {
                    throw CgroupError(
                        step: "set memory swap limit for \(path)", path: CgroupFiles.join(dir, "memory.swap.max"),
                        errno: rc, detail: "writing \"\(swapValue)\""
                    )
                }
            }
            if limit != 0 { try setMemoryLimit(dir, "memory.max", Self.memoryString(limit, v2: true)) }
            if reservation != 0 { try set(dir, "memory.low", Self.memoryString(reservation, v2: true), "set memory reservation (memory.low)") }
            if m.disableOOMKiller == true {
                logger.warning("cgroups: disableOOMKiller for \(path) is not supported on cgroup v2; the OOM killer stays on")
            }
            if m.swappiness != nil {
                logger.warning("cgroups: memory swappiness for \(path) is not supported on cgroup v2; ignored")
            }
            if m.kernelTCP != nil {
                logger.warning("cgroups: kernel TCP memory limit for \(path) is not supported on cgroup v2; ignored")
            }
            return
        }
        let memswFile = "memory.memsw.limit_in_bytes"
        let hasMemsw = fileExists(dir, memswFile)
        // Unlimited memory without an explicit swap means unlimited memory+swap too (runc).
        if limit == -1 && swap == 0 && hasMemsw { swap = -1 }
        if swap != 0 && !hasMemsw {
            if swap == -1 || swap == limit {
                swap = 0  // no swap accounting: "unlimited" or "no swap beyond the limit" is what the host does
            } else {
                throw CgroupError.unsupported(
                    "set memory+swap limit for \(path)", "swap accounting is off (no \(memswFile)); boot with swapaccount=1"
                )
            }
        }
        // memsw must stay >= limit at every step: raise memsw first when it grows, else the limit first.
        var swapFirst = false
        if limit != 0 && swap != 0 {
            let cur = CgroupFiles.readTrimmed(CgroupFiles.join(dir, "memory.limit_in_bytes")).flatMap(Int64.init) ?? 0
            swapFirst = swap == -1 || cur < swap
        }
        if swapFirst { try set(dir, memswFile, Self.memoryString(swap, v2: false), "set memory+swap limit") }
        if limit != 0 { try setMemoryLimit(dir, "memory.limit_in_bytes", Self.memoryString(limit, v2: false)) }
        if !swapFirst && swap != 0 { try set(dir, memswFile, Self.memoryString(swap, v2: false), "set memory+swap limit") }
        if reservation != 0 {
            try set(dir, "memory.soft_limit_in_bytes", Self.memoryString(reservation, v2: false), "set memory reservation")
        }
        if let tcp = m.kernelTCP, tcp != 0 {
            try set(dir, "memory.kmem.tcp.limit_in_bytes", Self.memoryString(tcp, v2: false), "set kernel TCP memory limit")
        }
        if m.disableOOMKiller == true { try set(dir, "memory.oom_control", "1", "disable the OOM killer") }
        if let s = m.swappiness { try set(dir, "memory.swappiness", String(s), "set memory swappiness") }
    }

    /// A limit below current usage fails with EBUSY; say how much is in use.
    func setMemoryLimit(_ dir: String, _ file: String, _ value: String) throws(CgroupError) {
        let full = CgroupFiles.join(dir, file)
        let rc = CgroupFiles.writeErrno(full, value)
        guard rc != 0 else { return }
        var detail = "writing \"\(value)\""
        if rc == EBUSY || rc == EINVAL {
            let usageFile = file == "memory.max" ? "memory.current" : "memory.usage_in_bytes"
            if let usage = CgroupFiles.readTrimmed(CgroupFiles.join(dir, usageFile)) {
                detail += "; current usage \(usage) bytes"
            }
        }
        throw CgroupError(step: "set memory limit for \(path)", path: full, errno: rc, detail: detail)
    }

    // MARK: pids

    /// `pids.max`: a positive limit is written as is; 0 and -1 mean no limit ("max"), as kubelet's podPidsLimit.
    func applyPids(_ p: LinuxPids) throws(CgroupError) {
        guard let limit = p.limit else { return }
        if limit < -1 { throw CgroupError.invalid("set pids limit for \(path)", "\(limit) is invalid") }
        let (dir, _) = try target("pids", for: "set pids limit")
        try set(dir, "pids.max", limit > 0 ? String(limit) : "max", "set pids limit")
    }
}
