import CBootletRuntime
import FoundationEssentials
import OCISpec

#if canImport(Glibc)
import Glibc
#endif

/// The OCI container lifecycle behind `bootlet oci create|start|state|kill|delete|run|list`, with runc's
/// semantics. The runner uses the same code through `launch`.
public struct OCIRuntime: Sendable {
    public var store: StateStore
    public var monitorPath: String
    /// Compiles `linux.seccomp`; by default libseccomp with the BPF cached in memory and under
    /// `<root>/seccomp-cache` (a profile is compiled once per node, not once per container).
    public var seccomp: (@Sendable (LinuxSeccomp) throws -> SeccompProgram)?
    /// Where warnings go (stderr for the CLI, the structured log for the runner).
    public var warn: @Sendable (String) -> Void

    public init(store: StateStore = StateStore(), monitorPath: String? = nil,
                warn: @escaping @Sendable (String) -> Void = { FileIO.stderr("warning: " + $0) }) throws {
        self.store = store
        self.monitorPath = try monitorPath ?? MonitorSession.locateMonitor()
        self.warn = warn
        // The cache is looked up on first use: most containers of a `bootlet oci` process have no seccomp section.
        let dir = SeccompCache.directory(stateRoot: store.root)
        self.seccomp = { try SeccompCompiler.compile($0, cache: SeccompCache.shared(directory: dir)) }
    }

    public enum Mode: Sendable { case create, run, runDetached }

    private static let hostLock = Lock()
    nonisolated(unsafe) private static var cachedHost: CgroupHost?
    /// The host's cgroup layout, detected once per process from /proc/self/mountinfo.
    public static func cgroupHost() throws -> CgroupHost {
        try hostLock.with {
            if let h = cachedHost { return h }
            let h = try CgroupHost.current()
            cachedHost = h
            return h
        }
    }

    /// Options of a launch beyond the bundle.
    public struct LaunchOptions: Sendable {
        public var pidFile: String?
        public var noPivot = false
        public var stdio: (Int32, Int32, Int32) = (0, 1, 2)
        public var logPath: String?
        public var logMaxLine = 16384
        public var cgroupPath: String?
        public init() {}
    }

    /// Load `<bundle>/config.json`.
    public static func loadSpec(bundle: String) throws -> Spec {
        let path = bundle + "/config.json"
        let bytes = try FileIO.read(path, step: "read bundle config")
        do {
            return try JSONDecoder().decode(Spec.self, from: Data(bytes))
        } catch let e as DecodingError {
            throw RuntimeError("parse bundle config", path, detail: describe(e))
        }
    }

    // MARK: create / run

    /// Create (and for `.run*` start) a container from `<bundle>/config.json`; returns its record and the live
    /// monitor session.
    public func launch(id: String, bundle rawBundle: String, mode: Mode, options: LaunchOptions = LaunchOptions())
        throws -> (ContainerRecord, MonitorSession)
    {
        try launchContainer(id: id, bundle: rawBundle, spec: nil, mode: mode, options: options)
    }

    /// Create a container from a spec built in memory (the runner); `bundle` must exist and receives a copy of the
    /// spec as `config.json` (so `bootlet oci state` and tooling see the same bundle runc would run).
    public func launch(id: String, bundle: String, spec: Spec, mode: Mode, options: LaunchOptions = LaunchOptions())
        throws -> (ContainerRecord, MonitorSession)
    {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        try FileIO.writeAtomically(bundle + "/config.json", Array(try enc.encode(spec)), step: "write bundle config", durable: false)
        return try launchContainer(id: id, bundle: bundle, spec: spec, mode: mode, options: options)
    }

