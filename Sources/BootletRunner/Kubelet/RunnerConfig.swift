import KubeModel

/// The runner's settings: kubelet's flags and KubeletConfiguration fields (flags win over the config file, as in
/// kubelet), plus bootlet's own locations.
public struct RunnerConfig: Sendable {
    public var podManifestPath: String = "/etc/kubernetes/manifests"
    public var rootDir: String = "/var/lib/kubelet"
    public var podLogsDir: String = "/var/log/pods"
    public var containerLogsDir: String = "/var/log/containers"
    public var nodeName: String = ""
    /// Address the read-only port binds (kubelet `--address`, default 0.0.0.0).
    public var address: String = "0.0.0.0"
    public var readOnlyPort: Int = 10255
    public var healthzBindAddress: String = "127.0.0.1"
    public var healthzPort: Int = 10248
    public var fileCheckFrequency: Duration = .seconds(20)
    public var cgroupDriver: String = "cgroupfs"
    public var cgroupRoot: String = "/"
    public var cgroupsPerQOS: Bool = true
    public var containerLogMaxSize: Int64 = 10 * 1024 * 1024
    public var containerLogMaxFiles: Int = 5
    public var containerLogMonitorInterval: Duration = .seconds(10)
    public var seccompDefault: Bool = false
    public var clusterDNS: [String] = []
    public var clusterDomain: String = ""
    public var resolvConf: String = "/etc/resolv.conf"
    public var nodeIPs: [String] = []
    public var allowedUnsafeSysctls: [String] = []
    public var maxContainerRestartPeriod: Duration = .seconds(300)
    /// bootlet: OCI runtime state root, image store and CNI locations.
    public var runtimeRoot: String = "/run/bootlet"
    public var imageRoot: String = "/var/lib/bootlet/images"
    public var cniConfDir: String = "/etc/cni/net.d"
    public var cniBinDirs: [String] = ["/usr/lib/cni", "/opt/cni/bin"]
    /// CNI attachment cache (results and the configuration used for ADD, for DEL after a restart).
    public var cniCacheDir: String = "/var/lib/bootlet/cni"
    /// Housekeeping period (kubelet: 2 s): cleanup of terminated pods.
    public var housekeepingInterval: Duration = .seconds(2)

    public init() {}

    /// Apply the fields set in a KubeletConfiguration file (only those present).
    public mutating func apply(_ c: KubeletConfiguration) {
        if let v = c.staticPodPath { podManifestPath = v }
        if let v = c.fileCheckFrequency { fileCheckFrequency = .nanoseconds(v.nanoseconds) }
        if let v = c.readOnlyPort { readOnlyPort = Int(v) }
        if let v = c.healthzPort { healthzPort = Int(v) }
        if let v = c.healthzBindAddress { healthzBindAddress = v }
        if let v = c.address { address = v }
        if let v = c.cgroupDriver { cgroupDriver = v }
        if let v = c.cgroupRoot { cgroupRoot = v }
        if let v = c.cgroupsPerQOS { cgroupsPerQOS = v }
        if let v = c.containerLogMaxSize { containerLogMaxSize = v.value }
        if let v = c.containerLogMaxFiles { containerLogMaxFiles = Int(v) }
        if let v = c.seccompDefault { seccompDefault = v }
        if let v = c.clusterDNS { clusterDNS = v }
        if let v = c.clusterDomain { clusterDomain = v }
        if let v = c.resolvConf { resolvConf = v }
        if let v = c.podLogsDir { podLogsDir = v }
        if let v = c.allowedUnsafeSysctls { allowedUnsafeSysctls = v }
    }
}
