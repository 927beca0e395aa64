#if canImport(Glibc)
import Glibc
#endif

/// The node's own addresses without DNS (kubelet resolving its own name through DNS stalled a real kubelet on
/// this host: real-kubelet-observed.md). Used for `status.hostIP(s)` when `--node-ip` is not given: the first
/// global IPv4 address of an up, non-loopback interface, then the first global IPv6 one.
public enum NodeAddresses {
    public static func detect() -> [String] {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0, let first = head else { return [] }
        defer { freeifaddrs(head) }
        var v4: [String] = [], v6: [String] = []
        var cur: UnsafeMutablePointer<ifaddrs>? = first
        while let p = cur {
            defer { cur = p.pointee.ifa_next }
            let flags = Int32(p.pointee.ifa_flags)
            guard let addr = p.pointee.ifa_addr, flags & Int32(IFF_UP) != 0, flags & Int32(IFF_LOOPBACK) == 0 else { continue }
            var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            switch Int32(addr.pointee.sa_family) {
            case AF_INET:
                addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    var a = sin.pointee.sin_addr
                    inet_ntop(AF_INET, &a, &buf, socklen_t(buf.count))
                }
                v4.append(String(cString: buf))
            case AF_INET6:
                addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin in
                    var a = sin.pointee.sin6_addr
                    inet_ntop(AF_INET6, &a, &buf, socklen_t(buf.count))
                }
                let s = String(cString: buf)
                if !s.hasPrefix("fe80") { v6.append(s) }
            default: break
            }
        }
        return Array((v4.prefix(1) + v6.prefix(1)))
    }
}
