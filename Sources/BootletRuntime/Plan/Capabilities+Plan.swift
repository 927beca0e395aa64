import CBootletRuntime
import OCISpec

/// Capability sets as kernel bit masks.
public struct CapabilityMasks: Equatable, Sendable {
    public var bounding: UInt64 = 0
    public var effective: UInt64 = 0
    public var permitted: UInt64 = 0
    public var inheritable: UInt64 = 0
    public var ambient: UInt64 = 0

    /// Resolve names through libcap. A name nobody knows is an error ("unknown capability"); a name libcap knows
    /// but the running kernel does not have is skipped with a warning, as runc does.
    public init(_ caps: LinuxCapabilities, warnings: inout [String]) throws {
        let last = bl_cap_last()
        func mask(_ names: [Capability]?, _ set: String) throws -> UInt64 {
            var m: UInt64 = 0
            for name in names ?? [] {
                let n = bl_cap_from_name(name.rawValue)
                if n < 0 || n > 63 {
                    throw RuntimeError(
                        "resolve process.capabilities.\(set)", "\"\(name.rawValue)\"", detail: "unknown capability")
                }
                if n > last {
                    warnings.append("capability \(name.rawValue) is not supported by this kernel; ignored")
                    continue
                }
                m |= 1 << UInt64(n)
            }
            return m
        }
        bounding = try mask(caps.bounding, "bounding")
        effective = try mask(caps.effective, "effective")
        permitted = try mask(caps.permitted, "permitted")
        inheritable = try mask(caps.inheritable, "inheritable")
        ambient = try mask(caps.ambient, "ambient")
    }

    public init() {}

    public func contains(_ cap: Capability, in set: KeyPath<CapabilityMasks, UInt64>) -> Bool {
        let n = bl_cap_from_name(cap.rawValue)
        return n >= 0 && n < 64 && (self[keyPath: set] & (1 << UInt64(n))) != 0
    }
}

/// `process.rlimits[].type` names → resource numbers.
public enum Rlimit {
    public static let names: [String: UInt32] = [
        "RLIMIT_CPU": 0, "RLIMIT_FSIZE": 1, "RLIMIT_DATA": 2, "RLIMIT_STACK": 3, "RLIMIT_CORE": 4,
        "RLIMIT_RSS": 5, "RLIMIT_NPROC": 6, "RLIMIT_NOFILE": 7, "RLIMIT_MEMLOCK": 8, "RLIMIT_AS": 9,
        "RLIMIT_LOCKS": 10, "RLIMIT_SIGPENDING": 11, "RLIMIT_MSGQUEUE": 12, "RLIMIT_NICE": 13,
        "RLIMIT_RTPRIO": 14, "RLIMIT_RTTIME": 15,
    ]
}
