/// The OCI runtime state (`runtime state <id>` output), runtime-spec "State".
public struct State: Codable, Sendable, Equatable {
    public var ociVersion: String
    public var id: String
    public var status: ContainerStatus
    public var pid: Int32?
    public var bundle: String
    public var annotations: [String: String]?
    /// Extra fields runc also prints; clients of the OCI state ignore unknown keys.
    public var rootfs: String?
    public var created: String?

    public init(
        ociVersion: String = Spec.version, id: String, status: ContainerStatus, pid: Int32?, bundle: String,
        annotations: [String: String]? = nil, rootfs: String? = nil, created: String? = nil
    ) {
        self.ociVersion = ociVersion
        self.id = id
        self.status = status
        self.pid = pid
        self.bundle = bundle
        self.annotations = annotations
        self.rootfs = rootfs
        self.created = created
    }
}

/// `creating`, `created`, `running`, `stopped` (and `paused`, which bootlet never produces).
public struct ContainerStatus: OpenStringEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let creating: Self = "creating"
    public static let created: Self = "created"
    public static let running: Self = "running"
    public static let stopped: Self = "stopped"
    public static let paused: Self = "paused"
}
