#if canImport(Glibc)
import Glibc
#endif
import BootletRuntime
import FoundationEssentials
import OCISpec
import Testing

/// Small helpers for the cgroup tests: files, temp trees, random names, and processes started with posix_spawn.
enum TestFS {
    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Content with surrounding whitespace removed.
    static func value(_ path: String) -> String? {
        guard let s = read(path) else { return nil }
        var sub = Substring(s)
        while let c = sub.last, c == "\n" || c == " " { sub.removeLast() }
        while let c = sub.first, c == "\n" || c == " " { sub.removeFirst() }
        return String(sub)
    }

    @discardableResult
    static func write(_ path: String, _ content: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { return false }
        defer { close(fd) }
        return content.withCString { Glibc.write(fd, $0, strlen($0)) } == content.utf8.count
    }

    static func mkdirs(_ path: String) {
        var cur = ""
        for c in path.split(separator: "/") {
            cur += "/" + c
            mkdir(cur, 0o755)
        }
    }

    static func isDir(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// A fresh directory under /tmp, removed (recursively) by `removeTree`.
    static func tempDir(_ tag: String) -> String {
        let path = "/tmp/bootlet-\(tag)-\(randomSuffix())"
        mkdir(path, 0o700)
        return path
    }

    /// rm -rf for plain directories (fake trees); refuses anything outside /tmp/bootlet-*, never touches cgroupfs.
    static func removeTree(_ path: String) {
        guard path.hasPrefix("/tmp/bootlet-") else { return }
        if let dir = opendir(path) {
            while let ent = readdir(dir) {
                let name = withUnsafeBytes(of: ent.pointee.d_name) {
                    String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let child = path + "/" + name
                if ent.pointee.d_type == UInt8(DT_DIR) { removeTree(child) } else { unlink(child) }
            }
            closedir(dir)
        }
        rmdir(path)
    }

    /// Creates files (and their directories) below `root`: relative path → content.
    static func populate(_ root: String, _ files: [String: String]) {
        for (rel, content) in files {
            let full = root + "/" + rel
            if let slash = full.lastIndex(of: "/") { mkdirs(String(full[..<slash])) }
            write(full, content)
        }
    }
}

func randomSuffix() -> String {
    String(UInt64.random(in: 0..<UInt64.max), radix: 36)
}

/// A child process started with posix_spawn. With `gated`, the command should start with `read _` so that it
/// blocks on stdin until `release()`: the test puts it into a cgroup before it does any work.
final class Spawned {
    let pid: pid_t
    private var gateFD: Int32
    private var reaped = false
    private(set) var status: Int32 = 0

    init(_ argv: [String], gated: Bool = false, stderrPath: String? = nil) throws {
        var fds: [Int32] = [-1, -1]
        if gated {
            guard pipe(&fds) == 0 else { throw SpawnError(what: "pipe", errno: errno) }
        }
        var fa = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fa)
        defer { posix_spawn_file_actions_destroy(&fa) }
        if gated {
            posix_spawn_file_actions_adddup2(&fa, fds[0], 0)
            posix_spawn_file_actions_addclose(&fa, fds[0])
            posix_spawn_file_actions_addclose(&fa, fds[1])
        } else {
            posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&fa, 2, stderrPath ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        // The test runner's threads block signals (SIGTERM among them); a child must not inherit that mask or
        // ignored dispositions, or it would survive the signals the tests send.
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var child: pid_t = 0
        let rc = posix_spawn(&child, argv[0], &fa, &attr, cargs, environ)
        if gated { close(fds[0]) }
        guard rc == 0 else {
            if gated { close(fds[1]) }
            throw SpawnError(what: "posix_spawn \(argv[0])", errno: rc)
        }
        pid = child
        gateFD = gated ? fds[1] : -1
    }

    /// Lets a gated child continue.
    func release() {
        if gateFD >= 0 {
            _ = "\n".withCString { Glibc.write(gateFD, $0, 1) }
            close(gateFD)
            gateFD = -1
        }
    }

    /// waitpid; returns the raw status.
    @discardableResult
    func wait() -> Int32 {
        if reaped { return status }
        var st: Int32 = 0
        while waitpid(pid, &st, 0) < 0 && errno == EINTR {}
        status = st
        reaped = true
        return st
    }

    var termSignal: Int32 { status & 0x7f }
    var exitCode: Int32 { (status >> 8) & 0xff }

    /// Kills and reaps (for `defer`).
    func cleanup() {
        release()
        if !reaped {
            kill(pid, SIGKILL)
            wait()
        }
    }

    deinit { cleanup() }
}

struct SpawnError: Error, CustomStringConvertible {
    let what: String
    let errno: Int32
    var description: String { "\(what): \(String(cString: strerror(errno)))" }
}

/// Polls `condition` every 5 ms for up to `seconds`.
func eventually(seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int(seconds * 1000)))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(5000)
    }
    return condition()
}

/// OCISpec's nested device/network types have no public memberwise initializers; build them the way a bundle
/// would carry them.
func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(json.utf8))
}
