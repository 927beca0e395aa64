import OCISpec

/// Pod QoS class (`status.qosClass`), deciding where the pod cgroup lives.
public enum PodQOSClass: String, Sendable, CaseIterable {
    case guaranteed = "Guaranteed"
    case burstable = "Burstable"
    case bestEffort = "BestEffort"
}

/// CPU/memory of one container as kubelet sees it (requests already defaulted to limits by the API server rules).
public struct ContainerResourceAmounts: Sendable, Equatable {
    public var cpuRequestMilli: Int64?
    public var cpuLimitMilli: Int64?
    public var memoryRequestBytes: Int64?
    public var memoryLimitBytes: Int64?

    public init(
        cpuRequestMilli: Int64? = nil, cpuLimitMilli: Int64? = nil, memoryRequestBytes: Int64? = nil,
        memoryLimitBytes: Int64? = nil
    ) {
        self.cpuRequestMilli = cpuRequestMilli
        self.cpuLimitMilli = cpuLimitMilli
        self.memoryRequestBytes = memoryRequestBytes
        self.memoryLimitBytes = memoryLimitBytes
    }
}

/// kubelet's cgroup naming and numbers (pkg/kubelet/cm: helpers_linux.go, qos_container_manager_linux.go,
/// pod_container_manager_linux.go, cgroup_manager_linux.go) for the cgroupfs driver, so `bootlet kubelet` puts
/// pods where a real kubelet would (`/kubepods/burstable/pod<uid>/<container-id>` in every hierarchy).
public struct KubeletCgroups: Sendable, Equatable {
    public static let minShares: UInt64 = 2
    public static let maxShares: UInt64 = 262_144
    public static let sharesPerCPU: Int64 = 1024
    public static let quotaPeriod: UInt64 = 100_000
    public static let minQuotaPeriod: Int64 = 1000

    /// `--cgroup-root` components ("/" → none).
    public let cgroupRoot: [String]
    /// `--cgroups-per-qos` (default true). When false kubelet creates no kubepods/QoS/pod cgroups and every
    /// container goes directly under the cgroup root.
    public let cgroupsPerQOS: Bool

    public init(cgroupRoot: String = "/", cgroupsPerQOS: Bool = true) throws(CgroupError) {
        let comps = cgroupRoot.split(separator: "/").map(String.init).filter { $0 != "." }
        if comps.contains("..") {
            throw CgroupError.invalid("parse --cgroup-root \"\(cgroupRoot)\"", "\"..\" is not allowed")
        }
        self.cgroupRoot = comps
        self.cgroupsPerQOS = cgroupsPerQOS
    }

    // MARK: naming

    /// `<root>/kubepods`: the node-allocatable cgroup; nil with `--cgroups-per-qos=false`.
    public var nodeAllocatable: CgroupPath? {
        cgroupsPerQOS ? try? CgroupPath(absolute: cgroupRoot + ["kubepods"]) : nil
    }

    /// Guaranteed pods live directly in kubepods; Burstable/BestEffort get `kubepods/burstable|besteffort`.
    public func qosCgroup(_ qos: PodQOSClass) -> CgroupPath? {
        guard cgroupsPerQOS else { return nil }
        switch qos {
        case .guaranteed: return nodeAllocatable
        case .burstable: return try? CgroupPath(absolute: cgroupRoot + ["kubepods", "burstable"])
        case .bestEffort: return try? CgroupPath(absolute: cgroupRoot + ["kubepods", "besteffort"])
        }
    }

    /// `…/pod<uid>`; nil with `--cgroups-per-qos=false` (kubelet's podContainerManagerNoop).
    public func podCgroup(podUID: String, qos: PodQOSClass) throws(CgroupError) -> CgroupPath? {
        guard let parent = qosCgroup(qos) else { return nil }
        return try parent.appending("pod" + podUID)
    }

