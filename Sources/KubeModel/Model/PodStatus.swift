/// `v1.PodStatus` as kubelet reports it (filled by the runner core; defined here so `/pods` has one shape).
public struct PodStatus: Codable, Sendable, Equatable {
    public var observedGeneration: Int64?
    /// `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`.
    public var phase: String?
    public var conditions: [PodCondition]?
    public var message: String?
    public var reason: String?
    public var nominatedNodeName: String?
    public var hostIP: String?
    public var hostIPs: [HostIP]?
    public var podIP: String?
    public var podIPs: [PodIP]?
    public var startTime: KubeTime?
    public var initContainerStatuses: [ContainerStatus]?
    public var containerStatuses: [ContainerStatus]?
    public var qosClass: String?
    public var ephemeralContainerStatuses: [ContainerStatus]?
    public var resize: String?
    public var resourceClaimStatuses: [JSONValue]?
    public var resources: ResourceRequirements?

    public init(phase: String? = nil) { self.phase = phase }
}

public struct PodIP: Codable, Sendable, Equatable {
    public var ip: String = ""
    public init(ip: String) { self.ip = ip }
}

public struct HostIP: Codable, Sendable, Equatable {
    public var ip: String = ""
    public init(ip: String) { self.ip = ip }
}

/// A pod condition. `lastProbeTime` is written as `null` when unset, like Go's zero `metav1.Time`.
public struct PodCondition: Codable, Sendable, Equatable {
    public var type: String = ""
    public var observedGeneration: Int64?
    public var status: String = ""
    public var lastProbeTime: KubeTime?
    public var lastTransitionTime: KubeTime?
    public var reason: String?
    public var message: String?

    public init(type: String, status: String, lastTransitionTime: KubeTime? = nil, reason: String? = nil, message: String? = nil) {
        self.type = type
        self.status = status
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case type, observedGeneration, status, lastProbeTime, lastTransitionTime, reason, message
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encodeIfPresent(observedGeneration, forKey: .observedGeneration)
        try c.encode(status, forKey: .status)
        if let lastProbeTime { try c.encode(lastProbeTime, forKey: .lastProbeTime) } else { try c.encodeNil(forKey: .lastProbeTime) }
        if let lastTransitionTime {
            try c.encode(lastTransitionTime, forKey: .lastTransitionTime)
        } else {
            try c.encodeNil(forKey: .lastTransitionTime)
        }
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encodeIfPresent(message, forKey: .message)
    }
}

public struct ContainerStatus: Codable, Sendable, Equatable {
    public var name: String = ""
    /// Always written (`{}` when no state is known).
    public var state = ContainerState()
    public var lastState = ContainerState()
    public var ready: Bool = false
    public var restartCount: Int32 = 0
    public var image: String = ""
    public var imageID: String = ""
    public var containerID: String?
    public var started: Bool?
    public var allocatedResources: [String: Quantity]?
    public var resources: ResourceRequirements?
    public var user: JSONValue?
    public var stopSignal: String?

    public init(name: String, image: String = "") {
        self.name = name
        self.image = image
    }
}

public struct ContainerState: Codable, Sendable, Equatable {
    public var waiting: ContainerStateWaiting?
    public var running: ContainerStateRunning?
    public var terminated: ContainerStateTerminated?

    public init(waiting: ContainerStateWaiting? = nil, running: ContainerStateRunning? = nil, terminated: ContainerStateTerminated? = nil) {
        self.waiting = waiting
        self.running = running
        self.terminated = terminated
    }
}

public struct ContainerStateWaiting: Codable, Sendable, Equatable {
    /// See `ContainerReason` for the values kubelet uses.
    public var reason: String?
    public var message: String?

    public init(reason: String? = nil, message: String? = nil) {
        self.reason = reason
        self.message = message
    }
}

public struct ContainerStateRunning: Codable, Sendable, Equatable {
    public var startedAt: KubeTime?
    public init(startedAt: KubeTime? = nil) { self.startedAt = startedAt }
}

public struct ContainerStateTerminated: Codable, Sendable, Equatable, GoOmitEmptyFields {
    public var exitCode: Int32 = 0
    public var signal: Int32 = 0
    public var reason: String?
    public var message: String?
    public var startedAt: KubeTime?
    public var finishedAt: KubeTime?
    public var containerID: String?

    public static let omitEmptyKeys: Set<String> = ["signal"]

    public init(exitCode: Int32, signal: Int32 = 0, reason: String? = nil, message: String? = nil,
                startedAt: KubeTime? = nil, finishedAt: KubeTime? = nil, containerID: String? = nil) {
        self.exitCode = exitCode
        self.signal = signal
        self.reason = reason
        self.message = message
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.containerID = containerID
    }
}

/// Reason strings kubelet puts in container and pod status (`reference §3.8`).
public enum ContainerReason {
    // waiting
    public static let containerCreating = "ContainerCreating"
    public static let podInitializing = "PodInitializing"
    public static let crashLoopBackOff = "CrashLoopBackOff"
    public static let errImagePull = "ErrImagePull"
    public static let imagePullBackOff = "ImagePullBackOff"
    public static let errImageNeverPull = "ErrImageNeverPull"
    public static let invalidImageName = "InvalidImageName"
    public static let registryUnavailable = "RegistryUnavailable"
    public static let createContainerConfigError = "CreateContainerConfigError"
    public static let createContainerError = "CreateContainerError"
    public static let preCreateHookError = "PreCreateHookError"
    public static let preStartHookError = "PreStartHookError"
    public static let postStartHookError = "PostStartHookError"
    public static let runContainerError = "RunContainerError"
    public static let containerStatusUnknown = "ContainerStatusUnknown"
    // terminated
    public static let completed = "Completed"
    public static let error = "Error"
    public static let oomKilled = "OOMKilled"
    public static let startError = "StartError"
    public static let containerCannotRun = "ContainerCannotRun"
}

/// Pod-level reasons and condition vocabulary.
public enum PodReason {
    public static let deadlineExceeded = "DeadlineExceeded"
    public static let deadlineExceededMessage = "Pod was active on the node longer than the specified deadline"
    public static let evicted = "Evicted"
    public static let sysctlForbidden = "SysctlForbidden"
    public static let unexpectedAdmissionError = "UnexpectedAdmissionError"
    public static let containersNotReady = "ContainersNotReady"
    public static let containersNotInitialized = "ContainersNotInitialized"
    public static let podCompleted = "PodCompleted"
}

public enum PodConditionType {
    public static let podReadyToStartContainers = "PodReadyToStartContainers"
    public static let initialized = "Initialized"
    public static let ready = "Ready"
    public static let containersReady = "ContainersReady"
    public static let podScheduled = "PodScheduled"
}

public enum PodPhase {
    public static let pending = "Pending"
    public static let running = "Running"
    public static let succeeded = "Succeeded"
    public static let failed = "Failed"
    public static let unknown = "Unknown"
}
