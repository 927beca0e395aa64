import BootletRuntime
import FoundationEssentials
import KubeModel
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Pod networking through CNI plugins, as containerd's CRI plugin does it for the kubelet.
///
/// * Configuration: the first `*.conf`/`*.conflist`/`*.json` in `confDir` (see `CNINetworkConfigList.loadDefault`),
///   read at every `setUp` so a new file applies to the next pod (containerd watches the directory for the same
///   effect). No file → pods get loopback only and no IP.
/// * `setUp` runs the built-in loopback network (`cni-loopback`, ifname `lo`, containerd's `WithLoNetwork`) and then
///   the configured list on `eth0`, each plugin with ADD and the previous plugin's result as `prevResult`.
/// * Every attachment is cached under `<stateDir>/results/` with the configuration used, so `tearDown` runs DEL
///   (plugins in reverse) with that configuration and the cached result even after a runner crash, a changed
///   configuration directory, or once the namespace is gone (then `CNI_NETNS` is empty, as containerd passes it).
public struct CNINetwork: Sendable {
    public struct Options: Sendable {
        /// `--cni-conf-dir` (kubelet/containerd default `/etc/cni/net.d`).
        public var confDir: String
        /// `--cni-bin-dir`, searched in order: Debian's package location first, then the upstream default.
        public var binDirs: [String]
        /// Cache of attachments: `<stateDir>/results/<network>-<sandbox>-<ifname>`.
        public var stateDir: String
        /// Each plugin run is killed after this long (kubelet's CRI calls time out after 2 minutes overall).
        public var pluginTimeout: Duration
        /// Family listed first in `NetworkStatus.ips` (containerd prefers IPv4 by default).
        public var preferredFamily: IPFamily

        public init(
            confDir: String = "/etc/cni/net.d", binDirs: [String] = ["/usr/lib/cni", "/opt/cni/bin"],
            stateDir: String = "/var/lib/bootlet/cni", pluginTimeout: Duration = .seconds(60),
            preferredFamily: IPFamily = .ipv4
        ) {
            self.confDir = confDir
            self.binDirs = binDirs
            self.stateDir = stateDir
            self.pluginTimeout = pluginTimeout
            self.preferredFamily = preferredFamily
        }
    }

    /// containerd's loopback network: name `cni-loopback`, CNI 0.3.1 (understood by every loopback plugin build).
    public static let loopbackNetworkName = "cni-loopback"
    static let loopbackSource = "built-in loopback network"

    public let options: Options
    let executor: CNIPluginExecutor
    let cache: CNIResultCache
    let logger: Logger

    public init(options: Options = Options(), logger: Logger = Logger(label: "bootlet.cni")) {
        self.options = options
        self.executor = CNIPluginExecutor(binDirs: options.binDirs, timeout: options.pluginTimeout)
        self.cache = CNIResultCache(directory: options.stateDir + "/results")
        self.logger = logger
    }

    /// The configuration new pods would get now; nil when there is none (loopback-only networking).
    public func currentConfig() throws -> CNINetworkConfigList? {
        try CNINetworkConfigList.loadDefault(confDir: options.confDir)
    }

