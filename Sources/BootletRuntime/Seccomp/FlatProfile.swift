#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CBootletSeccomp
import OCISpec

/// An OCI seccomp profile validated and flattened into the arrays `bl_seccomp_compile` reads: one rule per
/// syscall name, runc's argument-split rule applied, actions and operators mapped to numbers.
struct FlatProfile {
    struct Action: Equatable {
        var kind: UInt32
        var arg: UInt32
    }

    var defaultAction: Action
    var strings: [CChar] = []
    var archOffsets: [UInt32] = []
    var archNames: [String] = []
    var rules: [bl_seccomp_rule] = []
    /// Parallel to `rules`: the syscall name and OCI action, for messages.
    var ruleNames: [String] = []
    var ruleActions: [String] = []
    var conds: [bl_seccomp_cond] = []
    var flags: UInt32 = 0
    var warnings: [String] = []
    /// runc skips the stub when the default action already lets unknown syscalls through or already is ENOSYS.
    var enosysStub: Bool
    private var interned: [String: UInt32] = [:]

    static let eperm: UInt32 = 1
    static let enosys: UInt32 = 38
    static let maxErrno: UInt32 = 0xffff

    init(_ profile: LinuxSeccomp) throws {
        defaultAction = try Self.action(
            profile.defaultAction, errnoRet: profile.defaultErrnoRet, at: "defaultAction", warnings: &warnings)
        let allowish: Set<UInt32> = [
            UInt32(BL_SECCOMP_ACT_ALLOW.rawValue), UInt32(BL_SECCOMP_ACT_LOG.rawValue),
            UInt32(BL_SECCOMP_ACT_TRACE.rawValue),
        ]
        enosysStub =
            !allowish.contains(defaultAction.kind)
            && defaultAction != Action(kind: UInt32(BL_SECCOMP_ACT_ERRNO.rawValue), arg: Self.enosys)

        let arches = profile.architectures ?? []
        if arches.count >= Int(BL_SECCOMP_MAX_ARCHES) { throw SeccompError.tooManyArchitectures(arches.count) }
        for arch in arches {
            guard arch.rawValue.hasPrefix("SCMP_ARCH_") else { throw SeccompError.unknownArchitecture(arch.rawValue) }
            archOffsets.append(intern(arch.rawValue))
            archNames.append(arch.rawValue)
        }

        for flag in profile.flags ?? [] {
            switch flag {
            case .tsync: flags |= SeccompProgram.FilterFlag.tsync
            case .log: flags |= SeccompProgram.FilterFlag.log
            case .specAllow: flags |= SeccompProgram.FilterFlag.specAllow
            case .waitKillableRecv:
                // Only meaningful with a notify listener (the kernel refuses it without one), and
                // SCMP_ACT_NOTIFY is refused below, so dropping it changes nothing.
                warnings.append("seccomp flag \"\(flag.rawValue)\" ignored: it only applies to SCMP_ACT_NOTIFY")
            default: throw SeccompError.unknownFlag(flag.rawValue)
            }
        }

        for (index, call) in (profile.syscalls ?? []).enumerated() {
            let label = "syscalls[\(index)]"
            let action = try Self.action(call.action, errnoRet: call.errnoRet, at: label, warnings: &warnings)
            let args = call.args ?? []
            var conditions: [bl_seccomp_cond] = []
            for arg in args {
                let name = call.names.first ?? label
                guard arg.index <= 5 else { throw SeccompError.argumentIndexOutOfRange(arg.index, syscall: name) }
                guard let op = Self.operators[arg.op] else {
                    throw SeccompError.unknownOperator(arg.op.rawValue, syscall: name)
                }
                conditions.append(
                    bl_seccomp_cond(
                        index: UInt32(arg.index), op: UInt32(op.rawValue), value: arg.value,
                        value_two: arg.valueTwo ?? 0))
            }
            // runc: when an argument index repeats, each condition becomes a separate rule (they OR);
            // otherwise all conditions form one rule (they AND).
            let indexes = conditions.map(\.index)
            let groups: [[bl_seccomp_cond]] =
                Set(indexes).count == indexes.count ? [conditions] : conditions.map { [$0] }
            for name in call.names {
                guard !name.isEmpty else { throw SeccompError.emptySyscallName(rule: index) }
                let nameOffset = intern(name)
                for group in groups {
                    rules.append(
                        bl_seccomp_rule(
                            name_offset: nameOffset, action: action.kind, action_arg: action.arg,
                            flags: action == defaultAction ? BL_SECCOMP_RULE_COUNT_ONLY : 0,
                            cond_first: UInt32(conds.count), cond_count: UInt32(group.count)))
                    ruleNames.append(name)
                    ruleActions.append(call.action.rawValue)
                    conds.append(contentsOf: group)
                }
            }
        }
    }