    func launchContainer(id: String, bundle rawBundle: String, spec given: Spec?, mode: Mode, options: LaunchOptions)
        throws -> (ContainerRecord, MonitorSession)
    {
        try store.reserve(id)
        var session: MonitorSession?
        var cgroup: (any CgroupManager)?
        do {
            // The monitor starts first: its exec and start-up overlap with decoding and planning below.
            let s = try MonitorSession(monitorPath: monitorPath, stdio: options.stdio, detach: mode != .run)
            session = s
            let bundle = try FileIO.realPath(rawBundle.isEmpty ? "." : rawBundle, step: "resolve bundle")
            let spec = try given ?? OCIRuntime.loadSpec(bundle: bundle)
            let fifo = mode == .create ? store.fifoPath(id) : nil
            if let fifo, mkfifo(fifo, 0o622) != 0 { throw RuntimeError.errno("create exec fifo", fifo) }
            if let fifo { chmod(fifo, 0o622) }
            // cgroups: like runc, every container gets one (linux.cgroupsPath, or "<id>" below the runtime's own).
            let cg = try Cgroups.manager(ociCgroupsPath: options.cgroupPath ?? spec.linux?.cgroupsPath, containerID: id,
                                         host: try OCIRuntime.cgroupHost())
            try cg.create()
            cgroup = cg
            if let res = DefaultDeviceRules.resources(for: spec) { try cg.apply(res) }
            var req = Planner.Request(
                id: id, spec: spec, bundle: bundle, stateDir: store.dir(id), cgroup: CgroupPlacement(manager: cg))
            req.fifo = fifo
            req.logPath = options.logPath
            req.logMaxLine = options.logMaxLine
            req.detach = mode != .run
            req.noPivot = options.noPivot
            req.seccomp = seccomp
            let planned = try Planner.plan(req)
            planned.warnings.forEach(warn)

            try s.send(plan: planned.plan)
            var record = ContainerRecord(
                id: id, bundle: bundle, rootfs: planned.rootfs, pid: 0, pidStartTime: 0, monitorPid: 0,
                monitorStartTime: 0, created: Timestamp.now(), annotations: spec.annotations, hooks: spec.hooks,
                cgroupPath: cg.path.description, logPath: options.logPath)
            record.ownPidNamespace = spec.linux?.namespaces?.contains { $0.type == .pid && $0.path == nil } ?? false
            loop: while true {
                guard let msg = try s.next() else { continue }
                switch msg {
                case .pid(let c, let m):
                    record.pid = c
                    record.monitorPid = m
                    record.pidStartTime = ProcFS.stat(c)?.startTime ?? 0
                    record.monitorStartTime = ProcFS.stat(m)?.startTime ?? 0
                case .warning(let w):
                    warn("container \(id): \(w)")
                case .hooks:
                    try store.save(record)
                    var st = store.ociState(of: record)
                    st.status = .creating
                    try HookRunner.run(spec.hooks?.prestart ?? [], kind: "prestart", state: st)
                    try HookRunner.run(spec.hooks?.createRuntime ?? [], kind: "createRuntime", state: st)
                    try s.go()
                case .error(let step, let path, let e):
                    throw RuntimeError("create container \(id): \(step)", path, errno: e)
                case .ready where mode == .create:
                    break loop
                case .started(let at) where mode != .create:
                    record.startedAt = at
                    break loop
                case .ready, .started:
                    continue
                case .exit(_, _, _, let startError):
                    throw RuntimeError("create container \(id)", "", detail: startError ?? "container exited during setup")
                case .closed:
                    throw RuntimeError("create container \(id)", "", detail: "the monitor exited unexpectedly")
                }
            }
            try store.save(record)
            if let pf = options.pidFile {
                try FileIO.writeAtomically(pf, Array(String(record.pid).utf8), step: "write pid file", durable: false)
            }
            if mode != .create {
                runPoststart(record)
            }
            return (record, s)
        } catch {
            if let s = session, !s.planSent {
                s.abandon()
            } else if let s = session {
                if s.containerPid > 0 { _ = Glibc.kill(s.containerPid, SIGKILL) }
                if mode == .run { s.reap() } else { waitForExitRecord(id, monitorPid: s.monitorPid) }
            }
            if let cg = cgroup {
                try? cg.killAll(signal: SIGKILL, timeout: .seconds(2))
                try? cg.remove()
            }
            try? store.remove(id)
            throw error
        }
    }

