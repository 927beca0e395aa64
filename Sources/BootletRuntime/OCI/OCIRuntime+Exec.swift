import CBootletRuntime
import OCISpec

#if canImport(Glibc)
import Glibc
#endif

/// The result of running a process in a container (CRI ExecSync).
public struct ExecResult: Sendable, Equatable {
    public var exitCode: Int32
    /// stdout and stderr interleaved, at most `maxOutput` bytes (the rest is read and dropped).
    public var output: [UInt8]
    public var timedOut: Bool
}

extension OCIRuntime {
    /// Run `args` inside a running container (runc exec / CRI ExecSync): the container's namespaces, cgroup,
    /// user, capabilities, no_new_privs and seccomp, through a short-lived monitor. `timeoutNanos` kills the
    /// process when it runs longer (kubelet exec probes); nil waits for it.
    public func exec(id: String, args: [String], env: [String]? = nil, timeoutNanos: Int64? = nil, maxOutput: Int = 10240)
        throws -> ExecResult
    {
        guard !args.isEmpty else { throw RuntimeError("exec in container", id, detail: "no command") }
        let record = try store.load(id)
        guard store.status(of: record) == .running else {
            throw RuntimeError("exec in container", id, detail: "container is not running")
        }
        let spec = try OCIRuntime.loadSpec(bundle: record.bundle)
        guard var process = spec.process else { throw RuntimeError("exec in container", id, detail: "bundle has no process") }
        if let env { process.env = env }
        let present = Set((spec.linux?.namespaces ?? []).map(\.type))
        let joins: [(UInt32, String)] = Planner.joinOrder.filter { present.contains($0) }.compactMap { t in
            guard let flag = Planner.cloneFlag[t], let file = Planner.namespaceFile[t] else { return nil }
            return (UInt32(flag), "/proc/\(record.pid)/ns/\(file)")
        }
        var cgroup: CgroupPlacement?
        if let path = record.cgroupPath {
            cgroup = CgroupPlacement(manager: try Cgroups.manager(path: try CgroupPath(path), host: try OCIRuntime.cgroupHost()))
        }
        let (plan, warnings) = try Planner.planExec(
            id: id, process: process, args: args, namespaces: joins, cgroup: cgroup, seccomp: spec.linux?.seccomp,
            compiler: seccomp)
        warnings.forEach { warn("exec in container \(id): \($0)") }

        var out: [Int32] = [-1, -1]
        if pipe(&out) != 0 { throw RuntimeError.errno("create output pipe for exec in", id) }
        _ = bl_set_cloexec(out[0], 1)
        _ = bl_set_cloexec(out[1], 1)
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        let session: MonitorSession
        do {
            session = try MonitorSession(monitorPath: monitorPath, plan: plan, stdio: (null, out[1], out[1]), detach: false)
        } catch {
            close(out[0]); close(out[1]); close(null)
            throw error
        }
        close(out[1])
        close(null)
        defer { close(out[0]) }

        var output: [UInt8] = []
        var pid: Int32 = 0
        var status: Int32 = -1
        var timedOut = false
        var exited = false, drained = false
        let deadline = timeoutNanos.map { Timestamp.nowNanos() + $0 }
        var buf = [UInt8](repeating: 0, count: 8192)
        while !(exited && drained) {
            var fds = [pollfd(fd: session.ctl, events: Int16(POLLIN), revents: 0)]
            if !drained { fds.append(pollfd(fd: out[0], events: Int16(POLLIN), revents: 0)) }
            var wait: Int32 = -1
            if let d = deadline, !timedOut {
                let left = d - Timestamp.nowNanos()
                if left <= 0 {
                    timedOut = true
                    if pid > 0 { _ = Glibc.kill(pid, SIGKILL) }
                    continue
                }
                wait = Int32(min(left / 1_000_000 + 1, 60_000))
            }
            if exited { wait = min(wait < 0 ? 1000 : wait, 1000) }
            let r = poll(&fds, nfds_t(fds.count), wait)
            if r < 0 && errno != EINTR { break }
            if r == 0 && exited { break }  // something in the container keeps the pipe open: stop reading
            if fds.count > 1 && fds[1].revents != 0 {
                let n = read(out[0], &buf, buf.count)
                if n <= 0 { drained = true } else if output.count < maxOutput {
                    output.append(contentsOf: buf[0..<min(n, maxOutput - output.count)])
                }
            }
            if fds[0].revents != 0 && !exited {
                guard let msg = try session.next(timeoutMs: 0) else { continue }
                switch msg {
                case .pid(let c, _): pid = c
                case .error(let step, let path, let e):
                    session.reap()
                    throw RuntimeError("exec in container \(id): \(step)", path, errno: e)
                case .exit(let st, _, _, let err):
                    if let err, st < 0 {
                        session.reap()
                        throw RuntimeError("exec in container \(id)", "", detail: err)
                    }
                    status = st
                    exited = true
                case .closed:
                    exited = true
                default: break
                }
            }
        }
        session.reap()
        let code = status < 0 ? (timedOut ? 137 : 255) : Subprocess.exitCode(waitStatus: status)
        return ExecResult(exitCode: code, output: output, timedOut: timedOut)
    }
}
