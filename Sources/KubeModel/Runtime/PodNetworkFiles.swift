/// Hostname rules and the `/etc/hosts` content kubelet writes (`kubelet_pods.go`: GeneratePodHostNameAndDomain,
/// truncatePodHostnameIfNeeded, managedHostsFileContent, nodeHostsFileContent; `util.GetNodenameForKernel`).
public enum PodNetworkFiles {
    public struct Error: Swift.Error, CustomStringConvertible, Equatable, Sendable {
        public var description: String
    }

    /// (hostname, domain): `spec.hostname` or the pod name, cut to 63 characters with trailing `-`/`.` trimmed;
    /// domain `<subdomain>.<ns>.svc.<clusterDomain>` when `spec.subdomain` is set, else "".
    public static func hostnameAndDomain(for pod: Pod, clusterDomain: String) throws(Error) -> (hostname: String, domain: String) {
        let podName = pod.metadata.name ?? ""
        var hostname = podName
        if let h = pod.spec.hostname, !h.isEmpty {
            let msgs = NameValidation.dns1123Label(h)
            guard msgs.isEmpty else {
                throw Error(description: "pod Hostname \"\(h)\" is not a valid DNS label: \(msgs.joined(separator: ";"))")
            }
            hostname = h
        }
        hostname = try truncateHostname(hostname, podName: podName)
        var domain = ""
        if let sd = pod.spec.subdomain, !sd.isEmpty {
            let msgs = NameValidation.dns1123Label(sd)
            guard msgs.isEmpty else {
                throw Error(description: "pod Subdomain \"\(sd)\" is not a valid DNS label: \(msgs.joined(separator: ";"))")
            }
            domain = "\(sd).\(pod.metadata.namespace ?? "").svc.\(clusterDomain)"
        }
        return (hostname, domain)
    }

    /// kubelet caps hostnames at 63 bytes and trims trailing `-` and `.` from the cut.
    public static func truncateHostname(_ hostname: String, podName: String) throws(Error) -> String {
        let b = Array(hostname.utf8)
        guard b.count > 63 else { return hostname }
        var cut = Array(b[..<63])
        while let l = cut.last, l == UInt8(ascii: "-") || l == UInt8(ascii: ".") { cut.removeLast() }
        guard !cut.isEmpty else { throw Error(description: "hostname for pod \"\(podName)\" was invalid: \"\(hostname)\"") }
        return String(decoding: cut, as: UTF8.self)
    }

    /// The UTS hostname for the sandbox: `<hostname>.<domain>` with `setHostnameAsFQDN` (≤ 64 bytes, else an
    /// error), otherwise the short hostname.
    public static func kernelHostname(hostname: String, domain: String, setHostnameAsFQDN: Bool?) throws(Error) -> String {
        guard !domain.isEmpty, setHostnameAsFQDN == true else { return hostname }
        let fqdn = "\(hostname).\(domain)"
        guard fqdn.utf8.count <= 64 else {
            throw Error(description: "failed to construct FQDN from pod hostname and cluster domain, FQDN \(fqdn) is too long (64 characters is the max, \(fqdn.utf8.count) characters requested)")
        }
        return fqdn
    }

    /// Kubelet-managed `/etc/hosts` for a pod with its own network namespace.
    public static func managedHosts(podIPs: [String], hostname: String, domain: String, hostAliases: [HostAlias]) -> String {
        var s = "# Kubernetes-managed hosts file.\n"
        s += "127.0.0.1\tlocalhost\n"
        s += "::1\tlocalhost ip6-localhost ip6-loopback\n"
        s += "fe00::0\tip6-localnet\n"
        s += "fe00::0\tip6-mcastprefix\n"
        s += "fe00::1\tip6-allnodes\n"
        s += "fe00::2\tip6-allrouters\n"
        for ip in podIPs {
            s += domain.isEmpty ? "\(ip)\t\(hostname)\n" : "\(ip)\t\(hostname).\(domain)\t\(hostname)\n"
        }
        return s + hostAliasEntries(hostAliases)
    }

    /// `/etc/hosts` for a hostNetwork pod: a header, the node's hosts file verbatim, then the aliases.
    public static func hostNetworkHosts(nodeHostsFile: String, hostAliases: [HostAlias]) -> String {
        "# Kubernetes-managed hosts file (host network).\n" + nodeHostsFile + hostAliasEntries(hostAliases)
    }

    static func hostAliasEntries(_ aliases: [HostAlias]) -> String {
        guard !aliases.isEmpty else { return "" }
        var s = "\n# Entries added by HostAliases.\n"
        for a in aliases { s += "\(a.ip)\t\((a.hostnames ?? []).joined(separator: "\t"))\n" }
        return s
    }
}
