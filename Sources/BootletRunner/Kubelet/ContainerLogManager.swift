import BootletRuntime
import CBootletArchive
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// kubelet's container log rotation (`pkg/kubelet/logs/container_log_manager.go`): for each running container,
/// when its log reaches `maxSize`: drop `*.tmp` and plain files that already have a `.gz`, keep at most
/// `maxFiles - 2` rotated files (oldest first), gzip the rotated plain files, rename the live file to
/// `<log>.<YYYYMMDD-HHMMSS>` (left uncompressed) and ask the monitor to reopen the log.
public struct ContainerLogManager: Sendable {
    public var maxSize: Int64
    public var maxFiles: Int

    public init(maxSize: Int64, maxFiles: Int) {
        self.maxSize = maxSize
        self.maxFiles = max(2, maxFiles)
    }

    /// Rotate `log` if it is over the size; `reopen` asks the writer to create a fresh file. Returns true when
    /// rotated.
    @discardableResult
    public func rotateIfNeeded(log: String, reopen: () throws -> Void) throws -> Bool {
        guard maxSize > 0 else { return false }
        var st = stat()
        if stat(log, &st) != 0 {
            if errno == ENOENT { try reopen() }  // kubelet: a missing log is recreated through a reopen
            return false
        }
        guard Int64(st.st_size) >= maxSize else { return false }
        let dir = String(log[..<log.lastIndex(of: "/")!])
        let base = String(log[log.index(after: log.lastIndex(of: "/")!)...])
        var rotated = ((try? FileIO.list(dir)) ?? []).filter { $0.hasPrefix(base + ".") }
        // 1. unused files
        for name in rotated where name.hasSuffix(".tmp") || (!name.hasSuffix(".gz") && rotated.contains(name + ".gz")) {
            unlink(dir + "/" + name)
        }
        rotated = ((try? FileIO.list(dir)) ?? []).filter { $0.hasPrefix(base + ".") }.sorted()
        // 2. keep room for the current log and the one about to be rotated
        while rotated.count > maxFiles - 2 {
            unlink(dir + "/" + rotated.removeFirst())
        }
        // 3. compress
        for name in rotated where !name.hasSuffix(".gz") {
            let src = dir + "/" + name
            var err = [CChar](repeating: 0, count: 256)
            let tmp = src + ".gz.tmp"
            let r = bl_gzip_file(src, tmp, &err, err.count)
            if r < 0 {
                unlink(tmp)
                throw RuntimeError("compress rotated log", String(cString: err), errno: -r)
            }
            if rename(tmp, src + ".gz") != 0 { throw RuntimeError.errno("rename compressed log", src + ".gz") }
            unlink(src)
        }
        // 4. rotate the live file
        let target = log + "." + ContainerLogManager.stamp()
        if rename(log, target) != 0 { throw RuntimeError.errno("rotate container log", log) }
        do { try reopen() } catch {
            _ = rename(target, log)  // undo, as kubelet does when ReopenContainerLog fails
            throw error
        }
        return true
    }

    /// Go layout `20060102-150405` in local time (kubelet's clock).
    static func stamp() -> String {
        var t = time(nil)
        var tmv = tm()
        localtime_r(&t, &tmv)
        func p(_ v: Int32, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(p(tmv.tm_year + 1900, 4))\(p(tmv.tm_mon + 1, 2))\(p(tmv.tm_mday, 2))-\(p(tmv.tm_hour, 2))\(p(tmv.tm_min, 2))\(p(tmv.tm_sec, 2))"
    }
}
