import CBootletRuntime

#if canImport(Glibc)
import Glibc
#endif

/// A message from the monitor (or, relayed by it, from the container child).
public enum MonitorMessage: Sendable, Equatable {
    case pid(container: Int32, monitor: Int32)
    case error(step: String, path: String, errno: Int32)
    case warning(String)
    /// The child set up namespaces and mounts and waits for prestart/createRuntime hooks (answer with `go()`).
    case hooks
    /// `create`: the child waits on the exec fifo.
    case ready
    /// The container process exec'd; nanoseconds since the epoch.
    case started(at: Int64)
    /// The container exited: raw wait status (-1 if it never started), finish time, OOM kill seen.
    case exit(status: Int32, finishedAt: Int64, oomKilled: Bool, startError: String?)
    /// The control socket closed without an exit message.
    case closed
}

/// Spawns `bootlet-monitor` with a launch plan and talks to it over a SOCK_SEQPACKET control socket.
public final class MonitorSession {
    public let ctl: Int32
    public let spawnedPid: Int32
    public private(set) var containerPid: Int32 = 0
    public private(set) var monitorPid: Int32 = 0

    /// Locate the monitor binary: `$BOOTLET_MONITOR`, next to the running executable, then `$PATH`.
    public static func locateMonitor() throws -> String { try locateHelper("bootlet-monitor", env: "BOOTLET_MONITOR") }

    /// Locate a helper binary shipped with bootlet (`bootlet-monitor`, `bootlet-pause`): the environment variable
    /// `env`, then next to the running executable (or the test bundle), then `$PATH`.
    public static func locateHelper(_ name: String, env: String) throws -> String {
        if let v = getenv(env) {
            let p = String(cString: v)
            if access(p, X_OK) == 0 { return p }
            throw RuntimeError("locate \(name)", "\(env)=\(p)", errno: errno)
        }
        if let exe = try? FileIO.realPath("/proc/self/exe", step: "locate executable") {
            var dir = String(exe[..<(exe.lastIndex(of: "/") ?? exe.startIndex)])
            if dir.hasSuffix(".xctest") { dir = String(dir[..<(dir.lastIndex(of: "/") ?? dir.startIndex)]) }
            let candidate = dir + "/" + name
            if access(candidate, X_OK) == 0 { return candidate }
        }
        if let path = getenv("PATH") {
            for d in String(cString: path).split(separator: ":") where access("\(d)/\(name)", X_OK) == 0 {
                return "\(d)/\(name)"
            }
        }
        throw RuntimeError("locate \(name)", name, detail: "not next to the bootlet executable nor in $PATH (set \(env))")
    }

    /// Start the monitor with `plan`. `stdio` are the fds handed to the container in pass-through mode.
    public convenience init(
        monitorPath: String, plan: [UInt8], stdio: (Int32, Int32, Int32) = (0, 1, 2), detach: Bool
    ) throws {
        try self.init(monitorPath: monitorPath, stdio: stdio, detach: detach)
        try send(plan: plan)
    }

