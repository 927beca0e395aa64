/// A v1 `Container` (also used for init containers; `restartPolicy: Always` marks a sidecar).
public struct Container: Codable, Sendable, Equatable, GoOmitEmptyFields {
    public var name: String = ""
    public var image: String?
    public var command: [String]?
    public var args: [String]?
    public var workingDir: String?
    public var ports: [ContainerPort]?
    public var envFrom: [EnvFromSource]?
    public var env: [EnvVar]?
    /// Always present in Go's output (`resources: {}`).
    public var resources = ResourceRequirements()
    public var resizePolicy: [JSONValue]?
    public var restartPolicy: String?
    public var volumeMounts: [VolumeMount]?
    public var volumeDevices: [JSONValue]?
    public var livenessProbe: Probe?
    public var readinessProbe: Probe?
    public var startupProbe: Probe?
    public var lifecycle: Lifecycle?
    public var terminationMessagePath: String?
    public var terminationMessagePolicy: String?
    public var imagePullPolicy: String?
    public var securityContext: SecurityContext?
    public var stdin: Bool = false
    public var stdinOnce: Bool = false
    public var tty: Bool = false

    public static let omitEmptyKeys: Set<String> = ["stdin", "stdinOnce", "tty"]

    public init(name: String, image: String? = nil, command: [String]? = nil, args: [String]? = nil) {
        self.name = name
        self.image = image
        self.command = command
        self.args = args
    }

    /// A sidecar: an init container with `restartPolicy: Always` (KEP-753).
    public var isSidecar: Bool { restartPolicy == "Always" }
}

public struct ContainerPort: Codable, Sendable, Equatable, GoOmitEmptyFields {
    public var name: String?
    public var hostPort: Int32 = 0
    public var containerPort: Int32 = 0
    public var `protocol`: String?
    public var hostIP: String?

    public static let omitEmptyKeys: Set<String> = ["hostPort"]

    public init(name: String? = nil, containerPort: Int32, protocol proto: String? = nil) {
        self.name = name
        self.containerPort = containerPort
        self.protocol = proto
    }
}

public struct EnvVar: Codable, Sendable, Equatable {
    public var name: String = ""
    public var value: String?
    public var valueFrom: EnvVarSource?

    public init(name: String, value: String? = nil, valueFrom: EnvVarSource? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }

    enum CodingKeys: String, CodingKey { case name, value, valueFrom }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        value = try c.decodeIfPresent(String.self, forKey: .value)
        valueFrom = try c.decodeIfPresent(EnvVarSource.self, forKey: .valueFrom)
    }
    /// Go: `Name string json:"name"` is always written.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(value, forKey: .value)
        try c.encodeIfPresent(valueFrom, forKey: .valueFrom)
    }
}

public struct EnvVarSource: Codable, Sendable, Equatable {
    public var fieldRef: ObjectFieldSelector?
    public var resourceFieldRef: ResourceFieldSelector?
    public var configMapKeyRef: KeySelector?
    public var secretKeyRef: KeySelector?
    public var fileKeyRef: JSONValue?

    public init(fieldRef: ObjectFieldSelector? = nil, resourceFieldRef: ResourceFieldSelector? = nil) {
        self.fieldRef = fieldRef
        self.resourceFieldRef = resourceFieldRef
    }
}

public struct ObjectFieldSelector: Codable, Sendable, Equatable {
    public var apiVersion: String?
    public var fieldPath: String = ""

    public init(apiVersion: String? = nil, fieldPath: String) {
        self.apiVersion = apiVersion
        self.fieldPath = fieldPath
    }
}

public struct ResourceFieldSelector: Codable, Sendable, Equatable {
    public var containerName: String?
    public var resource: String = ""
    /// Go writes a zero divisor as `"0"` (a non-pointer Quantity).
    public var divisor = Quantity()

    public init(containerName: String? = nil, resource: String, divisor: Quantity = Quantity()) {
        self.containerName = containerName
        self.resource = resource
        self.divisor = divisor
    }
}

