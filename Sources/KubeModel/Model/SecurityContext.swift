/// Container-level `securityContext`. Pointer fields in Go are optionals here (an explicit `false` is kept).
public struct SecurityContext: Codable, Sendable, Equatable {
    public var capabilities: Capabilities?
    public var privileged: Bool?
    public var seLinuxOptions: JSONValue?
    public var windowsOptions: JSONValue?
    public var runAsUser: Int64?
    public var runAsGroup: Int64?
    public var runAsNonRoot: Bool?
    public var readOnlyRootFilesystem: Bool?
    public var allowPrivilegeEscalation: Bool?
    public var procMount: String?
    public var seccompProfile: SeccompProfile?
    public var appArmorProfile: JSONValue?

    public init() {}
}

public struct Capabilities: Codable, Sendable, Equatable {
    public var add: [String]?
    public var drop: [String]?

    public init(add: [String]? = nil, drop: [String]? = nil) {
        self.add = add
        self.drop = drop
    }
}

public struct SeccompProfile: Codable, Sendable, Equatable {
    /// `RuntimeDefault`, `Unconfined` or `Localhost`.
    public var type: String = ""
    public var localhostProfile: String?

    public init(type: String, localhostProfile: String? = nil) {
        self.type = type
        self.localhostProfile = localhostProfile
    }
}

/// Pod-level `securityContext`; defaulted to `{}` (a non-nil empty struct, kept in the JSON).
public struct PodSecurityContext: Codable, Sendable, Equatable {
    public var seLinuxOptions: JSONValue?
    public var windowsOptions: JSONValue?
    public var runAsUser: Int64?
    public var runAsGroup: Int64?
    public var runAsNonRoot: Bool?
    public var supplementalGroups: [Int64]?
    public var supplementalGroupsPolicy: String?
    public var fsGroup: Int64?
    public var sysctls: [Sysctl]?
    public var fsGroupChangePolicy: String?
    public var seccompProfile: SeccompProfile?
    public var appArmorProfile: JSONValue?
    public var seLinuxChangePolicy: String?

    public init() {}
}

public struct Sysctl: Codable, Sendable, Equatable {
    public var name: String = ""
    public var value: String = ""

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
