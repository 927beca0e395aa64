import CBootletSeccomp
import OCISpec
import Synchronization

/// Turns an OCI `linux.seccomp` profile into a loadable classic-BPF program.
///
/// Semantics follow runc (`libcontainer/seccomp/seccomp_linux.go` + `patchbpf`), which is what kubelet users get
/// through containerd: SCMP_ACT_KILL kills the thread, ERRNO/TRACE without errnoRet mean EPERM, a rule whose
/// action equals the default action is dropped, a syscall name libseccomp does not know is skipped with a warning,
/// conditions on distinct argument indexes are AND-ed in one rule, but if any index repeats every condition becomes
/// its own rule (OR), and an -ENOSYS stub is prepended so syscalls newer than the profile fail like on an old
/// kernel instead of with the default action.
///
/// libseccomp costs ~10 ms per compile for RuntimeDefault on three arches (runtime-anchors A.4), so callers go
/// through a `SeccompCache`: `compile(_:cache:)` hashes the profile, `runtimeDefault(boundingCapabilities:cache:)`
/// keys RuntimeDefault by its inputs without building it.
public enum SeccompCompiler {
    /// libseccomp's version, e.g. "2.5.4" (part of every cache key).
    public static let libseccompVersion: String = {
        let v = libseccompVersionCode
        return "\(v >> 16).\((v >> 8) & 0xff).\(v & 0xff)"
    }()
    static let libseccompVersionCode: UInt32 = bl_seccomp_library_version()
    /// libseccomp's token for the native architecture (an AUDIT_ARCH_* value).
    static let nativeArchToken: UInt32 = bl_seccomp_native_arch()

    /// Digest of libseccomp's syscall-name table as far as table updates change it, computed once per process.
    ///
    /// Why: distributions patch syscall tables without changing the version (Debian's 2.5.4-1+deb12u1 knows
    /// cachestat and fchmodat2, plain 2.5.4 does not), and a program cached by the older table would keep
    /// refusing those calls after an upgrade. Table updates add *new* syscalls, and libseccomp updates every
    /// architecture's table in the same release, so resolving the syscalls added to Linux since 5.x on the native
    /// table detects them; resolving every name the profiles use, or every arch, would cost up to ~0.6 ms per
    /// process, which `bootlet oci run` pays on every container start.
    static let syscallTableFingerprint: UInt64 = {
        let names = [
            "clone3", "close_range", "openat2", "pidfd_getfd", "faccessat2", "process_madvise", "epoll_pwait2",
            "mount_setattr", "quotactl_fd", "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
            "memfd_secret", "process_mrelease", "futex_waitv", "set_mempolicy_home_node", "cachestat", "fchmodat2",
            "map_shadow_stack", "futex_wake", "futex_wait", "futex_requeue", "statmount", "listmount",
            "lsm_get_self_attr", "lsm_set_self_attr", "lsm_list_modules", "mseal", "setxattrat", "getxattrat",
            "listxattrat", "removexattrat", "open_tree_attr", "uretprobe",
        ]
        var e = CanonicalEncoder()
        for name in names {
            e.u64(UInt64(bitPattern: Int64(name.withCString { bl_seccomp_syscall_number(nil, $0) })))
        }
        return e.digestPrefix64()
    }()

    private static let compiles = Atomic<Int>(0)
    /// How many times this process ran libseccomp (cache misses). Cache hits leave it unchanged.
    public static var libseccompCompileCount: Int { compiles.load(ordering: .relaxed) }

    /// Compiles `profile`, or returns the cached program compiled earlier for an identical profile.
    public static func compile(_ profile: LinuxSeccomp, cache: SeccompCache) throws -> SeccompProgram {
        try cache.program(for: SeccompCacheKey(profile: profile)) { try compileUncached(profile) }
    }

    /// Kubernetes `RuntimeDefault` for a container with these bounding capabilities, on the running kernel and
    /// native arch. The cache key is built from the inputs only (profile version, arch, the capabilities the
    /// profile looks at, the kernel gate), so a hit neither builds nor hashes the 370-name profile.
    public static func runtimeDefault(boundingCapabilities: Set<Capability>, cache: SeccompCache) throws
        -> SeccompProgram
    {
        let arch = RuntimeDefaultProfile.HostArch.native
        let kernel = KernelRelease.running
        let key = SeccompCacheKey(
            runtimeDefaultCapabilityMask: RuntimeDefaultProfile.capabilityMask(boundingCapabilities),
            arch: arch, kernelGates: RuntimeDefaultProfile.kernelGateMask(kernel))
        return try cache.program(for: key) {
            try compileUncached(
                RuntimeDefaultProfile.profile(boundingCapabilities: boundingCapabilities, arch: arch, kernel: kernel))
        }
    }

    /// Compiles without any cache (always runs libseccomp).
    public static func compileUncached(_ profile: LinuxSeccomp) throws -> SeccompProgram {
        var flat = try FlatProfile(profile)
        var result = bl_seccomp_result()
        var status = [UInt8](repeating: 0, count: flat.rules.count)
        compiles.add(1, ordering: .relaxed)
        let rc = flat.withDescription { desc in
            withUnsafePointer(to: desc) { d in
                status.withUnsafeMutableBufferPointer { bl_seccomp_compile(d, &result, $0.baseAddress) }
            }
        }
        defer { bl_seccomp_result_free(&result) }
        if rc < 0 { throw flat.error(for: result, rc: rc, profile: profile) }

        var unknown: [String] = []
        for (i, s) in status.enumerated() where s & UInt8(BL_SECCOMP_RULE_UNKNOWN_NAME) != 0 {
            let name = flat.ruleNames[i]
            if !unknown.contains(name) { unknown.append(name) }
        }
        for name in unknown {
            flat.warnings.append(
                "unknown seccomp syscall \"\(name)\" skipped (libseccomp \(libseccompVersion) does not know it)")
        }

        var bytes: [UInt8] = []
        if flat.enosysStub {
            // `arches` is a fixed-size C array, imported as a homogeneous tuple.
            let arches = withUnsafeBytes(of: result.arches) { raw in
                Array(raw.assumingMemoryBound(to: bl_seccomp_arch_info.self).prefix(Int(result.arch_count)))
            }
            let stub = try ENOSYSStub.instructions(
                for: arches.map {
                    ENOSYSStub.Arch(auditArch: $0.audit_arch, isX32: $0.is_x32 != 0, maxSyscall: Int($0.max_syscall))
                })
            for insn in stub { insn.append(to: &bytes) }
        }
        if let p = result.program {
            bytes.append(contentsOf: UnsafeRawBufferPointer(start: p, count: Int(result.count) * BPFInstruction.size))
        }
        let count = bytes.count / BPFInstruction.size
        if count > BPFInstruction.maxProgramLength { throw SeccompError.programTooLong(count) }
        return SeccompProgram(bytes: bytes, flags: flat.flags, warnings: flat.warnings)
    }
}
