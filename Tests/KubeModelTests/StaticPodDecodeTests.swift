import Testing

@testable import KubeModel

@Suite struct StaticPodDecodeTests {
    @Test func observedPodSpecIsReproducedByteForByte() throws {
        let d = try decodePod(observedManifest)
        let spec = try JSONValueEncoder().encode(d.pod.spec)
        #expect(try spec.jsonText(indent: " ") == observedSpecJSON)
    }

    @Test func observedMetadataShape() throws {
        var pod = try decodePod(observedManifest).pod
        StaticPod.annotateSource(&pod, seen: KubeTime(seconds: 1_795_954_095, nanoseconds: 470_752_101))
        let meta = try JSONValueEncoder().encode(pod.metadata)
        guard case .object(let o) = meta else { Issue.record("metadata not an object"); return }
        #expect(o.keys == ["name", "namespace", "uid", "annotations"])
        #expect(meta["name"] == "bb-test-anchor-node")
        #expect(meta["namespace"] == "default")
        let uid = pod.metadata.uid ?? ""
        #expect(uid.count == 32 && uid.allSatisfy(\.isHexDigit))
        #expect(meta["annotations"] == [
            "kubernetes.io/config.hash": .string(uid),
            "kubernetes.io/config.seen": "2026-11-29T12:08:15.470752101Z",
            "kubernetes.io/config.source": "file",
        ])
        #expect(pod.status?.phase == "Pending")
    }

    @Test func observedStatusRoundTrips() throws {
        // The status block kubelet served, decoded and re-encoded, keeps its shape (null lastProbeTime, {}).
        let text = """
            {"phase":"Running","conditions":[{"type":"Ready","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-11-29T12:08:15Z"}],"startTime":"2026-11-29T12:08:15Z","containerStatuses":[{"name":"bb","state":{"running":{"startedAt":"2026-11-29T12:08:15Z"}},"lastState":{},"ready":true,"restartCount":0,"image":"docker.io/library/busybox:latest","imageID":"sha256:3bd9","containerID":"containerd://91c1","started":true,"resources":{}}],"qosClass":"BestEffort","resources":{}}
            """
        let doc = try YAMLParser().parse(text)
        let status = try JSONValueDecoder().decode(PodStatus.self, from: doc)
        #expect(try JSONValueEncoder().encode(status).jsonText() == text)
    }

    @Test func emptyPodListItemsAreNull() throws {
        #expect(try JSONValueEncoder().encode(PodList(items: nil)).jsonText() == #"{"kind":"PodList","apiVersion":"v1","metadata":{},"items":null}"#)
    }

    @Test func yamlBoolForStringFieldFailsLikeKubernetes() {
        let text = manifest(container: "    env:\n    - name: A\n      value: yes\n")
        #expect {
            try decodePod(text)
        } throws: { error in
            "\(error)" == "static pod manifest /etc/kubernetes/manifests/pod.yaml: decode: cannot unmarshal bool into Go struct field EnvVar.spec.containers[0].env[0].value of type string"
        }
    }

    @Test func yamlBoolForBoolFieldWorks() throws {
        let d = try decodePod(manifest(spec: "  hostPID: yes\n  shareProcessNamespace: off\n"))
        #expect(d.pod.spec.hostPID == true)
        #expect(d.pod.spec.shareProcessNamespace == false)
    }

    @Test func numberForStringAndStringForIntFail() {
        #expect {
            try decodePod(manifest(container: "    workingDir: 0755\n"))
        } throws: { "\($0)".contains("cannot unmarshal number 493 into Go struct field Container.spec.containers[0].workingDir of type string") }
        #expect {
            try decodePod(manifest(spec: "  terminationGracePeriodSeconds: \"30\"\n"))
        } throws: { "\($0)".contains("cannot unmarshal string into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64") }
        #expect {
            try decodePod(manifest(spec: "  terminationGracePeriodSeconds: 1.5\n"))
        } throws: { "\($0)".contains("cannot unmarshal number 1.5 into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64") }
        #expect {
            try decodePod(manifest(spec: "  containers: web\n").replacingFirst("  containers:\n  - name: app\n    image: busybox:1.36\n", with: ""))
        } throws: { "\($0)".contains("cannot unmarshal string into Go struct field PodSpec.spec.containers of type []Container") }
    }

    @Test func typeErrorsInsideSlicesAndMapsNameTheOwningStruct() {
        #expect {
            try decodePod(manifest(meta: "  labels: {app: 1}\n"))
        } throws: { "\($0)".hasSuffix("cannot unmarshal number 1 into Go struct field ObjectMeta.metadata.labels.app of type string") }
        #expect {
            try decodePod(manifest(container: "    command: [1]\n"))
        } throws: { "\($0)".hasSuffix("cannot unmarshal number 1 into Go struct field Container.spec.containers[0].command[0] of type string") }
        #expect {
            try decodePod(manifest(spec: "  volumes: [x]\n"))
        } throws: { "\($0)".hasSuffix("cannot unmarshal string into Go struct field PodSpec.spec.volumes[0] of type Volume") }
        #expect {
            try decodePod(manifest(spec: "  hostNetwork: \"true\"\n"))
        } throws: { "\($0)".hasSuffix("cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool") }
    }

    @Test func integralFloatFitsIntField() throws {
        let d = try decodePod(manifest(spec: "  terminationGracePeriodSeconds: 5.0\n"))
        #expect(d.pod.spec.terminationGracePeriodSeconds == 5)
    }

    @Test func unknownFieldsAreDroppedAndReported() throws {
        let d = try decodePod(manifest(container: "    imagePullPolicyy: Always\n", spec: "  bogus: 1\n"))
        #expect(d.warnings.contains("unknown field \"spec.bogus\""))
        #expect(d.warnings.contains("unknown field \"spec.containers[0].imagePullPolicyy\""))
        #expect(d.pod.spec.containers[0].imagePullPolicy == "IfNotPresent")
    }

    @Test func jsonManifestIsAccepted() throws {
        let json = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"j"},"spec":{"containers":[{"name":"c","image":"x:1"}]}}"#
        #expect(try decodePod(json).pod.metadata.name == "j-anchor-node")
    }

    @Test func multiDocumentUsesTheFirst() throws {
        let text = manifest(name: "first") + "\n---\n" + manifest(name: "second")
        #expect(try decodePod(text).pod.metadata.name == "first-anchor-node")
    }

    @Test func quantitiesAndIntOrStringDecode() throws {
        let d = try decodePod(manifest(container: """
                resources:
                  limits: {cpu: 500m, memory: 128Mi}
                  requests: {cpu: 0.1}
                ports:
                - {name: http, containerPort: 8080}
                livenessProbe:
                  httpGet: {port: http}
                readinessProbe:
                  tcpSocket: {port: 8080}
            """))
        let c = d.pod.spec.containers[0]
        #expect(c.resources.limits?["cpu"]?.milliValue == 500)
        #expect(c.resources.requests?["cpu"]?.description == "100m")
        #expect(c.resources.requests?["memory"]?.description == "128Mi")  // defaulted from limits
        #expect(c.livenessProbe?.httpGet?.port == .string("http"))
        #expect(c.readinessProbe?.tcpSocket?.port == .int(8080))
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let r = firstRange(of: target) else { return self }
        return String(self[..<r.lowerBound]) + replacement + String(self[r.upperBound...])
    }
}
