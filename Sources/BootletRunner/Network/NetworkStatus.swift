import KubeModel

/// The pod a sandbox belongs to: passed to plugins as `K8S_POD_NAMESPACE`, `K8S_POD_NAME`, `K8S_POD_UID`.
public struct PodIdentity: Sendable, Equatable, Codable {
    public var namespace: String
    public var name: String
    public var uid: String

    public init(namespace: String, name: String, uid: String) {
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }
}

/// A `hostPort` of a container port, handed to the `portmap` plugin as the `portMappings` capability argument.
public struct PortMapping: Sendable, Equatable, Codable {
    public enum Proto: String, Sendable, Codable { case tcp, udp, sctp }
    public var hostPort: Int32
    public var containerPort: Int32
    public var `protocol`: Proto
    /// Empty = every host address (Kubernetes' default).
    public var hostIP: String

    public init(hostPort: Int32, containerPort: Int32, protocol: Proto = .tcp, hostIP: String = "") {
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.protocol = `protocol`
        self.hostIP = hostIP
    }

    /// The shape the portmap plugin reads (`hostIP` omitted when empty, like containerd).
    var capabilityJSON: JSONValue {
        var o: JSONObject = [
            "hostPort": .int(Int64(hostPort)), "containerPort": .int(Int64(containerPort)),
            "protocol": .string(self.protocol.rawValue),
        ]
        if !hostIP.isEmpty { o["hostIP"] = .string(hostIP) }
        return .object(o)
    }
}

public enum IPFamily: String, Sendable, Codable { case ipv4 = "IPv4", ipv6 = "IPv6" }

/// One address of the pod interface.
public struct PodIPAddress: Sendable, Equatable, Codable {
    /// The address without prefix length, as shown in `status.podIPs[].ip`.
    public var address: String
    public var prefixLength: Int?
    public var gateway: String?
    public var family: IPFamily

    public init(address: String, prefixLength: Int?, gateway: String?) {
        self.address = address
        self.prefixLength = prefixLength
        self.gateway = gateway
        self.family = address.contains(":") ? .ipv6 : .ipv4
    }

    /// `10.1.2.3/24` form, as CNI results carry it.
    public var cidr: String { prefixLength.map { "\(address)/\($0)" } ?? address }
}

/// What the runner needs after `setUp`: the pod IPs for `status.podIP(s)`, `/etc/hosts` and the downward API.
public struct NetworkStatus: Sendable, Equatable, Codable {
    /// The CNI network the pod joined; nil when there is no CNI configuration (loopback only).
    public var networkName: String?
    /// The configuration file it came from.
    public var configSource: String?
    /// The pod interface inside the namespace (`eth0`), or `lo` for loopback-only networking.
    public var interface: String
    public var mac: String?
    /// Addresses of `interface`, the primary first (the preferred family first, then result order).
    public var ips: [PodIPAddress]
    /// Things the runner should surface as events/logs, e.g. hostPorts that no plugin can map.
    public var warnings: [String]

    public init(
        networkName: String?, configSource: String?, interface: String, mac: String?, ips: [PodIPAddress],
        warnings: [String] = []
    ) {
        self.networkName = networkName
        self.configSource = configSource
        self.interface = interface
        self.mac = mac
        self.ips = ips
        self.warnings = warnings
    }

    /// `status.podIP`: the primary address, nil for loopback-only pods.
    public var podIP: String? { ips.first?.address }
    /// `status.podIPs[].ip`.
    public var podIPs: [String] { ips.map(\.address) }
    /// Gateway of the primary address.
    public var gateway: String? { ips.first?.gateway }
}
