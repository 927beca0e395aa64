/// Downward API values for env vars and downwardAPI volumes (`podFieldSelectorRuntimeValue`,
/// `fieldpath.ExtractFieldPathAsString`, `resource.ExtractContainerResourceValue`).
public enum DownwardAPI {
    /// What the runtime knows beyond the pod object itself.
    public struct Context: Sendable {
        /// Node IPs (`status.hostIP` is the first, `status.hostIPs` all joined by ",").
        public var hostIPs: [String]
        /// Sandbox IPs (empty for hostNetwork pods on an API-less kubelet).
        public var podIPs: [String]
        /// Node allocatable, used for a limit the container does not set (`cpu`, `memory`, `ephemeral-storage`).
        public var nodeAllocatable: [String: Quantity]

        public init(hostIPs: [String] = [], podIPs: [String] = [], nodeAllocatable: [String: Quantity] = [:]) {
            self.hostIPs = hostIPs
            self.podIPs = podIPs
            self.nodeAllocatable = nodeAllocatable
        }
    }

    public struct Error: Swift.Error, CustomStringConvertible, Equatable, Sendable {
        public var description: String
    }

    /// `metadata.labels['key']` → ("metadata.labels", "key").
    public static func splitSubscript(_ path: String) -> (String, String)? {
        guard path.hasSuffix("']"), let open = path.firstRange(of: "['") else { return nil }
        let base = String(path[..<open.lowerBound])
        let key = String(path[open.upperBound..<path.index(path.endIndex, offsetBy: -2)])
        return (base, key)
    }

    /// The string value of a field path for `pod` (already defaulted: name `<name>-<node>`, uid, annotations).
    public static func fieldValue(_ path: String, pod: Pod, context: Context) throws(Error) -> String {
        if let (base, key) = splitSubscript(path) {
            switch base {
            case "metadata.labels": return pod.metadata.labels?[key] ?? ""
            case "metadata.annotations": return pod.metadata.annotations?[key] ?? ""
            default: throw Error(description: "unsupported fieldPath: \(path)")
            }
        }
        switch path {
        case "metadata.name": return pod.metadata.name ?? ""
        case "metadata.namespace": return pod.metadata.namespace ?? ""
        case "metadata.uid": return pod.metadata.uid ?? ""
        case "metadata.labels": return formatMap(pod.metadata.labels ?? [:])
        case "metadata.annotations": return formatMap(pod.metadata.annotations ?? [:])
        case "spec.nodeName": return pod.spec.nodeName ?? ""
        case "spec.serviceAccountName": return pod.spec.serviceAccountName ?? ""
        case "status.hostIP": return context.hostIPs.first ?? ""
        case "status.hostIPs": return context.hostIPs.joined(separator: ",")
        case "status.podIP": return context.podIPs.first ?? ""
        case "status.podIPs": return context.podIPs.joined(separator: ",")
        default: throw Error(description: "unsupported fieldPath: \(path)")
        }
    }

    /// `fieldpath.FormatMap`: `key="value"` lines in key order (Go `%q` quoting), no trailing newline.
    public static func formatMap(_ m: [String: String]) -> String {
        m.keys.sorted().map { "\($0)=\(goQuoted(m[$0] ?? ""))" }.joined(separator: "\n")
    }

    /// `resourceFieldRef`: `limits.cpu` etc. of the named (or current) container divided by the divisor and
    /// rounded up; an unset limit resolves to node allocatable. CPU is computed in millicores
    /// (`ceil(milli / divisor milli)`), memory and storage in bytes.
    public static func resourceValue(
        _ ref: ResourceFieldSelector, pod: Pod, container current: Container, context: Context
    ) throws(Error) -> String {
        var c = current
        if let name = ref.containerName, !name.isEmpty {
            guard let found = (pod.spec.containers + (pod.spec.initContainers ?? [])).first(where: { $0.name == name }) else {
                throw Error(description: "container \(name) not found for resourceFieldRef \(ref.resource)")
            }
            c = found
        }
        let parts = ref.resource.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[0] == "limits" || parts[0] == "requests" else {
            throw Error(description: "unsupported container resource: \(ref.resource)")
        }
        let name = parts[1]
        let q: Quantity
        if parts[0] == "limits" {
            q = c.resources.limits?[name] ?? context.nodeAllocatable[name] ?? Quantity()
        } else {
            q = c.resources.requests?[name] ?? Quantity()
        }
        if name == "cpu" {
            let divisor = ref.divisor.isZero ? Quantity(nanos: Quantity.nano) : ref.divisor
            let d = divisor.milliValue
            guard d > 0 else { throw Error(description: "invalid divisor \(ref.divisor) for \(ref.resource)") }
            return String(ceilDiv(q.milliValue, d))
        }
        guard name == "memory" || name == "ephemeral-storage" || name.hasPrefix("hugepages-") else {
            throw Error(description: "unsupported container resource: \(ref.resource)")
        }
        let divisor = ref.divisor.isZero ? Quantity(nanos: Quantity.nano) : ref.divisor
        let d = divisor.value
        guard d > 0 else { throw Error(description: "invalid divisor \(ref.divisor) for \(ref.resource)") }
        return String(ceilDiv(q.value, d))
    }

    static func ceilDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let qv = a / b
        return a % b != 0 && (a > 0) == (b > 0) ? qv + 1 : qv
    }
}
