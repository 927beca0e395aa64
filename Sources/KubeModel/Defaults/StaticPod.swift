/// Turning manifest bytes into a static pod, following kubelet's file source (`pkg/kubelet/config/common.go`
/// `tryDecodeSinglePod` + `applyDefaults`, `config.go` annotations).
public enum StaticPod {
    /// kubelet's `maxConfigLength`: larger manifests are refused.
    public static let maxManifestSize = 10 * 1024 * 1024

    public static let configHashAnnotation = "kubernetes.io/config.hash"
    public static let configSourceAnnotation = "kubernetes.io/config.source"
    public static let configSeenAnnotation = "kubernetes.io/config.seen"
    public static let configMirrorAnnotation = "kubernetes.io/config.mirror"

    /// The outcome of decoding one manifest.
    public struct Decoded: Sendable, Equatable {
        public var pod: Pod
        /// Non-fatal findings: unknown fields (dropped, like kubelet), a mirror annotation in the manifest.
        public var warnings: [String]
    }

    public struct Options: Sendable {
        public var nodeName: String
        public var yaml: YAMLParser
        /// Run `StaticPodValidation` (kubelet always does).
        public var validate: Bool
        /// bootlet extension: accept configMap/secret/projected *volumes*, served from the node's checkpoint
        /// directories (kubelet refuses every API reference in a static pod; env references stay refused).
        public var allowCheckpointVolumes: Bool

        public init(nodeName: String, yaml: YAMLParser = YAMLParser(), validate: Bool = true, allowCheckpointVolumes: Bool = false) {
            self.nodeName = nodeName
            self.yaml = yaml
            self.validate = validate
            self.allowCheckpointVolumes = allowCheckpointVolumes
        }
    }

    /// Decodes, defaults and validates one manifest. `path` is the file path as the file source saw it
    /// (directory + "/" + name); it is hashed into the UID, like kubelet.
    public static func decode(_ bytes: [UInt8], path: String, options: Options) throws(ManifestError) -> Decoded {
        guard bytes.count <= maxManifestSize else {
            throw ManifestError(
                path: path, step: "read",
                message: "file is \(bytes.count) bytes, larger than the \(maxManifestSize)-byte limit for a manifest")
        }
        let doc: JSONValue
        do {
            doc = try options.yaml.parse(bytes)
        } catch {
            throw ManifestError(path: path, step: "convert YAML to JSON", message: error.description)
        }
        // json.Marshal refuses NaN/Inf, so kubelet fails the conversion for them.
        do {
            _ = try doc.jsonText()
        } catch {
            throw ManifestError(path: path, step: "convert YAML to JSON", message: error.description)
        }
        // Kubernetes quotes the JSON that ToJSON produced from a Go map, i.e. with sorted keys; built only for an
        // error message (serializing succeeded just above).
        try checkTypeMeta(doc, jsonText: (try? sortedKeys(doc).jsonText()) ?? "", path: path)

        var unknown: [String] = []
        var pod: Pod
        do {
            pod = try JSONValueDecoder().decode(Pod.self, from: doc, unknownFields: &unknown)
        } catch {
            throw ManifestError(path: path, step: "decode", message: error.description)
        }
        var warnings = unknown.map { "unknown field \"\($0)\"" }
        if pod.metadata.annotations?[configMirrorAnnotation] != nil {
            warnings.append("annotation \(configMirrorAnnotation) belongs to mirror pods and is ignored in a manifest")
        }
        guard let name = pod.metadata.name, !name.isEmpty else {
            throw ManifestError(path: path, step: "decode", message: "invalid pod: name is needed for the pod")
        }
        pod.applyV1Defaults()
        applyFileSourceDefaults(&pod, path: path, nodeName: options.nodeName)
        if options.validate {
            let errors = StaticPodValidation.validate(pod)
            if !errors.isEmpty {
                throw ManifestError(path: path, step: "validate", message: "invalid pod: " + FieldError.list(errors))
            }
            // PreventStaticPodAPIReferences runs after validation and reports the first reference only.
            if let resource = StaticPodValidation.apiObjectReference(pod.spec, allowingCheckpointVolumes: options.allowCheckpointVolumes) {
                throw ManifestError(path: path, step: "validate", message: "static pods may not reference \(resource)")
            }
        }
        return Decoded(pod: pod, warnings: warnings)
    }

