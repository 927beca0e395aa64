import BootletRuntime
import KubeModel
import Logging

#if canImport(Glibc)
import Glibc
#endif

extension CNINetwork {
    /// Run one plugin: find its binary, build its stdin (libcni `buildOneConfig`: the entry plus the list's `name`
    /// and `cniVersion`, `prevResult`, and `runtimeConfig` holding only the capability arguments the entry
    /// declares), and turn a failure into an error naming the plugin, its exit status and its CNI error.
    func invoke(
        _ plugin: CNIPluginConfig, list: CNINetworkConfigList, _ inv: CNIPluginExecutor.Invocation,
        prevResult: JSONValue?, caps: [String: JSONValue], sandboxLabel: String? = nil
    ) throws -> [UInt8] {
        let sandbox = sandboxLabel ?? inv.containerID
        guard let binary = executor.find(plugin.type) else {
            throw CNIError.pluginNotFound(
                plugin: plugin.type, searched: options.binDirs, command: inv.command, sandbox: sandbox,
                network: list.name, source: list.source)
        }
        var conf = plugin.raw
        conf["name"] = .string(list.name)
        conf["cniVersion"] = .string(list.cniVersion)
        if let prevResult { conf["prevResult"] = prevResult }
        var runtimeConfig = JSONObject()
        for cap in plugin.capabilities.keys.sorted() where plugin.capabilities[cap] == true {
            if let v = caps[cap] { runtimeConfig[cap] = v }
        }
        if !runtimeConfig.isEmpty { conf["runtimeConfig"] = .object(runtimeConfig) }

        let start = monotonicNanos()
        let outcome = try executor.run(
            binary: binary, env: executor.environment(for: inv), stdin: JSONValue.object(conf).encoded())
        let ms = Double(monotonicNanos() - start) / 1e6
        switch outcome {
        case .timedOut:
            logger.warning("CNI \(inv.command) \(plugin.type) for \(sandbox) killed after \(options.pluginTimeout)")
            let (s, atto) = options.pluginTimeout.components
            throw CNIError.pluginTimedOut(
                plugin: plugin.type, binary: binary, command: inv.command, sandbox: sandbox, network: list.name,
                source: list.source, seconds: Double(s) + Double(atto) / 1e18)
        case .exited(0, let out, _):
            logger.debug("CNI \(inv.command) \(plugin.type) for \(sandbox) ifname \(inv.ifName): ok in \(ms) ms")
            return out
        case .exited(let code, let out, let err):
            logger.debug("CNI \(inv.command) \(plugin.type) for \(sandbox): exit \(code) in \(ms) ms")
            var failure = CNIPluginFailure(
                plugin: plugin.type, binary: binary, command: inv.command, sandbox: sandbox, network: list.name,
                source: list.source, exitCode: code, code: nil, msg: nil, details: nil,
                stderr: Self.clip(err, 2048, tail: true))
            if let v = try? JSONValue.parse(out), v.objectValue != nil,
                v["code"] != nil || v["msg"] != nil
            {
                failure.code = v["code"]?.intValue.map { Int($0) }
                failure.msg = v["msg"]?.stringValue
                failure.details = v["details"]?.stringValue
            } else if !Self.clip(out, 1024).isEmpty {
                failure.msg = "printed: " + Self.clip(out, 1024)
            }
            throw CNIError.pluginFailed(failure)
        }
    }

    /// `CNI_ARGS` as containerd sends them for a pod sandbox.
    static func cniArgs(sandbox: String, pod: PodIdentity) throws -> [(String, String)] {
        let args = [
            ("IgnoreUnknown", "1"), ("K8S_POD_NAMESPACE", pod.namespace), ("K8S_POD_NAME", pod.name),
            ("K8S_POD_INFRA_CONTAINER_ID", sandbox), ("K8S_POD_UID", pod.uid),
        ]
        for (k, v) in args where v.contains(";") || v.contains("=") || v.isEmpty {
            throw CNIError.invalidArgument(what: k, value: v, reason: "must be non-empty and contain no ';' or '='")
        }
        return args
    }

    static func validate(sandbox: String) throws {
        guard CNIValidation.isValidID(sandbox) else {
            throw CNIError.invalidArgument(what: "sandbox id", value: sandbox, reason: "must match [A-Za-z0-9][A-Za-z0-9_.-]*")
        }
    }

    static func describe(_ m: [PortMapping]) -> String {
        m.map { "\($0.hostIP.isEmpty ? "" : $0.hostIP + ":")\($0.hostPort)->\($0.containerPort)/\($0.protocol.rawValue)" }
            .joined(separator: ", ")
    }

    /// Printable, trimmed text of at most `max` bytes (the head, or the tail for logs).
    static func clip(_ bytes: [UInt8], _ max: Int, tail: Bool = false) -> String {
        var b = bytes[...]
        while let f = b.first, f == 0x20 || f == 0x0a || f == 0x0d || f == 0x09 { b = b.dropFirst() }
        while let l = b.last, l == 0x20 || l == 0x0a || l == 0x0d || l == 0x09 { b = b.dropLast() }
        let s = String(decoding: b, as: UTF8.self)
        guard s.utf8.count > max else { return s }
        return tail ? "…" + String(decoding: Array(s.utf8.suffix(max)), as: UTF8.self)
            : String(decoding: Array(s.utf8.prefix(max)), as: UTF8.self) + "…"
    }

    private func monotonicNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
