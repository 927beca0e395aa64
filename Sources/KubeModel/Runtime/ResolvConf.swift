/// Pod DNS settings and the `/etc/resolv.conf` text, per kubelet `pkg/kubelet/network/dns/dns.go` (GetPodDNS)
/// and containerd's writer.
public enum ResolvConf {
    public struct Settings: Sendable, Equatable {
        public var nameservers: [String]
        public var searches: [String]
        public var options: [String]
        /// Events kubelet would record (`MissingClusterDNS`, `DNSConfigForming`).
        public var warnings: [String]

        public init(nameservers: [String] = [], searches: [String] = [], options: [String] = [], warnings: [String] = []) {
            self.nameservers = nameservers
            self.searches = searches
            self.options = options
            self.warnings = warnings
        }
    }

    /// The kubelet-side inputs.
    public struct NodeConfig: Sendable {
        /// Content of kubelet's `resolvConf` file, or nil when `resolvConf` is "" (no host DNS).
        public var hostResolvConf: String?
        public var clusterDNS: [String]
        public var clusterDomain: String
        /// Node IPs; with no host resolv.conf the fallback nameserver is `::1` for IPv6 nodes, else 127.0.0.1.
        public var nodeIPs: [String]

        public init(hostResolvConf: String?, clusterDNS: [String] = [], clusterDomain: String = "", nodeIPs: [String] = []) {
            self.hostResolvConf = hostResolvConf
            self.clusterDNS = clusterDNS
            self.clusterDomain = clusterDomain
            self.nodeIPs = nodeIPs
        }
    }

    /// Parses a resolv.conf: every `nameserver`, the last `search` line (trailing dots trimmed, `.` dropped),
    /// `options` merged by name; `#`/`;` comment lines ignored.
    public static func parse(_ text: String) -> Settings {
        var s = Settings()
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw).trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let key = fields.first else { continue }
            switch key {
            case "nameserver":
                if fields.count >= 2 { s.nameservers.append(fields[1]) }
            case "search":
                s.searches = fields.dropFirst().filter { $0 != "." }.map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 }
            case "options":
                s.options = mergeOptions(s.options, fields.dropFirst().map(splitOption), sorted: false)
            default: break
            }
        }
        return s
    }

    /// The pod's DNS settings for its `dnsPolicy`, `hostNetwork` and `dnsConfig`.
    public static func settings(for pod: Pod, node: NodeConfig) -> Settings {
        var base = node.hostResolvConf.map(parse) ?? Settings()
        var warnings: [String] = []
        let policy = pod.spec.dnsPolicy ?? "ClusterFirst"
        enum Kind { case none, cluster, host }
        let kind: Kind =
            switch policy {
            case "None": .none
            case "ClusterFirstWithHostNet": .cluster
            case "Default": .host
            case "ClusterFirst": pod.spec.hostNetwork ? .host : .cluster
            default: .cluster
            }
        var useHost = kind == .host
        switch kind {
        case .none:
            base = Settings()
        case .cluster:
            if !node.clusterDNS.isEmpty {
                base.nameservers = node.clusterDNS
                if !node.clusterDomain.isEmpty {
                    let d = node.clusterDomain
                    base.searches = omitDuplicates(["\(pod.metadata.namespace ?? "default").svc.\(d)", "svc.\(d)", d] + base.searches)
                }
                base.options = ["ndots:5"]
            } else {
                warnings.append(
                    "MissingClusterDNS: kubelet does not have ClusterDNS IP configured and cannot create Pod using \"ClusterFirst\" policy. Falling back to \"Default\" policy."
                )
                useHost = true
            }
        case .host:
            break
        }
        if useHost, node.hostResolvConf == nil {
            base.nameservers = node.nodeIPs.map { $0.contains(":") ? "::1" : "127.0.0.1" }
            if base.nameservers.isEmpty { base.nameservers = ["127.0.0.1"] }
            base.searches = ["."]
        }
        if let dc = pod.spec.dnsConfig {
            base.nameservers = omitDuplicates(base.nameservers + (dc.nameservers ?? []))
            base.searches = omitDuplicates(base.searches + (dc.searches ?? []))
            base.options = mergeOptions(base.options, (dc.options ?? []).map { ($0.name ?? "", $0.value ?? "") }, sorted: true)
        }
        // formDNSConfigFitsLimits
        if base.nameservers.count > 3 {
            warnings.append("DNSConfigForming: Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: \(base.nameservers.prefix(3).joined(separator: " "))")
            base.nameservers = Array(base.nameservers.prefix(3))
        }
        var exceeded = false
        var searches = base.searches.filter { s in
            if s.utf8.count > 253 { exceeded = true; return false }
            return true
        }
        if searches.count > 32 {
            searches = Array(searches.prefix(32))
            exceeded = true
        }
        let lineLen = searches.joined(separator: " ").utf8.count
        if lineLen > 2048 {
            var cutLen = 0
            var cutNum = 0
            for s in searches.reversed() {
                cutLen += s.utf8.count + 1
                cutNum += 1
                if lineLen - cutLen <= 2048 { break }
            }
            searches = Array(searches.dropLast(cutNum))
            exceeded = true
        }
        if exceeded {
            warnings.append("DNSConfigForming: Search Line limits were exceeded, some search paths have been omitted, the applied search line is: \(searches.joined(separator: " "))")
        }
        base.searches = searches
        base.warnings = warnings
        return base
    }

    /// The file containerd writes: `search …`, `nameserver …` lines, `options …`; empty parts omitted.
    public static func content(_ s: Settings) -> String {
        var out = ""
        if !s.searches.isEmpty { out += "search " + s.searches.joined(separator: " ") + "\n" }
        for n in s.nameservers { out += "nameserver \(n)\n" }
        if !s.options.isEmpty { out += "options " + s.options.joined(separator: " ") + "\n" }
        return out
    }

    static func omitDuplicates(_ list: [String]) -> [String] {
        var seen = Set<String>()
        return list.filter { seen.insert($0).inserted }
    }

    /// Options merged by name, later entries win. kubelet rebuilds the list from a Go map (random order);
    /// bootlet sorts a merged list by name so the file is reproducible.
    static func mergeOptions(_ a: [(String, String)], _ b: [(String, String)], sorted: Bool) -> [String] {
        var order: [String] = []
        var values: [String: String] = [:]
        for (k, v) in a + b {
            if values[k] == nil { order.append(k) }
            values[k] = v
        }
        if sorted { order.sort() }
        return order.map { k in
            let v = values[k] ?? ""
            return v.isEmpty ? k : "\(k):\(v)"
        }
    }

    static func mergeOptions(_ a: [String], _ b: [(String, String)], sorted: Bool) -> [String] {
        mergeOptions(a.map(splitOption), b, sorted: sorted)
    }

    /// `ndots:5` → ("ndots", "5"); `rotate` → ("rotate", "").
    static func splitOption(_ opt: String) -> (String, String) {
        guard let i = opt.firstIndex(of: ":") else { return (opt, "") }
        return (String(opt[..<i]), String(opt[opt.index(after: i)...]))
    }
}
