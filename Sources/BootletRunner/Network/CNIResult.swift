import KubeModel

/// The parts of a CNI result bootlet reads. Results are passed between plugins (`prevResult`) and cached as the raw
/// JSON the plugin printed; this view only extracts the pod's addresses and MAC.
///
/// Shapes understood: 0.3.0–1.1.0 (`interfaces` + `ips` with an `interface` index; 0.3.x/0.4.0 add
/// `ips[].version`) and 0.1.0/0.2.0 (`ip4`/`ip6` objects without interfaces).
struct CNIResult: Equatable {
    struct Interface: Equatable {
        var name: String
        var mac: String?
        /// Non-empty for interfaces inside the container namespace.
        var sandbox: String?
    }

    struct IP: Equatable {
        var cidr: String
        var gateway: String?
        var interface: Int?
    }

    var interfaces: [Interface] = []
    var ips: [IP] = []

    /// Parse a result object; the error is a reason phrase for `CNIError.invalidResult`.
    static func parse(_ v: JSONValue) throws(ResultError) -> CNIResult {
        guard let o = v.objectValue else { throw ResultError("expected a JSON object, found \(v.goKind)") }
        var r = CNIResult()
        if o["ips"] != nil || o["interfaces"] != nil {
            for (i, item) in (o["interfaces"]?.arrayValue ?? []).enumerated() {
                guard let name = item["name"]?.stringValue else { throw ResultError("interfaces[\(i)] has no name") }
                r.interfaces.append(
                    Interface(name: name, mac: nonEmpty(item["mac"]?.stringValue), sandbox: nonEmpty(item["sandbox"]?.stringValue)))
            }
            for (i, item) in (o["ips"]?.arrayValue ?? []).enumerated() {
                guard let addr = item["address"]?.stringValue else { throw ResultError("ips[\(i)] has no address") }
                var idx: Int? = nil
                if let n = item["interface"]?.intValue {
                    guard n >= 0, Int(n) < r.interfaces.count else {
                        throw ResultError("ips[\(i)].interface \(n) is not an index into interfaces")
                    }
                    idx = Int(n)
                }
                r.ips.append(IP(cidr: addr, gateway: nonEmpty(item["gateway"]?.stringValue), interface: idx))
            }
        } else {
            for key in ["ip4", "ip6"] {
                guard let ipc = o[key] else { continue }
                guard let addr = ipc["ip"]?.stringValue else { throw ResultError("\(key) has no ip") }
                r.ips.append(IP(cidr: addr, gateway: nonEmpty(ipc["gateway"]?.stringValue), interface: nil))
            }
        }
        return r
    }

    /// The container-side interface named `ifName` and its addresses, the `preferred` family first.
    ///
    /// Like containerd, addresses are those attached to the default interface; results without interface indexes
    /// (0.2.0, or plugins that omit them) contribute all their addresses.
    func podAddresses(ifName: String, preferred: IPFamily) -> (mac: String?, ips: [PodIPAddress]) {
        let ifIndex = interfaces.lastIndex { $0.name == ifName && $0.sandbox != nil }
            ?? interfaces.lastIndex { $0.name == ifName }
        let mine = ips.filter { ip in
            guard let i = ip.interface else { return true }
            return i == ifIndex
        }
        let addrs = mine.map { ip -> PodIPAddress in
            let parts = ip.cidr.split(separator: "/", maxSplits: 1)
            let prefix = parts.count == 2 ? Int(parts[1]) : nil
            return PodIPAddress(address: String(parts.first ?? ""), prefixLength: prefix, gateway: ip.gateway)
        }
        let ordered = addrs.filter { $0.family == preferred } + addrs.filter { $0.family != preferred }
        return (ifIndex.flatMap { interfaces[$0].mac }, ordered)
    }

    struct ResultError: Error {
        var reason: String
        init(_ r: String) { reason = r }
    }

    private static func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        return s
    }
}
