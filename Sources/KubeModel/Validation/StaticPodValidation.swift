/// The parts of `ValidatePodCreate` (`pkg/apis/core/validation/validation.go`) that matter for a static pod,
/// plus the `PreventStaticPodAPIReferences` rejections. Runs after `applyFileSourceDefaults`, so the name checked
/// is `<name>-<node>`. Messages follow `field.Error`.
public enum StaticPodValidation {
    public static func validate(_ pod: Pod) -> [FieldError] {
        var v = Validator()
        v.meta(pod.metadata)
        v.spec(pod.spec)
        return v.errors
    }

    /// `podutil.HasAPIObjectReference`: the plural resource of the first API object the pod refers to, with
    /// upstream's wording (checked in this order: service account, Secrets anywhere, ConfigMaps anywhere,
    /// resource claims, then volume by volume). nil when the pod is self-contained.
    public static func apiObjectReference(_ s: PodSpec) -> String? {
        if !(s.serviceAccountName ?? "").isEmpty || !(s.serviceAccount ?? "").isEmpty { return "serviceaccounts" }
        let containers = (s.initContainers ?? []) + s.containers
        let env = containers.flatMap { $0.env ?? [] }
        let envFrom = containers.flatMap { $0.envFrom ?? [] }
        let volumes = s.volumes ?? []
        // VisitPodSecretNames: pull secrets, env, envFrom, and every volume source with a secret reference.
        let secretVolume = volumes.contains { v in
            v.secret != nil || v.azureFile != nil
                || (v.projected?.sources ?? []).contains { $0.secret != nil }
                || [v.cephfs?["secretRef"], v.cinder?["secretRef"], v.flexVolume?["secretRef"], v.rbd?["secretRef"],
                    v.iscsi?["secretRef"], v.scaleIO?["secretRef"], v.storageos?["secretRef"],
                    v.csi?["nodePublishSecretRef"]].contains { $0 != nil && $0 != .null }
        }
        if !(s.imagePullSecrets ?? []).isEmpty || env.contains(where: { $0.valueFrom?.secretKeyRef != nil })
            || envFrom.contains(where: { $0.secretRef != nil }) || secretVolume
        {
            return "secrets"
        }
        let configMapVolume = volumes.contains { v in
            v.configMap != nil || (v.projected?.sources ?? []).contains { $0.configMap != nil }
        }
        if env.contains(where: { $0.valueFrom?.configMapKeyRef != nil }) || envFrom.contains(where: { $0.configMapRef != nil })
            || configMapVolume
        {
            return "configmaps"
        }
        if !(s.resourceClaims ?? []).isEmpty { return "resourceclaims" }
        for v in volumes {
            if v.csi != nil { return "csidrivers (via CSI volumes)" }
            if v.glusterfs != nil { return "endpoints (via glusterFS volumes)" }
            if v.persistentVolumeClaim != nil { return "persistentvolumeclaims" }
            if v.ephemeral != nil { return "persistentvolumeclaims (via ephemeral volumes)" }
            for src in v.projected?.sources ?? [] {
                if src.serviceAccountToken != nil { return "serviceaccounts (via projected volumes)" }
                if src.clusterTrustBundle != nil { return "clustertrustbundles" }
                if src.podCertificate != nil { return "podcertificates" }
            }
        }
        return nil
    }

    static let restartPolicies = ["Always", "OnFailure", "Never"]
    static let dnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
    static let protocols = ["SCTP", "TCP", "UDP"]
    static let pullPolicies = ["Always", "IfNotPresent", "Never"]
    static let terminationMessagePolicies = ["File", "FallbackToLogsOnError"]
    static let hostPathTypes = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"]
    static let fieldPaths = [
        "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid",
        "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
    ]
    static let resourceFieldNames = ["limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"]
}

private struct Validator {
    var errors: [FieldError] = []

    mutating func add(_ path: String, _ kind: FieldError.Kind, _ detail: String = "") {
        errors.append(FieldError(path, kind, detail))
    }