    /// The OCI `cgroupsPath` for a container (including the pause/sandbox container):
    /// `…/pod<uid>/<container-id>`, or `<root>/<container-id>` with `--cgroups-per-qos=false`.
    public func containerCgroup(podUID: String, qos: PodQOSClass, containerID: String) throws(CgroupError) -> CgroupPath {
        if let pod = try podCgroup(podUID: podUID, qos: qos) { return try pod.appending(containerID) }
        return try CgroupPath(absolute: cgroupRoot + [containerID])
    }

    /// The systemd-driver spelling of a cgroupfs path (`CgroupName.ToSystemd`): "-" inside a component becomes
    /// "_", components are joined with "-" and every prefix becomes a `.slice`:
    /// `/kubepods/burstable/pod1-2` → `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1_2.slice`.
    /// Pure naming; bootlet does not drive systemd.
    public static func systemdName(_ components: [String]) -> String {
        if components.isEmpty { return "/" }
        let escaped = components.map { $0.replacingAll("-", with: "_") }
        var out = ""
        for i in 1...escaped.count {
            out += "/" + escaped[0..<i].joined(separator: "-") + ".slice"
        }
        return out
    }

    /// containerd's `slice:prefix:name` form of a container under a pod slice, e.g.
    /// `kubepods-burstable-pod<uid>.slice:cri-containerd:<id>` (runc makes it `cri-containerd-<id>.scope`).
    public static func systemdContainerPath(podCgroup: [String], containerID: String, prefix: String = "cri-containerd") -> String {
        let slice = systemdName(podCgroup).split(separator: "/").last.map(String.init) ?? "-.slice"
        return "\(slice):\(prefix):\(containerID)"
    }

    // MARK: numbers (helpers_linux.go)

    /// `MilliCPUToShares`: 0 → 2; else m*1024/1000 clamped to [2, 262144]. 100m → 102, 1 CPU → 1024.
    public static func milliCPUToShares(_ milliCPU: Int64) -> UInt64 {
        if milliCPU <= 0 { return minShares }
        let shares = milliCPU.multipliedReportingOverflow(by: sharesPerCPU)
        if shares.overflow { return maxShares }
        return min(max(UInt64(shares.partialValue / 1000), minShares), maxShares)
    }

    /// `MilliCPUToQuota`: 0 → 0 (no quota); else m*period/1000 with a 1000 µs floor. 500m → 50000, 5m → 1000.
    public static func milliCPUToQuota(_ milliCPU: Int64, period: UInt64 = quotaPeriod) -> Int64 {
        if milliCPU <= 0 { return 0 }
        let q = milliCPU.multipliedReportingOverflow(by: Int64(clamping: period))
        if q.overflow { return Int64.max / 1000 }
        return max(q.partialValue / 1000, minQuotaPeriod)
    }

    // MARK: resources kubelet writes

    /// Container-level resources as kubelet sends them through CRI and runc applies them
    /// (kuberuntime_container_linux.go): shares from the request (or the limit when there is no request; 2 without
    /// either), quota/period from the limit when `cpuCFSQuota`, memory limit, and swap = limit (NoSwap: no swap use)
    /// when `swapAccounting`.
    public static func containerResources(
        _ c: ContainerResourceAmounts, cpuCFSQuota: Bool = true, swapAccounting: Bool = true
    ) -> LinuxResources {
        let request = c.cpuRequestMilli ?? 0
        let cpuForShares = request > 0 ? request : (c.cpuLimitMilli ?? 0)
        var cpu = LinuxCPU(shares: milliCPUToShares(cpuForShares))
        if cpuCFSQuota, let lim = c.cpuLimitMilli, lim > 0 {
            cpu.quota = milliCPUToQuota(lim)
            cpu.period = quotaPeriod
        }
        var r = LinuxResources(cpu: cpu)
        if let mem = c.memoryLimitBytes, mem > 0 {
            r.memory = LinuxMemory(limit: mem, swap: swapAccounting ? mem : nil)
        }
        return r
    }

