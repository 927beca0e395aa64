/// A v1 `Pod` (`staging/src/k8s.io/api/core/v1/types.go`), modelled for static pods.
///
/// Decoding is non-strict like kubelet's file source: unknown fields are dropped (and can be reported by
/// `JSONValueDecoder`). Encoding gives kubelet's JSON shape (see `JSONValueEncoder`).
public struct Pod: Codable, Sendable, Equatable {
    public var kind: String?
    public var apiVersion: String?
    public var metadata: ObjectMeta
    public var spec: PodSpec
    public var status: PodStatus?

    public init(
        kind: String? = "Pod", apiVersion: String? = "v1", metadata: ObjectMeta = ObjectMeta(),
        spec: PodSpec = PodSpec(), status: PodStatus? = nil
    ) {
        self.kind = kind
        self.apiVersion = apiVersion
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// `name_namespace`, kubelet's `BuildPodFullName`.
    public var fullName: String { "\(metadata.name ?? "")_\(metadata.namespace ?? "")" }
}

/// `v1.PodList` as kubelet serves it on `/pods`: `items` may be null when empty.
public struct PodList: Codable, Sendable, Equatable {
    public var kind: String = "PodList"
    public var apiVersion: String = "v1"
    public var metadata = ListMeta()
    public var items: [Pod]?

    public init(items: [Pod]?) { self.items = items }

    enum CodingKeys: String, CodingKey { case kind, apiVersion, metadata, items }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(apiVersion, forKey: .apiVersion)
        try c.encode(metadata, forKey: .metadata)
        if let items, !items.isEmpty { try c.encode(items, forKey: .items) } else { try c.encodeNil(forKey: .items) }
    }
}

public struct PodSpec: Codable, Sendable, Equatable, GoOmitEmptyFields {
    public var volumes: [Volume]?
    public var initContainers: [Container]?
    public var containers: [Container] = []
    public var ephemeralContainers: [JSONValue]?
    public var restartPolicy: String?
    public var terminationGracePeriodSeconds: Int64?
    public var activeDeadlineSeconds: Int64?
    public var dnsPolicy: String?
    public var nodeSelector: [String: String]?
    public var serviceAccountName: String?
    public var serviceAccount: String?
    public var automountServiceAccountToken: Bool?
    public var nodeName: String?
    public var hostNetwork: Bool = false
    public var hostPID: Bool = false
    public var hostIPC: Bool = false
    public var shareProcessNamespace: Bool?
    public var securityContext: PodSecurityContext?
    public var imagePullSecrets: [LocalObjectReference]?
    public var hostname: String?
    public var subdomain: String?
    public var affinity: JSONValue?
    public var schedulerName: String?
    public var tolerations: [Toleration]?
    public var hostAliases: [HostAlias]?
    public var priorityClassName: String?
    public var priority: Int32?
    public var dnsConfig: PodDNSConfig?
    public var readinessGates: [JSONValue]?
    public var runtimeClassName: String?
    public var enableServiceLinks: Bool?
    public var preemptionPolicy: String?
    public var overhead: [String: Quantity]?
    public var setHostnameAsFQDN: Bool?
    public var os: PodOS?
    public var hostUsers: Bool?
    public var resourceClaims: [JSONValue]?
    public var resources: ResourceRequirements?

    public static let omitEmptyKeys: Set<String> = ["hostNetwork", "hostPID", "hostIPC"]

    public init(containers: [Container] = []) { self.containers = containers }
}

public struct PodOS: Codable, Sendable, Equatable {
    public var name: String = ""
}

public struct LocalObjectReference: Codable, Sendable, Equatable {
    public var name: String?
    public init(name: String? = nil) { self.name = name }
}

public struct Toleration: Codable, Sendable, Equatable {
    public var key: String?
    public var `operator`: String?
    public var value: String?
    public var effect: String?
    public var tolerationSeconds: Int64?

    public init(key: String? = nil, operator op: String? = nil, value: String? = nil, effect: String? = nil) {
        self.key = key
        self.operator = op
        self.value = value
        self.effect = effect
    }
}

public struct HostAlias: Codable, Sendable, Equatable {
    public var ip: String = ""
    public var hostnames: [String]?

    public init(ip: String, hostnames: [String]) {
        self.ip = ip
        self.hostnames = hostnames
    }

    enum CodingKeys: String, CodingKey { case ip, hostnames }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ip = try c.decode(String.self, forKey: .ip)
        hostnames = try c.decodeIfPresent([String].self, forKey: .hostnames)
    }
    /// Go: `IP string json:"ip"` (no omitempty).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ip, forKey: .ip)
        try c.encodeIfPresent(hostnames, forKey: .hostnames)
    }
}

public struct PodDNSConfig: Codable, Sendable, Equatable {
    public var nameservers: [String]?
    public var searches: [String]?
    public var options: [PodDNSConfigOption]?

    public init(nameservers: [String]? = nil, searches: [String]? = nil, options: [PodDNSConfigOption]? = nil) {
        self.nameservers = nameservers
        self.searches = searches
        self.options = options
    }
}

public struct PodDNSConfigOption: Codable, Sendable, Equatable {
    public var name: String?
    public var value: String?

    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }
}