    mutating func names(_ path: String, _ value: String, _ problems: [String]) {
        for p in problems { add(path, .invalid(q(value)), p) }
    }

    // MARK: metadata

    mutating func meta(_ m: ObjectMeta) {
        let name = m.name ?? ""
        if name.isEmpty { add("metadata.name", .required, "name or generateName is required") } else {
            names("metadata.name", name, NameValidation.dns1123Subdomain(name))
        }
        let ns = m.namespace ?? ""
        if ns.isEmpty { add("metadata.namespace", .required) } else {
            names("metadata.namespace", ns, NameValidation.dns1123Label(ns))
        }
        for (k, val) in (m.labels ?? [:]).sorted(by: { $0.key < $1.key }) {
            names("metadata.labels", k, NameValidation.qualifiedName(k))
            names("metadata.labels", val, NameValidation.labelValue(val))
        }
        var total = 0
        for (k, val) in (m.annotations ?? [:]).sorted(by: { $0.key < $1.key }) {
            names("metadata.annotations", k, NameValidation.qualifiedName(k.lowercased()))
            total += k.utf8.count + val.utf8.count
        }
        if total > 256 * 1024 { add("metadata.annotations", .tooLong("", 256 * 1024)) }
    }

    // MARK: spec

    mutating func spec(_ s: PodSpec) {
        // Volumes: names unique DNS labels, exactly one source each.
        var volumeNames = Set<String>()
        for (i, vol) in (s.volumes ?? []).enumerated() {
            let p = "spec.volumes[\(i)]"
            if vol.name.isEmpty { add("\(p).name", .required) } else {
                names("\(p).name", vol.name, NameValidation.dns1123Label(vol.name))
                if !volumeNames.insert(vol.name).inserted { add("\(p).name", .duplicate(q(vol.name))) }
            }
            let kinds = vol.sourceKinds
            if kinds.isEmpty { add(p, .required, "must specify a volume type") }
            if kinds.count > 1 { add("\(p).\(kinds[1])", .forbidden, "may not specify more than 1 volume type") }
            if let h = vol.hostPath {
                if h.path.isEmpty { add("\(p).hostPath.path", .required) }
                if let t = h.type, !StaticPodValidation.hostPathTypes.contains(t) {
                    add("\(p).hostPath.type", .notSupported(q(t), StaticPodValidation.hostPathTypes))
                }
            }
            if let e = vol.emptyDir {
                if let m = e.medium, !["", "Memory"].contains(m), !m.hasPrefix("HugePages") {
                    add("\(p).emptyDir.medium", .notSupported(q(m), ["", "Memory", "HugePages"]))
                }
                if let l = e.sizeLimit, l.nanos < 0 { add("\(p).emptyDir.sizeLimit", .invalid(q(l.description)), "must be greater than or equal to 0") }
            }
            for (j, f) in (vol.downwardAPI?.items ?? []).enumerated() {
                downwardFile(f, "\(p).downwardAPI.items[\(j)]")
            }
        }

        var containerNames = Set<String>()
        if s.containers.isEmpty { add("spec.containers", .required) }
        for (i, c) in (s.initContainers ?? []).enumerated() {
            container(c, "spec.initContainers[\(i)]", pod: s, volumes: volumeNames, seen: &containerNames, isInit: true)
        }
        for (i, c) in s.containers.enumerated() {
            container(c, "spec.containers[\(i)]", pod: s, volumes: volumeNames, seen: &containerNames, isInit: false)
        }

        if let r = s.restartPolicy, !StaticPodValidation.restartPolicies.contains(r) {
            add("spec.restartPolicy", .notSupported(q(r), StaticPodValidation.restartPolicies))
        }
        if let d = s.dnsPolicy, !StaticPodValidation.dnsPolicies.contains(d) {
            add("spec.dnsPolicy", .notSupported(q(d), StaticPodValidation.dnsPolicies))
        }
        if s.dnsPolicy == "None", (s.dnsConfig?.nameservers ?? []).isEmpty {
            if s.dnsConfig == nil {
                add("spec.dnsConfig", .required, "must provide `dnsConfig` when `dnsPolicy` is None")
            } else {
                add("spec.dnsConfig.nameservers", .required, "must provide at least one DNS nameserver when `dnsPolicy` is None")
            }
        }
        if let dc = s.dnsConfig {
            let ns = dc.nameservers ?? []
            if ns.count > 3 { add("spec.dnsConfig.nameservers", .invalid(q(ns.joined(separator: " "))), "must not have more than 3 nameservers") }
            for (i, n) in ns.enumerated() where !isIP(n) { add("spec.dnsConfig.nameservers[\(i)]", .invalid(q(n)), "must be a valid IP address") }
            let searches = dc.searches ?? []
            if searches.count > 32 { add("spec.dnsConfig.searches", .invalid(q(searches.joined(separator: " "))), "must not have more than 32 search paths") }
            if searches.joined(separator: " ").utf8.count > 2048 {
                add("spec.dnsConfig.searches", .invalid(q(searches.joined(separator: " "))), "must not have more than 2048 characters (including spaces) in the search list")
            }
            for (i, sd) in searches.enumerated() {
                let trimmed = sd.hasSuffix(".") ? String(sd.dropLast()) : sd
                if trimmed.isEmpty && sd == "." { continue }
                names("spec.dnsConfig.searches[\(i)]", sd, NameValidation.dns1123Subdomain(trimmed))
            }
            for (i, o) in (dc.options ?? []).enumerated() where (o.name ?? "").isEmpty {
                add("spec.dnsConfig.options[\(i)]", .required, "Option.Name must not be empty")
            }
        }
        if let h = s.hostname, !h.isEmpty { names("spec.hostname", h, NameValidation.dns1123Label(h)) }
        if let sd = s.subdomain, !sd.isEmpty { names("spec.subdomain", sd, NameValidation.dns1123Label(sd)) }
        if let g = s.terminationGracePeriodSeconds, g < 0 {
            add("spec.terminationGracePeriodSeconds", .invalid(String(g)), "must be greater than or equal to 0")
        }
        if let a = s.activeDeadlineSeconds, a < 1 || a > Int64(Int32.max) {
            add("spec.activeDeadlineSeconds", .invalid(String(a)), "must be between 1 and 2147483647, inclusive")
        }
        if s.shareProcessNamespace == true, s.hostPID {
            add("spec.securityContext.shareProcessNamespace", .invalid("true"), "ShareProcessNamespace and HostPID cannot both be enabled")
        }
        for (i, t) in (s.tolerations ?? []).enumerated() { toleration(t, "spec.tolerations[\(i)]") }
        for (i, a) in (s.hostAliases ?? []).enumerated() {
            if !isIP(a.ip) { add("spec.hostAliases[\(i)].ip", .invalid(q(a.ip)), "must be a valid IP address") }
            for (j, h) in (a.hostnames ?? []).enumerated() {
                names("spec.hostAliases[\(i)].hostnames[\(j)]", h, NameValidation.dns1123Subdomain(h))
            }
        }
        if let sc = s.securityContext { podSecurity(sc) }
    }

