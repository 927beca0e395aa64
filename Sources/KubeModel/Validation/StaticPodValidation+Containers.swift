/// Container-level checks of `ValidatePodCreate` (names, image, ports, env, mounts, resources, probes, hooks).
extension Validator {

    mutating func container(
        _ c: Container, _ p: String, pod: PodSpec, volumes: Set<String>, seen: inout Set<String>, isInit: Bool
    ) {
        if c.name.isEmpty { add("\(p).name", .required) } else {
            names("\(p).name", c.name, NameValidation.dns1123Label(c.name))
            if !seen.insert(c.name).inserted { add("\(p).name", .duplicate(q(c.name))) }
        }
        let image = c.image ?? ""
        if image.isEmpty { add("\(p).image", .required) } else if image.trimmingSpaces() != image {
            add("\(p).image", .invalid(q(image)), "must not have leading or trailing whitespace")
        }
        if let pp = c.imagePullPolicy, !StaticPodValidation.pullPolicies.contains(pp) {
            add("\(p).imagePullPolicy", .notSupported(q(pp), StaticPodValidation.pullPolicies))
        }
        if let tp = c.terminationMessagePolicy, !StaticPodValidation.terminationMessagePolicies.contains(tp) {
            add("\(p).terminationMessagePolicy", .notSupported(q(tp), StaticPodValidation.terminationMessagePolicies))
        }
        if let rp = c.restartPolicy {
            if !isInit {
                add("\(p).restartPolicy", .forbidden, "may not be set for non-init containers")
            } else if rp != "Always" {
                add("\(p).restartPolicy", .notSupported(q(rp), ["Always"]))
            }
        }
        let regularLike = !isInit || c.isSidecar
        if !regularLike {
            if c.livenessProbe != nil { add("\(p).livenessProbe", .forbidden, "may not be set for init containers without restartPolicy=Always") }
            if c.readinessProbe != nil { add("\(p).readinessProbe", .forbidden, "may not be set for init containers without restartPolicy=Always") }
            if c.startupProbe != nil { add("\(p).startupProbe", .forbidden, "may not be set for init containers without restartPolicy=Always") }
            if c.lifecycle != nil { add("\(p).lifecycle", .forbidden, "may not be set for init containers without restartPolicy=Always") }
        }
        ports(c, p, hostNetwork: pod.hostNetwork)
        env(c, p)
        mounts(c, p, volumes: volumes)
        resources(c.resources, "\(p).resources")
        probe(c.livenessProbe, "\(p).livenessProbe", mustSucceedOnce: true, allowGrace: true)
        probe(c.readinessProbe, "\(p).readinessProbe", mustSucceedOnce: false, allowGrace: false)
        probe(c.startupProbe, "\(p).startupProbe", mustSucceedOnce: true, allowGrace: true)
        if let lc = c.lifecycle {
            handler(lc.postStart, "\(p).lifecycle.postStart")
            handler(lc.preStop, "\(p).lifecycle.preStop")
        }
        if let sc = c.securityContext {
            idRange(sc.runAsUser, "\(p).securityContext.runAsUser")
            idRange(sc.runAsGroup, "\(p).securityContext.runAsGroup")
            if let pm = sc.procMount, !["Default", "Unmasked"].contains(pm) {
                add("\(p).securityContext.procMount", .notSupported(q(pm), ["Default", "Unmasked"]))
            }
            if sc.privileged == true, sc.allowPrivilegeEscalation == false {
                add("\(p).securityContext", .invalid("true"), "cannot set `allowPrivilegeEscalation` to false and `privileged` to true")
            }
            if sc.capabilities?.add?.contains("CAP_SYS_ADMIN") == true || sc.capabilities?.add?.contains("SYS_ADMIN") == true,
                sc.allowPrivilegeEscalation == false
            {
                add("\(p).securityContext", .invalid("false"), "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN")
            }
            seccomp(sc.seccompProfile, "\(p).securityContext.seccompProfile")
        }
    }

    mutating func ports(_ c: Container, _ p: String, hostNetwork: Bool) {
        var portNames = Set<String>()
        for (i, port) in (c.ports ?? []).enumerated() {
            let pp = "\(p).ports[\(i)]"
            if let n = port.name, !n.isEmpty {
                names("\(pp).name", n, NameValidation.ianaServiceName(n))
                if !portNames.insert(n).inserted { add("\(pp).name", .duplicate(q(n))) }
            }
            if port.containerPort < 1 || port.containerPort > 65535 {
                add("\(pp).containerPort", .invalid(String(port.containerPort)), "must be between 1 and 65535, inclusive")
            }
            if port.hostPort != 0, port.hostPort < 1 || port.hostPort > 65535 {
                add("\(pp).hostPort", .invalid(String(port.hostPort)), "must be between 1 and 65535, inclusive")
            }
            if hostNetwork, port.hostPort != port.containerPort {
                add("\(pp).hostPort", .invalid(String(port.hostPort)), "must match `containerPort` when `hostNetwork` is true")
            }
            if let proto = port.protocol, !StaticPodValidation.protocols.contains(proto) {
                add("\(pp).protocol", .notSupported(q(proto), StaticPodValidation.protocols))
            }
        }
    }