    /// apiVersion/kind checks of Kubernetes' universal decoder, with its messages. The quoted document is cut
    /// at 256 characters (kubelet quotes all of it).
    static func checkTypeMeta(_ doc: JSONValue, jsonText: @autoclosure () -> String, path: String) throws(ManifestError) {
        var shown: String {
            let text = jsonText()
            return text.count > 256 ? String(text.prefix(256)) + "..." : text
        }
        guard case .object(let o) = doc else {
            if doc == .null {
                throw ManifestError(path: path, step: "decode", message: "Object 'Kind' is missing in '\(shown)'")
            }
            throw ManifestError(
                path: path, step: "decode",
                message: "couldn't get version/kind; json parse error: cannot unmarshal \(doc.goKind) into an object")
        }
        let kind: String
        switch o["kind"] {
        case .string(let s) where !s.isEmpty: kind = s
        case nil, .null, .string: throw ManifestError(path: path, step: "decode", message: "Object 'Kind' is missing in '\(shown)'")
        case .some(let v):
            throw ManifestError(
                path: path, step: "decode",
                message: "couldn't get version/kind; json parse error: cannot unmarshal \(v.goKind) into Go struct field .kind of type string")
        }
        let apiVersion: String
        switch o["apiVersion"] {
        case .string(let s) where !s.isEmpty: apiVersion = s
        case nil, .null, .string: throw ManifestError(path: path, step: "decode", message: "Object 'apiVersion' is missing in '\(shown)'")
        case .some(let v):
            throw ManifestError(
                path: path, step: "decode",
                message: "couldn't get version/kind; json parse error: cannot unmarshal \(v.goKind) into Go struct field .apiVersion of type string")
        }
        guard kind == "Pod" else {
            throw ManifestError(path: path, step: "decode", message: "invalid pod: kind is \"\(kind)\" (\(apiVersion)), a manifest must hold one v1 Pod")
        }
        guard apiVersion == "v1" else {
            throw ManifestError(path: path, step: "decode", message: "no kind \"Pod\" is registered for version \"\(apiVersion)\"")
        }
    }

    /// kubelet's `applyDefaults` for a file-sourced pod: UID (unless given), `<name>-<node>`, namespace, node
    /// name, `config.hash`, the NoExecute toleration and phase Pending.
    public static func applyFileSourceDefaults(_ pod: inout Pod, path: String, nodeName: String) {
        if (pod.metadata.uid ?? "").isEmpty { pod.metadata.uid = uid(for: pod, path: path, nodeName: nodeName) }
        let uid = pod.metadata.uid ?? ""
        pod.metadata.name = "\(pod.metadata.name ?? "")-\(nodeName.lowercased())"
        if (pod.metadata.namespace ?? "").isEmpty { pod.metadata.namespace = "default" }
        pod.spec.nodeName = nodeName
        var annotations = pod.metadata.annotations ?? [:]
        annotations[configHashAnnotation] = uid
        pod.metadata.annotations = annotations
        addOrUpdateToleration(&pod, Toleration(operator: "Exists", effect: "NoExecute"))
        var status = pod.status ?? PodStatus()
        status.phase = PodPhase.pending
        pod.status = status
    }

    /// Static pod UID: 32 hex digits of FNV-1a-128 over a canonical serialisation of the v1-defaulted pod
    /// (before the name rewrite), then `host:<node>` and `file:<path>` — the same inputs and hash as kubelet.
    ///
    /// kubelet hashes go-spew's dump of its internal Go struct, which cannot be reproduced outside Go, so the
    /// canonical form here is the pod's JSON with keys sorted at every level. It keeps kubelet's properties:
    /// whitespace, comments, key order and YAML↔JSON rewrites do not change the UID; any decoded change,
    /// another node name or another path does. A manifest that sets `metadata.uid` keeps it verbatim.
    public static func uid(for pod: Pod, path: String, nodeName: String) -> String {
        var h = FNV128a()
        h.update(canonicalJSON(pod))
        h.update("host:\(nodeName)")
        h.update("file:\(path)")
        return h.hexDigest
    }

    /// Compact JSON of the encoded pod with object keys sorted recursively.
    public static func canonicalJSON(_ pod: Pod) -> String {
        guard let v = try? JSONValueEncoder().encode(pod) else { return "" }
        return (try? sortedKeys(v).jsonText()) ?? ""
    }

    static func sortedKeys(_ v: JSONValue) -> JSONValue {
        switch v {
        case .array(let a): return .array(a.map(sortedKeys))
        case .object(let o):
            var out = JSONObject()
            for k in o.keys.sorted() { out[k] = sortedKeys(o[k] ?? .null) }
            return .object(out)
        default: return v
        }
    }

    /// `helper.AddOrUpdateTolerationInPod`: an existing toleration with the same key, operator, value and
    /// effect is replaced; otherwise the toleration is appended.
    static func addOrUpdateToleration(_ pod: inout Pod, _ t: Toleration) {
        var list = pod.spec.tolerations ?? []
        func norm(_ s: String?) -> String { s ?? "" }
        if let i = list.firstIndex(where: {
            norm($0.key) == norm(t.key) && norm($0.effect) == norm(t.effect)
                && norm($0.operator) == norm(t.operator) && norm($0.value) == norm(t.value)
        }) {
            list[i] = t
        } else {
            list.append(t)
        }
        pod.spec.tolerations = list
    }

    /// The config-mux annotations: `config.source` and `config.seen` (first time this UID was seen, formatted
    /// RFC3339NanoFixed with nine fractional digits).
    public static func annotateSource(_ pod: inout Pod, source: String = "file", seen: KubeTime, utcOffsetSeconds: Int = 0) {
        var a = pod.metadata.annotations ?? [:]
        a[configSourceAnnotation] = source
        a[configSeenAnnotation] = seen.rfc3339NanoFixed(utcOffsetSeconds: utcOffsetSeconds)
        pod.metadata.annotations = a
    }

    /// kubelet's `IsStaticPod`: a config source annotation other than `api`.
    public static func isStatic(_ pod: Pod) -> Bool {
        guard let s = pod.metadata.annotations?[configSourceAnnotation] else { return false }
        return s != "api"
    }
}