    mutating func podSecurity(_ sc: PodSecurityContext) {
        let p = "spec.securityContext"
        idRange(sc.runAsUser, "\(p).runAsUser")
        idRange(sc.runAsGroup, "\(p).runAsGroup")
        idRange(sc.fsGroup, "\(p).fsGroup")
        for (i, g) in (sc.supplementalGroups ?? []).enumerated() { idRange(g, "\(p).supplementalGroups[\(i)]") }
        var seen = Set<String>()
        for (i, s) in (sc.sysctls ?? []).enumerated() {
            if s.name.isEmpty { add("\(p).sysctls[\(i)].name", .required); continue }
            if !NameValidation.isSysctlName(s.name) {
                add("\(p).sysctls[\(i)].name", .invalid(q(s.name)),
                    "must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$")
            }
            if !seen.insert(SysctlPolicy.normalize(s.name)).inserted { add("\(p).sysctls[\(i)].name", .duplicate(q(s.name))) }
        }
        seccomp(sc.seccompProfile, "\(p).seccompProfile")
    }

    mutating func idRange(_ v: Int64?, _ path: String) {
        if let v, v < 0 || v > Int64(Int32.max) { add(path, .invalid(String(v)), "must be between 0 and 2147483647, inclusive") }
    }

    mutating func seccomp(_ sp: SeccompProfile?, _ p: String) {
        guard let sp else { return }
        switch sp.type {
        case "RuntimeDefault", "Unconfined":
            if sp.localhostProfile != nil { add("\(p).localhostProfile", .invalid(q(sp.localhostProfile ?? "")), "can only be set if type is \"Localhost\"") }
        case "Localhost":
            if (sp.localhostProfile ?? "").isEmpty { add("\(p).localhostProfile", .required, "must be set when seccomp type is Localhost") }
        default:
            add("\(p).type", .notSupported(q(sp.type), ["Localhost", "RuntimeDefault", "Unconfined"]))
        }
    }

