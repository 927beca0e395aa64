import CBootletRuntime

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion with bytes on stdin: OCI hooks, CNI plugins, test helpers.
///
/// stdin and captured stdout/stderr are memfds rather than pipes: nothing can block on a full pipe (a hook that
/// never reads a large state document cannot stall the writer before its timeout starts), a program that exits
/// without reading stdin cannot raise SIGPIPE here, and a grandchild left holding stdout (iptables helpers, the CNI
/// dhcp daemon) cannot make the caller wait for EOF. Only the program's own exit is waited for, through a pidfd,
/// with an optional timeout after which it is killed with SIGKILL.
public enum Subprocess {
    public enum Output: Sendable {
        /// stdout and stderr are returned in the outcome.
        case capture
        /// stdout and stderr are the caller's fds 1 and 2.
        case inherit
    }

    public enum Outcome: Sendable, Equatable {
        /// Exit code (128 + signal for a killed program); stdout and stderr are empty with `.inherit`.
        case exited(code: Int32, stdout: [UInt8], stderr: [UInt8])
        case timedOut
    }

    /// Runs `path` with `argv` (argv[0] included) and exactly `env`. `what` names the program in errors, e.g.
    /// `run CNI plugin /usr/lib/cni/bridge: No such file or directory`. With `spawnAttempts` > 1 a spawn failing with
    /// ETXTBSY (a binary being installed) is retried every 200 ms, as libcni does. Throws only for system failures.
    public static func run(
        _ path: String, argv: [String], env: [String], stdin: [UInt8] = [], output: Output = .capture,
        timeout: Duration? = nil, what: String, spawnAttempts: Int = 1
    ) throws(RuntimeError) -> Outcome {
        let inFd = try memfd("stdin", what)
        defer { close(inFd) }
        try writeAll(inFd, stdin, what)
        lseek(inFd, 0, SEEK_SET)
        var outFd: Int32 = 1, errFd: Int32 = 2
        if output == .capture {
            outFd = try memfd("stdout", what)
            errFd = try memfd("stderr", what)
        }
        defer { if output == .capture { close(outFd); close(errFd) } }

        let cargv: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        let cenv: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer {
            cargv.forEach { free($0) }
            cenv.forEach { free($0) }
        }
        let fdmap: [Int32] = [inFd, outFd, errFd]
        var pid: pid_t = -1
        for attempt in 1...max(1, spawnAttempts) {
            pid = fdmap.withUnsafeBufferPointer { bl_spawn(path, cargv, cenv, $0.baseAddress, 3, 0) }
            if pid != -ETXTBSY || attempt >= spawnAttempts { break }
            usleep(200_000)
        }
        if pid < 0 { throw RuntimeError("run", what, errno: -pid) }

        if let timeout, !waitForExit(pid, within: timeout) {
            kill(pid, SIGKILL)
            var st: Int32 = 0
            while waitpid(pid, &st, 0) < 0 && errno == EINTR {}
            return .timedOut
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = exitCode(waitStatus: status)
        guard output == .capture else { return .exited(code: code, stdout: [], stderr: []) }
        return .exited(code: code, stdout: readAll(outFd), stderr: readAll(errFd))
    }

    /// A `waitpid` status as a shell reports it: the exit code, or 128 + the signal that killed the process.
    public static func exitCode(waitStatus status: Int32) -> Int32 {
        let sig = status & 0x7f
        return sig == 0 ? (status >> 8) & 0xff : 128 + sig
    }

    /// Waits (pidfd + poll) until `pid` exits or `timeout` passes; false on timeout. Without pidfds (Linux < 5.3)
    /// the caller's waitpid waits unbounded.
    private static func waitForExit(_ pid: pid_t, within timeout: Duration) -> Bool {
        let pidfd = bl_pidfd_open(pid)
        guard pidfd >= 0 else { return true }
        defer { close(pidfd) }
        let (secs, atto) = timeout.components
        let ms = max(1, min(Int64(Int32.max), secs * 1000 + atto / 1_000_000_000_000_000))
        let deadline = monotonicMillis() + ms
        while true {
            let left = deadline - monotonicMillis()
            if left <= 0 { return false }
            var p = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
            let r = poll(&p, 1, Int32(left))
            if r > 0 || (r < 0 && errno != EINTR) { return true }
        }
    }

    private static func memfd(_ name: String, _ what: String) throws(RuntimeError) -> Int32 {
        let fd = bl_memfd_create(name)
        if fd < 0 { throw RuntimeError("create \(name) memfd for", what, errno: -fd) }
        return fd
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], _ what: String) throws(RuntimeError) {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RuntimeError.errno("write stdin for", what)
            }
            off += n
        }
    }

    private static func readAll(_ fd: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 16384)
        var off: off_t = 0
        while true {
            let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
            off += off_t(n)
        }
        return out
    }

    private static func monotonicMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
