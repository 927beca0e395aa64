import CBootletRuntime
import OCISpec

#if canImport(Glibc)
import Glibc
#endif

/// Turns an OCI spec into a validated launch plan (the only place spec semantics are interpreted).
public struct Planner {
    public struct Request {
        public var id: String
        public var spec: Spec
        /// Absolute bundle directory (relative `root.path` and bind sources are resolved against it).
        public var bundle: String
        public var stateDir: String
        /// Exec fifo the child waits on before exec (`create`); nil execs at once (`run`).
        public var fifo: String?
        /// CRI log file the monitor writes; nil passes the spawner's stdio through.
        public var logPath: String?
        public var logMaxLine: Int = 16384
        public var detach: Bool = false
        public var noPivot: Bool = false
        public var cgroup: CgroupPlacement
        /// Compiles `linux.seccomp` for the resolved bounding set; nil if the caller does not support seccomp.
        public var seccomp: (@Sendable (LinuxSeccomp) throws -> SeccompProgram)?

        public init(id: String, spec: Spec, bundle: String, stateDir: String, cgroup: CgroupPlacement) {
            self.id = id
            self.spec = spec
            self.bundle = bundle
            self.stateDir = stateDir
            self.cgroup = cgroup
        }
    }

    public struct Result: Sendable {
        public var plan: [UInt8]
        public var rootfs: String
        public var warnings: [String]
    }

    /// Join order for namespaces given by path: the user namespace first (it grants the rights for the others),
    /// mount last (its view hides /proc paths of the others).
    static let joinOrder: [NamespaceType] = [.user, .ipc, .uts, .network, .pid, .cgroup, .mount]
    /// Entry under /proc/<pid>/ns/ for each namespace type.
    static let namespaceFile: [NamespaceType: String] = [
        .user: "user", .ipc: "ipc", .uts: "uts", .network: "net", .pid: "pid", .cgroup: "cgroup", .mount: "mnt",
    ]

    static let cloneFlag: [NamespaceType: UInt64] = [
        .mount: 0x0002_0000, .uts: 0x0400_0000, .ipc: 0x0800_0000, .user: 0x1000_0000, .pid: 0x2000_0000,
        .network: 0x4000_0000, .cgroup: 0x0200_0000,
    ]

    /// The device nodes every container gets unless /dev is bind-mounted (runc's AllowedDevices).
    static let defaultDevices: [LinuxDevice] = [
        LinuxDevice(path: "/dev/null", type: "c", major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0),
        LinuxDevice(path: "/dev/zero", type: "c", major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0),
        LinuxDevice(path: "/dev/full", type: "c", major: 1, minor: 7, fileMode: 0o666, uid: 0, gid: 0),
        LinuxDevice(path: "/dev/random", type: "c", major: 1, minor: 8, fileMode: 0o666, uid: 0, gid: 0),
        LinuxDevice(path: "/dev/urandom", type: "c", major: 1, minor: 9, fileMode: 0o666, uid: 0, gid: 0),
        LinuxDevice(path: "/dev/tty", type: "c", major: 5, minor: 0, fileMode: 0o666, uid: 0, gid: 0),
    ]

