import ArgumentParser
import BootletRunner
import BootletRuntime
import Dispatch
import KubeModel
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `bootlet kubelet`: run static pods from a manifest directory as kubelet does. Flag names are kubelet's.
struct KubeletCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubelet",
        abstract: "Run the static pods of a manifest directory exactly as kubelet does (no API server needed)."
    )

    @Option(name: .customLong("config"), help: "A KubeletConfiguration file (kubelet.config.k8s.io/v1beta1); flags win over it.")
    var configFile: String?
    @Option(name: .customLong("pod-manifest-path"), help: "Directory (or file) of static pod manifests.")
    var podManifestPath: String?
    @Option(name: .customLong("root-dir"), help: "kubelet root directory (default /var/lib/kubelet).")
    var rootDir: String?
    @Option(name: .customLong("pod-logs-dir"), help: "Container log root (default /var/log/pods).")
    var podLogsDir: String?
    @Option(name: .customLong("container-logs-dir"), help: "bootlet: directory of the /var/log/containers symlinks (default /var/log/containers).")
    var containerLogsDir: String?
    @Option(name: .customLong("hostname-override"), help: "Node name (default: the hostname, lower-cased).")
    var hostnameOverride: String?
    @Option(name: .customLong("address"), help: "Address the read-only port listens on (default 0.0.0.0).")
    var address: String?
    @Option(name: .customLong("read-only-port"), help: "Read-only port serving /pods and /healthz (default 10255, 0 disables).")
    var readOnlyPort: Int?
    @Option(name: .customLong("healthz-port"), help: "Port of /healthz on --healthz-bind-address (default 10248, 0 disables).")
    var healthzPort: Int?
    @Option(name: .customLong("healthz-bind-address"), help: "Address of the healthz port (default 127.0.0.1).")
    var healthzBindAddress: String?
    @Option(name: .customLong("file-check-frequency"), help: "Relist period of the manifest path (default 20s).")
    var fileCheckFrequency: String?
    @Option(name: .customLong("cgroup-driver"), help: "cgroupfs (systemd is refused).")
    var cgroupDriver: String?
    @Option(name: .customLong("cgroup-root"), help: "Root of the pod cgroup hierarchy (default /).")
    var cgroupRoot: String?
    @Option(name: .customLong("cgroups-per-qos"), help: "Create the kubepods QoS hierarchy (default true).")
    var cgroupsPerQOS: Bool?
    @Option(name: .customLong("container-log-max-size"), help: "Rotate a container log at this size (default 10Mi).")
    var containerLogMaxSize: String?
    @Option(name: .customLong("container-log-max-files"), help: "Log files kept per container (default 5).")
    var containerLogMaxFiles: Int?
    @Option(name: .customLong("seccomp-default"), help: "Use RuntimeDefault seccomp for pods without a profile (default false).")
    var seccompDefault: Bool?
    @Option(name: .customLong("cluster-dns"), help: "Comma-separated cluster DNS server IPs.")
    var clusterDNS: String?
    @Option(name: .customLong("cluster-domain"), help: "Cluster domain for the DNS search path.")
    var clusterDomain: String?
    @Option(name: .customLong("node-ip"), help: "Comma-separated node IP(s) for status.hostIP(s) (default: first interface addresses).")
    var nodeIP: String?
    @Option(name: .customLong("resolv-conf"), help: "Resolver file pods inherit (default /etc/resolv.conf).")
    var resolvConf: String?
    @Option(name: .customLong("allowed-unsafe-sysctls"), help: "Comma-separated unsafe sysctls pods may set.")
    var allowedUnsafeSysctls: String?
    @Option(name: .customLong("cni-conf-dir"), help: "CNI network configuration directory (default /etc/cni/net.d).")
    var cniConfDir: String?
    @Option(name: .customLong("cni-bin-dir"), help: "Comma-separated CNI plugin directories (default /usr/lib/cni,/opt/cni/bin).")
    var cniBinDir: String?
    @Option(name: .customLong("cni-cache-dir"), help: "bootlet: CNI attachment cache (default /var/lib/bootlet/cni).")
    var cniCacheDir: String?
    @Option(name: .customLong("runtime-root"), help: "bootlet: container state root (default /run/bootlet).")
    var runtimeRoot: String?
    @Option(name: .customLong("image-root"), help: "bootlet: image store (default /var/lib/bootlet/images).")
    var imageRoot: String?
    @Option(name: .customLong("v"), help: "Log verbosity (0 info, 4+ debug).")
    var verbosity: Int = 0

    func run() throws {
        var logger = Logger(label: "bootlet.kubelet")
        logger.logLevel = verbosity >= 4 ? .debug : .info
        var c = RunnerConfig()
        if let f = configFile {
            let bytes = try FileIO.read(f, step: "read kubelet config")
            let (kc, warnings) = try KubeletConfiguration.parse(String(decoding: bytes, as: UTF8.self), path: f)
            warnings.forEach { logger.warning("\($0)") }
            c.apply(kc)
        }
        if let v = podManifestPath { c.podManifestPath = v }
        if let v = rootDir { c.rootDir = v }
        if let v = podLogsDir { c.podLogsDir = v }
        if let v = containerLogsDir { c.containerLogsDir = v }
        c.nodeName = (hostnameOverride ?? KubeletCommand.hostname()).lowercased()
        if let v = address { c.address = v }
        if let v = readOnlyPort { c.readOnlyPort = v }
        if let v = healthzPort { c.healthzPort = v }
        if let v = healthzBindAddress { c.healthzBindAddress = v }
        if let v = fileCheckFrequency {
            let d = try KubeDuration(parsing: v)
            c.fileCheckFrequency = .nanoseconds(d.nanoseconds)
        }
        if let v = cgroupDriver { c.cgroupDriver = v }
        if c.cgroupDriver != "cgroupfs" {
            throw ValidationError("--cgroup-driver \(c.cgroupDriver): only cgroupfs is supported")
        }
        if let v = cgroupRoot { c.cgroupRoot = v }
        if let v = cgroupsPerQOS { c.cgroupsPerQOS = v }
        if let v = containerLogMaxSize { c.containerLogMaxSize = try Quantity(parsing: v).value }
        if let v = containerLogMaxFiles {
            guard v > 1 else { throw ValidationError("--container-log-max-files must be greater than 1") }
            c.containerLogMaxFiles = v
        }
        if let v = seccompDefault { c.seccompDefault = v }
        if let v = clusterDNS { c.clusterDNS = v.split(separator: ",").map(String.init) }
        if let v = clusterDomain { c.clusterDomain = v }
        if let v = nodeIP { c.nodeIPs = v.split(separator: ",").map(String.init) }
        if let v = resolvConf { c.resolvConf = v }
        if let v = allowedUnsafeSysctls { c.allowedUnsafeSysctls = v.split(separator: ",").map(String.init) }
        if let v = cniConfDir { c.cniConfDir = v }
        if let v = cniBinDir { c.cniBinDirs = v.split(separator: ",").map(String.init) }
        if let v = cniCacheDir { c.cniCacheDir = v }
        if let v = runtimeRoot { c.runtimeRoot = v }
        if let v = imageRoot { c.imageRoot = v }

        let kubelet = try Kubelet(config: c, logger: logger)
        // SIGTERM/SIGINT stop the runner, not the pods: a restarted runner adopts them.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        try kubelet.start()
        logger.info("bootlet kubelet running", metadata: ["node": "\(c.nodeName)", "manifests": "\(c.podManifestPath)"])
        var sig: Int32 = 0
        sigwait(&set, &sig)
        logger.info("stopping on signal \(sig); pods keep running")
        kubelet.stop()
    }

    static func hostname() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, 255)
        return String(cString: buf)
    }
}
