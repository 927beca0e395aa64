import BootletRuntime
import OCISpec
import Testing

@Suite("RuntimeDefault: containerd's DefaultProfile as data")
struct RuntimeDefaultTests {
    static let modern = KernelRelease(major: 6, minor: 18)
    static let defaultCaps = Set(Capability.containerdDefault)

    static func allowed(_ p: LinuxSeccomp) -> Set<String> {
        Set((p.syscalls ?? []).filter { $0.action == .allow && ($0.args ?? []).isEmpty }.flatMap(\.names))
    }

    static func rules(_ p: LinuxSeccomp, _ name: String) -> [LinuxSyscall] {
        (p.syscalls ?? []).filter { $0.names.contains(name) }
    }

    @Test("default action EPERM, amd64 arches, the unconditional list")
    func basics() {
        let p = RuntimeDefaultProfile.profile(boundingCapabilities: Self.defaultCaps, arch: .amd64, kernel: Self.modern)
        #expect(p.defaultAction == .errno)
        #expect(p.defaultErrnoRet == nil)
        #expect(p.architectures == [.x86_64, .x86, .x32])
        #expect(RuntimeDefaultProfile.unconditional.count == 352)
        #expect(Set(RuntimeDefaultProfile.unconditional).count == 352, "no duplicates")
        let allowed = Self.allowed(p)
        for name in ["read", "write", "openat", "execve", "futex", "rseq", "close_range", "name_to_handle_at",
                     "arch_prctl", "modify_ldt", "ptrace", "process_vm_readv", "socketcall"] {
            #expect(allowed.contains(name), "\(name)")
        }
        for name in ["mount", "umount2", "unshare", "setns", "bpf", "kcmp", "pidfd_getfd", "reboot", "init_module",
                     "settimeofday", "mbind", "syslog", "perf_event_open", "open_by_handle_at", "io_uring_setup",
                     "keyctl", "add_key", "userfaultfd", "socket", "personality", "clone", "clone3"] {
            #expect(!allowed.contains(name), "\(name) must not be allowed unconditionally")
        }
    }