    /// Start the monitor before the plan exists: it execs and initialises while the caller decodes and plans,
    /// then waits for `send(plan:)`. If the caller gives up first, `abandon()` (or dropping the session) makes it
    /// exit without creating anything.
    public init(monitorPath: String, stdio: (Int32, Int32, Int32) = (0, 1, 2), detach: Bool) throws {
        let memfd = bl_memfd_create("bootlet-plan")
        if memfd < 0 { throw RuntimeError("create launch plan memfd", "", errno: -memfd) }
        var pair: [Int32] = [-1, -1]
        let r = pair.withUnsafeMutableBufferPointer { bl_seqpacket_pair($0.baseAddress!) }
        if r < 0 {
            close(memfd)
            throw RuntimeError("create monitor control socket", "", errno: -r)
        }
        defer { close(pair[1]) }
        let fdmap: [Int32] = [stdio.0, stdio.1, stdio.2, memfd, pair[1]]
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("bootlet-monitor"), nil]
        defer { free(argv[0]) }
        let envp: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), nil]
        defer { free(envp[0]) }
        let pid = fdmap.withUnsafeBufferPointer { fds in
            bl_spawn(monitorPath, argv, envp, fds.baseAddress, Int32(fds.count), 1)
        }
        if pid < 0 {
            close(pair[0])
            close(memfd)
            throw RuntimeError("spawn monitor", monitorPath, errno: -pid)
        }
        ctl = pair[0]
        spawnedPid = pid
        planFd = memfd
        self.detach = detach
    }

    private var planFd: Int32
    private let detach: Bool
    /// True once the monitor has its plan (it may then create a container).
    public private(set) var planSent = false

    /// Hand the plan to a monitor started without one.
    public func send(plan: [UInt8]) throws {
        precondition(!planSent && planFd >= 0, "MonitorSession.send(plan:) called twice")
        var off = 0
        try plan.withUnsafeBytes { buf in
            while off < buf.count {
                let n = write(planFd, buf.baseAddress! + off, buf.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw RuntimeError.errno("write launch plan", "memfd")
                }
                off += n
            }
        }
        // Seal it: the monitor maps exactly what was validated here.
        _ = fcntl(planFd, 1033 /* F_ADD_SEALS */, Int32(1 | 2 | 4 | 8))
        close(planFd)
        planFd = -1
        var m = bl_msg()
        m.type = BL_MSG_PLAN.rawValue
        let r = bl_msg_send(ctl, &m)
        if r < 0 { throw RuntimeError("send the launch plan to the monitor", "", errno: -r) }
        planSent = true
        if detach {
            // The monitor forks once more and its first process exits at once: reap it now.
            var status: Int32 = 0
            while waitpid(spawnedPid, &status, 0) < 0 && errno == EINTR {}
        }
    }

    /// Stop a monitor that never got its plan: it sees the socket close and exits; reap it.
    public func abandon() {
        precondition(!planSent, "MonitorSession.abandon() after the plan was sent")
        shutdown(ctl, Int32(SHUT_RDWR))
        reap()
    }

    deinit {
        close(ctl)
        if planFd >= 0 { close(planFd) }
    }

    /// Next message; `timeoutMs` -1 waits forever.
    public func next(timeoutMs: Int32 = -1) throws -> MonitorMessage? {
        var m = bl_msg()
        let n = bl_msg_recv(ctl, &m, timeoutMs)
        if n == -Int(ETIMEDOUT) { return nil }
        if n < 0 { throw RuntimeError("read from monitor", "", errno: Int32(-n)) }
        if n == 0 { return .closed }
        let step = withUnsafeBytes(of: m.step) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let path = withUnsafeBytes(of: m.path) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        switch bl_msg_type(m.type) {
        case BL_MSG_PID:
            containerPid = Int32(m.value)
            monitorPid = Int32(m.value2)
            return .pid(container: containerPid, monitor: monitorPid)
        case BL_MSG_ERROR: return .error(step: step, path: path, errno: m.err)
        case BL_MSG_WARN: return .warning(path.isEmpty ? step : "\(step): \(path)")
        case BL_MSG_HOOKS: return .hooks
        case BL_MSG_READY: return .ready
        case BL_MSG_STARTED: return .started(at: m.value)
        case BL_MSG_EXIT:
            return .exit(status: Int32(truncatingIfNeeded: m.value), finishedAt: m.value2, oomKilled: m.err != 0,
                         startError: m.value < 0 ? path : nil)
        default: return .warning("unknown monitor message \(m.type)")
        }
    }

    /// Release the child after hooks.
    public func go() throws {
        var m = bl_msg()
        m.type = BL_MSG_GO.rawValue
        let r = bl_msg_send(ctl, &m)
        if r < 0 { throw RuntimeError("signal the container to continue", "", errno: -r) }
    }

    /// Wait for a non-detached monitor process to exit.
    public func reap() {
        var status: Int32 = 0
        while waitpid(spawnedPid, &status, 0) < 0 && errno == EINTR {}
    }
}
