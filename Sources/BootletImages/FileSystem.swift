import CBootletArchive
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Small POSIX file helpers with errors that name the step and path (Foundation's FileManager errors do not carry
/// the errno text the conventions ask for, and its atomic write does not fsync).
enum FS {
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644, step: @autoclosure () -> String) throws -> Int32 {
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        if fd < 0 { throw ImageError("\(step()) \(path)", errno: errno) }
        return fd
    }

    static func readAll(fd: Int32, step: @autoclosure () -> String) throws -> Data {
        var out = Data()
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ImageError(step(), errno: errno)
            }
            if n == 0 { return out }
            out.append(contentsOf: buf[0..<n])
        }
    }

    static func readFile(_ path: String, limit: Int = 64 << 20) throws -> Data {
        let fd = try open(path, O_RDONLY, step: "opening")
        defer { close(fd) }
        let data = try readAll(fd: fd, step: "reading \(path)")
        if data.count > limit { throw ImageError("reading \(path): larger than \(limit) bytes") }
        return data
    }

    static func writeAll(fd: Int32, _ bytes: UnsafeRawBufferPointer, step: @autoclosure () -> String) throws {
        var off = 0
        while off < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + off, bytes.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw ImageError(step(), errno: errno)
            }
            off += n
        }
    }

    /// Write `data` to `path` so that readers see the old or the new content, never a mix: temp file in the same
    /// directory, rename; with `durable`, fsync of the file before and of the directory after the rename.
    static func writeAtomically(_ path: String, _ data: Data, mode: mode_t = 0o644, durable: Bool = true) throws {
        let dir = parent(path)
        let tmp = "\(dir)/.tmp-\(basename(path))-\(randomSuffix())"
        let fd = try open(tmp, O_WRONLY | O_CREAT | O_EXCL, mode: mode, step: "creating")
        do {
            try data.withUnsafeBytes { try writeAll(fd: fd, $0, step: "writing \(tmp)") }
            if durable && fsync(fd) < 0 { throw ImageError("syncing \(tmp)", errno: errno) }
            close(fd)
            if rename(tmp, path) < 0 { throw ImageError("renaming \(tmp) to \(path)", errno: errno) }
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        if durable { syncDirectory(dir) }
    }

    static func syncDirectory(_ dir: String) {
        let dfd = Glibc.open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    static func mkdirs(_ path: String, mode: mode_t = 0o755) throws {
        if isDirectory(path) { return }
        let p = parent(path)
        if p != path && !p.isEmpty { try mkdirs(p, mode: mode) }
        if mkdir(path, mode) < 0 && errno != EEXIST { throw ImageError("creating directory \(path)", errno: errno) }
    }

    static func lstatMode(_ path: String) -> mode_t? {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode : nil
    }

    static func exists(_ path: String) -> Bool { lstatMode(path) != nil }
    static func isDirectory(_ path: String) -> Bool { lstatMode(path).map { $0 & S_IFMT == S_IFDIR } ?? false }
    static func isRegular(_ path: String) -> Bool { lstatMode(path).map { $0 & S_IFMT == S_IFREG } ?? false }

    static func list(_ path: String) throws -> [String] {
        guard let d = opendir(path) else { throw ImageError("listing \(path)", errno: errno) }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Remove a file or tree without following symlinks and without crossing into mounts (bl_remove_tree).
    static func removeTree(_ path: String) throws {
        let dir = parent(path)
        let dfd = Glibc.open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd < 0 {
            if errno == ENOENT { return }
            throw ImageError("removing \(path): opening \(dir)", errno: errno)
        }
        defer { close(dfd) }
        var err = [CChar](repeating: 0, count: 512)
        let rc = bl_remove_tree(dfd, basename(path), &err, err.count)
        try cCheck(Int(rc), "removing \(path)", detail: err)
    }

    static func parent(_ path: String) -> String {
        guard let i = path.lastIndex(of: "/") else { return "." }
        return i == path.startIndex ? "/" : String(path[..<i])
    }

    static func basename(_ path: String) -> String {
        guard let i = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: i)...])
    }

    static func randomSuffix() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        guard let p = getcwd(nil, 0) else { return path }
        defer { free(p) }
        let cwd = String(cString: p)
        return path == "." ? cwd : "\(cwd)/\(path)"
    }
}

/// An flock(2) lock on a file under the store's `locks/` directory; released on `unlock()` or process exit.
final class FileLock {
    private var fd: Int32

    init(path: String, exclusive: Bool) throws {
        fd = try FS.open(path, O_RDWR | O_CREAT, mode: 0o600, step: "opening lock file")
        while flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0 {
            if errno == EINTR { continue }
            let e = errno
            close(fd)
            throw ImageError("locking \(path)", errno: e)
        }
    }

    func unlock() {
        guard fd >= 0 else { return }
        close(fd) // closing the only fd of the open file description releases the flock
        fd = -1
    }

    deinit { unlock() }
}