    static func loopbackList() -> CNINetworkConfigList {
        let bytes = Array(#"{"cniVersion":"0.3.1","name":"cni-loopback","plugins":[{"type":"loopback"}]}"#.utf8)
        return CNINetworkConfigList(
            name: loopbackNetworkName, cniVersion: "0.3.1", disableCheck: false,
            plugins: [CNIPluginConfig(type: "loopback", capabilities: [:], raw: ["type": .string("loopback")])],
            bytes: bytes, source: loopbackSource)
    }

    // MARK: - ADD

    /// Attach the sandbox's namespace at `netns` to the pod network and return its addresses.
    ///
    /// On failure everything attached so far is torn down again (containerd does the same) and the error names the
    /// plugin, its exit status and CNI error, the network and the configuration file.
    public func setUp(
        sandbox: String, netns: String, ifName: String = "eth0", pod: PodIdentity, portMappings: [PortMapping] = []
    ) throws -> NetworkStatus {
        try Self.validate(sandbox: sandbox)
        guard CNIValidation.isValidInterfaceName(ifName) else {
            throw CNIError.invalidArgument(what: "interface name", value: ifName, reason: "is not a valid Linux interface name")
        }
        let mapped = portMappings.filter { $0.hostPort > 0 }
        guard let list = try currentConfig() else {
            do {
                try NetworkNamespaces.bringUpLoopback(netns)
            } catch let e as RuntimeError {
                throw CNIError.system(e)
            }
            var warnings: [String] = []
            if !mapped.isEmpty {
                warnings.append("hostPort mappings \(Self.describe(mapped)) not applied: no CNI configuration in \(options.confDir)")
            }
            return NetworkStatus(networkName: nil, configSource: nil, interface: "lo", mac: nil, ips: [], warnings: warnings)
        }
        let args = try Self.cniArgs(sandbox: sandbox, pod: pod)
        let caps: [String: JSONValue] = ["portMappings": .array(mapped.map(\.capabilityJSON))]
        do {
            _ = try add(list: Self.loopbackList(), sandbox: sandbox, netns: netns, ifName: "lo", args: args, caps: [:])
            let result = try add(list: list, sandbox: sandbox, netns: netns, ifName: ifName, args: args, caps: caps)
            let parsed: CNIResult
            do {
                parsed = try CNIResult.parse(result)
            } catch {
                throw CNIError.invalidResult(
                    plugin: list.plugins.last?.type ?? "", command: "ADD", sandbox: sandbox, network: list.name,
                    source: list.source, reason: error.reason)
            }
            let (mac, ips) = parsed.podAddresses(ifName: ifName, preferred: options.preferredFamily)
            var warnings: [String] = []
            if !mapped.isEmpty && !list.plugins.contains(where: { $0.capabilities["portMappings"] == true }) {
                warnings.append(
                    "hostPort mappings \(Self.describe(mapped)) not applied: no plugin in \(list.source) declares the "
                        + "portMappings capability")
            }
            return NetworkStatus(
                networkName: list.name, configSource: list.source, interface: ifName, mac: mac, ips: ips, warnings: warnings)
        } catch {
            do {
                try tearDown(sandbox: sandbox, netns: netns)
            } catch let cleanup {
                if case .setUpFailedCleanupFailed? = error as? CNIError { throw error }
                throw CNIError.setUpFailedCleanupFailed(original: "\(error)", cleanup: "\(cleanup)")
            }
            throw error
        }
    }

    /// ADD through every plugin of `list`, caching the attachment before the first and after the last plugin.
    func add(
        list: CNINetworkConfigList, sandbox: String, netns: String, ifName: String, args: [(String, String)],
        caps: [String: JSONValue]
    ) throws -> JSONValue {
        var attachment = CNIAttachment(
            kind: CNIAttachment.kindV1, containerId: sandbox, config: Data(list.bytes).base64EncodedString(),
            ifName: ifName, networkName: list.name, netns: netns, cniArgs: args.map { [$0.0, $0.1] },
            capabilityArgs: caps.isEmpty ? nil : caps, result: nil, configSource: list.source)
        try cache.write(attachment)
        let inv = CNIPluginExecutor.Invocation(
            command: "ADD", containerID: sandbox, netns: netns, ifName: ifName, args: args)
        var prev: JSONValue? = nil
        var attempted = 0
        do {
            for plugin in list.plugins {
                attempted += 1
                let out = try invoke(plugin, list: list, inv, prevResult: prev, caps: caps)
                let reason: String
                if out.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) {
                    reason = "it printed nothing"
                } else if let v = try? JSONValue.parse(out) {
                    do {
                        _ = try CNIResult.parse(v)
                        prev = v
                        continue
                    } catch {
                        reason = error.reason
                    }
                } else {
                    reason = "not JSON: \(Self.clip(out, 512))"
                }
                throw CNIError.invalidResult(
                    plugin: plugin.type, command: "ADD", sandbox: sandbox, network: list.name, source: list.source,
                    reason: reason)
            }
        } catch {
            // Roll this network back right away: DEL (in reverse, without prevResult, as libcni does when there is
            // no cached result) for every plugin whose ADD ran, including the failed one, which may have done part
            // of its work. A plugin whose binary was not found never ran and is skipped. The failed plugin's own
            // DEL may fail for the reason its ADD did (an invalid configuration fails both): that is logged, not
            // fatal, or the attachment could never be removed. Any other failed DEL keeps the cache entry, so a
            // later tearDown retries it.
            if case .pluginNotFound? = error as? CNIError { attempted -= 1 }
            let delInv = CNIPluginExecutor.Invocation(
                command: "DEL", containerID: sandbox, netns: netns, ifName: ifName, args: args)
            do {
                for (i, plugin) in list.plugins.prefix(attempted).enumerated().reversed() {
                    do {
                        _ = try invoke(plugin, list: list, delInv, prevResult: nil, caps: caps)
                    } catch let delError where i == attempted - 1 {
                        logger.warning("rollback of failed ADD for sandbox \(sandbox): \(delError)")
                    }
                }
                try cache.remove(network: list.name, sandbox: sandbox, ifName: ifName)
            } catch let cleanup {
                throw CNIError.setUpFailedCleanupFailed(original: "\(error)", cleanup: "\(cleanup)")
            }
            throw error
        }
        attachment.result = prev
        try cache.write(attachment)
        return prev ?? .object([:])
    }

    // MARK: - DEL