    mutating func env(_ c: Container, _ p: String) {
        for (i, e) in (c.env ?? []).enumerated() {
            let ep = "\(p).env[\(i)]"
            if e.name.isEmpty { add("\(ep).name", .required) } else { names("\(ep).name", e.name, NameValidation.envVarName(e.name)) }
            guard let from = e.valueFrom else { continue }
            var n = 0
            if let f = from.fieldRef {
                n += 1
                fieldRef(f, "\(ep).valueFrom.fieldRef", allowWhole: false)
            }
            if let r = from.resourceFieldRef {
                n += 1
                resourceFieldRef(r, "\(ep).valueFrom.resourceFieldRef")
            }
            if from.configMapKeyRef != nil { n += 1 }
            if from.secretKeyRef != nil { n += 1 }
            if from.fileKeyRef != nil { n += 1 }
            if n == 0 { add("\(ep).valueFrom", .invalid(""), "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`") }
            if n > 1 { add("\(ep).valueFrom", .invalid(""), "may not have more than one field specified at a time") }
            if !(e.value ?? "").isEmpty { add("\(ep).valueFrom", .invalid(""), "may not be specified when `value` is not empty") }
        }
        for (i, f) in (c.envFrom ?? []).enumerated() {
            let n = (f.configMapRef != nil ? 1 : 0) + (f.secretRef != nil ? 1 : 0)
            if n != 1 { add("\(p).envFrom[\(i)]", .invalid(""), "must specify one of: `configMapRef` or `secretRef`") }
            if let pre = f.prefix, !pre.isEmpty { names("\(p).envFrom[\(i)].prefix", pre, NameValidation.envVarName(pre)) }
        }
    }

    mutating func fieldRef(_ f: ObjectFieldSelector, _ p: String, allowWhole: Bool) {
        if f.fieldPath.isEmpty { add("\(p).fieldPath", .required); return }
        if (f.apiVersion ?? "v1") != "v1" { add("\(p).apiVersion", .notSupported(q(f.apiVersion ?? ""), ["v1"])) }
        if let (base, key) = DownwardAPI.splitSubscript(f.fieldPath) {
            if base != "metadata.labels" && base != "metadata.annotations" {
                add("\(p).fieldPath", .invalid(q(f.fieldPath)), "does not support subscript")
            } else {
                let problems = NameValidation.qualifiedName(base == "metadata.annotations" ? key.lowercased() : key)
                names("\(p).fieldPath", key, problems)
            }
            return
        }
        var supported = StaticPodValidation.fieldPaths
        if !allowWhole { supported.removeAll { $0 == "metadata.labels" || $0 == "metadata.annotations" } }
        if !supported.contains(f.fieldPath) { add("\(p).fieldPath", .notSupported(q(f.fieldPath), supported)) }
    }

    mutating func resourceFieldRef(_ r: ResourceFieldSelector, _ p: String) {
        if r.resource.isEmpty { add("\(p).resource", .required); return }
        if !StaticPodValidation.resourceFieldNames.contains(r.resource) && !r.resource.hasPrefix("limits.hugepages-")
            && !r.resource.hasPrefix("requests.hugepages-")
        {
            add("\(p).resource", .notSupported(q(r.resource), StaticPodValidation.resourceFieldNames))
        }
        if r.divisor.nanos < 0 { add("\(p).divisor", .invalid(q(r.divisor.description)), "must be greater than or equal to 0") }
    }

    mutating func downwardFile(_ f: DownwardAPIVolumeFile, _ p: String) {
        if f.path.isEmpty { add("\(p).path", .required) }
        if f.path.hasPrefix("/") { add("\(p).path", .invalid(q(f.path)), "must be a relative path") }
        if f.path.split(separator: "/").contains("..") { add("\(p).path", .invalid(q(f.path)), "must not contain '..'") }
        let n = (f.fieldRef != nil ? 1 : 0) + (f.resourceFieldRef != nil ? 1 : 0)
        if n != 1 { add(p, .invalid(""), "fieldRef and resourceFieldRef can not be specified simultaneously") }
        if let r = f.fieldRef { fieldRef(r, "\(p).fieldRef", allowWhole: true) }
        if let r = f.resourceFieldRef { resourceFieldRef(r, "\(p).resourceFieldRef") }
    }

