import CBootletRuntime
import FoundationEssentials
import OCISpec

#if canImport(Glibc)
import Glibc
#endif

/// OCI hooks: run in the runtime namespace with the container state JSON on stdin.
public enum HookRunner {
    /// Run `hooks` in order; the first failure throws (the caller decides whether a failure is fatal: it is for
    /// prestart/createRuntime, a warning for poststart/poststop as the runtime spec says).
    public static func run(_ hooks: [Hook], kind: String, state: State) throws {
        guard !hooks.isEmpty else { return }
        let enc = JSONEncoder()
        let stateJSON = Array(try enc.encode(state))
        for (i, h) in hooks.enumerated() {
            try runOne(h, label: "\(kind) hook #\(i) \(h.path)", input: stateJSON)
        }
    }

    static func runOne(_ h: Hook, label: String, input: [UInt8]) throws {
        var pipeFds: [Int32] = [-1, -1]
        if pipe(&pipeFds) != 0 { throw RuntimeError.errno("create stdin pipe for", label) }
        _ = bl_set_cloexec(pipeFds[0], 1)
        _ = bl_set_cloexec(pipeFds[1], 1)
        let args = (h.args?.isEmpty == false ? h.args! : [h.path])
        let argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = (h.env ?? []).map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let fdmap: [Int32] = [pipeFds[0], 1, 2]
        let pid = fdmap.withUnsafeBufferPointer { bl_spawn(h.path, argv, envp, $0.baseAddress, 3, 0) }
        close(pipeFds[0])
        if pid < 0 {
            close(pipeFds[1])
            throw RuntimeError("run", label, errno: -pid)
        }
        input.withUnsafeBytes { _ = write(pipeFds[1], $0.baseAddress, $0.count) }
        close(pipeFds[1])
        let pidfd = bl_pidfd_open(pid)
        if let t = h.timeout, t > 0, pidfd >= 0 {
            var p = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, Int32(t) * 1000) == 0 {
                kill(pid, SIGKILL)
                var st: Int32 = 0
                waitpid(pid, &st, 0)
                close(pidfd)
                throw RuntimeError("run", label, detail: "timed out after \(t)s")
            }
        }
        if pidfd >= 0 { close(pidfd) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        if code != 0 { throw RuntimeError("run", label, detail: "exited with status \(code)") }
    }
}