    /// Detach the sandbox from every network it was attached to, using the cached configuration and result.
    ///
    /// Idempotent: without cache entries (never set up, or already torn down) nothing runs. `netns` defaults to
    /// the cached path; a path that is no longer a namespace is passed as an empty `CNI_NETNS` (containerd does
    /// this; plugins then release what lives outside the namespace: IPAM leases, host veths, iptables rules). An
    /// attachment whose DEL fails keeps its cache entry, so a later call retries it.
    public func tearDown(sandbox: String, netns: String? = nil) throws {
        try Self.validate(sandbox: sandbox)
        let (entries, errors) = try cache.list(sandbox: sandbox)
        for e in errors { logger.error("ignoring unreadable CNI cache entry: \(e)") }
        // Reverse of setUp: pod networks first, loopback last.
        let ordered = entries.filter { $0.attachment.networkName != Self.loopbackNetworkName }
            + entries.filter { $0.attachment.networkName == Self.loopbackNetworkName }
        var failures: [String] = []
        for (path, a) in ordered {
            do {
                let list = try a.configList(cachePath: path)
                let candidate = netns ?? a.netns ?? ""
                let nsPath = !candidate.isEmpty && NetworkNamespaces.isNamespace(candidate) ? candidate : ""
                let args = (a.cniArgs ?? []).compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
                let inv = CNIPluginExecutor.Invocation(
                    command: "DEL", containerID: sandbox, netns: nsPath, ifName: a.ifName, args: args)
                // Cached result as prevResult on DEL is a 0.4.0 feature (libcni DelNetworkList).
                let prev = CNINetworkConfigList.atLeast(list.cniVersion, "0.4.0") ? a.result : nil
                for plugin in list.plugins.reversed() {
                    _ = try invoke(plugin, list: list, inv, prevResult: prev, caps: a.capabilityArgs ?? [:])
                }
                try cache.remove(network: a.networkName, sandbox: sandbox, ifName: a.ifName)
            } catch {
                failures.append("\(error)")
            }
        }
        if !failures.isEmpty { throw CNIError.tearDownIncomplete(sandbox: sandbox, failures: failures) }
    }

    // MARK: - CHECK

    /// Run CHECK for the sandbox's attachments (CNI ≥ 0.4.0 lists without `disableCheck`) with their cached
    /// configuration and result: verifies the interfaces and addresses are still as ADD left them.
    public func check(sandbox: String, netns: String) throws {
        try Self.validate(sandbox: sandbox)
        let (entries, errors) = try cache.list(sandbox: sandbox)
        if let e = errors.first { throw CNIError.system(RuntimeError("check network of sandbox", sandbox, detail: e)) }
        for (path, a) in entries {
            let list = try a.configList(cachePath: path)
            guard CNINetworkConfigList.atLeast(list.cniVersion, "0.4.0"), !list.disableCheck else { continue }
            guard let result = a.result else {
                throw CNIError.invalidResult(
                    plugin: list.plugins.first?.type ?? "", command: "CHECK", sandbox: sandbox, network: list.name,
                    source: list.source, reason: "no cached ADD result (setUp did not finish)")
            }
            let args = (a.cniArgs ?? []).compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
            let inv = CNIPluginExecutor.Invocation(
                command: "CHECK", containerID: sandbox, netns: netns, ifName: a.ifName, args: args)
            for plugin in list.plugins {
                _ = try invoke(plugin, list: list, inv, prevResult: result, caps: a.capabilityArgs ?? [:])
            }
        }
    }

    // MARK: - Cache and VERSION

    /// Cached attachments (all, or one sandbox's): after a crash, the runner tears down those whose sandbox is gone.
    public func attachments(sandbox: String? = nil) throws -> [CNIAttachment] {
        let (entries, errors) = try cache.list(sandbox: sandbox)
        for e in errors { logger.error("ignoring unreadable CNI cache entry: \(e)") }
        return entries.map(\.attachment)
    }

    /// The spec versions a plugin supports (CNI `VERSION`).
    public func pluginVersions(_ type: String) throws -> [String] {
        let plugin = CNIPluginConfig(type: type, capabilities: [:], raw: ["type": .string(type)])
        let list = CNINetworkConfigList(
            name: "version-probe", cniVersion: "1.0.0", disableCheck: true, plugins: [plugin], bytes: [],
            source: "VERSION probe")
        let inv = CNIPluginExecutor.Invocation(command: "VERSION", containerID: "", netns: "", ifName: "", args: [])
        let out = try invoke(plugin, list: list, inv, prevResult: nil, caps: [:], sandboxLabel: "-")
        guard let v = try? JSONValue.parse(out), let arr = v["supportedVersions"]?.arrayValue else {
            throw CNIError.invalidResult(
                plugin: type, command: "VERSION", sandbox: "-", network: list.name, source: list.source,
                reason: "no supportedVersions in \(Self.clip(out, 512))")
        }
        return arr.compactMap(\.stringValue)
    }
}
