#if canImport(Glibc)
import Glibc
#endif

/// Plain file I/O on cgroupfs with errno-carrying errors. cgroup files are tiny, so a single open/read/close is
/// cheaper than anything buffered; values are written without a trailing newline, as runc does (the kernel
/// accepts both, and fake trees in tests then hold exactly the written value).
enum CgroupFiles {
    static func join(_ dir: String, _ name: String) -> String {
        dir.hasSuffix("/") ? dir + name : dir + "/" + name
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Writes `value` to `path` (O_WRONLY|O_TRUNC, never O_CREAT: a missing control file means the controller is
    /// absent, which must surface as ENOENT rather than a silently created regular file).
    static func write(_ path: String, _ value: String, step: String) throws(CgroupError) {
        let rc = writeErrno(path, value)
        if rc != 0 {
            throw CgroupError(step: step, path: path, errno: rc, detail: "writing \"\(value)\"")
        }
    }

    /// Same as `write`, returning 0 or the errno (for callers that branch on specific errors).
    static func writeErrno(_ path: String, _ value: String) -> Int32 {
        var fd: Int32
        repeat { fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC) } while fd < 0 && errno == EINTR
        if fd < 0 { return errno }
        defer { close(fd) }
        let count = value.utf8.count
        var off = 0
        repeat {
            let n = value.withCString { Glibc.write(fd, $0 + off, count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            off += n
        } while off < count
        return 0
    }

    static func read(_ path: String, step: String) throws(CgroupError) -> String {
        switch readResult(path) {
        case .success(let s): return s
        case .failure(let e): throw CgroupError(step: step, path: path, errno: e.code)
        }
    }

    struct Errno: Swift.Error { let code: Int32 }

    static func readResult(_ path: String) -> Result<String, Errno> {
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
        if fd < 0 { return .failure(Errno(code: errno)) }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(Errno(code: errno))
            }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return .success(String(decoding: out, as: UTF8.self))
    }

    /// Reads a file and trims surrounding whitespace; nil when it cannot be read.
    static func readTrimmed(_ path: String) -> String? {
        guard case .success(let s) = readResult(path) else { return nil }
        return s.bl_trimmed()
    }

    /// mkdir that treats EEXIST as success. Returns true when the directory was created by this call.
    @discardableResult
    static func makeDirectory(_ path: String, step: String) throws(CgroupError) -> Bool {
        if mkdir(path, 0o755) == 0 { return true }
        let e = errno
        if e == EEXIST { return false }
        throw CgroupError(step: step, path: path, errno: e)
    }

    /// Names of the subdirectories of `path` (child cgroups). ENOENT gives an empty list.
    static func subdirectories(_ path: String) throws(CgroupError) -> [String] {
        guard let dir = opendir(path) else {
            let e = errno
            if e == ENOENT { return [] }
            throw CgroupError(step: "list child cgroups", path: path, errno: e)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let ent = readdir(dir) {
            let type = ent.pointee.d_type
            let name = withUnsafeBytes(of: ent.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            if type == UInt8(DT_DIR) || (type == UInt8(DT_UNKNOWN) && isDirectory(join(path, name))) {
                names.append(name)
            }
        }
        return names.sorted()
    }

    /// Parses `cgroup.procs` content into pids.
    static func parsePids(_ text: String) -> [pid_t] {
        text.split(whereSeparator: { $0 == "\n" || $0 == " " }).compactMap { pid_t($0) }
    }

    /// Parses `key value` lines (memory.stat, memory.events, memory.oom_control, cpu.stat, pids.events).
    static func parseKeyValues(_ text: String) -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count == 2, let v = UInt64(parts[1]) { out[String(parts[0])] = v }
        }
        return out
    }

    static func sleepMillis(_ ms: Int) {
        var req = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
        var rem = timespec()
        while nanosleep(&req, &rem) != 0 && errno == EINTR { req = rem }
    }
}
