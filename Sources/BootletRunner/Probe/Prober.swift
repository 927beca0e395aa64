import BootletRuntime
import KubeModel

#if canImport(Glibc)
import Glibc
#endif

/// The outcome of one probe run (kubelet's `probe.Result`).
public enum ProbeOutcome: Sendable, Equatable {
    case success
    /// Counts as success; kubelet emits a ProbeWarning event (e.g. a redirect to another host).
    case warning(String)
    case failure(String)

    public var succeeded: Bool {
        if case .failure = self { return false }
        return true
    }
}

/// Runs one probe or hook handler against a container (kubelet-static-pods.md §4.3, `pkg/probe/*`).
public struct Prober: Sendable {
    public let runtime: OCIRuntime
    public let http: HTTPGetClient
    /// Kubernetes minor version in the User-Agent (`kube-probe/1.36`).
    public static let userAgentVersion = "1.36"

    public init(runtime: OCIRuntime, http: HTTPGetClient) {
        self.runtime = runtime
        self.http = http
    }

    /// The address probes target: `host` if set, else the pod IP; a hostNetwork pod (which has no pod IP without
    /// an API server) is probed on 127.0.0.1.
    public static func target(host: String?, podIP: String?) -> String {
        if let h = host, !h.isEmpty { return h }
        if let ip = podIP, !ip.isEmpty { return ip }
        return "127.0.0.1"
    }

    /// A port given by number or by the name of one of the container's ports.
    public static func resolvePort(_ p: IntOrString, container: Container) -> Int? {
        switch p {
        case .int(let n): return n > 0 && n < 65536 ? Int(n) : nil
        case .string(let name):
            if let port = container.ports?.first(where: { $0.name == name }) { return Int(port.containerPort) }
            return Int(name)
        }
    }

    public func run(_ probe: Probe, containerID: String, container: Container, podIP: String?) -> ProbeOutcome {
        let timeout = Int64(max(1, probe.timeoutSeconds)) * 1_000_000_000
        if let e = probe.exec {
            return exec(e.command ?? [], containerID: containerID, timeoutNanos: timeout)
        }
        if let h = probe.httpGet {
            return httpGet(h, container: container, podIP: podIP, timeoutNanos: timeout, userAgent: "kube-probe/\(Prober.userAgentVersion)",
                           checkStatus: true)
        }
        if let t = probe.tcpSocket {
            guard let port = Prober.resolvePort(t.port, container: container) else {
                return .failure("invalid port \(t.port)")
            }
            return tcp(host: Prober.target(host: t.host, podIP: podIP), port: port, timeoutNanos: timeout)
        }
        if let g = probe.grpc {
            return GRPCHealthCheck.check(host: Prober.target(host: nil, podIP: podIP), port: Int(g.port), service: g.service ?? "",
                                         timeoutNanos: timeout)
        }
        return .failure("missing probe handler")
    }

    func exec(_ command: [String], containerID: String, timeoutNanos: Int64?) -> ProbeOutcome {
        do {
            let r = try runtime.exec(id: containerID, args: command, timeoutNanos: timeoutNanos)
            let out = String(decoding: r.output, as: UTF8.self)
            if r.timedOut {
                return .failure("command \(goQuoteArgs(command)) timed out")
            }
            return r.exitCode == 0 ? .success : .failure(out)
        } catch {
            return .failure("\(error)")
        }
    }

    /// `checkStatus`: probes succeed on 200–399; hooks accept any response.
    func httpGet(_ h: HTTPGetAction, container: Container, podIP: String?, timeoutNanos: Int64, userAgent: String,
                 checkStatus: Bool) -> ProbeOutcome {
        guard let port = Prober.resolvePort(h.port, container: container) else { return .failure("invalid port \(h.port)") }
        var host = Prober.target(host: h.host, podIP: podIP)
        var https = (h.scheme ?? "HTTP").uppercased() == "HTTPS"
        var path = h.path ?? "/"
        if !path.hasPrefix("/") { path = "/" + path }
        var headers: [(String, String)] = [("User-Agent", userAgent), ("Accept", "*/*")]
        for hh in h.httpHeaders ?? [] {
            headers.removeAll { $0.0.lowercased() == hh.name.lowercased() }
            headers.append((hh.name, hh.value))
        }
        var port2 = port
        for _ in 0...10 {
            let url = "\(https ? "https" : "http")://\(host.contains(":") ? "[\(host)]" : host):\(port2)\(path)"
            let r: HTTPGetClient.Response
            do {
                r = try http.get(host: host, port: port2, path: path, https: https, headers: headers, timeoutNanos: timeoutNanos)
            } catch {
                return .failure("Get \"\(url)\": \(error)")
            }
            if !checkStatus { return .success }
            if (300..<400).contains(r.status), let loc = r.header("Location") {
                // Same host: follow (up to 10). Another host: stop and count it as success with a warning.
                guard let next = Prober.parseLocation(loc, host: host, port: port2, https: https) else {
                    return .warning("Probe terminated redirects, Response body: \(String(decoding: r.body, as: UTF8.self))")
                }
                if next.host != host {
                    return .warning("Probe terminated redirects, Response body: \(String(decoding: r.body, as: UTF8.self))")
                }
                (host, port2, path, https) = (next.host, next.port, next.path, next.https)
                continue
            }
            if r.status >= 200 && r.status < 400 { return .success }
            return .failure("HTTP probe failed with statuscode: \(r.status)")
        }
        return .failure("stopped after 10 redirects")
    }

