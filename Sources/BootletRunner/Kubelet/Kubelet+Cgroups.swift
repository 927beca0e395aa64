import BootletRuntime
import KubeModel
import OCISpec

#if canImport(Glibc)
import Glibc
#endif

/// kubelet's cgroup hierarchy with the cgroupfs driver (kubelet-static-pods.md §5.2): `kubepods`,
/// `kubepods/burstable`, `kubepods/besteffort`, then `pod<uid>` and one cgroup per container.
extension Kubelet {
    static func amounts(_ c: Container) -> ContainerResourceAmounts {
        ContainerResourceAmounts(
            cpuRequestMilli: c.resources.requests?["cpu"]?.milliValue, cpuLimitMilli: c.resources.limits?["cpu"]?.milliValue,
            memoryRequestBytes: c.resources.requests?["memory"]?.value, memoryLimitBytes: c.resources.limits?["memory"]?.value)
    }

    func cgroupManager(_ path: CgroupPath) throws -> any CgroupManager {
        try Cgroups.manager(path: path, host: try OCIRuntime.cgroupHost())
    }

    /// kubepods (node allocatable: all CPUs, all memory — bootlet reserves nothing unless told) and the QoS
    /// cgroups, created at start like kubelet's container manager.
    func setUpQoSCgroups() throws {
        guard config.cgroupsPerQOS, let top = cgroups.nodeAllocatable else { return }
        let mode = try OCIRuntime.cgroupHost().mode
        let cpus = Int64(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let mem = Int64(sysconf(Int32(_SC_PHYS_PAGES))) * Int64(sysconf(Int32(_SC_PAGESIZE)))
        let m = try cgroupManager(top)
        try m.create()
        try m.apply(KubeletCgroups.asKubeletWritten(
            KubeletCgroups.nodeAllocatableResources(allocatableMilliCPU: cpus * 1000, allocatableMemoryBytes: mem), mode: mode))
        for q in [PodQOSClass.burstable, .bestEffort] {
            guard let p = cgroups.qosCgroup(q) else { continue }
            let qm = try cgroupManager(p)
            try qm.create()
            if let r = KubeletCgroups.qosResources(q) { try qm.apply(KubeletCgroups.asKubeletWritten(r, mode: mode)) }
        }
    }

    func podCgroupPath(_ rec: PodRecord) throws -> CgroupPath? {
        try cgroups.podCgroup(podUID: rec.uid, qos: KubeletResources.qosClass(of: rec.pod))
    }

    /// `kubepods[/qos]/pod<uid>` with the pod-level limits.
    func ensurePodCgroup(_ rec: PodRecord) throws {
        guard let path = try podCgroupPath(rec) else { return }
        let m = try cgroupManager(path)
        try m.create()
        let qos = KubeletResources.qosClass(of: rec.pod)
        let r = KubeletCgroups.podResources(
            containers: rec.pod.spec.containers.map(Kubelet.amounts),
            initContainers: (rec.pod.spec.initContainers ?? []).map(Kubelet.amounts), qos: qos)
        try m.apply(KubeletCgroups.asKubeletWritten(r, mode: try OCIRuntime.cgroupHost().mode))
        if qos == .burstable { updateBurstableShares() }
    }

    /// The container's cgroup path as the OCI `cgroupsPath` (absolute, cgroupfs form).
    func containerCgroupPath(_ rec: PodRecord, id: String) throws -> String {
        try cgroups.containerCgroup(podUID: rec.uid, qos: KubeletResources.qosClass(of: rec.pod), containerID: id).description
    }

    func removePodCgroup(_ rec: PodRecord) {
        guard let path = try? podCgroupPath(rec), let m = try? cgroupManager(path) else { return }
        try? m.killAll(signal: SIGKILL, timeout: .seconds(2))
        do { try m.remove() } catch { event(rec, "FailedCleanup", "remove pod cgroup: \(error)", warning: true) }
    }

    /// kubelet keeps `kubepods/burstable`'s cpu.shares at the sum of the burstable pods' CPU requests.
    func updateBurstableShares() {
        guard config.cgroupsPerQOS, let p = cgroups.qosCgroup(.burstable), let m = try? cgroupManager(p),
            let mode = try? OCIRuntime.cgroupHost().mode
        else { return }
        let milli = lock.with {
            pods.values.filter { KubeletResources.qosClass(of: $0.pod) == .burstable && !$0.terminated }
                .flatMap { $0.pod.spec.containers }.reduce(Int64(0)) { $0 + ($1.resources.requests?["cpu"]?.milliValue ?? 0) }
        }
        if let r = KubeletCgroups.qosResources(.burstable, burstableRequestsMilliCPU: milli) {
            try? m.apply(KubeletCgroups.asKubeletWritten(r, mode: mode))
        }
    }
}