    /// `runc run`: create, start, wait, delete; returns the exit code (128+signal when killed).
    /// `forwardSignals` blocks INT/TERM/HUP/QUIT/USR1/USR2/WINCH and relays them to the container (the CLI; a
    /// multithreaded caller must not change its signal mask this way).
    public func run(id: String, bundle: String, options: LaunchOptions = LaunchOptions(), forwardSignals: Bool = false)
        throws -> Int32
    {
        let sfd = forwardSignals ? bl_forward_signalfd() : -1
        defer { if sfd >= 0 { close(sfd) } }
        let (record, session) = try launch(id: id, bundle: bundle, mode: .run, options: options)
        var status: Int32 = -1
        var startError: String?
        waitLoop: while true {
            var fds = [pollfd(fd: session.ctl, events: Int16(POLLIN), revents: 0)]
            if sfd >= 0 { fds.append(pollfd(fd: sfd, events: Int16(POLLIN), revents: 0)) }
            if poll(&fds, nfds_t(fds.count), -1) < 0 { continue }
            if fds.count > 1 && fds[1].revents != 0 {
                let sig = bl_signalfd_read(sfd)
                if sig > 0 { _ = Glibc.kill(record.pid, sig) }
            }
            if fds[0].revents != 0 {
                guard let msg = try session.next(timeoutMs: 0) else { continue }
                switch msg {
                case .exit(let st, _, _, let err):
                    status = st
                    startError = err
                    break waitLoop
                case .closed: break waitLoop
                case .warning(let w): warn("container \(id): \(w)")
                default: continue
                }
            }
        }
        session.reap()
        try delete(record, force: true)
        if let startError { throw RuntimeError("run container \(id)", "", detail: startError) }
        if status < 0 { throw RuntimeError("run container \(id)", "", detail: "the monitor exited without an exit status") }
        return Subprocess.exitCode(waitStatus: status)
    }

    // MARK: start / state / kill / delete / list