    @Test("socket: every domain except AF_ALG (38) and AF_VSOCK (40), as three single-condition rules")
    func socket() {
        let p = RuntimeDefaultProfile.profile(boundingCapabilities: [], arch: .amd64, kernel: Self.modern)
        let args = Self.rules(p, "socket").map { $0.args ?? [] }
        #expect(args == [
            [LinuxSeccompArg(index: 0, value: 38, op: .lessThan)],
            [LinuxSeccompArg(index: 0, value: 39, op: .equalTo)],
            [LinuxSeccompArg(index: 0, value: 40, op: .greaterThan)],
        ])
        #expect(Self.rules(p, "socket").allSatisfy { $0.action == .allow })
    }

    @Test("personality: only 0, 8, 0x20000, 0x20008, 0xffffffff")
    func personality() {
        let p = RuntimeDefaultProfile.profile(boundingCapabilities: [], arch: .amd64, kernel: Self.modern)
        let values = Self.rules(p, "personality").compactMap { $0.args?.first }
        #expect(values.map(\.value) == [0, 8, 0x20000, 0x20008, 0xffff_ffff])
        #expect(values.allSatisfy { $0.op == .equalTo && $0.index == 0 })
    }

    @Test("without CAP_SYS_ADMIN: clone only without CLONE_NEW* flags, clone3 → ENOSYS, no mount/unshare")
    func withoutSysAdmin() {
        let p = RuntimeDefaultProfile.profile(boundingCapabilities: Self.defaultCaps, arch: .amd64, kernel: Self.modern)
        let clone = Self.rules(p, "clone")
        #expect(clone.count == 1)
        #expect(clone.first?.action == .allow)
        #expect(clone.first?.args == [LinuxSeccompArg(index: 0, value: 0x7E02_0000, valueTwo: 0, op: .maskedEqual)])
        let clone3 = Self.rules(p, "clone3")
        #expect(clone3.count == 1)
        #expect(clone3.first?.action == .errno)
        #expect(clone3.first?.errnoRet == 38)
        #expect(Self.rules(p, "mount").isEmpty)
        #expect(Self.rules(p, "unshare").isEmpty)
    }

    @Test("with CAP_SYS_ADMIN: the admin group, clone and clone3 unrestricted")
    func withSysAdmin() {
        var caps = Self.defaultCaps
        caps.insert(.sysAdmin)
        let p = RuntimeDefaultProfile.profile(boundingCapabilities: caps, arch: .amd64, kernel: Self.modern)
        let allowed = Self.allowed(p)
        for name in ["mount", "umount2", "unshare", "setns", "clone", "clone3", "bpf", "fsopen", "sethostname",
                     "syslog", "quotactl"] {
            #expect(allowed.contains(name), "\(name)")
        }
        #expect(Self.rules(p, "clone").allSatisfy { ($0.args ?? []).isEmpty })
        #expect(!Self.rules(p, "clone3").contains { $0.action == .errno })
    }

    @Test("with CAP_SYS_PTRACE: kcmp, pidfd_getfd, process_madvise")
    func withSysPtrace() {
        let without = Self.allowed(
            RuntimeDefaultProfile.profile(boundingCapabilities: Self.defaultCaps, arch: .amd64, kernel: Self.modern))
        var caps = Self.defaultCaps
        caps.insert("CAP_SYS_PTRACE")
        let with = Self.allowed(RuntimeDefaultProfile.profile(boundingCapabilities: caps, arch: .amd64, kernel: Self.modern))
        for name in ["kcmp", "pidfd_getfd", "process_madvise"] {
            #expect(!without.contains(name))
            #expect(with.contains(name))
        }
    }

    @Test("each capability group adds exactly its syscalls", arguments: RuntimeDefaultProfile.capabilityGroups.map(\.capability))
    func capabilityGroups(cap: Capability) throws {
        let group = try #require(RuntimeDefaultProfile.capabilityGroups.first { $0.capability == cap })
        let p = RuntimeDefaultProfile.profile(boundingCapabilities: [cap], arch: .amd64, kernel: Self.modern)
        #expect(Self.rules(p, group.syscalls[0]).contains { $0.names == group.syscalls && $0.action == .allow })
    }

    @Test("process_vm_readv/writev and ptrace only on kernels >= 4.8; unparsable release leaves them out")
    func kernelGate() {
        let old = Self.allowed(RuntimeDefaultProfile.profile(
            boundingCapabilities: [], arch: .amd64, kernel: KernelRelease(major: 4, minor: 4)))
        #expect(!old.contains("ptrace"))
        #expect(!old.contains("process_vm_readv"))
        let edge = Self.allowed(RuntimeDefaultProfile.profile(
            boundingCapabilities: [], arch: .amd64, kernel: KernelRelease(major: 4, minor: 8)))
        #expect(edge.contains("ptrace"))
        let unknown = Self.allowed(RuntimeDefaultProfile.profile(boundingCapabilities: [], arch: .amd64, kernel: nil))
        #expect(!unknown.contains("ptrace"))
    }

    @Test("uname release parsing")
    func releaseParsing() {
        #expect(KernelRelease(parsing: "6.18.44-fc-v595") == KernelRelease(major: 6, minor: 18))
        #expect(KernelRelease(parsing: "4.8") == KernelRelease(major: 4, minor: 8))
        #expect(KernelRelease(parsing: "5.10.0-28-amd64") == KernelRelease(major: 5, minor: 10))
        #expect(KernelRelease(parsing: "6") == nil)
        #expect(KernelRelease(parsing: "abc") == nil)
        #expect(KernelRelease(parsing: "") == nil)
        #expect(KernelRelease(parsing: "99999999999999999999999.1") == nil)
        #expect(KernelRelease(major: 4, minor: 10) > KernelRelease(major: 4, minor: 8))
        #expect(KernelRelease.running != nil, "this machine's release parses")
    }

    @Test("other hosts: arm64 arches and extras, s390x takes clone flags from arg 1")
    func otherArches() {
        let arm = RuntimeDefaultProfile.profile(boundingCapabilities: [], arch: .arm64, kernel: Self.modern)
        #expect(arm.architectures == [.arm, .aarch64])
        #expect(Self.allowed(arm).contains("set_tls"))
        #expect(!Self.allowed(arm).contains("arch_prctl"))
        let s390 = RuntimeDefaultProfile.profile(boundingCapabilities: [], arch: .s390x, kernel: Self.modern)
        #expect(Self.rules(s390, "clone").first?.args?.first?.index == 1)
    }

    @Test("equal capability sets give identical profiles (fixed group order)")
    func deterministic() {
        let caps: Set<Capability> = ["CAP_SYS_TIME", "CAP_SYS_ADMIN", "CAP_BPF", "CAP_SYS_PTRACE", "CAP_CHOWN"]
        let a = RuntimeDefaultProfile.profile(boundingCapabilities: caps, arch: .amd64, kernel: Self.modern)
        let b = RuntimeDefaultProfile.profile(boundingCapabilities: Set(Array(caps).reversed()), arch: .amd64,
                                              kernel: Self.modern)
        #expect(a == b)
        #expect(SeccompCacheKey(profile: a) == SeccompCacheKey(profile: b))
    }

    @Test("it compiles on this host with the expected size and only the names libseccomp lacks are warned about",
          .enabled(if: Support.isAMD64))
    func compiles() throws {
        let p = try SeccompCompiler.compileUncached(RuntimeDefaultProfile.profile(boundingCapabilities: Self.defaultCaps))
        #expect(p.instructionCount > 300)
        #expect(p.instructionCount < 4096)
        for w in p.warnings {
            #expect(w.hasPrefix("unknown seccomp syscall"), "\(w)")
        }
    }
}
