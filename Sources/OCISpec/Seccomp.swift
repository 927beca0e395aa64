/// `linux.seccomp`.
public struct LinuxSeccomp: Codable, Sendable, Equatable, Hashable {
    public var defaultAction: SeccompAction
    public var defaultErrnoRet: UInt32?
    public var architectures: [SeccompArch]?
    public var flags: [SeccompFlag]?
    public var listenerPath: String?
    public var listenerMetadata: String?
    public var syscalls: [LinuxSyscall]?

    public init(
        defaultAction: SeccompAction, defaultErrnoRet: UInt32? = nil, architectures: [SeccompArch]? = nil,
        flags: [SeccompFlag]? = nil, syscalls: [LinuxSyscall]? = nil
    ) {
        self.defaultAction = defaultAction
        self.defaultErrnoRet = defaultErrnoRet
        self.architectures = architectures
        self.flags = flags
        self.syscalls = syscalls
    }
}

/// `linux.seccomp.syscalls[]`.
public struct LinuxSyscall: Codable, Sendable, Equatable, Hashable {
    public var names: [String]
    public var action: SeccompAction
    public var errnoRet: UInt32?
    public var args: [LinuxSeccompArg]?

    public init(names: [String], action: SeccompAction, errnoRet: UInt32? = nil, args: [LinuxSeccompArg]? = nil) {
        self.names = names
        self.action = action
        self.errnoRet = errnoRet
        self.args = args
    }
}

/// `linux.seccomp.syscalls[].args[]`.
public struct LinuxSeccompArg: Codable, Sendable, Equatable, Hashable {
    public var index: UInt
    public var value: UInt64
    public var valueTwo: UInt64?
    public var op: SeccompOperator

    public init(index: UInt, value: UInt64, valueTwo: UInt64? = nil, op: SeccompOperator) {
        self.index = index
        self.value = value
        self.valueTwo = valueTwo
        self.op = op
    }
}

public struct SeccompAction: OpenStringEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let kill: Self = "SCMP_ACT_KILL"
    public static let killProcess: Self = "SCMP_ACT_KILL_PROCESS"
    public static let killThread: Self = "SCMP_ACT_KILL_THREAD"
    public static let trap: Self = "SCMP_ACT_TRAP"
    public static let errno: Self = "SCMP_ACT_ERRNO"
    public static let trace: Self = "SCMP_ACT_TRACE"
    public static let allow: Self = "SCMP_ACT_ALLOW"
    public static let log: Self = "SCMP_ACT_LOG"
    public static let notify: Self = "SCMP_ACT_NOTIFY"
}

public struct SeccompArch: OpenStringEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let x86: Self = "SCMP_ARCH_X86"
    public static let x86_64: Self = "SCMP_ARCH_X86_64"
    public static let x32: Self = "SCMP_ARCH_X32"
    public static let arm: Self = "SCMP_ARCH_ARM"
    public static let aarch64: Self = "SCMP_ARCH_AARCH64"
    public static let riscv64: Self = "SCMP_ARCH_RISCV64"
    public static let s390: Self = "SCMP_ARCH_S390"
    public static let s390x: Self = "SCMP_ARCH_S390X"
    public static let ppc64le: Self = "SCMP_ARCH_PPC64LE"
}

public struct SeccompOperator: OpenStringEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let notEqual: Self = "SCMP_CMP_NE"
    public static let lessThan: Self = "SCMP_CMP_LT"
    public static let lessEqual: Self = "SCMP_CMP_LE"
    public static let equalTo: Self = "SCMP_CMP_EQ"
    public static let greaterEqual: Self = "SCMP_CMP_GE"
    public static let greaterThan: Self = "SCMP_CMP_GT"
    public static let maskedEqual: Self = "SCMP_CMP_MASKED_EQ"
}

public struct SeccompFlag: OpenStringEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let log: Self = "SECCOMP_FILTER_FLAG_LOG"
    public static let specAllow: Self = "SECCOMP_FILTER_FLAG_SPEC_ALLOW"
    public static let waitKillableRecv: Self = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"
    public static let tsync: Self = "SECCOMP_FILTER_FLAG_TSYNC"
}
