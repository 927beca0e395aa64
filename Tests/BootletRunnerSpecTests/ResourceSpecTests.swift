@testable import BootletRunner
import BootletRuntime
import KubeModel
import OCISpec
import Testing

@Suite("Container spec: resources, QoS and OOM score (kubelet numbers)")
struct ResourceSpecTests {
    func container(_ name: String = "app", requests: [String: Quantity]? = nil, limits: [String: Quantity]? = nil, sidecar: Bool = false) -> Container {
        makeContainer(name) {
            $0.resources = ResourceRequirements(limits: limits, requests: requests)
            if sidecar { $0.restartPolicy = "Always" }
        }
    }

    @Test func sharesAndQuotaConversions() {
        let shares: [(Int64, UInt64)] = [(0, 2), (1, 2), (2, 2), (100, 102), (250, 256), (500, 512), (1000, 1024), (300_000, 262_144)]
        for (m, s) in shares { #expect(KubeletCgroups.milliCPUToShares(m) == s, "\(m)m") }
        let quota: [(Int64, Int64)] = [(0, 0), (1, 1000), (5, 1000), (10, 1000), (100, 10000), (500, 50000), (1000, 100_000), (2500, 250_000)]
        for (m, q) in quota { #expect(KubeletCgroups.milliCPUToQuota(m) == q, "\(m)m") }
    }

    /// real-kubelet-observed.md: requests = limits = 100m / 64Mi gave memory.limit_in_bytes 67108864,
    /// cpu.cfs_quota_us 10000, cpu.cfs_period_us 100000, cpu.shares 102 (Guaranteed pod).
    @Test func observedGuaranteedPod() throws {
        let f = try SpecFixture()
        let q: [String: Quantity] = ["cpu": "100m", "memory": "64Mi"]
        let pod = makePod([container(requests: q, limits: q)])
        let node = NodeSpecSettings(memoryCapacity: 8 << 30, swapControllerAvailable: true)
        let spec = try f.build(pod: pod, node: node).spec
        let r = try #require(spec.linux?.resources)
        #expect(r.cpu == LinuxCPU(shares: 102, quota: 10000, period: 100_000))
        #expect(r.memory == LinuxMemory(limit: 67_108_864, swap: 67_108_864))
        #expect(spec.process?.oomScoreAdj == -997)
        #expect(KubeletResources.qosClass(of: pod) == .guaranteed)
        #expect(spec.linux?.cgroupsPath == "/kubepods/besteffort/pod\(podUID)/" + String(repeating: "cd", count: 32))
    }

    @Test func bestEffortContainer() throws {
        let f = try SpecFixture()
        let pod = makePod([container()])
        let spec = try f.build(pod: pod).spec
        // CRI sends period 100000 and quota 0; containerd writes only non-zero values.
        #expect(spec.linux?.resources?.cpu == LinuxCPU(shares: 2, period: 100_000))
        #expect(spec.linux?.resources?.memory == nil)
        #expect(spec.process?.oomScoreAdj == 1000)
        #expect(KubeletResources.qosClass(of: pod) == .bestEffort)
        let noQuota = NodeSpecSettings(memoryCapacity: 8 << 30, cpuCFSQuota: false)
        #expect(try f.build(pod: pod, node: noQuota).spec.linux?.resources?.cpu == LinuxCPU(shares: 2))
    }

    @Test func sharesFromLimitWhenNoRequest() throws {
        let f = try SpecFixture()
        let pod = makePod([container(limits: ["cpu": "250m"])])
        #expect(try f.build(pod: pod).spec.linux?.resources?.cpu == LinuxCPU(shares: 256, quota: 25000, period: 100_000))
        let req = makePod([container(requests: ["cpu": "100m"], limits: ["cpu": "2"])])
        #expect(try f.build(pod: req).spec.linux?.resources?.cpu == LinuxCPU(shares: 102, quota: 200_000, period: 100_000))
    }

    @Test func qosClasses() {
        let g: [String: Quantity] = ["cpu": "1", "memory": "1Gi"]
        #expect(KubeletResources.qosClass(of: makePod([container(requests: g, limits: g), container("b", requests: g, limits: g)])) == .guaranteed)
        #expect(KubeletResources.qosClass(of: makePod([container(requests: g, limits: g), container("b")])) == .burstable)
        #expect(KubeletResources.qosClass(of: makePod([container(limits: ["cpu": "1"])])) == .burstable)
        #expect(KubeletResources.qosClass(of: makePod([container(requests: ["cpu": "1"], limits: ["cpu": "2", "memory": "1Gi"])])) == .burstable)
        #expect(KubeletResources.qosClass(of: makePod([container(requests: ["cpu": "0"], limits: ["memory": "0"])])) == .bestEffort)
        #expect(KubeletResources.qosClass(of: makePod([container(requests: ["ephemeral-storage": "1Gi"])])) == .bestEffort)
        let initBurst = makePod([container(requests: g, limits: g)]) { $0.spec.initContainers = [makeContainer("init")] }
        #expect(KubeletResources.qosClass(of: initBurst) == .burstable, "init containers count")
    }

    @Test func burstableOOMScore() {
        let cap: Int64 = 10 << 30
        func adj(_ req: Quantity?, sidecar: Bool = false, others: [Container] = []) -> Int {
            let c = container(requests: req.map { ["memory": $0] } ?? ["cpu": "100m"], sidecar: sidecar)
            var pod = makePod(others.isEmpty ? [c] : others)
            if sidecar { pod.spec.initContainers = [c] }
            return KubeletResources.oomScoreAdjust(pod: pod, container: c, isSidecar: sidecar, memoryCapacity: cap)
        }
        #expect(adj("1Gi") == 900, "1000 - 1000 * 1Gi / 10Gi")
        #expect(adj("1000Mi") == 903, "integer division: 1000 - 97")
        #expect(adj(nil) == 999, "no memory request: 1000 is BestEffort's, so burstable gets 999")
        #expect(adj("10Gi") == 3, "floor at 1000 - 997")
        #expect(adj("20Gi") == 3)
        // A sidecar scores no higher than the regular container with the smallest request.
        let big = container("main", requests: ["memory": "5Gi"])
        #expect(adj("1Gi", sidecar: true, others: [big]) == 500)
        #expect(adj("8Gi", sidecar: true, others: [big]) == 200)
    }

    @Test func nodeCriticalPods() {
        var pod = makePod([container(requests: ["memory": "1Gi"])])
        pod.spec.priorityClassName = "system-node-critical"
        #expect(KubeletResources.oomScoreAdjust(pod: pod, container: pod.spec.containers[0], isSidecar: false, memoryCapacity: 8 << 30) == -997)
        pod.spec.priorityClassName = "system-cluster-critical"
        #expect(KubeletResources.oomScoreAdjust(pod: pod, container: pod.spec.containers[0], isSidecar: false, memoryCapacity: 8 << 30) == 875)
    }

    @Test func hugepagesAndCgroupV2() throws {
        let f = try SpecFixture()
        let pod = makePod([container(requests: ["memory": "1Gi", "hugepages-2Mi": "64Mi"], limits: ["memory": "1Gi", "hugepages-2Mi": "64Mi"])])
        let node = NodeSpecSettings(cgroupV2: true, memoryCapacity: 8 << 30, swapControllerAvailable: true, hugePageSizes: ["2MB", "1GB"])
        let r = try #require(try f.build(pod: pod, node: node).spec.linux?.resources)
        #expect(r.hugepageLimits == [LinuxHugepageLimit(pageSize: "2MB", limit: 67_108_864), LinuxHugepageLimit(pageSize: "1GB", limit: 0)])
        #expect(r.unified == ["memory.oom.group": "1", "memory.swap.max": "0"])
        #expect(r.memory == LinuxMemory(limit: 1 << 30, swap: 1 << 30))
        let v1 = try f.build(pod: pod, node: NodeSpecSettings(memoryCapacity: 8 << 30)).spec.linux?.resources
        #expect(v1?.unified == nil && v1?.hugepageLimits == nil && v1?.memory == LinuxMemory(limit: 1 << 30))
    }

    @Test func hugePageUnits() {
        #expect(KubeletResources.hugePageUnitSize(bytes: 2 << 20) == "2MB")
        #expect(KubeletResources.hugePageUnitSize(bytes: 1 << 30) == "1GB")
        #expect(KubeletResources.hugePageUnitSize(bytes: 64 << 10) == "64KB")
        #expect(NodeSpecSettings.hugePageSizes(entries: ["hugepages-2048kB", "hugepages-1048576kB", "other"]) == ["2MB", "1GB"])
    }

    @Test func hostFactParsing() {
        #expect(NodeSpecSettings.memTotal(meminfo: "MemTotal:        8040740 kB\nMemFree: 1 kB\n") == 8_040_740 * 1024)
        #expect(NodeSpecSettings.cgroupV2(mountinfo: "30 22 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"))
        #expect(!NodeSpecSettings.cgroupV2(mountinfo: "30 22 0:26 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"))
        // CapEff without bit 24 (CAP_SYS_RESOURCE), as root has on this host.
        let caps = NodeSpecSettings.effectiveCapabilities(status: "Name:\tx\nCapEff:\t000001fffeffffff\n")
        #expect(caps.count == 40 && !caps.contains("CAP_SYS_RESOURCE") && caps.contains("CAP_CHECKPOINT_RESTORE"))
    }
}