    public static func plan(_ r: Request) throws -> Result {
        var warnings: [String] = []
        let spec = r.spec
        guard let process = spec.process else { throw RuntimeError("validate config", "process", detail: "missing") }
        guard let args = process.args, !args.isEmpty else {
            throw RuntimeError("validate config", "process.args", detail: "args must not be empty")
        }
        if process.terminal == true {
            throw RuntimeError(
                "validate config", "process.terminal", detail: "terminal mode (console socket) is not supported")
        }
        guard process.cwd.hasPrefix("/") else {
            throw RuntimeError("validate config", "process.cwd \(process.cwd.debugDescription)", detail: "must be an absolute path")
        }
        guard let rootPath = spec.root?.path, !rootPath.isEmpty else {
            throw RuntimeError("validate config", "root.path", detail: "missing")
        }
        let rootCandidate = rootPath.hasPrefix("/") ? rootPath : r.bundle + "/" + rootPath
        let rootfs = try FileIO.realPath(rootCandidate, step: "resolve rootfs")
        guard FileIO.isDirectory(rootfs) else { throw RuntimeError("resolve rootfs", rootfs, errno: ENOTDIR) }
        let linux = spec.linux ?? Linux()

        var plan = LaunchPlan()
        try plan.strings(BL_T_ID, r.id)

        // Namespaces.
        var newFlags: UInt64 = 0
        var joins: [(UInt32, String)] = []
        var seen = Set<NamespaceType>()
        for ns in linux.namespaces ?? [] {
            guard let flag = cloneFlag[ns.type] else {
                throw RuntimeError(
                    "validate config", "linux.namespaces type \(ns.type.rawValue.debugDescription)",
                    detail: ns.type == .time ? "time namespaces are not supported" : "unknown namespace type")
            }
            guard seen.insert(ns.type).inserted else {
                throw RuntimeError("validate config", "linux.namespaces", detail: "duplicate \(ns.type.rawValue) namespace")
            }
            if let path = ns.path, !path.isEmpty {
                guard FileIO.exists(path) else {
                    throw RuntimeError("validate config", "namespace path \(path)", errno: ENOENT)
                }
                joins.append((UInt32(flag), path))
            } else {
                newFlags |= flag
            }
        }
        let hasNS = { (t: NamespaceType) in seen.contains(t) }
        guard newFlags & cloneFlag[.mount]! != 0 else {
            throw RuntimeError("validate config", "linux.namespaces", detail: "a new mount namespace is required")
        }
        if spec.hostname.map({ !$0.isEmpty }) == true && !hasNS(.uts) {
            throw RuntimeError("validate config", "hostname", detail: "setting a hostname needs a private UTS namespace")
        }
        let userNS = newFlags & cloneFlag[.user]! != 0
        if userNS && (linux.uidMappings?.isEmpty ?? true || linux.gidMappings?.isEmpty ?? true) {
            throw RuntimeError("validate config", "linux.uidMappings/gidMappings", detail: "a user namespace needs uid and gid mappings")
        }
        if !userNS && (linux.uidMappings?.isEmpty == false) && !joins.contains(where: { $0.0 == UInt32(cloneFlag[.user]!) }) {
            throw RuntimeError("validate config", "linux.uidMappings", detail: "mappings given without a user namespace")
        }
        try plan.record(BL_T_CLONE) { $0.u64(newFlags) }
        let order = joinOrder.map { cloneFlag[$0]! }
        if joins.count > 8 { throw RuntimeError("validate config", "linux.namespaces", detail: "too many namespaces to join") }
        for f in order {
            for j in joins where UInt64(j.0) == f {
                try plan.record(BL_T_NSJOIN) { p in
                    p.u32(j.0)
                    p.u32(0)
                    try p.string(j.1)
                }
            }
        }
        if userNS {
            func mapText(_ m: [LinuxIDMapping]) -> String { m.map { "\($0.containerID) \($0.hostID) \($0.size)\n" }.joined() }
            try plan.strings(BL_T_UIDMAP, mapText(linux.uidMappings ?? []))
            try plan.strings(BL_T_GIDMAP, mapText(linux.gidMappings ?? []))
        }
        if let h = spec.hostname, !h.isEmpty { try plan.strings(BL_T_HOSTNAME, h) }
        if let d = spec.domainname, !d.isEmpty {
            guard hasNS(.uts) else { throw RuntimeError("validate config", "domainname", detail: "needs a private UTS namespace") }
            try plan.strings(BL_T_DOMAINNAME, d)
        }

        // Rootfs.
        let rootProp = try MountOptions.rootPropagation(linux.rootfsPropagation ?? "")
        try plan.record(BL_T_ROOTFS, flags: spec.root?.readonly == true ? UInt16(BL_F_READONLY) : 0) { p in
            p.u64(rootProp)
            try p.string(rootfs)
        }

        // Mounts.
        var devIsBind = false
        for (i, m) in (spec.mounts ?? []).enumerated() {
            try planMount(m, index: i, bundle: r.bundle, linux: linux, hasNS: hasNS, cgroup: r.cgroup, into: &plan,
                          devIsBind: &devIsBind)
        }

        // Devices: runc's defaults (unless /dev comes from the host) then the spec's, the spec winning per path.
        var devices: [LinuxDevice] = devIsBind ? [] : defaultDevices
        for d in linux.devices ?? [] {
            devices.removeAll { $0.path == d.path }
            devices.append(d)
        }
        for d in devices {
            let type: UInt32
            switch d.type {
            case "c", "u": type = 0o020000
            case "b": type = 0o060000
            case "p": type = 0o010000
            default: throw RuntimeError("validate config", "linux.devices \(d.path)", detail: "unknown device type \(d.type.debugDescription)")
            }
            guard d.path.hasPrefix("/dev/") else {
                throw RuntimeError("validate config", "linux.devices \(d.path)", detail: "device paths must be under /dev")
            }
            try plan.record(BL_T_DEVICE) { p in
                p.u32(type)
                p.u32(d.fileMode ?? 0o666)
                p.u32(UInt32(truncatingIfNeeded: d.major ?? 0))
                p.u32(UInt32(truncatingIfNeeded: d.minor ?? 0))
                p.u32(d.uid ?? 0)
                p.u32(d.gid ?? 0)
                try p.string(d.path)
            }
        }
        for path in linux.maskedPaths ?? [] { try plan.strings(BL_T_MASKED, try containerPath(path, "linux.maskedPaths")) }
        for path in linux.readonlyPaths ?? [] {
            try plan.strings(BL_T_READONLY, try containerPath(path, "linux.readonlyPaths"))
        }

        // Sysctls: dots become path separators; names that need a namespace the container lacks are refused
        // (they would change the host), as runc's validator does.
        for (key, value) in (linux.sysctl ?? [:]).sorted(by: { $0.key < $1.key }) {
            let path = key.contains("/") ? key : key.replacingAll(".", with: "/")
            if path.isEmpty || path.hasPrefix("/") || path.split(separator: "/").contains("..") {
                throw RuntimeError("validate config", "linux.sysctl \(key.debugDescription)", detail: "invalid name")
            }
            let dotted = path.replacingAll("/", with: ".")
            if dotted.hasPrefix("net.") && !hasNS(.network) {
                throw RuntimeError("validate config", "linux.sysctl \(key)", detail: "not allowed in the host's network namespace")
            }
            let ipc = dotted.hasPrefix("fs.mqueue.") || ["kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"].contains(dotted)
            if ipc && !hasNS(.ipc) {
                throw RuntimeError("validate config", "linux.sysctl \(key)", detail: "not allowed in the host's IPC namespace")
            }
            if (dotted == "kernel.hostname" || dotted == "kernel.domainname") && !hasNS(.uts) {
                throw RuntimeError("validate config", "linux.sysctl \(key)", detail: "not allowed in the host's UTS namespace")
            }
            if !ipc && !dotted.hasPrefix("net.") && dotted != "kernel.hostname" && dotted != "kernel.domainname" {
                throw RuntimeError("validate config", "linux.sysctl \(key)", detail: "not a namespaced sysctl; it would change the host")
            }
            try plan.strings(BL_T_SYSCTL, path, value)
        }

        // Rlimits: raising a hard limit needs CAP_SYS_RESOURCE; without it the value is clamped to the current
        // hard limit with a warning instead of failing the container (containerd restrict_oom_score_adj style).
        let canRaise = bl_cap_effective(24) == 1  // CAP_SYS_RESOURCE
        for rl in process.rlimits ?? [] {
            guard let res = Rlimit.names[rl.type] else {
                throw RuntimeError("validate config", "process.rlimits type \(rl.type.debugDescription)", detail: "unknown rlimit")
            }
            guard rl.soft <= rl.hard else {
                throw RuntimeError("validate config", "process.rlimits \(rl.type)", detail: "soft limit \(rl.soft) exceeds hard limit \(rl.hard)")
            }
            var hard = rl.hard
            var soft = rl.soft
            var cur = rlimit()
            if !canRaise && getrlimit(__rlimit_resource_t(res), &cur) == 0 && hard > UInt64(cur.rlim_max) {
                warnings.append("\(rl.type) hard limit \(rl.hard) exceeds the current \(cur.rlim_max) and CAP_SYS_RESOURCE is missing; clamped")
                hard = UInt64(cur.rlim_max)
                soft = min(soft, hard)
            }
            try plan.record(BL_T_RLIMIT) { p in
                p.u32(res)
                p.u32(0)
                p.u64(soft)
                p.u64(hard)
            }
        }
        if let adj = process.oomScoreAdj {
            guard (-1000...1000).contains(adj) else {
                throw RuntimeError("validate config", "process.oomScoreAdj \(adj)", detail: "must be within -1000..1000")
            }
            var value = adj
            if !canRaise, case let current = ProcFS.ownOOMScoreAdj(), adj < current {
                warnings.append("oomScoreAdj \(adj) is below the runtime's \(current) and CAP_SYS_RESOURCE is missing; using \(current)")
                value = current
            }
            try plan.record(BL_T_OOMSCORE) { $0.i32(Int32(value)) }
        }

        // Process.
        try encodeProcess(process, args: args, into: &plan, warnings: &warnings)
        if let pers = linux.personality {
            let value: UInt32
            switch pers.domain {
            case "LINUX": value = 0
            case "LINUX32": value = 8
            default: throw RuntimeError("validate config", "linux.personality domain \(pers.domain.debugDescription)", detail: "unknown")
            }
            if let f = pers.flags, !f.isEmpty {
                throw RuntimeError("validate config", "linux.personality flags", detail: "flags are not supported")
            }
            try plan.record(BL_T_PERSONALITY) { $0.u32(value) }
        }

        // Seccomp.
        if let sc = linux.seccomp { try encodeSeccomp(sc, compiler: r.seccomp, into: &plan, warnings: &warnings) }

        // cgroups, state, logging.
        // With a user namespace the monitor moves the child (which may not write host cgroup files); otherwise the
        // child joins the v1 hierarchies itself and the monitor only the cgroup2 one (see CgroupPlacement.taskFiles).
        let byMonitor = userNS ? r.cgroup.procsFiles : r.cgroup.cgroup2ProcsFiles
        if !userNS { for f in r.cgroup.taskFiles { try plan.strings(BL_T_CGTASKS, f) } }
        for f in byMonitor { try plan.strings(BL_T_CGPROCS, f) }
        if let oom = r.cgroup.oomFile { try plan.strings(BL_T_OOMFILE, oom) }
        if let fifo = r.fifo { try plan.strings(BL_T_FIFO, fifo) }
        try plan.strings(BL_T_STATEDIR, r.stateDir)
        if let log = r.logPath {
            try plan.record(BL_T_LOG) { p in
                p.u32(UInt32(r.logMaxLine))
                p.u32(0)
                try p.string(log)
            }
        }
        let hookSync = !(spec.hooks?.prestart ?? []).isEmpty || !(spec.hooks?.createRuntime ?? []).isEmpty
        var opts: UInt32 = 0
        if !devIsBind { opts |= UInt32(BL_O_DEFAULT_DEVICES) }
        if process.noNewPrivileges == true { opts |= UInt32(BL_O_NNP) }
        if r.noPivot { opts |= UInt32(BL_O_NO_PIVOT) }
        if hookSync { opts |= UInt32(BL_O_HOOK_SYNC) }
        if r.detach { opts |= UInt32(BL_O_DETACH) }
        if r.logPath != nil { opts |= UInt32(BL_O_STDIO_NULL) }
        // The monitor attaches the child to its cgroup2 cgroup (all of them with a user namespace) while the child
        // already sets up its mounts: that move waits for an RCU grace period.
        if !byMonitor.isEmpty {
            opts |= UInt32(BL_O_CGROUP_BY_MONITOR)
            if !userNS { opts |= UInt32(BL_O_CGROUP_LATE) }
        }
        try plan.record(BL_T_OPTS) { $0.u32(opts) }
        return Result(plan: plan.finished(), rootfs: rootfs, warnings: warnings)
    }


