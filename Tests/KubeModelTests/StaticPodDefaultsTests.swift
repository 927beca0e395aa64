import Testing

@testable import KubeModel

@Suite struct StaticPodDefaultsTests {
    @Test func v1DefaultsAreApplied() throws {
        let d = try decodePod(manifest(container: """
                ports: [{containerPort: 80}]
                livenessProbe: {httpGet: {port: 80}}
                env: [{name: NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
            """, spec: """
              volumes:
              - name: a
              - name: h
                hostPath: {path: /tmp}
              - name: d
                downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}
            """))
        let s = d.pod.spec
        #expect(s.restartPolicy == "Always")
        #expect(s.dnsPolicy == "ClusterFirst")
        #expect(s.terminationGracePeriodSeconds == 30)
        #expect(s.schedulerName == "default-scheduler")
        #expect(s.enableServiceLinks == true)
        #expect(s.securityContext == PodSecurityContext())
        let c = s.containers[0]
        #expect(c.terminationMessagePath == "/dev/termination-log")
        #expect(c.terminationMessagePolicy == "File")
        #expect(c.imagePullPolicy == "IfNotPresent")
        #expect(c.ports?[0].protocol == "TCP")
        let p = try #require(c.livenessProbe)
        #expect((p.timeoutSeconds, p.periodSeconds, p.successThreshold, p.failureThreshold, p.initialDelaySeconds) == (1, 10, 1, 3, 0))
        #expect(p.httpGet?.path == "/" && p.httpGet?.scheme == "HTTP")
        #expect(c.env?[0].valueFrom?.fieldRef?.apiVersion == "v1")
        let vols = try #require(s.volumes)
        #expect(vols[0].emptyDir == EmptyDirVolumeSource())
        #expect(vols[1].hostPath?.type == "")
        #expect(vols[2].downwardAPI?.defaultMode == 420)
        #expect(vols[2].downwardAPI?.items?[0].fieldRef?.apiVersion == "v1")
        // hostPath type "" is written out, as Go does for the defaulted pointer.
        #expect(try JSONValueEncoder().encode(vols[1]) == ["name": "h", "hostPath": ["path": "/tmp", "type": ""]])
    }

    @Test(arguments: [
        ("busybox", "Always"), ("busybox:latest", "Always"), ("busybox:1.36", "IfNotPresent"),
        ("localhost:5000/busybox", "Always"), ("localhost:5000/busybox:1", "IfNotPresent"),
        ("busybox@sha256:abcd", "IfNotPresent"), ("registry.k8s.io/pause:3.10", "IfNotPresent"),
    ])
    func imagePullPolicyDefault(image: String, policy: String) {
        #expect(Pod.defaultPullPolicy(image: image) == policy)
    }

    @Test func hostNetworkPortsDefaultHostPort() throws {
        let d = try decodePod(manifest(container: "    ports: [{containerPort: 8080}]\n", spec: "  hostNetwork: true\n"))
        #expect(d.pod.spec.containers[0].ports?[0].hostPort == 8080)
    }

    @Test func fileSourceDefaults() throws {
        let d = try decodePod(manifest(name: "etcd", meta: "  namespace: kube-system\n"), node: "Node-A")
        let pod = d.pod
        #expect(pod.metadata.name == "etcd-node-a")
        #expect(pod.metadata.namespace == "kube-system")
        #expect(pod.spec.nodeName == "Node-A")
        #expect(pod.metadata.annotations?["kubernetes.io/config.hash"] == pod.metadata.uid)
        #expect(pod.spec.tolerations == [Toleration(operator: "Exists", effect: "NoExecute")])
        #expect(pod.status?.phase == "Pending")
        #expect(pod.fullName == "etcd-node-a_kube-system")
    }

    @Test func existingNoExecuteTolerationIsNotDuplicated() throws {
        let d = try decodePod(manifest(spec: "  tolerations: [{operator: Exists, effect: NoExecute}, {key: k, operator: Exists}]\n"))
        #expect(d.pod.spec.tolerations?.count == 2)
    }

    @Test func configSeenIsRFC3339NanoFixed() throws {
        #expect(KubeTime(seconds: 0, nanoseconds: 5).rfc3339NanoFixed() == "1970-01-01T00:00:00.000000005Z")
        #expect(KubeTime(seconds: 3600, nanoseconds: 120_000_000).rfc3339NanoFixed(utcOffsetSeconds: 3600) == "1970-01-01T02:00:00.120000000+01:00")
        #expect(KubeTime(seconds: 1_795_954_095).rfc3339 == "2026-11-29T12:08:15Z")
        #expect(try KubeTime(rfc3339: "2026-11-29T12:08:15.5+01:00") == KubeTime(seconds: 1_795_954_095 - 3600, nanoseconds: 500_000_000))
    }
}

@Suite struct StaticPodUIDTests {
    let base = manifest(container: "    args: [a, b]\n")

    func uid(_ text: String, path: String = "/etc/kubernetes/manifests/web.yaml", node: String = "n1") throws -> String {
        try decodePod(text, path: path, node: node).pod.metadata.uid ?? ""
    }

    @Test func sameInputsSameUID() throws {
        #expect(try uid(base) == uid(base))
        #expect(try uid(base).count == 32)
    }

    @Test func formattingDoesNotChangeTheUID() throws {
        let reformatted = """
            # a comment
            kind: Pod
            spec:
              containers:
                - image: "busybox:1.36"   # same image
                  args: ["a", "b"]
                  name: app
            apiVersion: v1
            metadata: {name: web}
            """
        let json = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"containers":[{"name":"app","image":"busybox:1.36","args":["a","b"]}]}}"#
        #expect(try uid(reformatted) == uid(base))
        #expect(try uid(json) == uid(base))
        // Writing out a default explicitly decodes to the same pod.
        #expect(try uid(manifest(container: "    args: [a, b]\n", spec: "  restartPolicy: Always\n")) == uid(base))
    }

    @Test func contentNodeAndPathChangeTheUID() throws {
        #expect(try uid(manifest(container: "    args: [a, c]\n")) != uid(base))
        #expect(try uid(base, node: "n2") != uid(base))
        #expect(try uid(base, path: "/etc/kubernetes/manifests/other.yaml") != uid(base))
    }

    @Test func explicitUIDIsKeptVerbatim() throws {
        let text = manifest(meta: "  uid: 0123-my-uid\n")
        let pod = try decodePod(text).pod
        #expect(pod.metadata.uid == "0123-my-uid")
        #expect(pod.metadata.annotations?["kubernetes.io/config.hash"] == "0123-my-uid")
    }

    @Test func fnv128aKnownVectors() {
        // Published FNV-1a 128-bit test vectors.
        var h = FNV128a()
        #expect(h.hexDigest == "6c62272e07bb014262b821756295c58d")
        h.update("a")
        #expect(h.hexDigest == "d228cb696f1a8caf78912b704e4a8964")
    }
}
