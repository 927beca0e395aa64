import Crypto
import OCISpec

/// Identifies one compiled program: SHA-256 (hex) over a canonical serialization of what determines the BPF —
/// the profile (or RuntimeDefault's inputs), the libseccomp version and syscall-table fingerprint, the native arch
/// and `formatVersion`.
///
/// The serialization is our own length-prefixed encoding rather than JSON so that field order, whitespace and
/// nil-vs-absent never change the key, and so that it costs a few microseconds.
public struct SeccompCacheKey: Hashable, Sendable, CustomStringConvertible {
    /// Bump when the stub, the flattening rules or the on-disk format change: old files then simply miss.
    public static let formatVersion: UInt32 = 1

    /// 64 lowercase hex digits.
    public let hex: String
    public var description: String { hex }

    /// Key of an arbitrary OCI profile.
    public init(profile: LinuxSeccomp) {
        var e = Self.environment(kind: "oci-profile")
        e.string(profile.defaultAction.rawValue)
        e.optional(profile.defaultErrnoRet)
        e.strings((profile.architectures ?? []).map(\.rawValue))
        e.strings((profile.flags ?? []).map(\.rawValue))
        let calls = profile.syscalls ?? []
        e.u64(UInt64(calls.count))
        for c in calls {
            e.strings(c.names)
            e.string(c.action.rawValue)
            e.optional(c.errnoRet)
            let args = c.args ?? []
            e.u64(UInt64(args.count))
            for a in args {
                e.u64(UInt64(a.index))
                e.u64(a.value)
                e.optional(a.valueTwo)
                e.string(a.op.rawValue)
            }
        }
        hex = e.digestHex()
    }

    /// Key of RuntimeDefault from its inputs alone (see `RuntimeDefaultProfile.capabilityMask`).
    init(runtimeDefaultCapabilityMask mask: UInt32, arch: RuntimeDefaultProfile.HostArch, kernelGates: UInt32) {
        var e = Self.environment(kind: "runtime-default")
        e.u64(UInt64(RuntimeDefaultProfile.version))
        e.string(arch.rawValue)
        e.u64(UInt64(mask))
        e.u64(UInt64(kernelGates))
        hex = e.digestHex()
    }


    private static func environment(kind: String) -> CanonicalEncoder {
        var e = CanonicalEncoder()
        e.string("bootlet-seccomp")
        e.u64(UInt64(formatVersion))
        e.u64(UInt64(SeccompCompiler.libseccompVersionCode))
        e.u64(UInt64(SeccompCompiler.nativeArchToken))
        e.u64(SeccompCompiler.syscallTableFingerprint)
        e.string(kind)
        return e
    }
}

/// Length-prefixed, big-endian, unambiguous byte encoding.
struct CanonicalEncoder {
    var bytes: [UInt8] = []

    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }
    mutating func string(_ s: String) {
        u64(UInt64(s.utf8.count))
        bytes.append(contentsOf: s.utf8)
    }
    mutating func strings(_ list: [String]) {
        u64(UInt64(list.count))
        for s in list { string(s) }
    }
    mutating func optional<T: FixedWidthInteger>(_ v: T?) {
        if let v {
            bytes.append(1)
            u64(UInt64(truncatingIfNeeded: v))
        } else {
            bytes.append(0)
        }
    }

    func digestHex() -> String { Self.hex(SHA256.hash(data: bytes)) }

    func digestPrefix64() -> UInt64 {
        SHA256.hash(data: bytes).prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
