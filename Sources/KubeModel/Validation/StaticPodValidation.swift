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
    /// `allowingCheckpointVolumes` ignores configMap/secret volumes and projected configMap/secret sources (bootlet
    /// serves them from node checkpoints); every other reference is still reported.
    public static func apiObjectReference(_ s: PodSpec, allowingCheckpointVolumes: Bool = false) -> String? {
        if !(s.serviceAccountName ?? "").isEmpty || !(s.serviceAccount ?? "").isEmpty { return "serviceaccounts" }
        let containers = (s.initContainers ?? []) + s.containers
        let env = containers.flatMap { $0.env ?? [] }
        let envFrom = containers.flatMap { $0.envFrom ?? [] }
        let volumes = s.volumes ?? []
        // VisitPodSecretNames: pull secrets, env, envFrom, and every volume source with a secret reference.
        let secretVolume = volumes.contains { v in
            (!allowingCheckpointVolumes && (v.secret != nil || (v.projected?.sources ?? []).contains { $0.secret != nil }))
                || v.azureFile != nil
                || [v.cephfs?["secretRef"], v.cinder?["secretRef"], v.flexVolume?["secretRef"], v.rbd?["secretRef"],
                    v.iscsi?["secretRef"], v.scaleIO?["secretRef"], v.storageos?["secretRef"],
                    v.csi?["nodePublishSecretRef"]].contains { $0 != nil && $0 != .null }
        }
        if !(s.imagePullSecrets ?? []).isEmpty || env.contains(where: { $0.valueFrom?.secretKeyRef != nil })
            || envFrom.contains(where: { $0.secretRef != nil }) || secretVolume
        {
            return "secrets"
        }
        let configMapVolume = !allowingCheckpointVolumes && volumes.contains { v in
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

struct Validator {
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
}
