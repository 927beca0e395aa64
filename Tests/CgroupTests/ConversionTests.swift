import BootletRuntime
import OCISpec
import Testing

@Suite("conversions and kubelet numbers")
struct ConversionTests {
    @Test("cpu.shares → cpu.weight as current runc (1024 → 100)")
    func sharesToWeight() {
        #expect(CgroupConversions.cpuWeight(fromShares: 0) == 0)
        #expect(CgroupConversions.cpuWeight(fromShares: 2) == 1)
        #expect(CgroupConversions.cpuWeight(fromShares: 102) == 17)
        #expect(CgroupConversions.cpuWeight(fromShares: 512) == 59)
        #expect(CgroupConversions.cpuWeight(fromShares: 1024) == 100)
        #expect(CgroupConversions.cpuWeight(fromShares: 2048) == 174)
        #expect(CgroupConversions.cpuWeight(fromShares: 262_144) == 10_000)
        #expect(CgroupConversions.cpuWeight(fromShares: 1_000_000) == 10_000)
    }

    @Test("kubelet's linear weight for its own cgroups (1024 → 39)")
    func kubeletWeight() {
        #expect(CgroupConversions.kubeletCPUWeight(fromShares: 2) == 1)
        #expect(CgroupConversions.kubeletCPUWeight(fromShares: 1024) == 39)
        #expect(CgroupConversions.kubeletCPUWeight(fromShares: 2048) == 79)
        #expect(CgroupConversions.kubeletCPUWeight(fromShares: 262_144) == 10_000)
    }

    @Test("memory+swap → memory.swap.max")
    func swap() throws {
        #expect(try CgroupConversions.swapMax(memorySwap: 0, memory: -1) == -1)
        #expect(try CgroupConversions.swapMax(memorySwap: -1, memory: 100) == -1)
        #expect(try CgroupConversions.swapMax(memorySwap: 0, memory: 100) == 0)
        #expect(try CgroupConversions.swapMax(memorySwap: 300, memory: 100) == 200)
        #expect(try CgroupConversions.swapMax(memorySwap: 100, memory: 100) == 0)
        #expect(try CgroupConversions.swapMax(memorySwap: 300, memory: -1) == 300)
        #expect(throws: CgroupError.self) { try CgroupConversions.swapMax(memorySwap: 300, memory: 0) }
        #expect(throws: CgroupError.self) { try CgroupConversions.swapMax(memorySwap: 50, memory: 100) }
    }

    @Test("blkio.weight → io.weight")
    func ioWeight() {
        #expect(CgroupConversions.ioWeight(fromBlkioWeight: 0) == 0)
        #expect(CgroupConversions.ioWeight(fromBlkioWeight: 10) == 1)
        #expect(CgroupConversions.ioWeight(fromBlkioWeight: 500) == 4950)
        #expect(CgroupConversions.ioWeight(fromBlkioWeight: 1000) == 10_000)
    }

    @Test("hugepage size names")
    func hugepageNames() {
        for ok in ["2MB", "1GB", "64KB", "16GB"] { #expect(CgroupConversions.validHugepageSize(ok)) }
        for bad in ["2M", "MB", "2mb", "../x", "2 MB", "", "2MB/"] { #expect(!CgroupConversions.validHugepageSize(bad)) }
    }

    @Test("MilliCPUToShares / MilliCPUToQuota (helpers_linux.go)")
    func kubeletNumbers() {
        #expect(KubeletCgroups.milliCPUToShares(0) == 2)
        #expect(KubeletCgroups.milliCPUToShares(1) == 2)
        #expect(KubeletCgroups.milliCPUToShares(100) == 102)
        #expect(KubeletCgroups.milliCPUToShares(250) == 256)
        #expect(KubeletCgroups.milliCPUToShares(500) == 512)
        #expect(KubeletCgroups.milliCPUToShares(1000) == 1024)
        #expect(KubeletCgroups.milliCPUToShares(2000) == 2048)
        #expect(KubeletCgroups.milliCPUToShares(1_000_000) == 262_144)
        #expect(KubeletCgroups.milliCPUToShares(Int64.max) == 262_144)
        #expect(KubeletCgroups.milliCPUToQuota(0) == 0)
        #expect(KubeletCgroups.milliCPUToQuota(5) == 1000)
        #expect(KubeletCgroups.milliCPUToQuota(100) == 10_000)
        #expect(KubeletCgroups.milliCPUToQuota(500) == 50_000)
        #expect(KubeletCgroups.milliCPUToQuota(2500) == 250_000)
    }

    @Test("QoS, pod and container cgroup names under --cgroup-root, with and without --cgroups-per-qos")
    func naming() throws {
        let k = try KubeletCgroups()
        let uid = "efff77f641f5753c4767ab076abc17fa"
        let id = String(repeating: "9", count: 64)
        #expect(k.nodeAllocatable?.description == "/kubepods")
        #expect(k.qosCgroup(.guaranteed)?.description == "/kubepods")
        #expect(k.qosCgroup(.burstable)?.description == "/kubepods/burstable")
        #expect(k.qosCgroup(.bestEffort)?.description == "/kubepods/besteffort")
        #expect(try k.podCgroup(podUID: uid, qos: .guaranteed)?.description == "/kubepods/pod\(uid)")
        #expect(try k.podCgroup(podUID: uid, qos: .bestEffort)?.description == "/kubepods/besteffort/pod\(uid)")
        #expect(try k.containerCgroup(podUID: uid, qos: .burstable, containerID: id).description
            == "/kubepods/burstable/pod\(uid)/\(id)")

        let rooted = try KubeletCgroups(cgroupRoot: "/bootlet/")
        #expect(try rooted.containerCgroup(podUID: uid, qos: .bestEffort, containerID: id).description
            == "/bootlet/kubepods/besteffort/pod\(uid)/\(id)")

        let flat = try KubeletCgroups(cgroupRoot: "/", cgroupsPerQOS: false)
        #expect(flat.nodeAllocatable == nil)
        #expect(flat.qosCgroup(.burstable) == nil)
        #expect(try flat.podCgroup(podUID: uid, qos: .burstable) == nil)
        #expect(try flat.containerCgroup(podUID: uid, qos: .burstable, containerID: id).description == "/\(id)")
        #expect(throws: CgroupError.self) { try KubeletCgroups(cgroupRoot: "/a/../b") }
    }

