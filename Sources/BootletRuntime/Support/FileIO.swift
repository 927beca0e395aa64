import FoundationEssentials
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Small, allocation-light file helpers over Glibc (no Foundation `FileManager` on hot paths).
public enum FileIO {
    /// Read a whole file; throws a `RuntimeError` naming `step` and the path (EFBIG past `limit` bytes).
    public static func read(_ path: String, step: String = "read", limit: Int = .max) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw RuntimeError.errno(step, path) }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RuntimeError.errno(step, path)
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
            if out.count > limit { throw RuntimeError(step, path, errno: EFBIG) }
        }
        return out
    }

    public static func readString(_ path: String, step: String = "read") throws -> String {
        String(decoding: try read(path, step: step), as: UTF8.self)
    }

    /// Write `bytes` to `path` atomically (temp file in the same directory, rename): readers and a process that
    /// crashes midway see the old or the new content, never a mix. `durable` adds an fsync before the rename so the
    /// content also survives a host crash; runtime state under the state root (/run) does not need it, since it
    /// describes processes a reboot ends anyway (runc and crun do not sync it either), and the sync costs ~10 ms
    /// on ext4 per container start.
    private static let tempCounter = Atomic<UInt64>(0)

    public static func writeAtomically(
        _ path: String, _ bytes: [UInt8], mode: mode_t = 0o644, step: String = "write", durable: Bool = true
    ) throws
    {
        // Unique per process and call: two threads writing the same file must not share a temp file.
        let tmp = path + ".tmp.\(getpid()).\(tempCounter.wrappingAdd(1, ordering: .relaxed).oldValue)"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        if fd < 0 { throw RuntimeError.errno(step, tmp) }
        var ok = true
        bytes.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    ok = false
                    return
                }
                off += n
            }
        }
        if !ok || (durable && fsync(fd) != 0) {
            let e = errno
            close(fd)
            unlink(tmp)
            throw RuntimeError(step, path, errno: e)
        }
        close(fd)
        if rename(tmp, path) != 0 {
            let e = errno
            unlink(tmp)
            throw RuntimeError(step, path, errno: e)
        }
    }

    public static func writeString(_ path: String, _ s: String, step: String = "write") throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        if fd < 0 { throw RuntimeError.errno(step, path) }
        defer { close(fd) }
        let n = s.utf8CString.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count - 1) }
        if n < 0 { throw RuntimeError.errno(step, path) }
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// `realpath(3)`; throws when the path does not exist.
    public static func realPath(_ path: String, step: String) throws -> String {
        guard let r = realpath(path, nil) else { throw RuntimeError.errno(step, path) }
        defer { free(r) }
        return String(cString: r)
    }

    /// `mkdir -p` with `mode` for created directories.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws {
        var cur = path.hasPrefix("/") ? "" : "."
        for comp in path.split(separator: "/") {
            cur += "/" + comp
            if mkdir(cur, mode) != 0 && errno != EEXIST { throw RuntimeError.errno("create directory", cur) }
        }
    }

    /// `rm -rf` (does not cross mount points: a mounted directory fails with EBUSY and is reported).
    public static func removeTree(_ path: String) throws {
        var st = stat()
        if lstat(path, &st) != 0 {
            if errno == ENOENT { return }
            throw RuntimeError.errno("remove", path)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            if let dir = opendir(path) {
                var names: [String] = []
                while let ent = readdir(dir) {
                    let name = withUnsafeBytes(of: ent.pointee.d_name) { raw in
                        String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
                    }
                    if name != "." && name != ".." { names.append(name) }
                }
                closedir(dir)
                for n in names { try removeTree(path + "/" + n) }
            }
            if rmdir(path) != 0 && errno != ENOENT { throw RuntimeError.errno("remove directory", path) }
        } else if unlink(path) != 0 && errno != ENOENT {
            throw RuntimeError.errno("remove", path)
        }
    }

    /// Names in a directory (without `.`/`..`), sorted.
    public static func list(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw RuntimeError.errno("list directory", path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let ent = readdir(dir) {
            let name = withUnsafeBytes(of: ent.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