    /// The process part of a plan: cwd, args, env, user and groups, capabilities (shared by create and exec).
    static func encodeProcess(_ process: Process, args: [String], into plan: inout LaunchPlan, warnings: inout [String]) throws {
        try plan.strings(BL_T_CWD, process.cwd)
        for a in args { try plan.strings(BL_T_ARG, a) }
        for e in process.env ?? [] { try plan.strings(BL_T_ENV, e) }
        plan.record(BL_T_USER) { p in
            p.u32(process.user.uid)
            p.u32(process.user.gid)
            p.u32(process.user.umask ?? BL_NO_UMASK)
        }
        for g in process.user.additionalGids ?? [] { plan.record(BL_T_GROUP) { $0.u32(g) } }
        if let c = process.capabilities {
            var caps = try CapabilityMasks(c, warnings: &warnings)
            // The kernel refuses ambient capabilities that are not both permitted and inheritable; runc and crun
            // skip them silently (crun's default spec lists ambient caps with an empty inheritable set).
            caps.ambient &= caps.permitted & caps.inheritable
            plan.record(BL_T_CAPS) { p in
                p.u64(caps.bounding)
                p.u64(caps.effective)
                p.u64(caps.permitted)
                p.u64(caps.inheritable)
                p.u64(caps.ambient)
            }
        }
        if let ap = process.apparmorProfile, !ap.isEmpty {
            warnings.append("apparmorProfile \(ap.debugDescription) ignored: AppArmor is not supported by bootlet")
        }
        if let sl = process.selinuxLabel, !sl.isEmpty {
            warnings.append("selinuxLabel ignored: SELinux is not supported by bootlet")
        }
    }

