import Testing

@testable import KubeModel

@Suite struct StaticPodValidationTests {
    func message(_ text: String, node: String = "anchor-node") -> String {
        do {
            _ = try decodePod(text, node: node)
            return "<no error>"
        } catch {
            return "\(error)"
        }
    }

    let prefix = "static pod manifest /etc/kubernetes/manifests/pod.yaml: "

    @Test func malformedYAML() {
        #expect(message("kind: Pod\nmetadata: {name: x\n").hasPrefix(prefix + "convert YAML to JSON: yaml: line "))
    }

    @Test func missingKindAndApiVersion() {
        #expect(message("apiVersion: v1\nmetadata: {name: x}\n") == prefix + #"decode: Object 'Kind' is missing in '{"apiVersion":"v1","metadata":{"name":"x"}}'"#)
        #expect(message("") == prefix + "decode: Object 'Kind' is missing in 'null'")
        #expect(message("kind: Pod\nmetadata: {name: x}\n") == prefix + #"decode: Object 'apiVersion' is missing in '{"kind":"Pod","metadata":{"name":"x"}}'"#)
        // The quoted JSON has sorted keys, as Go's json.Marshal of a map.
        #expect(message("metadata: {name: x}\napiVersion: v1\n") == prefix + #"decode: Object 'Kind' is missing in '{"apiVersion":"v1","metadata":{"name":"x"}}'"#)
    }

    @Test func wrongKindOrVersion() {
        #expect(message("apiVersion: v1\nkind: Service\nmetadata: {name: x}\n").contains("invalid pod: kind is \"Service\""))
        #expect(message("apiVersion: apps/v1\nkind: Pod\nmetadata: {name: x}\n") == prefix + "decode: no kind \"Pod\" is registered for version \"apps/v1\"")
    }

    @Test func missingName() {
        #expect(message("apiVersion: v1\nkind: Pod\nspec: {containers: [{name: a, image: b}]}\n") == prefix + "decode: invalid pod: name is needed for the pod")
    }

    @Test func badNames() {
        #expect(message(manifest(name: "Web_1")).contains(#"metadata.name: Invalid value: "Web_1-anchor-node": a lowercase RFC 1123 subdomain must consist of"#))
        let long = String(repeating: "a", count: 250)
        #expect(message(manifest(name: long)).contains("metadata.name: Invalid value: \"\(long)-anchor-node\": must be no more than 253 characters"))
        #expect(message(manifest(name: "ok"), node: "bad_node").contains("metadata.name: Invalid value: \"ok-bad_node\""))
    }

    @Test func duplicateContainers() {
        let text = manifest(container: "  - name: app\n    image: other:1\n")
        #expect(message(text) == prefix + #"validate: invalid pod: [spec.containers[1].name: Duplicate value: "app"]"#)
    }

    @Test func imageRequiredAndPorts() {
        let text = """
            apiVersion: v1
            kind: Pod
            metadata: {name: x}
            spec:
              containers:
              - name: a
                ports: [{containerPort: 70000, protocol: FOO}]
            """
        #expect(message(text) == prefix + #"validate: invalid pod: [spec.containers[0].image: Required value spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive spec.containers[0].ports[0].protocol: Unsupported value: "FOO": supported values: "SCTP", "TCP", "UDP"]"#)
    }