    static func parseLocation(_ loc: String, host: String, port: Int, https: Bool) -> (host: String, port: Int, path: String, https: Bool)? {
        if loc.hasPrefix("/") { return (host, port, loc, https) }
        for (prefix, tls, def) in [("http://", false, 80), ("https://", true, 443)] where loc.hasPrefix(prefix) {
            let rest = loc.dropFirst(prefix.count)
            let hostPart = rest.prefix { $0 != "/" }
            let path = rest.dropFirst(hostPart.count)
            var h = String(hostPart), p = def
            if let colon = hostPart.lastIndex(of: ":"), !hostPart.hasSuffix("]") {
                h = String(hostPart[..<colon])
                p = Int(hostPart[hostPart.index(after: colon)...]) ?? def
            }
            return (h, p, path.isEmpty ? "/" : String(path), tls)
        }
        return nil
    }

    /// `pkg/probe/tcp`: a connection that opens within the timeout is a success.
    func tcp(host: String, port: Int, timeoutNanos: Int64) -> ProbeOutcome {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICHOST
        var res: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &res) == 0, let ai = res else {
            return .failure("dial tcp \(host):\(port): invalid address")
        }
        defer { freeaddrinfo(res) }
        let fd = socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { return .failure("dial tcp \(host):\(port): \(errnoText(errno))") }
        defer { close(fd) }
        if connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) != 0 && errno != EINPROGRESS {
            return .failure("dial tcp \(host):\(port): connect: \(errnoText(errno).lowercased())")
        }
        var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let r = poll(&p, 1, Int32(timeoutNanos / 1_000_000))
        if r == 0 { return .failure("dial tcp \(host):\(port): i/o timeout") }
        var err: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
        if err != 0 { return .failure("dial tcp \(host):\(port): connect: \(errnoText(err).lowercased())") }
        return .success
    }

    /// Lifecycle hook handler (kubelet `pkg/kubelet/lifecycle/handlers.go`): exec without timeout unless bounded by
    /// the caller, httpGet whose status is not checked (HTTPS falling back to HTTP), sleep. tcpSocket is refused.
    public func runHook(_ h: LifecycleHandler, containerID: String, container: Container, podIP: String?,
                        timeoutNanos: Int64?) -> String? {
        if let e = h.exec {
            let r = exec(e.command ?? [], containerID: containerID, timeoutNanos: timeoutNanos)
            if case .failure(let msg) = r { return msg.isEmpty ? "command \(goQuoteArgs(e.command ?? [])) exited with an error" : msg }
            return nil
        }
        if let g = h.httpGet {
            let t = timeoutNanos ?? 30_000_000_000
            let r = httpGet(g, container: container, podIP: podIP, timeoutNanos: t, userAgent: "kube-lifecycle/\(Prober.userAgentVersion)",
                            checkStatus: false)
            if case .failure(let msg) = r {
                if (g.scheme ?? "").uppercased() == "HTTPS" {
                    var plain = g
                    plain.scheme = "HTTP"
                    if case .failure(let m2) = httpGet(plain, container: container, podIP: podIP, timeoutNanos: t,
                                                       userAgent: "kube-lifecycle/\(Prober.userAgentVersion)", checkStatus: false) {
                        return m2
                    }
                    return nil
                }
                return msg
            }
            return nil
        }
        if let s = h.sleep {
            var ns = s.seconds * 1_000_000_000
            if let t = timeoutNanos { ns = min(ns, t) }
            if ns > 0 { usleep(UInt32(min(ns / 1000, Int64(UInt32.max)))) }
            return nil
        }
        if h.tcpSocket != nil { return "invalid handler: tcpSocket is not supported for lifecycle hooks" }
        return "invalid handler"
    }

    func goQuoteArgs(_ a: [String]) -> String { "[" + a.joined(separator: " ") + "]" }
}