    private mutating func intern(_ s: String) -> UInt32 {
        if let o = interned[s] { return o }
        let o = UInt32(strings.count)
        strings.append(contentsOf: s.utf8CString)
        interned[s] = o
        return o
    }

    static let operators: [SeccompOperator: bl_seccomp_op] = [
        .notEqual: BL_SECCOMP_CMP_NE, .lessThan: BL_SECCOMP_CMP_LT, .lessEqual: BL_SECCOMP_CMP_LE,
        .equalTo: BL_SECCOMP_CMP_EQ, .greaterEqual: BL_SECCOMP_CMP_GE, .greaterThan: BL_SECCOMP_CMP_GT,
        .maskedEqual: BL_SECCOMP_CMP_MASKED_EQ,
    ]

    static func action(_ a: SeccompAction, errnoRet: UInt32?, at: String, warnings: inout [String]) throws -> Action {
        func plain(_ k: bl_seccomp_action) -> Action {
            if let e = errnoRet {
                // runc ignores it (crun refuses the profile); say so instead of silently dropping it.
                warnings.append("seccomp errnoRet \(e) ignored for \(a.rawValue) (\(at)): only ERRNO and TRACE use it")
            }
            return Action(kind: UInt32(k.rawValue), arg: 0)
        }
        func withData(_ k: bl_seccomp_action) throws -> Action {
            let e = errnoRet ?? eperm
            guard e <= maxErrno else { throw SeccompError.errnoOutOfRange(e, at: at) }
            return Action(kind: UInt32(k.rawValue), arg: e)
        }
        switch a {
        case .kill, .killThread: return plain(BL_SECCOMP_ACT_KILL_THREAD)
        case .killProcess: return plain(BL_SECCOMP_ACT_KILL_PROCESS)
        case .trap: return plain(BL_SECCOMP_ACT_TRAP)
        case .errno: return try withData(BL_SECCOMP_ACT_ERRNO)
        case .trace: return try withData(BL_SECCOMP_ACT_TRACE)
        case .allow: return plain(BL_SECCOMP_ACT_ALLOW)
        case .log: return plain(BL_SECCOMP_ACT_LOG)
        case .notify:
            throw SeccompError.unsupportedAction(
                a.rawValue, at: at, reason: "bootlet has no seccomp notify agent (listenerPath)")
        default: throw SeccompError.unknownAction(a.rawValue, at: at)
        }
    }

    /// Calls `body` with a description whose pointers are valid for the duration of the call.
    func withDescription<R>(_ body: (bl_seccomp_desc) -> R) -> R {
        strings.withUnsafeBufferPointer { s in
            archOffsets.withUnsafeBufferPointer { a in
                rules.withUnsafeBufferPointer { r in
                    conds.withUnsafeBufferPointer { c in
                        body(
                            bl_seccomp_desc(
                                default_action: defaultAction.kind, default_action_arg: defaultAction.arg,
                                strings: s.baseAddress, strings_len: s.count,
                                arch_offsets: a.baseAddress, arch_count: UInt32(a.count),
                                rules: r.baseAddress, rule_count: UInt32(r.count),
                                conds: c.baseAddress, cond_count: UInt32(c.count),
                                optimize_tree: r.count > 32 ? 1 : 0))
                    }
                }
            }
        }
    }

    /// The error for a failed `bl_seccomp_compile`, naming the step and the rule or architecture.
    func error(for r: bl_seccomp_result, rc: Int32, profile: LinuxSeccomp) -> SeccompError {
        let i = Int(r.failed_index)
        switch bl_seccomp_step(rawValue: r.failed_step) {
        case BL_SECCOMP_STEP_ARCH where archNames.indices.contains(i):
            if rc == -EINVAL { return .unknownArchitecture(archNames[i]) }
            return .libseccomp(step: "adding architecture \"\(archNames[i])\"", errno: -rc)
        case BL_SECCOMP_STEP_RULE where ruleNames.indices.contains(i):
            let n = rules[i].cond_count
            return .libseccomp(
                step: "adding rule \(ruleActions[i]) for syscall \"\(ruleNames[i])\" with \(n) argument condition(s)",
                errno: -rc)
        case BL_SECCOMP_STEP_INIT:
            return .libseccomp(step: "creating filter with default action \(profile.defaultAction)", errno: -rc)
        case BL_SECCOMP_STEP_ATTR: return .libseccomp(step: "setting filter attributes", errno: -rc)
        case BL_SECCOMP_STEP_EXPORT: return .libseccomp(step: "exporting BPF to memory", errno: -rc)
        default: return .libseccomp(step: "checking the flattened profile (entry \(i))", errno: -rc)
        }
    }
}
