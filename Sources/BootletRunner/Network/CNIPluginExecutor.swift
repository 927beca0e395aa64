import BootletRuntime
import CBootletRuntime

#if canImport(Glibc)
import Glibc
#endif

/// Finds and runs CNI plugin binaries (the CNI execution protocol: parameters in `CNI_*` environment variables,
/// configuration on stdin, result or error JSON on stdout).
/// Plugins run through `Subprocess` (memfd stdio, pidfd wait with a timeout).
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

    /// Run `binary` with `env` and `stdin`; throws only for system failures (spawn, memfd). libcni retries "text
    /// file busy": a plugin being installed while pods start.
    func run(binary: String, env: [String], stdin: [UInt8]) throws -> Subprocess.Outcome {
        do {
            return try Subprocess.run(
                binary, argv: [binary], env: env, stdin: stdin, timeout: timeout, what: "CNI plugin " + binary,
                spawnAttempts: 6)
        } catch {
            throw CNIError.system(error)
        }
    }
}
