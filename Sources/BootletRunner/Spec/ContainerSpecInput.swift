import BootletImages
import KubeModel
import OCISpec

/// Which list a container comes from; changes annotations and the OOM score of sidecars.
public enum ContainerKind: String, Sendable, Equatable {
    case regular
    case initContainer = "init"
    /// An init container with `restartPolicy: Always` (KEP-753).
    case sidecar
}

/// What the runner knows about the pod sandbox a container joins.
///
/// hostNetwork/hostPID/hostIPC are read from `pod.spec` (one source of truth), not repeated here.
public struct SandboxInfo: Sendable, Equatable {
    /// The sandbox (pause) container ID; goes into annotations.
    public var id: String
    /// Network namespace to join: the pinned CNI netns or `/proc/<pause>/ns/net`. Ignored under hostNetwork.
    public var networkNamespacePath: String?
    /// `/proc/<pause>/ns/ipc`. Ignored under hostIPC.
    public var ipcNamespacePath: String?
    /// `/proc/<pause>/ns/uts`. Ignored under hostNetwork (the node's UTS namespace is used, as in kubelet).
    public var utsNamespacePath: String?
    /// `/proc/<pause>/ns/pid`, joined only with `shareProcessNamespace: true` (and not hostPID).
    public var pidNamespacePath: String?
    /// The hostname the sandbox was given (pod hostname, FQDN with setHostnameAsFQDN). For a hostNetwork pod the
    /// runner passes the node's hostname: kubelet sends none and containerd falls back to `os.Hostname()` for the
    /// `HOSTNAME` variable.
    public var hostname: String
    /// The sandbox's `/dev/shm` tmpfs on the host (`ShmMount.path`); nil under hostIPC (the host's `/dev/shm` is
    /// bound instead, as containerd does).
    public var shmPath: String?
    /// kubelet-managed `<root>/pods/<uid>/etc-hosts`, nil when kubelet would not mount it (no pod IP, e.g. a
    /// hostNetwork pod on an API-less kubelet, §2.4). Always mounted read-write.
    public var etcHostsPath: String?
    /// The sandbox's copy of the node's `/etc/hosts` (containerd's `sandboxes/<id>/hosts`), used when
    /// `etcHostsPath` is nil. Read-only iff readOnlyRootFilesystem.
    public var hostsPath: String?
    /// The sandbox's `resolv.conf`.
    public var resolvConfPath: String?
    /// The sandbox's `hostname` file (`<hostname>\n`).
    public var hostnamePath: String?
    /// `/var/log/pods/<ns>_<name>_<uid>`, for annotations.
    public var logDirectory: String?

    public init(
        id: String, networkNamespacePath: String? = nil, ipcNamespacePath: String? = nil,
        utsNamespacePath: String? = nil, pidNamespacePath: String? = nil, hostname: String, shmPath: String? = nil,
        etcHostsPath: String? = nil, hostsPath: String? = nil, resolvConfPath: String? = nil,
        hostnamePath: String? = nil, logDirectory: String? = nil
    ) {
        self.id = id
        self.networkNamespacePath = networkNamespacePath
        self.ipcNamespacePath = ipcNamespacePath
        self.utsNamespacePath = utsNamespacePath
        self.pidNamespacePath = pidNamespacePath
        self.hostname = hostname
        self.shmPath = shmPath
        self.etcHostsPath = etcHostsPath
        self.hostsPath = hostsPath
        self.resolvConfPath = resolvConfPath
        self.hostnamePath = hostnamePath
        self.logDirectory = logDirectory
    }

    /// The usual shape: ipc/uts/pid namespaces of the running pause process, the network namespace pinned by
    /// the CNI step (or the pause process's own when `netnsPath` is nil).
    public static func ofPauseProcess(
        id: String, pausePID: Int32, netnsPath: String?, hostname: String, shmPath: String?,
        etcHostsPath: String? = nil, hostsPath: String? = nil, resolvConfPath: String? = nil,
        hostnamePath: String? = nil, logDirectory: String? = nil
    ) -> SandboxInfo {
        let ns = "/proc/\(pausePID)/ns/"
        return SandboxInfo(
            id: id, networkNamespacePath: netnsPath ?? ns + "net", ipcNamespacePath: ns + "ipc",
            utsNamespacePath: ns + "uts", pidNamespacePath: ns + "pid", hostname: hostname, shmPath: shmPath,
            etcHostsPath: etcHostsPath, hostsPath: hostsPath, resolvConfPath: resolvConfPath,
            hostnamePath: hostnamePath, logDirectory: logDirectory)
    }
}

/// A pod volume as the runner prepared it on the host.
public struct ResolvedVolume: Sendable, Equatable {
    /// Directory (or file, for a hostPath of a file) bound into the container.
    public var hostPath: String
    /// The source must be mounted read-only whatever `volumeMounts[].readOnly` says (kubelet's
    /// `Mounter.GetAttributes().ReadOnly`: secret, configMap, downwardAPI, projected).
    public var readOnly: Bool
    /// An `emptyDir` with `medium: Memory` (a tmpfs the runner mounted); informational.
    public var isTmpfs: Bool

    public init(hostPath: String, readOnly: Bool = false, isTmpfs: Bool = false) {
        self.hostPath = hostPath
        self.readOnly = readOnly
        self.isTmpfs = isTmpfs
    }
}