    public func start(id: String) throws {
        let record = try store.load(id)
        let status = store.status(of: record)
        guard status == .created else {
            throw RuntimeError("start container", id, detail: "cannot start a container in state \(status.rawValue)")
        }
        let fifo = store.fifoPath(id)
        let fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 { throw RuntimeError.errno("open exec fifo", fifo) }
        defer { close(fd) }
        var byte: UInt8 = 0
        while true {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&p, 1, 100)
            let n = read(fd, &byte, 1)
            if n == 1 { break }
            if n < 0 && errno != EAGAIN && errno != EINTR { throw RuntimeError.errno("read exec fifo", fifo) }
            if !ProcFS.isAlive(record.pid, startTime: record.pidStartTime) {
                throw RuntimeError("start container", id, detail: "container process is already dead")
            }
        }
        unlink(fifo)
        runPoststart(record)
    }

    public func state(id: String) throws -> State { store.ociState(of: try store.load(id)) }

    public func list() -> [State] { store.ids().compactMap { try? state(id: $0) } }

    /// Send `signal` to the container's init process (pidfd, after checking it is still the same process).
    public func kill(id: String, signal: Int32) throws {
        let record = try store.load(id)
        let status = store.status(of: record)
        guard status == .created || status == .running else {
            throw RuntimeError("kill container", id, detail: "container not running")
        }
        let pidfd = bl_pidfd_open(record.pid)
        if pidfd < 0 { throw RuntimeError("kill container \(id)", "pid \(record.pid)", errno: -pidfd) }
        defer { close(pidfd) }
        guard ProcFS.isAlive(record.pid, startTime: record.pidStartTime) else {
            throw RuntimeError("kill container", id, detail: "container not running")
        }
        let r = bl_pidfd_send_signal(pidfd, signal)
        if r < 0 { throw RuntimeError("kill container \(id)", "signal \(signal)", errno: -r) }
    }

    /// Remove a stopped container (a created one is killed first, like runc; a running one needs `force`).
    public func delete(id: String, force: Bool) throws {
        let record: ContainerRecord
        do { record = try store.load(id) } catch {
            // A directory without state (creation died half-way) is cleaned up under force.
            if force && FileIO.exists(store.dir(id)) { try store.remove(id); return }
            throw error
        }
        try delete(record, force: force)
    }

    func delete(_ record: ContainerRecord, force: Bool) throws {
        let id = record.id
        let status = store.status(of: record)
        if status == .running && !force {
            throw RuntimeError("delete container", id, detail: "cannot delete container \(id) that is not stopped: running")
        }
        if status != .stopped {
            let pidfd = bl_pidfd_open(record.pid)
            if pidfd >= 0 {
                if ProcFS.isAlive(record.pid, startTime: record.pidStartTime) { _ = bl_pidfd_send_signal(pidfd, SIGKILL) }
                close(pidfd)
            }
        }
        waitForExitRecord(id, monitorPid: record.monitorPid, monitorStart: record.monitorStartTime)
        if let path = record.cgroupPath, let cg = try? Cgroups.manager(path: try CgroupPath(path), host: try OCIRuntime.cgroupHost()) {
            // Processes the init left behind (no pid namespace of its own) go with the container, like runc
            // delete. With its own pid namespace everything died with init: try the removal first.
            if record.ownPidNamespace == true, (try? cg.remove()) != nil {
            } else {
                try? cg.killAll(signal: SIGKILL, timeout: .seconds(5))
                do { try cg.remove() } catch { warn("delete container \(id): \(error)") }
            }
        }
        if let hooks = record.hooks?.poststop, !hooks.isEmpty {
            var st = store.ociState(of: record)
            st.status = .stopped
            do { try HookRunner.run(hooks, kind: "poststop", state: st) } catch { warn("\(error)") }
        }
        try store.remove(id)
    }

    /// Ask the container's monitor to reopen its log file (after the file was rotated away), like CRI
    /// ReopenContainerLog.
    public func reopenLog(id: String) throws {
        let record = try store.load(id)
        let fd = bl_pidfd_open(record.monitorPid)
        if fd < 0 { throw RuntimeError("reopen log of container \(id)", "monitor pid \(record.monitorPid)", errno: -fd) }
        defer { close(fd) }
        guard ProcFS.isAlive(record.monitorPid, startTime: record.monitorStartTime) else {
            throw RuntimeError("reopen log of container", id, detail: "monitor is gone")
        }
        let r = bl_pidfd_send_signal(fd, SIGUSR1)
        if r < 0 { throw RuntimeError("reopen log of container \(id)", "signal monitor", errno: -r) }
    }

    /// Stop a container the way CRI StopContainer does: `signal`, then SIGKILL after `grace` seconds (0 = at once).
    /// Returns the exit record (synthesized 137/Unknown if the monitor vanished).
    @discardableResult
    public func stop(id: String, signal: Int32 = SIGTERM, graceNanos: Int64) throws -> ExitRecord {
        let record = try store.load(id)
        if let e = store.exitRecord(id) { return e }
        if graceNanos > 0 { try? self.kill(id: id, signal: signal) }
        waitForExitRecord(id, monitorPid: record.monitorPid, monitorStart: record.monitorStartTime, timeoutNanos: graceNanos)
        if !FileIO.exists(store.exitPath(id)) { try? self.kill(id: id, signal: SIGKILL) }
        waitForExitRecord(id, monitorPid: record.monitorPid, monitorStart: record.monitorStartTime)
        return ExitWatcher.collect(record, store: store)
    }

    // MARK: helpers

    func runPoststart(_ record: ContainerRecord) {
        // The state costs /proc reads; most containers have no poststart hooks.
        guard let hooks = record.hooks?.poststart, !hooks.isEmpty else { return }
        do { try HookRunner.run(hooks, kind: "poststart", state: store.ociState(of: record)) } catch { warn("\(error)") }
    }

    /// Wait (bounded) until the monitor has recorded the exit, or is gone.
    func waitForExitRecord(_ id: String, monitorPid: Int32, monitorStart: UInt64? = nil, timeoutNanos: Int64 = 10_000_000_000) {
        let deadline = Timestamp.nowNanos() + timeoutNanos
        while Timestamp.nowNanos() < deadline {
            if FileIO.exists(store.exitPath(id)) { return }
            if monitorPid <= 0 || !ProcFS.isAlive(monitorPid, startTime: monitorStart) { return }
            usleep(1000)
        }
    }

    static func describe(_ e: DecodingError) -> String {
        func path(_ c: [any CodingKey]) -> String {
            c.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop(while: { $0 == "." }).description
        }
        switch e {
        case .typeMismatch(let t, let ctx): return "\(path(ctx.codingPath)): expected \(t)"
        case .valueNotFound(let t, let ctx): return "\(path(ctx.codingPath)): missing \(t)"
        case .keyNotFound(let k, let ctx): return "\(path(ctx.codingPath + [k])): missing"
        case .dataCorrupted(let ctx): return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default: return "\(e)"
        }
    }
}

extension FileIO {
    /// Write a line to stderr.
    public static func stderr(_ s: String) {
        let line = s + "\n"
        line.utf8CString.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count - 1) }
    }
}
