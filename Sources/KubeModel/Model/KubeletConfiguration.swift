/// `kubelet.config.k8s.io/v1beta1` `KubeletConfiguration`: the fields `bootlet kubelet` honours. Unknown
/// fields are ignored (and reportable). `withDefaults()` applies the v1beta1 defaults
/// (`pkg/kubelet/apis/config/v1beta1/defaults.go`) to every field left unset.
public struct KubeletConfiguration: Codable, Sendable, Equatable {
    public var kind: String?
    public var apiVersion: String?
    public var staticPodPath: String?
    public var syncFrequency: KubeDuration?
    public var fileCheckFrequency: KubeDuration?
    public var address: String?
    public var port: Int32?
    public var readOnlyPort: Int32?
    public var healthzPort: Int32?
    public var healthzBindAddress: String?
    public var clusterDomain: String?
    public var clusterDNS: [String]?
    public var resolvConf: String?
    public var cgroupsPerQOS: Bool?
    public var cgroupDriver: String?
    public var cgroupRoot: String?
    public var runtimeRequestTimeout: KubeDuration?
    public var maxPods: Int32?
    public var podPidsLimit: Int64?
    public var allowedUnsafeSysctls: [String]?
    public var failSwapOn: Bool?
    public var containerLogMaxSize: Quantity?
    public var containerLogMaxFiles: Int32?
    public var seccompDefault: Bool?
    public var podLogsDir: String?
    public var systemReserved: [String: String]?
    public var kubeReserved: [String: String]?
    public var evictionHard: [String: String]?
    public var featureGates: [String: Bool]?
    public var enableServer: Bool?

    public init() {}

    public static let apiVersionV1beta1 = "kubelet.config.k8s.io/v1beta1"

    /// The v1beta1 defaults for every unset field. `readOnlyPort` defaults to 0 (disabled) as in upstream;
    /// `cgroupRoot` to `/` as kubelet uses when cgroupsPerQOS is on.
    public func withDefaults() -> KubeletConfiguration {
        var c = self
        c.kind = c.kind ?? "KubeletConfiguration"
        c.apiVersion = c.apiVersion ?? KubeletConfiguration.apiVersionV1beta1
        c.syncFrequency = c.syncFrequency ?? KubeDuration(seconds: 60)
        c.fileCheckFrequency = c.fileCheckFrequency ?? KubeDuration(seconds: 20)
        c.address = c.address ?? "0.0.0.0"
        c.port = c.port ?? 10250
        c.readOnlyPort = c.readOnlyPort ?? 0
        c.healthzPort = c.healthzPort ?? 10248
        c.healthzBindAddress = c.healthzBindAddress ?? "127.0.0.1"
        c.clusterDomain = c.clusterDomain ?? ""
        c.clusterDNS = c.clusterDNS ?? []
        c.resolvConf = c.resolvConf ?? "/etc/resolv.conf"
        c.cgroupsPerQOS = c.cgroupsPerQOS ?? true
        c.cgroupDriver = c.cgroupDriver ?? "cgroupfs"
        c.cgroupRoot = c.cgroupRoot ?? "/"
        c.runtimeRequestTimeout = c.runtimeRequestTimeout ?? KubeDuration(seconds: 120)
        c.maxPods = c.maxPods ?? 110
        c.podPidsLimit = c.podPidsLimit ?? -1
        c.failSwapOn = c.failSwapOn ?? true
        c.containerLogMaxSize = c.containerLogMaxSize ?? Quantity(nanos: 10 * 1024 * 1024 * Quantity.nano, format: .binarySI)
        c.containerLogMaxFiles = c.containerLogMaxFiles ?? 5
        c.seccompDefault = c.seccompDefault ?? false
        c.podLogsDir = c.podLogsDir ?? "/var/log/pods"
        c.enableServer = c.enableServer ?? true
        return c
    }

    /// Parses a KubeletConfiguration file (YAML or JSON) and checks kind/apiVersion.
    public static func parse(_ text: String, path: String) throws(ManifestError) -> (KubeletConfiguration, warnings: [String]) {
        let doc: JSONValue
        do { doc = try YAMLParser().parse(text) } catch {
            throw ManifestError(path: path, step: "parse kubelet config", message: error.description)
        }
        var unknown: [String] = []
        let c: KubeletConfiguration
        do {
            c = try JSONValueDecoder().decode(KubeletConfiguration.self, from: doc, unknownFields: &unknown)
        } catch {
            throw ManifestError(path: path, step: "decode kubelet config", message: error.description)
        }
        guard c.kind == "KubeletConfiguration" else {
            throw ManifestError(path: path, step: "decode kubelet config", message: "kind must be KubeletConfiguration, got \"\(c.kind ?? "")\"")
        }
        guard c.apiVersion == apiVersionV1beta1 else {
            throw ManifestError(path: path, step: "decode kubelet config", message: "apiVersion must be \(apiVersionV1beta1), got \"\(c.apiVersion ?? "")\"")
        }
        return (c, unknown.map { "unknown field \"\($0)\"" })
    }
}
