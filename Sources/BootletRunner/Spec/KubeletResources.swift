import BootletRuntime
import KubeModel
import OCISpec

/// kubelet's QoS class, OOM score policy and container resource numbers
/// (`pkg/apis/core/v1/helper/qos/qos.go`, `pkg/kubelet/qos/policy.go`, `pkg/kubelet/cm/helpers_linux.go`,
/// `kuberuntime_container_linux.go` `generateLinuxContainerResources`), plus containerd's `WithResources`.
public enum KubeletResources {
    /// `GetPodQOS`: only cpu and memory count, zero quantities are unset, init containers included.
    /// Guaranteed needs cpu and memory limits on every container and summed requests equal to summed limits.
    /// (Pod-level `spec.resources` is not considered.)
    public static func qosClass(of pod: Pod) -> PodQOSClass {
        var requests: [String: Quantity] = [:]
        var limits: [String: Quantity] = [:]
        var guaranteed = true
        func add(_ m: inout [String: Quantity], _ name: String, _ q: Quantity) {
            m[name] = Quantity(nanos: (m[name]?.nanos ?? 0) + q.nanos)
        }
        for c in pod.spec.containers + (pod.spec.initContainers ?? []) {
            for (name, q) in c.resources.requests ?? [:] where (name == "cpu" || name == "memory") && q.nanos > 0 {
                add(&requests, name, q)
            }
            var found = Set<String>()
            for (name, q) in c.resources.limits ?? [:] where (name == "cpu" || name == "memory") && q.nanos > 0 {
                found.insert(name)
                add(&limits, name, q)
            }
            if !found.isSuperset(of: ["cpu", "memory"]) { guaranteed = false }
        }
        if requests.isEmpty && limits.isEmpty { return .bestEffort }
        if guaranteed {
            for (name, req) in requests where limits[name]?.nanos != req.nanos { guaranteed = false }
        }
        if guaranteed && requests.count == limits.count { return .guaranteed }
        return .burstable
    }

    /// kubelet `GetContainerOOMScoreAdjust` (KubeletOOMScoreAdjTieBreak off, no pod-level resources):
    /// node-critical (`priorityClassName: system-node-critical`; static pods are always critical) and Guaranteed
    /// → −997, BestEffort → 1000, Burstable → `1000 − 1000·request/capacity` clamped to [3, 999]; a sidecar never
    /// scores above the regular container with the smallest request.
    public static func oomScoreAdjust(pod: Pod, container: Container, isSidecar: Bool, memoryCapacity: Int64) -> Int {
        if pod.spec.priorityClassName == "system-node-critical" { return SpecDefaults.guaranteedOOMScoreAdj }
        switch qosClass(of: pod) {
        case .guaranteed: return SpecDefaults.guaranteedOOMScoreAdj
        case .bestEffort: return SpecDefaults.bestEffortOOMScoreAdj
        case .burstable: break
        }
        let capacity = max(memoryCapacity, 1)
        func score(_ request: Int64) -> Int64 {
            let (p, overflow) = request.multipliedReportingOverflow(by: 1000)
            return 1000 - (overflow ? Int64.max / capacity : p / capacity)
        }
        var adj = score(memoryRequest(container))
        if isSidecar {
            let minRegular = pod.spec.containers.map(memoryRequest).min() ?? 0
            adj = min(adj, score(minRegular))
        }
        let floor = Int64(1000 + SpecDefaults.guaranteedOOMScoreAdj)
        if adj < floor { return Int(floor) }
        if adj == Int64(SpecDefaults.bestEffortOOMScoreAdj) { return Int(adj - 1) }
        return Int(adj)
    }

    static func memoryRequest(_ c: Container) -> Int64 { c.resources.requests?["memory"]?.value ?? 0 }

    /// `HugePageUnitSizeFromByteSize`: 2097152 → `2MB`, 1073741824 → `1GB`; nil when not a whole unit.
    public static func hugePageUnitSize(bytes: Int64) -> String? {
        let units = ["B", "KB", "MB", "GB", "TB", "PB"]
        var size = bytes
        var idx = 0
        while size > 0 && size % 1024 == 0 && idx < units.count - 1 {
            size /= 1024
            idx += 1
        }
        if size > 1024 { return nil }
        return "\(size)\(units[idx])"
    }

    /// Container `linux.resources` as kubelet computes them and containerd's `WithResources` writes them:
    /// shares from the cpu request (from the limit when no request key; 2 without either), period 100000 and
    /// quota from the cpu limit (quota omitted when 0), memory limit (swap = limit when a swap controller
    /// exists), one hugepage limit per host page size (0 unless requested), and on cgroup v2
    /// `memory.oom.group: 1` (and `memory.swap.max: 0` with a swap controller: kubelet's NoSwap). The device
    /// rules are containerd's default deny-all (allow-all when privileged).
    public static func containerResources(_ c: Container, node: NodeSpecSettings, privileged: Bool) -> LinuxResources {
        let requests = c.resources.requests ?? [:]
        let limits = c.resources.limits ?? [:]
        let cpuLimit = limits["cpu"]?.milliValue ?? 0
        let sharesFrom = requests["cpu"].map { $0.milliValue } ?? cpuLimit
        var cpu = LinuxCPU(shares: KubeletCgroups.milliCPUToShares(sharesFrom))
        if node.cpuCFSQuota {
            cpu.period = KubeletCgroups.quotaPeriod
            let q = KubeletCgroups.milliCPUToQuota(cpuLimit)
            if q != 0 { cpu.quota = q }
        }
        var r = LinuxResources(cpu: cpu)
        let memLimit = limits["memory"]?.value ?? 0
        if memLimit != 0 {
            r.memory = LinuxMemory(limit: memLimit, swap: node.swapControllerAvailable ? memLimit : nil)
        }
        var hugeRequested: [String: UInt64] = [:]
        for (name, q) in limits where name.hasPrefix("hugepages-") {
            guard let size = try? Quantity(parsing: String(name.dropFirst("hugepages-".count))),
                let unit = hugePageUnitSize(bytes: size.value)
            else { continue }
            hugeRequested[unit] = UInt64(max(q.value, 0))
        }
        if !node.hugePageSizes.isEmpty {
            r.hugepageLimits = node.hugePageSizes.map { LinuxHugepageLimit(pageSize: $0, limit: hugeRequested[$0] ?? 0) }
        }
        if node.cgroupV2 {
            var unified = ["memory.oom.group": "1"]
            if node.swapControllerAvailable { unified["memory.swap.max"] = "0" }
            r.unified = unified
        }
        r.devices = [privileged ? LinuxDeviceCgroup(allow: true, access: "rwm") : LinuxDeviceCgroup(allow: false, access: "rwm")]
        return r
    }
}