    @Test func apiReferencesAreRejected() {
        func rejected(_ text: String) -> String { message(text).replacingFirst(prefix + "validate: ", with: "") }
        #expect(rejected(manifest(container: "    env: [{name: P, valueFrom: {secretKeyRef: {name: s, key: k}}}]\n")) == "static pods may not reference secrets")
        #expect(rejected(manifest(spec: "  volumes: [{name: s, secret: {secretName: x}}]\n")) == "static pods may not reference secrets")
        #expect(rejected(manifest(spec: "  imagePullSecrets: [{name: reg}]\n")) == "static pods may not reference secrets")
        #expect(rejected(manifest(spec: "  volumes: [{name: c, configMap: {name: x}}]\n")) == "static pods may not reference configmaps")
        #expect(rejected(manifest(container: "    envFrom: [{configMapRef: {name: x}}]\n")) == "static pods may not reference configmaps")
        #expect(rejected(manifest(spec: "  serviceAccountName: default\n")) == "static pods may not reference serviceaccounts")
        #expect(rejected(manifest(spec: "  volumes: [{name: c, persistentVolumeClaim: {claimName: x}}]\n")) == "static pods may not reference persistentvolumeclaims")
        #expect(rejected(manifest(spec: "  volumes: [{name: c, csi: {driver: d}}]\n")) == "static pods may not reference csidrivers (via CSI volumes)")
        #expect(rejected(manifest(spec: "  volumes: [{name: c, projected: {sources: [{serviceAccountToken: {path: t}}]}}]\n")) == "static pods may not reference serviceaccounts (via projected volumes)")
        // The service account wins over a secret, as upstream checks it first.
        #expect(rejected(manifest(spec: "  serviceAccountName: sa\n  imagePullSecrets: [{name: reg}]\n")) == "static pods may not reference serviceaccounts")
        // Projected downwardAPI alone and in-tree network volumes are allowed.
        let ok = manifest(spec: "  volumes: [{name: c, projected: {sources: [{downwardAPI: {items: [{path: podname, fieldRef: {fieldPath: metadata.name}}]}}]}}, {name: nf, nfs: {server: s, path: /x}}]\n")
        #expect(message(ok) == "<no error>")
        // Validation errors are reported first.
        #expect(message(manifest(name: "Bad", spec: "  serviceAccountName: sa\n")).contains("invalid pod: [metadata.name"))
    }

    @Test func unmodelledVolumeSourcesStillCountAsASource() throws {
        let pod = try decodePod(manifest(spec: "  volumes: [{name: g, gcePersistentDisk: {pdName: p}}]\n")).pod
        #expect(pod.spec.volumes?[0].emptyDir == nil)
        #expect(pod.spec.volumes?[0].sourceKinds == ["gcePersistentDisk"])
    }