    static func encodeSeccomp(_ sc: LinuxSeccomp, compiler: (@Sendable (LinuxSeccomp) throws -> SeccompProgram)?,
                              into plan: inout LaunchPlan, warnings: inout [String]) throws {
        guard let compile = compiler else {
            throw RuntimeError("prepare seccomp", "linux.seccomp", detail: "no seccomp compiler configured")
        }
        let program = try compile(sc)
        warnings += program.warnings.map { "seccomp: \($0)" }
        plan.record(BL_T_SECCOMP) { p in
            p.u32(program.flags)
            p.u32(UInt32(program.instructionCount))
            p.raw(program.bytes)
        }
    }

    /// A plan for running `process` inside an existing container (runc exec): join the container's namespaces
    /// (`namespaces`: CLONE_NEW* flag and `/proc/<pid>/ns/...` path, in join order) and cgroup, then the same
    /// credentials, capabilities, no_new_privs and seccomp steps as a container start. No mounts happen: entering
    /// the container's mount namespace already puts the process at its root.
    public static func planExec(
        id: String, process: Process, args: [String], namespaces: [(UInt32, String)], cgroup: CgroupPlacement?,
        seccomp: LinuxSeccomp?, compiler: (@Sendable (LinuxSeccomp) throws -> SeccompProgram)?
    ) throws -> (plan: [UInt8], warnings: [String]) {
        var warnings: [String] = []
        var plan = LaunchPlan()
        try plan.strings(BL_T_ID, id)
        plan.record(BL_T_CLONE) { $0.u64(0) }
        for (type, path) in namespaces {
            try plan.record(BL_T_NSJOIN) { p in
                p.u32(type)
                p.u32(0)
                try p.string(path)
            }
        }
        try encodeProcess(process, args: args, into: &plan, warnings: &warnings)
        if let sc = seccomp { try encodeSeccomp(sc, compiler: compiler, into: &plan, warnings: &warnings) }
        // As for a container: v1 hierarchies joined by the child itself through `tasks`, cgroup2 by the monitor
        // (born there with CLONE_INTO_CGROUP, or moved before the child goes on).
        for f in cgroup?.taskFiles ?? [] { try plan.strings(BL_T_CGTASKS, f) }
        let byMonitor = cgroup?.cgroup2ProcsFiles ?? []
        for f in byMonitor { try plan.strings(BL_T_CGPROCS, f) }
        var opts: UInt32 = UInt32(BL_O_STDIO_NULL)
        if process.noNewPrivileges == true { opts |= UInt32(BL_O_NNP) }
        if !byMonitor.isEmpty { opts |= UInt32(BL_O_CGROUP_BY_MONITOR) }
        plan.record(BL_T_OPTS) { $0.u32(opts) }
        return (plan.finished(), warnings)
    }

