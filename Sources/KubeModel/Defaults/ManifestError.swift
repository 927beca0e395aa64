/// A static-pod manifest that could not become a pod. Names the file and the step, like kubelet's
/// "Could not process manifest file" log line, and keeps the underlying message verbatim.
public struct ManifestError: Swift.Error, CustomStringConvertible, Equatable, Sendable {
    public var path: String
    /// `read`, `convert YAML to JSON`, `decode`, `validate`, ...
    public var step: String
    public var message: String

    public init(path: String, step: String, message: String) {
        self.path = path
        self.step = step
        self.message = message
    }

    public var description: String { "static pod manifest \(path): \(step): \(message)" }
}
