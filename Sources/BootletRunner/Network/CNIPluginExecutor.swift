import BootletRuntime
import CBootletRuntime

#if canImport(Glibc)
import Glibc
#endif

/// Finds and runs CNI plugin binaries (the CNI execution protocol: parameters in `CNI_*` environment variables,
/// configuration on stdin, result or error JSON on stdout).
///
/// stdin, stdout and stderr are memfds rather than pipes: nothing can block on a full pipe, a plugin that exits
/// without reading its stdin cannot raise SIGPIPE in the runner, and a grandchild a plugin leaves behind holding
/// stdout (iptables helpers, the dhcp daemon) cannot make bootlet wait for EOF. Only the plugin's own exit is
/// waited for, through a pidfd, with a timeout.
struct CNIPluginExecutor: Sendable {
    /// Directories searched in order for a plugin named by `type` (`--cni-bin-dir`, libcni `FindInPath`).
    let binDirs: [String]
    let timeout: Duration
    /// The runner's environment without `CNI_*` (libcni passes `os.Environ()` on, so plugins find `iptables`
    /// through PATH); a default PATH is added when the runner has none.
    let baseEnvironment: [String]

    init(binDirs: [String], timeout: Duration) {
        self.binDirs = binDirs
        self.timeout = timeout
        var env: [String] = []
        var p = environ
        while let s = p.pointee {
            let e = String(cString: s)
            if !e.hasPrefix("CNI_") { env.append(e) }
            p += 1
        }
        if !env.contains(where: { $0.hasPrefix("PATH=") }) {
            env.append("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        }
        baseEnvironment = env
    }

    /// The parameters of one plugin call.
    struct Invocation {
        var command: String
        var containerID: String
        var netns: String
        var ifName: String
        var args: [(String, String)]

        /// `CNI_ARGS`: `K=V` pairs joined by `;`.
        var cniArgs: String { args.map { "\($0.0)=\($0.1)" }.joined(separator: ";") }
    }

    enum Outcome {
        case exited(code: Int32, stdout: [UInt8], stderr: [UInt8])
        case timedOut
    }

    /// The first regular, executable file named `type` in the bin directories.
    func find(_ type: String) -> String? {
        for dir in binDirs where !dir.isEmpty {
            let p = dir.hasSuffix("/") ? dir + type : dir + "/" + type
            var st = stat()
            if stat(p, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG && access(p, X_OK) == 0 { return p }
        }
        return nil
    }

    func environment(for inv: Invocation) -> [String] {
        baseEnvironment + [
            "CNI_COMMAND=\(inv.command)", "CNI_CONTAINERID=\(inv.containerID)", "CNI_NETNS=\(inv.netns)",
            "CNI_IFNAME=\(inv.ifName)", "CNI_ARGS=\(inv.cniArgs)", "CNI_PATH=\(binDirs.joined(separator: ":"))",
        ]
    }

    /// Run `binary` with `env` and `stdin`; throws only for system failures (spawn, memfd).
    func run(binary: String, env: [String], stdin: [UInt8]) throws -> Outcome {
        let inFd = try memfd("cni-stdin", binary)
        defer { close(inFd) }
        let outFd = try memfd("cni-stdout", binary)
        defer { close(outFd) }
        let errFd = try memfd("cni-stderr", binary)
        defer { close(errFd) }
        try writeAll(inFd, stdin, binary)
        lseek(inFd, 0, SEEK_SET)

        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(binary), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let fdmap: [Int32] = [inFd, outFd, errFd]
        var pid: pid_t = -1
        // libcni retries "text file busy": a plugin being installed while pods start.
        for attempt in 0..<6 {
            pid = fdmap.withUnsafeBufferPointer { bl_spawn(binary, argv, envp, $0.baseAddress, 3, 0) }
            if pid != -ETXTBSY || attempt == 5 { break }
            usleep(200_000)
        }
        if pid < 0 { throw CNIError.system(RuntimeError("run CNI plugin", binary, errno: -pid)) }

        let pidfd = bl_pidfd_open(pid)
        if pidfd >= 0 {
            defer { close(pidfd) }
            let (secs, atto) = timeout.components
            let ms = max(1, min(Int64(Int32.max), secs * 1000 + atto / 1_000_000_000_000_000))
            let deadline = monotonicMillis() + ms
            while true {
                let left = deadline - monotonicMillis()
                if left <= 0 {
                    kill(pid, SIGKILL)
                    var st: Int32 = 0
                    while waitpid(pid, &st, 0) < 0 && errno == EINTR {}
                    return .timedOut
                }
                var p = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
                let r = poll(&p, 1, Int32(left))
                if r > 0 { break }
                if r < 0 && errno != EINTR {
                    throw CNIError.system(RuntimeError.errno("wait for CNI plugin", binary))
                }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return .exited(code: code, stdout: readAll(outFd), stderr: readAll(errFd))
    }

    private func memfd(_ name: String, _ binary: String) throws -> Int32 {
        let fd = bl_memfd_create(name)
        if fd < 0 { throw CNIError.system(RuntimeError("create \(name) memfd for CNI plugin", binary, errno: -fd)) }
        return fd
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8], _ binary: String) throws {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CNIError.system(RuntimeError.errno("write stdin for CNI plugin", binary))
            }
            off += n
        }
    }

    private func readAll(_ fd: Int32) -> [UInt8] {
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

    private func monotonicMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
