#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A compiled seccomp filter, ready for `bl_seccomp_install(bytes, instructionCount, flags)` in the container
/// child right before exec (after no_new_privs or with CAP_SYS_ADMIN, as runc does).
public struct SeccompProgram: Hashable, Sendable {
    /// `struct sock_filter[instructionCount]`, native endian, -ENOSYS stub included.
    public let bytes: [UInt8]
    /// `SECCOMP_FILTER_FLAG_*` bits from `linux.seccomp.flags` (TSYNC, LOG, SPEC_ALLOW).
    public let flags: UInt32
    /// Things the profile asked for that were skipped (unknown syscall names, ignored fields), one sentence each.
    /// Kept in the cache so a hit reports the same warnings as the compile did.
    public let warnings: [String]

    public var instructionCount: Int { bytes.count / BPFInstruction.size }

    public init(bytes: [UInt8], flags: UInt32, warnings: [String]) {
        self.bytes = bytes
        self.flags = flags
        self.warnings = warnings
    }

    /// `SECCOMP_FILTER_FLAG_*` values (linux/seccomp.h).
    public enum FilterFlag {
        public static let tsync: UInt32 = 1 << 0
        public static let log: UInt32 = 1 << 1
        public static let specAllow: UInt32 = 1 << 2
        public static let newListener: UInt32 = 1 << 3
        public static let waitKillableRecv: UInt32 = 1 << 5
    }
}

/// Why a seccomp profile could not be compiled. Every message names the offending value.
public enum SeccompError: Swift.Error, CustomStringConvertible, Equatable {
    case unknownAction(String, at: String)
    case unsupportedAction(String, at: String, reason: String)
    case unknownArchitecture(String)
    case unknownOperator(String, syscall: String)
    case argumentIndexOutOfRange(UInt, syscall: String)
    case unknownFlag(String)
    case errnoOutOfRange(UInt32, at: String)
    case emptySyscallName(rule: Int)
    case tooManyArchitectures(Int)
    case programTooLong(Int)
    /// A libseccomp call failed: `step` says which (and for which syscall/arch), `errno` is its -errno.
    case libseccomp(step: String, errno: Int32)

    public var description: String {
        switch self {
        case .unknownAction(let a, let at): "unknown seccomp action \"\(a)\" (\(at))"
        case .unsupportedAction(let a, let at, let why): "seccomp action \"\(a)\" is not supported (\(at)): \(why)"
        case .unknownArchitecture(let a):
            "unknown seccomp architecture \"\(a)\" (expected an SCMP_ARCH_* name known to libseccomp "
                + "\(SeccompCompiler.libseccompVersion))"
        case .unknownOperator(let op, let sc): "unknown seccomp operator \"\(op)\" (syscall \"\(sc)\")"
        case .argumentIndexOutOfRange(let i, let sc):
            "seccomp argument index \(i) out of range 0...5 (syscall \"\(sc)\")"
        case .unknownFlag(let f): "unknown seccomp flag \"\(f)\""
        case .errnoOutOfRange(let e, let at): "seccomp errnoRet \(e) out of range 0...65535 (\(at))"
        case .emptySyscallName(let r): "empty seccomp syscall name in syscalls[\(r)]"
        case .tooManyArchitectures(let n): "too many seccomp architectures (\(n))"
        case .programTooLong(let n):
            "seccomp filter has \(n) instructions; the kernel accepts at most \(BPFInstruction.maxProgramLength)"
        case .libseccomp(let step, let e): "seccomp: \(step): \(Self.errnoText(e)) (errno \(e))"
        }
    }

    static func errnoText(_ e: Int32) -> String { String(cString: strerror(e)) }
}
