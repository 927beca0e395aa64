import OCISpec

/// Kubernetes `RuntimeDefault`: the seccomp profile containerd's CRI plugin applies
/// (`internal/cri/sputil` → `contrib/seccomp/seccomp_default.go`, `DefaultProfile(spec)`), rebuilt here as data.
///
/// Matched against containerd v2 `contrib/seccomp/seccomp_default.go` as mirrored in k3s-vip/containerd at commit
/// 93329330ef98b1ce33b31b847417c6fa75c1d403 (the version that also blocks AF_ALG sockets; upstream containerd's
/// older copies only block AF_VSOCK). Policy, all of it containerd's:
/// - default action `SCMP_ACT_ERRNO` without errnoRet, i.e. EPERM;
/// - architectures per host: x86_64+x86+x32 on amd64, arm+aarch64 on arm64, s390+s390x, riscv64, loongarch64,
///   none listed (native only) elsewhere;
/// - 352 syscalls allowed unconditionally, plus per-arch extras (amd64: arch_prctl, modify_ldt);
/// - `socket` allowed for every domain except AF_ALG (38) and AF_VSOCK (40), as three one-condition rules
///   (`< 38`, `== 39`, `> 40`) because repeated conditions on one index OR together in runc;
/// - `personality` only for 0, 8, 0x20000, 0x20008, 0xffffffff;
/// - process_vm_readv/writev and ptrace on kernels >= 4.8 (the `uname` release; unparsable means not added);
/// - per bounding capability: CAP_SYS_ADMIN (mount, unshare, setns, clone/clone3 unrestricted, ...),
///   CAP_SYS_PTRACE, CAP_SYS_TIME, ... (see `capabilityGroups`);
/// - without CAP_SYS_ADMIN: `clone` only when `flags & 0x7E020000` (the CLONE_NEW* bits) is 0 (arg 1 on s390),
///   and `clone3` fails with ENOSYS so libc falls back to the filterable `clone` (moby#42681).
///
/// One deliberate difference: containerd appends capability groups in the order of the spec's bounding list; here
/// they come in a fixed order, so equal capability sets give byte-identical profiles (and cache keys). Rule order
/// does not change what the filter allows.
public enum RuntimeDefaultProfile {
    /// Bump when any list below changes: it is part of the RuntimeDefault cache key.
    public static let version = 1

    /// The host architecture, in Go's GOARCH spelling as containerd switches on it.
    public enum HostArch: String, Sendable, CaseIterable {
        case amd64, arm64, arm, i386 = "386", ppc64le, s390x, riscv64, loong64, other

        public static var native: HostArch {
            #if arch(x86_64)
            .amd64
            #elseif arch(arm64)
            .arm64
            #elseif arch(arm)
            .arm
            #elseif arch(i386)
            .i386
            #elseif arch(powerpc64le)
            .ppc64le
            #elseif arch(s390x)
            .s390x
            #elseif arch(riscv64)
            .riscv64
            #else
            .other
            #endif
        }

        /// The `architectures` list containerd writes for this host.
        var seccompArches: [SeccompArch] {
            switch self {
            case .amd64: [.x86_64, .x86, .x32]
            case .arm64: [.arm, .aarch64]
            case .s390x: [.s390, .s390x]
            case .riscv64: [.riscv64]
            case .loong64: ["SCMP_ARCH_LOONGARCH64"]
            case .arm, .i386, .ppc64le, .other: []
            }
        }

        /// Arch-specific syscalls allowed unconditionally.
        var extraSyscalls: [String] {
            switch self {
            case .ppc64le: ["sync_file_range2", "swapcontext"]
            case .arm, .arm64:
                ["arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush", "set_tls"]
            case .amd64: ["arch_prctl", "modify_ldt"]
            case .i386: ["modify_ldt"]
            case .s390x: ["s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"]
            case .riscv64: ["riscv_flush_icache"]
            case .loong64, .other: []
            }
        }
    }

    /// Syscalls every container may make.
    public static let unconditional: [String] = [
        "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "cachestat", "capget", "capset", "chdir",
        "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres", "clock_getres_time64",
        "clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range",
        "connect", "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl",
        "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2",
        "execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64",
        "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat",
        "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr",
        "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex",
        "futex_requeue", "futex_time64", "futex_wait", "futex_waitv", "futex_wake", "futimesat", "getcpu", "getcwd",
        "getdents", "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups",
        "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority",
        "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list",
        "getrusage", "getsid", "getsockname", "getsockopt", "get_thread_area", "gettid", "gettimeofday", "getuid",
        "getuid32", "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel",
        "ioctl", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "ioprio_get", "ioprio_set",
        "io_setup", "io_submit", "ipc", "kill", "landlock_add_rule", "landlock_create_ruleset",
        "landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr",
        "llistxattr", "_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "membarrier",
        "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2",
        "mlockall", "map_shadow_stack", "mmap", "mmap2", "mprotect", "mq_getsetattr", "mq_notify", "mq_open",
        "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap",
        "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap", "name_to_handle_at",
        "nanosleep", "newfstatat", "_newselect", "open", "openat", "openat2", "pause", "pidfd_open",
        "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll",
        "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64", "process_mrelease", "pselect6",
        "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv",
        "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "rename",
        "renameat", "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending",
        "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
        "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr", "sched_getparam",
        "sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler", "sched_rr_get_interval",
        "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler",
        "sched_yield", "seccomp", "select", "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "send",
        "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32",
        "setgid", "setgid32", "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority", "setregid",
        "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit",
        "set_robust_list", "setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid", "setuid32",
        "setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4",
        "sigprocmask", "sigreturn", "socketcall", "socketpair", "splice", "stat", "stat64", "statfs", "statfs64",
        "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time",
        "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
        "timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
        "timerfd_settime64", "times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink",
        "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid",
        "waitpid", "write", "writev",
    ]