    @Test("systemd driver names (pure functions)")
    func systemdNames() {
        #expect(KubeletCgroups.systemdName([]) == "/")
        #expect(KubeletCgroups.systemdName(["kubepods"]) == "/kubepods.slice")
        #expect(KubeletCgroups.systemdName(["kubepods", "burstable", "pod1234-5678"])
            == "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_5678.slice")
        #expect(KubeletCgroups.systemdName(["kubepods", "podabc"]) == "/kubepods.slice/kubepods-podabc.slice")
        #expect(KubeletCgroups.systemdContainerPath(podCgroup: ["kubepods", "besteffort", "pod1-2"], containerID: "c")
            == "kubepods-besteffort-pod1_2.slice:cri-containerd:c")
    }

    @Test("container resources as kubelet sends them (real kubelet: 100m/64Mi → shares 102, quota 10000)")
    func containerResources() {
        let r = KubeletCgroups.containerResources(
            ContainerResourceAmounts(cpuRequestMilli: 100, cpuLimitMilli: 100, memoryRequestBytes: 64 << 20, memoryLimitBytes: 64 << 20)
        )
        #expect(r.cpu?.shares == 102)
        #expect(r.cpu?.quota == 10_000)
        #expect(r.cpu?.period == 100_000)
        #expect(r.memory?.limit == 67_108_864)
        #expect(r.memory?.swap == 67_108_864)
        let none = KubeletCgroups.containerResources(ContainerResourceAmounts())
        #expect(none.cpu?.shares == 2)
        #expect(none.cpu?.quota == nil)
        #expect(none.memory == nil)
        let limitOnly = KubeletCgroups.containerResources(ContainerResourceAmounts(cpuLimitMilli: 500), cpuCFSQuota: false)
        #expect(limitOnly.cpu?.shares == 512)
        #expect(limitOnly.cpu?.quota == nil)
    }

    @Test("pod, QoS and node-allocatable resources")
    func podAndQOS() {
        let a = ContainerResourceAmounts(cpuRequestMilli: 100, cpuLimitMilli: 200, memoryLimitBytes: 100)
        let b = ContainerResourceAmounts(cpuRequestMilli: 300, cpuLimitMilli: 300, memoryLimitBytes: 50)
        let initC = ContainerResourceAmounts(cpuRequestMilli: 1000, cpuLimitMilli: 1000, memoryLimitBytes: 500)
        let pod = KubeletCgroups.podResources(containers: [a, b], initContainers: [initC], qos: .burstable, podPidsLimit: 100)
        #expect(pod.cpu?.shares == 1024)  // max(init 1000m, 400m)
        #expect(pod.cpu?.quota == 100_000)
        #expect(pod.memory?.limit == 500)
        #expect(pod.pids?.limit == 100)
        let partial = KubeletCgroups.podResources(containers: [a, ContainerResourceAmounts(cpuRequestMilli: 100)], qos: .burstable)
        #expect(partial.cpu?.quota == nil)
        #expect(partial.memory == nil)
        #expect(partial.pids == nil)
        #expect(KubeletCgroups.podResources(containers: [ContainerResourceAmounts()], qos: .bestEffort).cpu?.shares == 2)

        #expect(KubeletCgroups.qosResources(.guaranteed) == nil)
        #expect(KubeletCgroups.qosResources(.bestEffort)?.cpu?.shares == 2)
        #expect(KubeletCgroups.qosResources(.burstable)?.cpu?.shares == 2)
        #expect(KubeletCgroups.qosResources(.burstable, burstableRequestsMilliCPU: 250)?.cpu?.shares == 256)
        let node = KubeletCgroups.nodeAllocatableResources(allocatableMilliCPU: 2000, allocatableMemoryBytes: 1 << 30, pidsLimit: 32768)
        #expect(node.cpu?.shares == 2048)
        #expect(node.memory?.limit == 1 << 30)
        #expect(node.pids?.limit == 32768)

        let v2 = KubeletCgroups.asKubeletWritten(node, mode: .v2)
        #expect(v2.cpu?.shares == nil)
        #expect(v2.unified?["cpu.weight"] == "79")
        #expect(KubeletCgroups.asKubeletWritten(node, mode: .hybrid) == node)
    }
}
