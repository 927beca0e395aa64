#if canImport(Glibc)
import Glibc
#endif

/// Every failure in the image store: what was being done, to which image/path/entry, and the errno text.
public struct ImageError: Swift.Error, CustomStringConvertible, Equatable {
    /// The step, e.g. `importing /tmp/x: extracting layer sha256:ab… into snapshots/…: entry "../x": path contains '..'`.
    public let step: String
    /// The errno when a system call failed (its `strerror` text ends the description).
    public let errno: Int32?

    public init(_ step: String, errno: Int32? = nil) {
        self.step = step
        self.errno = errno
    }

    public var description: String {
        guard let errno else { return step }
        return "\(step): \(String(cString: strerror(errno)))"
    }

    /// Prefix the step with an outer context ("importing X: " + inner).
    func context(_ outer: String) -> ImageError { ImageError("\(outer): \(step)", errno: errno) }
}

/// The image a container needs is not in the store, and this node never pulls.
///
/// kubelet reports this as waiting reason `ErrImageNeverPull` with the message below when the pod's
/// `imagePullPolicy` is `Never` (pkg/kubelet/images: `ErrImageNeverPull`). bootlet runs on air-gapped hosts
/// without a registry, so every pull policy is effectively `Never`: the runner reports this reason whatever the
/// policy says, and the pod stays waiting until the image is imported (`bootlet image import`), as kubelet does.
public struct ImageNotPresentError: Swift.Error, CustomStringConvertible, Equatable {
    /// kubelet's `state.waiting.reason` for this case.
    public static let reason = "ErrImageNeverPull"
    /// The image exactly as written in the pod spec.
    public let image: String

    public init(image: String) { self.image = image }

    public var reason: String { Self.reason }
    /// kubelet's `state.waiting.message`.
    public var message: String { "Container image \"\(image)\" is not present with pull policy of Never" }
    public var description: String { message }
}

/// Helpers for turning C shim results into errors.
@inline(__always)
func cCheck(_ rc: Int, _ step: @autoclosure () -> String, detail: UnsafePointer<CChar>? = nil) throws {
    guard rc < 0 else { return }
    var msg = step()
    if let detail, detail.pointee != 0 { msg += ": " + String(cString: detail) }
    throw ImageError(msg, errno: Int32(-rc))
}