    mutating func toleration(_ t: Toleration, _ p: String) {
        let op = t.operator ?? ""
        switch op {
        case "Exists":
            if !(t.value ?? "").isEmpty { add("\(p).operator", .invalid(q(t.value ?? "")), "value must be empty when `operator` is 'Exists'") }
        case "Equal", "":
            if (t.key ?? "").isEmpty { add("\(p).operator", .invalid(q(op)), "operator must be Exists when `key` is empty, which means \"match all values and all keys\"") }
        default:
            add("\(p).operator", .notSupported(q(op), ["Equal", "Exists"]))
        }
        if let e = t.effect, !["", "NoSchedule", "PreferNoSchedule", "NoExecute"].contains(e) {
            add("\(p).effect", .notSupported(q(e), ["NoExecute", "NoSchedule", "PreferNoSchedule"]))
        }
        if t.tolerationSeconds != nil, t.effect != "NoExecute" {
            add("\(p).effect", .invalid(q(t.effect ?? "")), "effect must be 'NoExecute' when `tolerationSeconds` is set")
        }
    }

    // MARK: containers

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

/// IPv4 dotted quad or IPv6 text form.
func isIP(_ s: String) -> Bool { isIPv4(s) || isIPv6(s) }

func isIPv4(_ s: String) -> Bool {
    let parts = s.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 4 else { return false }
    return parts.allSatisfy { p in
        !p.isEmpty && p.count <= 3 && p.allSatisfy { $0.isASCII && $0.isNumber } && (Int(p) ?? 256) <= 255
            && !(p.count > 1 && p.first == "0")
    }
}

func isIPv6(_ s: String) -> Bool {
    guard s.contains(":"), !s.contains(":::") else { return false }
    var text = Substring(s)
    var groupsNeeded = 8
    if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
        guard isIPv4(String(text[text.index(after: lastColon)...])) else { return false }
        text = text[...lastColon] + "0"
        groupsNeeded = 7
    }
    let doubles = text.components(separatedByDoubleColon: ())
    if doubles.count > 2 { return false }
    let groups = doubles.flatMap { $0.isEmpty ? [] : $0.split(separator: ":", omittingEmptySubsequences: false) }
    guard groups.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isHexDigit) }) else { return false }
    return doubles.count == 2 ? groups.count < groupsNeeded : groups.count == groupsNeeded
}

extension Substring {
    fileprivate func components(separatedByDoubleColon _: ()) -> [Substring] {
        guard let r = range(of: "::") else { return [self] }
        let rest = self[r.upperBound...]
        if rest.contains("::") { return [self[..<r.lowerBound], rest, ""] }
        return [self[..<r.lowerBound], rest]
    }

    fileprivate func range(of needle: String) -> Range<Index>? {
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(needle) { return i..<index(i, offsetBy: needle.count) }
            i = index(after: i)
        }
        return nil
    }
}