    @Test func twentyMiBFileIsRefused() {
        let big = [UInt8](repeating: UInt8(ascii: "#"), count: 20 * 1024 * 1024)
        #expect {
            try StaticPod.decode(big, path: "/m/big.yaml", options: .init(nodeName: "n"))
        } throws: { "\($0)" == "static pod manifest /m/big.yaml: read: file is 20971520 bytes, larger than the 10485760-byte limit for a manifest" }
    }

    @Test func mountsProbesResourcesPolicies() {
        #expect(message(manifest(container: "    volumeMounts: [{name: data, mountPath: /d}]\n")).endsWithFieldError(#"spec.containers[0].volumeMounts[0].name: Not found: "data""#))
        #expect(message(manifest(container: "    livenessProbe: {periodSeconds: 3}\n")).endsWithFieldError("spec.containers[0].livenessProbe: Required value: must specify a handler type"))
        #expect(message(manifest(container: "    livenessProbe: {exec: {command: [x]}, tcpSocket: {port: 1}}\n")).endsWithFieldError("spec.containers[0].livenessProbe: Forbidden: may not specify more than 1 handler type"))
        #expect(message(manifest(container: "    startupProbe: {exec: {command: [x]}, successThreshold: 2}\n")).endsWithFieldError("spec.containers[0].startupProbe.successThreshold: Invalid value: 2: must be 1"))
        #expect(message(manifest(container: "    readinessProbe: {exec: {command: [x]}, successThreshold: 2}\n")) == "<no error>")
        #expect(message(manifest(container: "    resources: {limits: {cpu: 1}, requests: {cpu: 2}}\n")).endsWithFieldError(#"spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1"#))
        #expect(message(manifest(spec: "  restartPolicy: Sometimes\n")).endsWithFieldError(#"spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never""#))
        #expect(message(manifest(spec: "  dnsPolicy: None\n")).endsWithFieldError("spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"))
    }

    @Test func initContainersAndSidecars() {
        let sidecar = manifest(spec: "  initContainers: [{name: s, image: i:1, restartPolicy: Always, readinessProbe: {exec: {command: [x]}}}]\n")
        #expect(message(sidecar) == "<no error>")
        let plainInit = manifest(spec: "  initContainers: [{name: s, image: i:1, livenessProbe: {exec: {command: [x]}}}]\n")
        #expect(message(plainInit).endsWithFieldError("spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"))
        let clash = manifest(spec: "  initContainers: [{name: app, image: i:1}]\n")
        #expect(message(clash).endsWithFieldError(#"spec.containers[0].name: Duplicate value: "app""#))
    }

    @Test func sysctlNamesAndAdmission() throws {
        #expect(message(manifest(spec: "  securityContext: {sysctls: [{name: Bad.Name, value: x}]}\n")).contains("spec.securityContext.sysctls[0].name: Invalid value: \"Bad.Name\""))
        let safe = try decodePod(manifest(spec: "  securityContext: {sysctls: [{name: net/ipv4/tcp_syncookies, value: '1'}]}\n")).pod
        #expect(SysctlPolicy.admissionError(for: safe) == nil)
        let unsafe = try decodePod(manifest(spec: "  securityContext: {sysctls: [{name: net.core.somaxconn, value: '1024'}]}\n")).pod
        #expect(SysctlPolicy.admissionError(for: unsafe) == "forbidden sysctl: \"net.core.somaxconn\" not allowlisted")
        #expect(SysctlPolicy.admissionError(for: unsafe, allowedUnsafe: ["net.core.*"]) == nil)
        let hostNet = try decodePod(manifest(spec: "  hostNetwork: true\n  securityContext: {sysctls: [{name: net.ipv4.tcp_syncookies, value: '1'}]}\n")).pod
        #expect(SysctlPolicy.admissionError(for: hostNet) == "forbidden sysctl: \"net.ipv4.tcp_syncookies\" not allowed with host net enabled")
        #expect(SysctlPolicy.normalize("net/ipv4/conf/eth0.100/forwarding") == "net.ipv4.conf.eth0/100.forwarding")
    }

    @Test func downwardFieldPaths() {
        #expect(message(manifest(container: "    env: [{name: A, valueFrom: {fieldRef: {fieldPath: spec.foo}}}]\n")).contains(#"spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.foo""#))
        #expect(message(manifest(container: "    env: [{name: A, valueFrom: {fieldRef: {fieldPath: \"metadata.labels['app']\"}}}]\n")) == "<no error>")
    }
}

extension String {
    /// The message ends with this field error as the last entry of kubelet's `[...]` list.
    func endsWithFieldError(_ e: String) -> Bool { hasSuffix(e + "]") }
}

@Suite struct AddressSyntaxTests {
    @Test(arguments: [
        ("1.2.3.4", true), ("255.255.255.255", true), ("256.1.1.1", false), ("1.2.3", false), ("01.2.3.4", false),
        ("::1", true), ("fd00::1", true), ("2001:db8:0:0:0:0:0:1", true), ("::ffff:1.2.3.4", true), ("::", true),
        ("1::2::3", false), ("2001:db8:0:0:0:0:0:0:1", false), ("fe80::1%eth0", false), ("host.local", false), ("", false),
    ])
    func ipAddresses(text: String, valid: Bool) {
        #expect(isIP(text) == valid, "\(text)")
    }

    @Test func hostAliasIPsAreValidated() {
        let text = manifest(spec: "  hostAliases: [{ip: not-an-ip, hostnames: [a.local]}, {ip: \"fd00::5\", hostnames: [b.local]}]\n")
        let msg: String
        do { _ = try decodePod(text); msg = "<no error>" } catch { msg = "\(error)" }
        #expect(msg.hasSuffix(#"[spec.hostAliases[0].ip: Invalid value: "not-an-ip": must be a valid IP address]"#))
    }
}
