/// The v1 defaulting that Kubernetes' decoder applies to every Pod (`pkg/apis/core/v1/defaults.go`), so a static
/// pod looks exactly like what kubelet serves: `restartPolicy: Always`, `dnsPolicy: ClusterFirst`,
/// `terminationGracePeriodSeconds: 30`, `schedulerName: default-scheduler`, `enableServiceLinks: true`,
/// `securityContext: {}`, container termination-message and pull-policy defaults, probe timings, port protocol,
/// volume modes, and requests copied from limits.
extension Pod {
    public mutating func applyV1Defaults() {
        // SetDefaults_Pod: requests default to limits for every resource that has no request.
        spec.containers = spec.containers.map(Pod.defaultedContainer)
        spec.initContainers = spec.initContainers?.map(Pod.defaultedContainer)
        if spec.enableServiceLinks == nil { spec.enableServiceLinks = true }
        if spec.hostNetwork {
            // defaultHostNetworkPorts: with the host network a port is also a host port.
            for i in spec.containers.indices { Pod.defaultHostPorts(&spec.containers[i]) }
            if var inits = spec.initContainers {
                for i in inits.indices { Pod.defaultHostPorts(&inits[i]) }
                spec.initContainers = inits
            }
        }
        // SetDefaults_PodSpec
        if (spec.dnsPolicy ?? "").isEmpty { spec.dnsPolicy = "ClusterFirst" }
        if (spec.restartPolicy ?? "").isEmpty { spec.restartPolicy = "Always" }
        if spec.securityContext == nil { spec.securityContext = PodSecurityContext() }
        if spec.terminationGracePeriodSeconds == nil { spec.terminationGracePeriodSeconds = 30 }
        if (spec.schedulerName ?? "").isEmpty { spec.schedulerName = "default-scheduler" }
        // SetDefaults_Volume and the per-source defaults.
        if let volumes = spec.volumes { spec.volumes = volumes.map(Pod.defaultedVolume) }
    }

    static func defaultHostPorts(_ c: inout Container) {
        guard var ports = c.ports else { return }
        for i in ports.indices where ports[i].hostPort == 0 { ports[i].hostPort = ports[i].containerPort }
        c.ports = ports
    }

    static func defaultedContainer(_ c0: Container) -> Container {
        var c = c0
        if let limits = c.resources.limits {
            var requests = c.resources.requests ?? [:]
            for (k, v) in limits where requests[k] == nil { requests[k] = v }
            c.resources.requests = requests
        }
        c.resources.limits = c.resources.limits.map(roundedToMilli)
        c.resources.requests = c.resources.requests.map(roundedToMilli)
        if (c.imagePullPolicy ?? "").isEmpty { c.imagePullPolicy = defaultPullPolicy(image: c.image ?? "") }
        if (c.terminationMessagePath ?? "").isEmpty { c.terminationMessagePath = "/dev/termination-log" }
        if (c.terminationMessagePolicy ?? "").isEmpty { c.terminationMessagePolicy = "File" }
        if var ports = c.ports {
            for i in ports.indices where (ports[i].protocol ?? "").isEmpty { ports[i].protocol = "TCP" }
            c.ports = ports
        }
        c.livenessProbe = c.livenessProbe.map(defaultedProbe)
        c.readinessProbe = c.readinessProbe.map(defaultedProbe)
        c.startupProbe = c.startupProbe.map(defaultedProbe)
        if var lc = c.lifecycle {
            if let h = lc.postStart?.httpGet { lc.postStart?.httpGet = defaultedHTTPGet(h) }
            if let h = lc.preStop?.httpGet { lc.preStop?.httpGet = defaultedHTTPGet(h) }
            c.lifecycle = lc
        }
        if var env = c.env {
            for i in env.indices {
                if var f = env[i].valueFrom?.fieldRef, (f.apiVersion ?? "").isEmpty {
                    f.apiVersion = "v1"
                    env[i].valueFrom?.fieldRef = f
                }
            }
            c.env = env
        }
        return c
    }

    /// SetDefaults_ResourceList: values are rounded up to milli precision.
    static func roundedToMilli(_ list: [String: Quantity]) -> [String: Quantity] {
        list.mapValues { q in
            let step = Int128(1_000_000)
            let r = q.nanos % step
            guard r != 0 else { return q }
            let n = q.nanos > 0 ? q.nanos - r + step : q.nanos - r
            return Quantity(nanos: n, format: q.format)
        }
    }

    /// `Always` for `:latest` or untagged images, else `IfNotPresent` (a digest pins the image).
    public static func defaultPullPolicy(image: String) -> String {
        if image.contains("@") { return "IfNotPresent" }
        let lastComponent = image.split(separator: "/").last.map(String.init) ?? image
        guard let colon = lastComponent.lastIndex(of: ":") else { return "Always" }
        let tag = lastComponent[lastComponent.index(after: colon)...]
        return tag == "latest" ? "Always" : "IfNotPresent"
    }

    static func defaultedProbe(_ p0: Probe) -> Probe {
        var p = p0
        if p.timeoutSeconds == 0 { p.timeoutSeconds = 1 }
        if p.periodSeconds == 0 { p.periodSeconds = 10 }
        if p.successThreshold == 0 { p.successThreshold = 1 }
        if p.failureThreshold == 0 { p.failureThreshold = 3 }
        p.httpGet = p.httpGet.map(defaultedHTTPGet)
        return p
    }

    static func defaultedHTTPGet(_ h0: HTTPGetAction) -> HTTPGetAction {
        var h = h0
        if (h.path ?? "").isEmpty { h.path = "/" }
        if (h.scheme ?? "").isEmpty { h.scheme = "HTTP" }
        return h
    }

    static func defaultedVolume(_ v0: Volume) -> Volume {
        var v = v0
        if v.sourceKinds.isEmpty { v.emptyDir = EmptyDirVolumeSource() }
        if var h = v.hostPath, h.type == nil {
            h.type = ""
            v.hostPath = h
        }
        let mode: Int32 = 0o644
        if v.secret != nil, v.secret?.defaultMode == nil { v.secret?.defaultMode = mode }
        if v.configMap != nil, v.configMap?.defaultMode == nil { v.configMap?.defaultMode = mode }
        if v.downwardAPI != nil, v.downwardAPI?.defaultMode == nil { v.downwardAPI?.defaultMode = mode }
        if v.projected != nil, v.projected?.defaultMode == nil { v.projected?.defaultMode = mode }
        if var d = v.downwardAPI, let items = d.items {
            d.items = items.map(defaultedDownwardFile)
            v.downwardAPI = d
        }
        if var p = v.projected, var sources = p.sources {
            for i in sources.indices {
                if var d = sources[i].downwardAPI, let items = d.items {
                    d.items = items.map(defaultedDownwardFile)
                    sources[i].downwardAPI = d
                }
            }
            p.sources = sources
            v.projected = p
        }
        return v
    }

    static func defaultedDownwardFile(_ f0: DownwardAPIVolumeFile) -> DownwardAPIVolumeFile {
        var f = f0
        if var r = f.fieldRef, (r.apiVersion ?? "").isEmpty {
            r.apiVersion = "v1"
            f.fieldRef = r
        }
        return f
    }
}
