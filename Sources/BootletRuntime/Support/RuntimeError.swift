#if canImport(Glibc)
import Glibc
#endif

/// A runtime failure that names the step, the object (path, container, field) and the errno text.
///
/// Rendered as `<step> <object>: <errno text>`, e.g. `mount "proc" on /proc (rootfs /b/rootfs): Permission denied`.
public struct RuntimeError: Error, CustomStringConvertible, Sendable, Equatable {
    public var step: String
    public var object: String
    public var errno: Int32?
    public var detail: String?

    public init(_ step: String, _ object: String = "", errno: Int32? = nil, detail: String? = nil) {
        self.step = step
        self.object = object
        self.errno = errno
        self.detail = detail
    }

    /// Capture the current `errno`.
    public static func errno(_ step: String, _ object: String = "") -> RuntimeError {
        RuntimeError(step, object, errno: Glibc.errno)
    }

    public var description: String {
        var s = step
        if !object.isEmpty { s += " \(object)" }
        if let e = errno { s += ": \(errnoText(e))" }
        if let d = detail, !d.isEmpty { s += ": \(d)" }
        return s
    }
}

/// `strerror` text for an errno value.
public func errnoText(_ e: Int32) -> String {
    guard let c = strerror(e) else { return "errno \(e)" }
    return String(cString: c)
}
