/// The -ENOSYS stub runc prepends to every filter (runc PR #2750, `libcontainer/seccomp/patchbpf`).
///
/// Why: a profile is an allow-list frozen at some kernel version. A syscall added later (clone3, openat2,
/// faccessat2...) would get the default action, usually EPERM, and libc treats EPERM as a real refusal instead
/// of falling back to the older call. With the stub, any syscall *numbered above the highest one the profile
/// names* on that architecture returns ENOSYS, exactly as on a kernel that lacks it. Syscalls at or below that
/// number go to libseccomp's filter unchanged.
///
/// Layout (our own; behaviour matches runc's, jumps are resolved from labels):
///
///     ld  [arch]
///     jeq AUDIT_ARCH_A, sectionA        ; one per architecture that names at least one syscall
///     ...
///     ja  filter                          ; other arches: libseccomp's bad-arch action
///   sectionA:
///     ld  [nr]
///     (s390/s390x) jeq 0, enosys          ; setup(2) is the kernel's multiplexer for unknown numbers there
///     (x86_64)     jset 0x40000000, x32   ; x32 shares AUDIT_ARCH_X86_64 and marks numbers with bit 30
///     jgt MAX, enosys, filter
///   x32:
///     jgt MAX_X32, enosys, filter
///     ...
///   enosys:
///     ret ERRNO(ENOSYS)
///   filter:                               ; first instruction of libseccomp's program
enum ENOSYSStub {
    struct Arch: Equatable {
        var auditArch: UInt32
        var isX32: Bool
        /// Highest syscall number the profile names on this arch, -1 when none (the arch is left to the filter).
        var maxSyscall: Int
    }

    static let auditArchX86_64: UInt32 = 0xC000_003E
    static let auditArchS390: UInt32 = 0x0000_0016
    static let auditArchS390X: UInt32 = 0x8000_0016
    static let x32SyscallBit: UInt32 = 0x4000_0000
    static let retErrnoENOSYS: UInt32 = 0x0005_0000 | 38  // SECCOMP_RET_ERRNO | ENOSYS

    enum Label: Hashable { case next, enosys, filter, section(Int), x32(Int) }

    enum Op {
        case load(UInt32)
        case jeq(UInt32, Label, Label)
        case jgt(UInt32, Label, Label)
        case jset(UInt32, Label, Label)
        case ja(Label)
        case ret(UInt32)
        case mark(Label)
    }

    struct StubError: Swift.Error, CustomStringConvertible {
        var description: String
    }

    /// The stub for a filter containing `arches`; empty when no arch names any syscall.
    static func instructions(for arches: [Arch]) throws -> [BPFInstruction] {
        // Group by the value the kernel reports in seccomp_data.arch (x86_64 and x32 share one).
        var groups: [(audit: UInt32, members: [Arch])] = []
        for a in arches where a.maxSyscall >= 0 {
            if let i = groups.firstIndex(where: { $0.audit == a.auditArch }) {
                groups[i].members.append(a)
            } else {
                groups.append((a.auditArch, [a]))
            }
        }
        if groups.isEmpty { return [] }

        var ops: [Op] = [.load(BPFInstruction.offsetArch)]
        for (g, group) in groups.enumerated() { ops.append(.jeq(group.audit, .section(g), .next)) }
        ops.append(.ja(.filter))
        for (g, group) in groups.enumerated() {
            ops.append(.mark(.section(g)))
            ops.append(.load(BPFInstruction.offsetNr))
            if group.audit == auditArchS390 || group.audit == auditArchS390X {
                ops.append(.jeq(0, .enosys, .next))
            }
            let native = group.members.first { !$0.isX32 }.map { UInt32($0.maxSyscall) }
            let x32 = group.members.first { $0.isX32 }.map { UInt32($0.maxSyscall) }
            if group.audit == auditArchX86_64 {
                switch (native, x32) {
                case (let n?, let x?):
                    ops += [
                        .jset(x32SyscallBit, .x32(g), .next), .jgt(n, .enosys, .filter),
                        .mark(.x32(g)), .jgt(x, .enosys, .filter),
                    ]
                case (let n?, nil): ops += [.jset(x32SyscallBit, .filter, .next), .jgt(n, .enosys, .filter)]
                case (nil, let x?): ops += [.jset(x32SyscallBit, .next, .filter), .jgt(x, .enosys, .filter)]
                case (nil, nil): ops.append(.ja(.filter))
                }
            } else if let n = native ?? x32 {
                ops.append(.jgt(n, .enosys, .filter))
            }
        }
        ops += [.mark(.enosys), .ret(retErrnoENOSYS)]
        return try assemble(ops)
    }

    /// Resolves labels to BPF's forward-relative jump offsets; `.filter` is the first instruction after the stub.
    static func assemble(_ ops: [Op]) throws -> [BPFInstruction] {
        var position: [Label: Int] = [:]
        var count = 0
        for op in ops {
            if case .mark(let l) = op { position[l] = count } else { count += 1 }
        }
        position[.filter] = count

        var out: [BPFInstruction] = []
        func offset(_ l: Label, from pc: Int) throws -> Int {
            if l == .next { return 0 }
            guard let target = position[l], target > pc else {
                throw StubError(description: "seccomp -ENOSYS stub: bad jump to \(l) at \(pc)")
            }
            return target - pc - 1
        }
        func short(_ l: Label, _ pc: Int) throws -> UInt8 {
            let o = try offset(l, from: pc)
            guard o <= 255 else { throw StubError(description: "seccomp -ENOSYS stub: jump of \(o) exceeds 255") }
            return UInt8(o)
        }
        for op in ops {
            let pc = out.count
            switch op {
            case .mark: continue
            case .load(let off): out.append(BPFInstruction(code: BPFInstruction.ldWordAbs, k: off))
            case .jeq(let k, let t, let f):
                out.append(BPFInstruction(code: BPFInstruction.jeqK, jt: try short(t, pc), jf: try short(f, pc), k: k))
            case .jgt(let k, let t, let f):
                out.append(BPFInstruction(code: BPFInstruction.jgtK, jt: try short(t, pc), jf: try short(f, pc), k: k))
            case .jset(let k, let t, let f):
                out.append(BPFInstruction(code: BPFInstruction.jsetK, jt: try short(t, pc), jf: try short(f, pc), k: k))
            case .ja(let t): out.append(BPFInstruction(code: BPFInstruction.ja, k: UInt32(try offset(t, from: pc))))
            case .ret(let k): out.append(BPFInstruction(code: BPFInstruction.retK, k: k))
            }
        }
        return out
    }
}
