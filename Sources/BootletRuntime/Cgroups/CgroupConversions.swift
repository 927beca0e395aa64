#if canImport(Glibc)
import Glibc
#endif

/// The OCI resource model is cgroup v1 shaped; these map its values onto cgroup v2 files. Sources are named per
/// function; docs/cgroups.md lists them with worked values.
public enum CgroupConversions {
    /// cpu.shares [2, 262144] → cpu.weight [1, 10000], as current runc writes it (opencontainers/cgroups
    /// `ConvertCPUSharesToCgroupV2Value` after runc#4785 / kubernetes#131216): a quadratic in log2(shares) that maps
    /// the v1 default 1024 onto the v2 default 100 (the older linear formula gave 39).
    /// 0 → 0 (unset), ≤2 → 1, ≥262144 → 10000.
    public static func cpuWeight(fromShares shares: UInt64) -> UInt64 {
        if shares == 0 { return 0 }
        if shares <= 2 { return 1 }
        if shares >= 262_144 { return 10_000 }
        let l = log2(Double(shares))
        let exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0
        return UInt64(ceil(pow(10, exponent)))
    }

    /// kubelet's own linear mapping (`getCPUWeight` in pkg/kubelet/cm/cgroup_manager_linux.go), used for the
    /// pod/QoS cgroups kubelet writes itself: `1 + ((shares-2)*9999)/262142`, ≥262144 → 10000, 0 → 0.
    public static func kubeletCPUWeight(fromShares shares: UInt64) -> UInt64 {
        if shares == 0 { return 0 }
        if shares >= 262_144 { return 10_000 }
        let s = max(shares, 2)
        return 1 + ((s - 2) * 9999) / 262_142
    }

    /// OCI `memory.swap` is memory+swap (v1 memsw); v2 `memory.swap.max` is swap alone
    /// (opencontainers/cgroups `ConvertMemorySwapToCgroupV2Value`). Returns the value to write, -1 meaning "max"
    /// and 0 with `memorySwap == 0` meaning "leave unset".
    public static func swapMax(memorySwap: Int64, memory: Int64) throws(CgroupError) -> Int64 {
        let step = "convert memory swap limit to cgroup v2"
        switch true {
        case memory == -1 && memorySwap == 0: return -1  // "both unlimited", as v1 does
        case memorySwap == -1 || memorySwap == 0: return memorySwap
        case memory == -1: return memorySwap
        case memory == 0: throw CgroupError.invalid(step, "a swap limit (\(memorySwap)) needs a memory limit")
        case memory < 0: throw CgroupError.invalid(step, "invalid memory limit \(memory)")
        case memorySwap < memory:
            throw CgroupError.invalid(step, "memory+swap limit \(memorySwap) is below the memory limit \(memory)")
        default: return memorySwap - memory
        }
    }

    /// blkio.weight [10, 1000] → io.weight [1, 10000], linear (opencontainers/cgroups
    /// `ConvertBlkIOToIOWeightValue`): `1 + (w-10)*9999/990`; 0 → 0 (unset).
    public static func ioWeight(fromBlkioWeight w: UInt16) -> UInt64 {
        if w == 0 { return 0 }
        let v = max(UInt64(w), 10)
        return 1 + (v - 10) * 9999 / 990
    }

    /// OCI hugepage size names (`2MB`, `1GB`, `64KB`) are the kernel's file-name spelling; anything else is refused
    /// before it is pasted into a path.
    public static func validHugepageSize(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count >= 3 else { return false }
        let suffix = String(decoding: u.suffix(2), as: UTF8.self)
        let digits = u.dropLast(2)
        return ["KB", "MB", "GB"].contains(suffix) && !digits.isEmpty
            && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