    mutating func mounts(_ c: Container, _ p: String, volumes: Set<String>) {
        var paths = Set<String>()
        for (i, m) in (c.volumeMounts ?? []).enumerated() {
            let mp = "\(p).volumeMounts[\(i)]"
            if m.name.isEmpty { add("\(mp).name", .required) } else if !volumes.contains(m.name) {
                add("\(mp).name", .notFound(q(m.name)))
            }
            if m.mountPath.isEmpty { add("\(mp).mountPath", .required) } else if !paths.insert(m.mountPath).inserted {
                add("\(mp).mountPath", .invalid(q(m.mountPath)), "must be unique")
            }
            if let sp = m.subPath, !sp.isEmpty {
                if sp.hasPrefix("/") { add("\(mp).subPath", .invalid(q(sp)), "must be a relative path") }
                if sp.split(separator: "/").contains("..") { add("\(mp).subPath", .invalid(q(sp)), "must not contain '..'") }
            }
            if let se = m.subPathExpr, !se.isEmpty, !(m.subPath ?? "").isEmpty {
                add("\(mp).subPathExpr", .invalid(q(se)), "subPathExpr and subPath are mutually exclusive")
            }
            if let prop = m.mountPropagation, !["None", "HostToContainer", "Bidirectional"].contains(prop) {
                add("\(mp).mountPropagation", .notSupported(q(prop), ["Bidirectional", "HostToContainer", "None"]))
            }
            if m.mountPropagation == "Bidirectional", c.securityContext?.privileged != true {
                add("\(mp).mountPropagation", .forbidden, "Bidirectional mount propagation is available only to privileged containers")
            }
        }
    }

    mutating func resources(_ r: ResourceRequirements, _ p: String) {
        for (k, v) in (r.limits ?? [:]).sorted(by: { $0.key < $1.key }) {
            if v.nanos < 0 { add("\(p).limits[\(k)]", .invalid(q(v.description)), "must be greater than or equal to 0") }
        }
        for (k, v) in (r.requests ?? [:]).sorted(by: { $0.key < $1.key }) {
            if v.nanos < 0 { add("\(p).requests[\(k)]", .invalid(q(v.description)), "must be greater than or equal to 0") }
            if let l = r.limits?[k], v.nanos > l.nanos {
                add("\(p).requests", .invalid(q(v.description)), "must be less than or equal to \(k) limit of \(l.description)")
            }
        }
    }

    mutating func probe(_ probe: Probe?, _ p: String, mustSucceedOnce: Bool, allowGrace: Bool) {
        guard let probe else { return }
        if probe.handlerCount == 0 { add(p, .required, "must specify a handler type") }
        if probe.handlerCount > 1 { add(p, .forbidden, "may not specify more than 1 handler type") }
        for (name, v) in [
            ("initialDelaySeconds", probe.initialDelaySeconds), ("timeoutSeconds", probe.timeoutSeconds),
            ("periodSeconds", probe.periodSeconds), ("successThreshold", probe.successThreshold),
            ("failureThreshold", probe.failureThreshold),
        ] where v < 0 {
            add("\(p).\(name)", .invalid(String(v)), "must be greater than or equal to 0")
        }
        if mustSucceedOnce, probe.successThreshold != 1 {
            add("\(p).successThreshold", .invalid(String(probe.successThreshold)), "must be 1")
        }
        if let g = probe.terminationGracePeriodSeconds {
            if !allowGrace {
                add("\(p).terminationGracePeriodSeconds", .invalid(String(g)), "must not be set for readinessProbes")
            } else if g <= 0 {
                add("\(p).terminationGracePeriodSeconds", .invalid(String(g)), "must be greater than 0")
            }
        }
        if let h = probe.httpGet { httpGet(h, "\(p).httpGet") }
        if let t = probe.tcpSocket { portNumOrName(t.port, "\(p).tcpSocket.port") }
        if let g = probe.grpc, g.port < 1 || g.port > 65535 {
            add("\(p).grpc.port", .invalid(String(g.port)), "must be between 1 and 65535, inclusive")
        }
        if let e = probe.exec, (e.command ?? []).isEmpty { add("\(p).exec.command", .required) }
    }

    mutating func handler(_ h: LifecycleHandler?, _ p: String) {
        guard let h else { return }
        if h.handlerCount == 0 { add(p, .required, "must specify a handler type") }
        if h.handlerCount > 1 { add(p, .forbidden, "may not specify more than 1 handler type") }
        if let g = h.httpGet { httpGet(g, "\(p).httpGet") }
        if let t = h.tcpSocket { portNumOrName(t.port, "\(p).tcpSocket.port") }
        if let s = h.sleep, s.seconds < 0 { add("\(p).sleep.seconds", .invalid(String(s.seconds)), "must be non-negative") }
        if let e = h.exec, (e.command ?? []).isEmpty { add("\(p).exec.command", .required) }
    }

    mutating func httpGet(_ h: HTTPGetAction, _ p: String) {
        portNumOrName(h.port, "\(p).port")
        if let s = h.scheme, !["HTTP", "HTTPS"].contains(s) { add("\(p).scheme", .notSupported(q(s), ["HTTP", "HTTPS"])) }
    }

    mutating func portNumOrName(_ port: IntOrString, _ p: String) {
        switch port {
        case .int(let n):
            if n < 1 || n > 65535 { add(p, .invalid(String(n)), "must be between 1 and 65535, inclusive") }
        case .string(let s):
            if s.isEmpty { add(p, .required) } else { names(p, s, NameValidation.ianaServiceName(s)) }
        }
    }
}
