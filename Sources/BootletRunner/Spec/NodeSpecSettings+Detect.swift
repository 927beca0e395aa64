#if canImport(Glibc)
import Glibc
#endif
import BootletRuntime
import KubeModel
import OCISpec

extension NodeSpecSettings {
    /// Reads this host's facts (cgroup mode, memory, swap controller, huge page sizes, the runtime's effective
    /// capabilities) and takes the kubelet settings from `kubelet` (`seccompDefault`, `allowedUnsafeSysctls`).
    public static func detect(kubelet: KubeletConfiguration = KubeletConfiguration(), kubeletRootDir: String = "/var/lib/kubelet")
        -> NodeSpecSettings
    {
        let mountinfo = (try? FileIO.readString("/proc/self/mountinfo")) ?? ""
        let v2 = cgroupV2(mountinfo: mountinfo)
        var swap = FileIO.exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes")
        if v2, let cg = try? FileIO.readString("/proc/self/cgroup"),
            let line = cg.split(separator: "\n").first(where: { $0.hasPrefix("0::") })
        {
            swap = FileIO.exists("/sys/fs/cgroup" + line.dropFirst(3) + "/memory.swap.max")
        }
        return NodeSpecSettings(
            seccompDefault: kubelet.seccompDefault ?? false, kubeletRootDir: kubeletRootDir, cgroupV2: v2,
            memoryCapacity: memTotal(meminfo: (try? FileIO.readString("/proc/meminfo")) ?? ""),
            cpuCFSQuota: true, swapControllerAvailable: swap,
            hugePageSizes: hugePageSizes(entries: (try? FileIO.list("/sys/kernel/mm/hugepages")) ?? []),
            currentCapabilities: effectiveCapabilities(status: (try? FileIO.readString("/proc/self/status")) ?? ""),
            allowedUnsafeSysctls: kubelet.allowedUnsafeSysctls ?? [])
    }

    /// A pure cgroup v2 host: cgroup2 mounted at `/sys/fs/cgroup` (hybrid hosts have it at `.../unified`).
    static func cgroupV2(mountinfo: String) -> Bool {
        mountinfo.split(separator: "\n").contains { line in
            let f = line.split(separator: " ")
            guard let dash = f.firstIndex(of: "-"), dash + 1 < f.count, f.count > 4 else { return false }
            return f[4] == "/sys/fs/cgroup" && f[dash + 1] == "cgroup2"
        }
    }

    /// cadvisor's MemoryCapacity: `MemTotal` in bytes.
    static func memTotal(meminfo: String) -> Int64 {
        for line in meminfo.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let kb = line.split(separator: " ").dropFirst().first.flatMap { Int64($0) } ?? 0
            return kb * 1024
        }
        return 0
    }

    /// runc `HugePageSizes`: `hugepages-2048kB` → `2MB`.
    static func hugePageSizes(entries: [String]) -> [String] {
        entries.compactMap { name -> String? in
            guard name.hasPrefix("hugepages-"), name.hasSuffix("kB"),
                let kb = Int64(name.dropFirst("hugepages-".count).dropLast(2))
            else { return nil }
            return KubeletResources.hugePageUnitSize(bytes: kb * 1024)
        }
    }

    /// containerd `cap.Current()`: the `CapEff` bits of this process as names (numbers past the list are dropped).
    static func effectiveCapabilities(status: String) -> [Capability] {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
            let mask = UInt64(line.dropFirst("CapEff:".count).trimmingCharacters(in: " \t"), radix: 16)
        else { return Capability.containerdDefault }
        return Capability.allKnown.enumerated().filter { mask & (1 << UInt64($0.offset)) != 0 }.map(\.element)
    }
}