    static func containerPath(_ p: String, _ field: String) throws -> String {
        guard p.hasPrefix("/"), !p.split(separator: "/").contains("..") else {
            throw RuntimeError("validate config", "\(field) \(p.debugDescription)", detail: "must be an absolute path without ..")
        }
        return p
    }

    static func planMount(
        _ m: Mount, index: Int, bundle: String, linux: Linux, hasNS: (NamespaceType) -> Bool, cgroup: CgroupPlacement,
        into plan: inout LaunchPlan, devIsBind: inout Bool
    ) throws {
        let field = "mounts[\(index)]"
        var dest = m.destination
        if !dest.hasPrefix("/") { dest = "/" + dest }  // runc treats a relative destination as relative to /
        if dest.split(separator: "/").contains("..") {
            throw RuntimeError("validate config", "\(field).destination \(m.destination.debugDescription)", detail: "must not contain ..")
        }
        let opts = try MountOptions(m.options ?? [])
        let type = m.type ?? ""
        let isBind = type == "bind" || opts.flags & MountFlag.bind != 0
        var kind = UInt32(BL_K_FS.rawValue)
        var mflags: UInt32 = 0
        var source = m.source ?? ""
        var flags = opts.flags
        if opts.recursiveReadOnly { mflags |= UInt32(BL_M_RRO) }
        if isBind {
            kind = UInt32(BL_K_BIND.rawValue)
            flags |= MountFlag.bind
            if !source.hasPrefix("/") { source = bundle + "/" + source }
            var st = stat()
            if stat(source, &st) != 0 {
                throw RuntimeError.errno("check bind mount source for \(dest)", source)
            }
            if (st.st_mode & S_IFMT) != S_IFDIR { mflags |= UInt32(BL_M_FILE) }
            if dest == "/dev" { devIsBind = true }
        } else if type == "cgroup" || type == "cgroup2" {
            kind = UInt32(BL_K_CGROUP.rawValue)
            if cgroup.unified && hasNS(.cgroup) { mflags |= UInt32(BL_M_CGROUP2) }
        } else {
            if type.isEmpty { throw RuntimeError("validate config", "\(field) \(dest)", detail: "mount type is missing") }
            if type == "sysfs" && !hasNS(.network) { mflags |= UInt32(BL_M_SYSFS_FALLBACK) }
            if type == "mqueue" && !hasNS(.ipc) { mflags |= UInt32(BL_M_MQUEUE_FALLBACK) }
        }
        try plan.record(BL_T_MOUNT) { p in
            p.u64(flags)
            p.u64(opts.propagation)
            p.u32(kind)
            p.u32(mflags)
            try p.string(source)
            try p.string(dest)
            try p.string(isBind ? "" : (kind == UInt32(BL_K_CGROUP.rawValue) ? "cgroup" : type))
            try p.string(opts.data.joined(separator: ","))
        }
        if kind == UInt32(BL_K_CGROUP.rawValue) && mflags & UInt32(BL_M_CGROUP2) == 0 {
            for s in cgroup.mountSources {
                try plan.strings(BL_T_CGMOUNT, s.name, s.source)
            }
        }
    }
}

extension String {
    /// Every `a` replaced by `b`.
    public func replacingAll(_ a: Character, with b: Character) -> String {
        String(map { $0 == a ? b : $0 })
    }
}
