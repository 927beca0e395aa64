/// `metav1.ObjectMeta`, the parts a static pod uses. Properties are in the Go struct's order so encoding
/// produces kubelet's key order.
public struct ObjectMeta: Codable, Sendable, Equatable {
    public var name: String?
    public var generateName: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int64?
    /// Absent from kubelet's `/pods` for static pods (zero time is omitted there).
    public var creationTimestamp: KubeTime?
    public var deletionTimestamp: KubeTime?
    public var deletionGracePeriodSeconds: Int64?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [JSONValue]?
    public var finalizers: [String]?

    public init(
        name: String? = nil, namespace: String? = nil, uid: String? = nil, labels: [String: String]? = nil,
        annotations: [String: String]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.labels = labels
        self.annotations = annotations
    }
}

/// `metav1.ListMeta`.
public struct ListMeta: Codable, Sendable, Equatable {
    public var resourceVersion: String?
    public var `continue`: String?
    public init() {}
}