/// `ConfigMapKeySelector` / `SecretKeySelector` (same shape).
public struct KeySelector: Codable, Sendable, Equatable {
    public var name: String?
    public var key: String = ""
    public var optional: Bool?
}

public struct EnvFromSource: Codable, Sendable, Equatable {
    public var prefix: String?
    public var configMapRef: OptionalObjectReference?
    public var secretRef: OptionalObjectReference?
}

public struct OptionalObjectReference: Codable, Sendable, Equatable {
    public var name: String?
    public var optional: Bool?
}

public struct VolumeMount: Codable, Sendable, Equatable, GoOmitEmptyFields {
    public var name: String = ""
    public var readOnly: Bool = false
    public var recursiveReadOnly: String?
    public var mountPath: String = ""
    public var subPath: String?
    public var mountPropagation: String?
    public var subPathExpr: String?

    public static let omitEmptyKeys: Set<String> = ["readOnly"]

    public init(name: String, mountPath: String, readOnly: Bool = false) {
        self.name = name
        self.mountPath = mountPath
        self.readOnly = readOnly
    }
}

public struct ResourceRequirements: Codable, Sendable, Equatable {
    public var limits: [String: Quantity]?
    public var requests: [String: Quantity]?
    public var claims: [JSONValue]?

    public init(limits: [String: Quantity]? = nil, requests: [String: Quantity]? = nil) {
        self.limits = limits
        self.requests = requests
    }
}

/// A probe: exactly one handler plus timings. Timings are Go non-pointer int32s (0 = unset, then defaulted).
public struct Probe: Codable, Sendable, Equatable, GoOmitEmptyFields {
    public var exec: ExecAction?
    public var httpGet: HTTPGetAction?
    public var tcpSocket: TCPSocketAction?
    public var grpc: GRPCAction?
    public var initialDelaySeconds: Int32 = 0
    public var timeoutSeconds: Int32 = 0
    public var periodSeconds: Int32 = 0
    public var successThreshold: Int32 = 0
    public var failureThreshold: Int32 = 0
    public var terminationGracePeriodSeconds: Int64?

    public static let omitEmptyKeys: Set<String> = [
        "initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold",
    ]

    public init() {}

    /// How many handlers are set (validation wants exactly one).
    public var handlerCount: Int {
        [exec != nil, httpGet != nil, tcpSocket != nil, grpc != nil].filter { $0 }.count
    }
}

public struct ExecAction: Codable, Sendable, Equatable {
    public var command: [String]?
    public init(command: [String]) { self.command = command }
}

public struct HTTPGetAction: Codable, Sendable, Equatable {
    public var path: String?
    public var port: IntOrString = .int(0)
    public var host: String?
    public var scheme: String?
    public var httpHeaders: [HTTPHeader]?

    public init(path: String? = nil, port: IntOrString, host: String? = nil, scheme: String? = nil) {
        self.path = path
        self.port = port
        self.host = host
        self.scheme = scheme
    }
}

public struct HTTPHeader: Codable, Sendable, Equatable {
    public var name: String = ""
    public var value: String = ""
}

public struct TCPSocketAction: Codable, Sendable, Equatable {
    public var port: IntOrString = .int(0)
    public var host: String?

    public init(port: IntOrString, host: String? = nil) {
        self.port = port
        self.host = host
    }
}

public struct GRPCAction: Codable, Sendable, Equatable {
    public var port: Int32 = 0
    public var service: String?
}

public struct Lifecycle: Codable, Sendable, Equatable {
    public var postStart: LifecycleHandler?
    public var preStop: LifecycleHandler?
    public var stopSignal: String?
}

public struct LifecycleHandler: Codable, Sendable, Equatable {
    public var exec: ExecAction?
    public var httpGet: HTTPGetAction?
    public var tcpSocket: TCPSocketAction?
    public var sleep: SleepAction?

    public var handlerCount: Int {
        [exec != nil, httpGet != nil, tcpSocket != nil, sleep != nil].filter { $0 }.count
    }
}

public struct SleepAction: Codable, Sendable, Equatable {
    public var seconds: Int64 = 0
}