    /// Allowed `personality(2)` personas: PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32, and the query 0xffffffff.
    public static let personalities: [UInt64] = [0x0, 0x0008, 0x20000, 0x20008, 0xffff_ffff]

    /// CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP.
    public static let cloneNamespaceFlags: UInt64 = 0x7E02_0000

    static let afALG: UInt64 = 38
    static let afVSOCK: UInt64 = 40
    static let enosys: UInt32 = 38

    /// Allowed only on kernels >= 4.8 (before 4.8 seccomp could be bypassed with ptrace).
    static let ptraceSinceKernel = KernelRelease(major: 4, minor: 8)
    static let ptraceSyscalls = ["process_vm_readv", "process_vm_writev", "ptrace"]

    /// Syscalls each bounding capability adds, in a fixed order (the bit order of `capabilityMask`).
    public static let capabilityGroups: [(capability: Capability, syscalls: [String])] = [
        ("CAP_DAC_READ_SEARCH", ["open_by_handle_at"]),
        (
            "CAP_SYS_ADMIN",
            [
                "bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick", "lookup_dcookie",
                "mount", "mount_setattr", "move_mount", "open_tree", "perf_event_open", "quotactl", "quotactl_fd",
                "setdomainname", "sethostname", "setns", "syslog", "umount", "umount2", "unshare",
            ]
        ),
        ("CAP_SYS_BOOT", ["reboot"]),
        ("CAP_SYS_CHROOT", ["chroot"]),
        ("CAP_SYS_MODULE", ["delete_module", "init_module", "finit_module"]),
        ("CAP_SYS_PACCT", ["acct"]),
        (
            "CAP_SYS_PTRACE",
            ["kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"]
        ),
        ("CAP_SYS_RAWIO", ["iopl", "ioperm"]),
        ("CAP_SYS_TIME", ["settimeofday", "stime", "clock_settime", "clock_settime64"]),
        ("CAP_SYS_TTY_CONFIG", ["vhangup"]),
        ("CAP_SYS_NICE", ["get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"]),
        ("CAP_SYSLOG", ["syslog"]),
        ("CAP_BPF", ["bpf"]),
        ("CAP_PERFMON", ["perf_event_open"]),
    ]

    /// The profile for a container whose bounding set is `boundingCapabilities`.
    public static func profile(
        boundingCapabilities: Set<Capability>, arch: HostArch = .native, kernel: KernelRelease? = KernelRelease.running
    ) -> LinuxSeccomp {
        var rules: [LinuxSyscall] = [LinuxSyscall(names: unconditional, action: .allow)]
        rules += [
            LinuxSyscall(names: ["socket"], action: .allow, args: [LinuxSeccompArg(index: 0, value: afALG, op: .lessThan)]),
            LinuxSyscall(
                names: ["socket"], action: .allow, args: [LinuxSeccompArg(index: 0, value: afALG + 1, op: .equalTo)]),
            LinuxSyscall(
                names: ["socket"], action: .allow, args: [LinuxSeccompArg(index: 0, value: afVSOCK, op: .greaterThan)]),
        ]
        rules += personalities.map {
            LinuxSyscall(names: ["personality"], action: .allow, args: [LinuxSeccompArg(index: 0, value: $0, op: .equalTo)])
        }
        if let kernel, kernel >= ptraceSinceKernel {
            rules.append(LinuxSyscall(names: ptraceSyscalls, action: .allow))
        }
        if !arch.extraSyscalls.isEmpty {
            rules.append(LinuxSyscall(names: arch.extraSyscalls, action: .allow))
        }
        for group in capabilityGroups where boundingCapabilities.contains(group.capability) {
            rules.append(LinuxSyscall(names: group.syscalls, action: .allow))
        }
        if !boundingCapabilities.contains(.sysAdmin) {
            let flagsArg: UInt = arch == .s390x ? 1 : 0
            rules.append(
                LinuxSyscall(
                    names: ["clone"], action: .allow,
                    args: [LinuxSeccompArg(index: flagsArg, value: cloneNamespaceFlags, valueTwo: 0, op: .maskedEqual)]))
            rules.append(LinuxSyscall(names: ["clone3"], action: .errno, errnoRet: enosys))
        }
        return LinuxSeccomp(defaultAction: .errno, architectures: arch.seccompArches, syscalls: rules)
    }

    /// Bit i set when the i-th `capabilityGroups` capability is in the set: the only capabilities that change
    /// the profile, so containers differing in others share one compiled program.
    static func capabilityMask(_ caps: Set<Capability>) -> UInt32 {
        var mask: UInt32 = 0
        for (i, group) in capabilityGroups.enumerated() where caps.contains(group.capability) { mask |= 1 << i }
        return mask
    }

    /// Bit 0: the kernel allows the ptrace group (>= 4.8).
    static func kernelGateMask(_ kernel: KernelRelease?) -> UInt32 {
        guard let kernel, kernel >= ptraceSinceKernel else { return 0 }
        return 1
    }
}
