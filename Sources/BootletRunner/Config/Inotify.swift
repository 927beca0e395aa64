#if canImport(Glibc)
import Glibc
#endif

/// A small inotify wrapper: one non-blocking, close-on-exec instance watching one directory.
///
/// kubelet uses fsnotify on the manifest path; the same kernel events are mapped the same way here
/// (Create/MovedTo = add, Modify/CloseWrite/Attrib = modify, Delete/MovedFrom = delete).
final class Inotify {
    struct Event {
        var wd: Int32
        var mask: UInt32
        var name: String
    }

    struct Error: Swift.Error, CustomStringConvertible {
        var step: String
        var path: String
        var errno: Int32
        var description: String { "\(step) \(path): \(String(cString: strerror(errno)))" }
    }

    let fd: Int32

    static let dirMask: UInt32 = UInt32(
        IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF
            | IN_MOVE_SELF | IN_ONLYDIR)

    init() throws(Error) {
        let fd = inotify_init1(Int32(IN_CLOEXEC) | Int32(IN_NONBLOCK))
        guard fd >= 0 else { throw Error(step: "inotify_init1", path: "", errno: errno) }
        self.fd = fd
    }

    deinit { close(fd) }

    func addDirectoryWatch(_ path: String) throws(Error) -> Int32 {
        let wd = inotify_add_watch(fd, path, Inotify.dirMask)
        guard wd >= 0 else { throw Error(step: "inotify_add_watch", path: path, errno: errno) }
        return wd
    }

    func removeWatch(_ wd: Int32) { _ = inotify_rm_watch(fd, wd) }

    /// Reads every queued event (non-blocking). The kernel packs events as
    /// `{int wd; u32 mask; u32 cookie; u32 len; char name[len]}`.
    func readEvents() -> [Event] {
        var events: [Event] = []
        var buf = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            var off = 0
            while off + 16 <= n {
                let (wd, mask, len) = buf.withUnsafeBytes { raw in
                    (raw.loadUnaligned(fromByteOffset: off, as: Int32.self),
                     raw.loadUnaligned(fromByteOffset: off + 4, as: UInt32.self),
                     Int(raw.loadUnaligned(fromByteOffset: off + 12, as: UInt32.self)))
                }
                let nameBytes = buf[(off + 16)..<min(off + 16 + len, n)].prefix { $0 != 0 }
                events.append(Event(wd: wd, mask: mask, name: String(decoding: nameBytes, as: UTF8.self)))
                off += 16 + len
            }
        }
        return events
    }
}