    /// Pod-level resources (`ResourceConfigForPod`): shares of the summed requests (init containers count as
    /// max(largest init, sum of regular)), a quota only when every container has a cpu limit, a memory limit only
    /// when every container has one, `pids.max` = podPidsLimit when > 0. BestEffort pods get shares 2 only.
    public static func podResources(
        containers: [ContainerResourceAmounts], initContainers: [ContainerResourceAmounts] = [], qos: PodQOSClass,
        podPidsLimit: Int64 = -1, cpuCFSQuota: Bool = true
    ) -> LinuxResources {
        func effective(_ f: (ContainerResourceAmounts) -> Int64?) -> Int64 {
            let regular = containers.reduce(Int64(0)) { $0 + max(f($1) ?? 0, 0) }
            let initMax = initContainers.map { max(f($0) ?? 0, 0) }.max() ?? 0
            return max(regular, initMax)
        }
        var r = LinuxResources()
        if podPidsLimit > 0 { r.pids = LinuxPids(limit: podPidsLimit) }
        if qos == .bestEffort {
            r.cpu = LinuxCPU(shares: minShares)
            return r
        }
        let all = containers + initContainers
        var cpu = LinuxCPU(shares: milliCPUToShares(effective { $0.cpuRequestMilli ?? $0.cpuLimitMilli }))
        if cpuCFSQuota, !all.isEmpty, all.allSatisfy({ ($0.cpuLimitMilli ?? 0) > 0 }) {
            cpu.quota = milliCPUToQuota(effective { $0.cpuLimitMilli })
            cpu.period = quotaPeriod
        }
        r.cpu = cpu
        if !all.isEmpty, all.allSatisfy({ ($0.memoryLimitBytes ?? 0) > 0 }) {
            r.memory = LinuxMemory(limit: effective { $0.memoryLimitBytes })
        }
        return r
    }

    /// `kubepods` (node allocatable, enforceNodeAllocatable: [pods]): shares of allocatable CPU (2 cores → 2048),
    /// memory limit = allocatable memory, pids.max = allocatable pids when known.
    public static func nodeAllocatableResources(
        allocatableMilliCPU: Int64, allocatableMemoryBytes: Int64?, pidsLimit: Int64? = nil
    ) -> LinuxResources {
        var r = LinuxResources(cpu: LinuxCPU(shares: milliCPUToShares(allocatableMilliCPU)))
        if let m = allocatableMemoryBytes, m > 0 { r.memory = LinuxMemory(limit: m) }
        if let p = pidsLimit, p > 0 { r.pids = LinuxPids(limit: p) }
        return r
    }

    /// QoS-level cgroups: besteffort gets shares 2; burstable gets the shares of the summed CPU requests of all
    /// burstable pods (recomputed as pods come and go; 2 when there are none). Guaranteed has no own QoS cgroup.
    public static func qosResources(_ qos: PodQOSClass, burstableRequestsMilliCPU: Int64 = 0) -> LinuxResources? {
        switch qos {
        case .guaranteed: return nil
        case .bestEffort: return LinuxResources(cpu: LinuxCPU(shares: minShares))
        case .burstable: return LinuxResources(cpu: LinuxCPU(shares: milliCPUToShares(burstableRequestsMilliCPU)))
        }
    }

    /// kubelet writes its own (kubepods/QoS/pod) cgroups with its linear shares→weight mapping on cgroup v2,
    /// while runc uses the newer exponential one for containers. Call this on kubelet-level resources before
    /// `apply`: on v2 the shares move into `unified["cpu.weight"]`; on v1/hybrid nothing changes.
    public static func asKubeletWritten(_ r: LinuxResources, mode: CgroupMode) -> LinuxResources {
        guard mode == .v2, let shares = r.cpu?.shares, shares != 0 else { return r }
        var out = r
        out.cpu?.shares = nil
        var unified = out.unified ?? [:]
        unified["cpu.weight"] = String(CgroupConversions.kubeletCPUWeight(fromShares: shares))
        out.unified = unified
        return out
    }
}


