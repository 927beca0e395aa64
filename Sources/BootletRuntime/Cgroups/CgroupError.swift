#if canImport(Glibc)
import Glibc
#endif

/// Every cgroup failure names the step, the path it touched and, for system calls, the errno text
/// (CONVENTIONS rule 3), e.g. `set memory limit: write "67108864" to /sys/fs/cgroup/memory/x/memory.limit_in_bytes:
/// Device or resource busy (usage 71303168 bytes)`.
public struct CgroupError: Swift.Error, CustomStringConvertible, Sendable, Equatable {
    /// What was being done, e.g. `set cpu quota` or `create cgroup`.
    public let step: String
    /// The file or directory involved, if any.
    public let path: String?
    /// The errno of the failed system call, if the failure came from one.
    public let errno: Int32?
    /// Extra explanation (bad input, unsupported feature, hint).
    public let detail: String?

    public init(step: String, path: String? = nil, errno: Int32? = nil, detail: String? = nil) {
        self.step = step
        self.path = path
        self.errno = errno
        self.detail = detail
    }

    public var description: String {
        var s = "cgroups: \(step)"
        if let path { s += " (\(path))" }
        if let errno { s += ": \(String(cString: strerror(errno)))" }
        if let detail { s += errno == nil ? ": \(detail)" : " (\(detail))" }
        return s
    }

    static func invalid(_ step: String, _ detail: String) -> CgroupError {
        CgroupError(step: step, detail: detail)
    }

    static func unsupported(_ step: String, _ detail: String) -> CgroupError {
        CgroupError(step: step, detail: detail)
    }
}