/// Node-level settings and facts the spec depends on. `detect()` reads them from this host.
public struct NodeSpecSettings: Sendable, Equatable {
    /// kubelet `seccompDefault`: RuntimeDefault instead of Unconfined when no profile is set.
    public var seccompDefault: Bool
    /// kubelet `--root-dir`; Localhost profiles are `<root>/seccomp/<localhostProfile>`.
    public var kubeletRootDir: String
    /// Pure cgroup v2 host: containers get a cgroup namespace (unless privileged) and `memory.oom.group`.
    public var cgroupV2: Bool
    /// Machine memory in bytes, for the Burstable OOM score formula.
    public var memoryCapacity: Int64
    /// kubelet `cpuCFSQuota` (default true).
    public var cpuCFSQuota: Bool
    /// A swap controller exists (v1 `memory.memsw.limit_in_bytes`, v2 `memory.swap.max`): swap = memory limit.
    public var swapControllerAvailable: Bool
    /// Huge page sizes of this host in CRI form (`2MB`, `1GB`); each gets a limit (0 unless requested).
    public var hugePageSizes: [String]
    /// The capabilities a privileged container (or `add: [ALL]`) gets: containerd's `cap.Current()`, the
    /// runtime's own effective set. Root here lacks CAP_SYS_RESOURCE, so "all" must not include it.
    public var currentCapabilities: [Capability]
    /// kubelet `allowedUnsafeSysctls` (exact names or `prefix*`).
    public var allowedUnsafeSysctls: [String]
    /// Where host devices are listed for privileged containers (`/dev`; tests point it elsewhere).
    public var deviceRoot: String

    public init(
        seccompDefault: Bool = false, kubeletRootDir: String = "/var/lib/kubelet", cgroupV2: Bool = false,
        memoryCapacity: Int64 = 0, cpuCFSQuota: Bool = true, swapControllerAvailable: Bool = false,
        hugePageSizes: [String] = [], currentCapabilities: [Capability] = Capability.allKnown,
        allowedUnsafeSysctls: [String] = [], deviceRoot: String = "/dev"
    ) {
        self.seccompDefault = seccompDefault
        self.kubeletRootDir = kubeletRootDir
        self.cgroupV2 = cgroupV2
        self.memoryCapacity = memoryCapacity
        self.cpuCFSQuota = cpuCFSQuota
        self.swapControllerAvailable = swapControllerAvailable
        self.hugePageSizes = hugePageSizes
        self.currentCapabilities = currentCapabilities
        self.allowedUnsafeSysctls = allowedUnsafeSysctls
        self.deviceRoot = deviceRoot
    }

    /// `<kubeletRootDir>/seccomp`, kubelet's `seccompProfileRoot`.
    public var seccompProfileRoot: String { kubeletRootDir + "/seccomp" }
}

/// Everything `ContainerSpecBuilder.build` needs for one container instance.
public struct ContainerSpecInput: Sendable {
    /// The defaulted pod (name `<name>-<node>`, namespace, UID).
    public var pod: Pod
    public var container: Container
    public var kind: ContainerKind
    /// This instance's restart count (`io.kubernetes.container.restartCount`).
    public var restartCount: Int
    /// The image reference as written in the pod (annotation `io.kubernetes.cri.image-name`).
    public var imageReference: String
    public var imageConfig: ImageConfig
    /// `sha256:<config digest>`.
    public var imageID: String
    /// The prepared, writable rootfs (overlay upper or snapshot); its `/etc/passwd` and `/etc/group` are read.
    public var rootfs: String
    public var sandbox: SandboxInfo
    /// Pod volumes by name.
    public var volumes: [String: ResolvedVolume]
    /// kubelet's `<root>/pods/<uid>/containers/<name>/<8 hex>`; nil or an empty `terminationMessagePath` means
    /// no mount.
    public var terminationMessageHostPath: String?
    /// `linux.cgroupsPath` (the cgroup manager's path for this container).
    public var cgroupsPath: String
    /// The container environment from `Expansion.environment(for:in:context:)` (kubelet's `opts.Envs`).
    public var environment: [(name: String, value: String)]
    public var node: NodeSpecSettings

    public init(
        pod: Pod, container: Container, kind: ContainerKind = .regular, restartCount: Int = 0,
        imageReference: String, imageConfig: ImageConfig, imageID: String, rootfs: String, sandbox: SandboxInfo,
        volumes: [String: ResolvedVolume] = [:], terminationMessageHostPath: String? = nil, cgroupsPath: String,
        environment: [(name: String, value: String)] = [], node: NodeSpecSettings = NodeSpecSettings()
    ) {
        self.pod = pod
        self.container = container
        self.kind = kind
        self.restartCount = restartCount
        self.imageReference = imageReference
        self.imageConfig = imageConfig
        self.imageID = imageID
        self.rootfs = rootfs
        self.sandbox = sandbox
        self.volumes = volumes
        self.terminationMessageHostPath = terminationMessageHostPath
        self.cgroupsPath = cgroupsPath
        self.environment = environment
        self.node = node
    }
}

/// The built spec plus what the runner needs beside it.
public struct ContainerSpecResult: Sendable, Equatable {
    public var spec: Spec
    /// `SIGTERM` unless the container's `lifecycle.stopSignal` or the image's STOPSIGNAL says otherwise.
    public var stopSignal: String
    /// The same as a signal number for `kill(2)`.
    public var stopSignalNumber: Int32
    /// Things ignored or degraded on purpose (tty, AppArmor, image VOLUMEs, ...), for the pod's event log.
    public var warnings: [String]
}
