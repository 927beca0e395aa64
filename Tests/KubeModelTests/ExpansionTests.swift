import Testing

@testable import KubeModel

/// The semantics of expand.go's own test table (re-stated cases, not copied code).
@Suite struct ExpansionTests {
    let vars = ["VAR_A": "A", "VAR_B": "B", "VAR_C": "C", "VAR_REF": "$(VAR_A)", "VAR_EMPTY": ""]

    @Test(arguments: [
        ("$(VAR_A)", "A"),
        ("___$(VAR_B)___", "___B___"),
        ("$(VAR_A)-$(VAR_A)", "A-A"),
        ("$(VAR_A)$(VAR_B)$(VAR_C)", "ABC"),
        ("$(VAR_REF)", "$(VAR_A)"),  // no recursion
        ("$(VAR_EMPTY)", ""),
        ("$(UNKNOWN)", "$(UNKNOWN)"),  // unresolved stays literal
        ("$$(VAR_A)", "$(VAR_A)"),  // escaped
        ("$$$(VAR_A)", "$A"),
        ("$$$$(VAR_A)", "$$(VAR_A)"),
        ("$$", "$"),
        ("$", "$"),  // trailing lone $
        ("foo$", "foo$"),
        ("$VAR_A", "$VAR_A"),  // $ + other char stays
        ("$(VAR_A", "$(VAR_A"),  // no closer
        ("$(VAR_A$(VAR_B)", "$(VAR_A$(VAR_B)"),  // name is "VAR_A$(VAR_B" up to the first ')'
        ("$()", "$()"),
        ("$(VAR_A))", "A)"),
        ("é$(VAR_A)ü", "éAü"),
        ("$é", "$é"),
        ("", ""),
    ])
    func expands(input: String, expected: String) {
        #expect(Expansion.expand(input, context: [vars]) == expected, "\(input)")
    }

    @Test func firstContextWins() {
        #expect(Expansion.expand("$(X)", context: [["X": "1"], ["X": "2"]]) == "1")
        #expect(Expansion.expand("$(X)", context: [[:], ["X": "2"]]) == "2")
    }

    @Test func environmentOrderAndDownwardAPI() throws {
        let pod = try decodePod(manifest(meta: "  labels: {app: web}\n", container: """
                env:
                - {name: LATER_REF, value: "$(FIRST)-x"}
                - {name: FIRST, value: one}
                - {name: SECOND, value: "$(FIRST)-$(LATER)-$$(FIRST)"}
                - {name: LATER, value: two}
                - {name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
                - {name: APP, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
                - {name: HOST_IPS, valueFrom: {fieldRef: {fieldPath: status.hostIPs}}}
                - {name: CPU, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}}
                - {name: MEM, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
                - {name: REQ, valueFrom: {resourceFieldRef: {resource: requests.cpu}}}
                resources: {limits: {cpu: 250m}, requests: {cpu: 100m}}
                command: ["echo", "$(SECOND)", "$(NOPE)", "$$(FIRST)"]
            """), node: "n1").pod
        let ctx = DownwardAPI.Context(hostIPs: ["10.0.0.1", "fd00::1"], nodeAllocatable: ["memory": "2Gi"])
        let env = try Expansion.environment(for: pod.spec.containers[0], in: pod, context: ctx)
        let m = [String: String](uniqueKeysWithValues: env.map { ($0.name, $0.value) })
        #expect(m["LATER_REF"] == "$(FIRST)-x")
        #expect(m["SECOND"] == "one-$(LATER)-$(FIRST)")
        #expect(m["POD"] == "web-n1")
        #expect(m["APP"] == "web")
        #expect(m["HOST_IPS"] == "10.0.0.1,fd00::1")
        #expect(m["CPU"] == "250")
        #expect(m["MEM"] == "2048")  // unset memory limit → node allocatable
        #expect(m["REQ"] == "1")  // 100m rounded up to whole cores
        let (command, _) = Expansion.expandCommandAndArgs(pod.spec.containers[0], environment: env)
        #expect(command == ["echo", "one-$(LATER)-$(FIRST)", "$(NOPE)", "$(FIRST)"])
    }

    @Test func formatMapForVolumes() {
        #expect(DownwardAPI.formatMap(["b": "2", "a": "x\"y\n"]) == "a=\"x\\\"y\\n\"\nb=\"2\"")
    }
}

@Suite struct HostsAndDNSTests {
    @Test func managedHostsByteExact() {
        let text = PodNetworkFiles.managedHosts(
            podIPs: ["10.88.0.5"], hostname: "web-n1", domain: "",
            hostAliases: [HostAlias(ip: "10.1.2.3", hostnames: ["foo.local", "bar.local"])])
        #expect(text == "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n10.88.0.5\tweb-n1\n\n# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n")
    }

    @Test func managedHostsWithSubdomain() {
        let text = PodNetworkFiles.managedHosts(podIPs: ["10.0.0.2", "fd00::2"], hostname: "h", domain: "sub.ns.svc.cluster.local", hostAliases: [])
        #expect(text.hasSuffix("fe00::2\tip6-allrouters\n10.0.0.2\th.sub.ns.svc.cluster.local\th\nfd00::2\th.sub.ns.svc.cluster.local\th\n"))
    }

    @Test func hostNetworkHosts() {
        #expect(PodNetworkFiles.hostNetworkHosts(nodeHostsFile: "127.0.0.1 localhost\n", hostAliases: [])
            == "# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n")
    }

    @Test func hostnameRules() throws {
        var pod = Pod(metadata: ObjectMeta(name: String(repeating: "a", count: 62) + "-.bcd", namespace: "ns"))
        #expect(try PodNetworkFiles.hostnameAndDomain(for: pod, clusterDomain: "").hostname == String(repeating: "a", count: 62))
        pod.spec.hostname = "h1"
        pod.spec.subdomain = "sub"
        let (h, d) = try PodNetworkFiles.hostnameAndDomain(for: pod, clusterDomain: "")
        #expect(h == "h1" && d == "sub.ns.svc.")
        #expect(try PodNetworkFiles.kernelHostname(hostname: h, domain: d, setHostnameAsFQDN: true) == "h1.sub.ns.svc.")
        #expect(try PodNetworkFiles.kernelHostname(hostname: h, domain: d, setHostnameAsFQDN: nil) == "h1")
        #expect(throws: PodNetworkFiles.Error.self) {
            try PodNetworkFiles.kernelHostname(hostname: String(repeating: "x", count: 60), domain: "a.b.svc.", setHostnameAsFQDN: true)
        }
        pod.spec.hostname = "Bad_Host"
        #expect(throws: PodNetworkFiles.Error.self) { try PodNetworkFiles.hostnameAndDomain(for: pod, clusterDomain: "") }
    }

    let host = "# comment\nnameserver 192.168.1.1\nsearch old.example\nsearch example.com. corp.local .\n; other\nnameserver 192.168.1.2\noptions ndots:2 rotate\n"

    func pod(policy: String?, hostNetwork: Bool = false, dnsConfig: PodDNSConfig? = nil) -> Pod {
        var p = Pod(metadata: ObjectMeta(name: "p", namespace: "ns"))
        p.spec.dnsPolicy = policy
        p.spec.hostNetwork = hostNetwork
        p.spec.dnsConfig = dnsConfig
        return p
    }

    @Test func defaultPolicyUsesHostFile() {
        let s = ResolvConf.settings(for: pod(policy: "Default"), node: .init(hostResolvConf: host))
        #expect(ResolvConf.content(s) == "search example.com corp.local\nnameserver 192.168.1.1\nnameserver 192.168.1.2\noptions ndots:2 rotate\n")
    }

    @Test func clusterFirstWithClusterDNS() {
        let s = ResolvConf.settings(for: pod(policy: "ClusterFirst"), node: .init(hostResolvConf: host, clusterDNS: ["10.96.0.10"], clusterDomain: "cluster.local"))
        #expect(ResolvConf.content(s) == "search ns.svc.cluster.local svc.cluster.local cluster.local example.com corp.local\nnameserver 10.96.0.10\noptions ndots:5\n")
        #expect(s.warnings.isEmpty)
    }

    @Test func clusterFirstWithoutClusterDNSFallsBack() {
        let s = ResolvConf.settings(for: pod(policy: "ClusterFirst"), node: .init(hostResolvConf: host))
        #expect(s.nameservers == ["192.168.1.1", "192.168.1.2"])
        #expect(s.warnings.first?.hasPrefix("MissingClusterDNS") == true)
        // hostNetwork + ClusterFirst is Default without a warning; ClusterFirstWithHostNet is cluster.
        #expect(ResolvConf.settings(for: pod(policy: "ClusterFirst", hostNetwork: true), node: .init(hostResolvConf: host, clusterDNS: ["10.96.0.10"])).nameservers == ["192.168.1.1", "192.168.1.2"])
        #expect(ResolvConf.settings(for: pod(policy: "ClusterFirstWithHostNet", hostNetwork: true), node: .init(hostResolvConf: host, clusterDNS: ["10.96.0.10"])).nameservers == ["10.96.0.10"])
    }

    @Test func noHostResolvConf() {
        let s = ResolvConf.settings(for: pod(policy: "Default"), node: .init(hostResolvConf: nil, nodeIPs: ["fd00::1"]))
        #expect(ResolvConf.content(s) == "search .\nnameserver ::1\n")
    }

    @Test func noneWithDNSConfigAndLimits() {
        let cfg = PodDNSConfig(
            nameservers: ["1.1.1.1", "8.8.8.8", "1.1.1.1", "9.9.9.9", "4.4.4.4"], searches: ["a.example", "b.example"],
            options: [PodDNSConfigOption(name: "ndots", value: "1"), PodDNSConfigOption(name: "edns0")])
        let s = ResolvConf.settings(for: pod(policy: "None", dnsConfig: cfg), node: .init(hostResolvConf: host))
        #expect(ResolvConf.content(s) == "search a.example b.example\nnameserver 1.1.1.1\nnameserver 8.8.8.8\nnameserver 9.9.9.9\noptions edns0 ndots:1\n")
        #expect(s.warnings.count == 1)
    }

    @Test func dnsConfigMergesIntoDefault() {
        let cfg = PodDNSConfig(nameservers: ["192.168.1.1"], searches: ["extra.example"], options: [PodDNSConfigOption(name: "ndots", value: "3")])
        let s = ResolvConf.settings(for: pod(policy: "Default", dnsConfig: cfg), node: .init(hostResolvConf: host))
        #expect(s.nameservers == ["192.168.1.1", "192.168.1.2"])
        #expect(s.searches == ["example.com", "corp.local", "extra.example"])
        #expect(s.options == ["ndots:3", "rotate"])
    }

    @Test func searchLimits() {
        let many = (0..<40).map { "d\($0).example" }
        let s = ResolvConf.settings(for: pod(policy: "None", dnsConfig: PodDNSConfig(nameservers: ["1.1.1.1"], searches: many + [String(repeating: "x", count: 254)])), node: .init(hostResolvConf: nil))
        #expect(s.searches == Array(many.prefix(32)))
    }
}

@Suite struct QuantityTests {
    @Test(arguments: [
        ("100m", "100m", 100), ("0.1", "100m", 100), ("1", "1", 1000), ("1000m", "1", 1000), ("1.5", "1500m", 1500),
        ("1Ki", "1Ki", 1_024_000), ("1024Mi", "1Gi", 1_073_741_824_000), ("1.5Gi", "1536Mi", 1_610_612_736_000),
        ("128974848", "128974848", 128_974_848_000), ("129e6", "129e6", 129_000_000_000), ("129M", "129M", 129_000_000_000),
        ("123Mi", "123Mi", 128_974_848_000), ("1e3", "1e3", 1_000_000), ("12E", "9223372036854775807", Int64.max), ("8E", "8E", Int64.max),
        ("0", "0", 0), ("5n", "5n", 1), ("1u", "1u", 1), ("0.5Ki", "512", 512_000), ("-100m", "-100m", -100),
        ("1.0000000001", "1000000001n", 1001),
    ])
    func parseAndCanonicalise(text: String, canonical: String, milli: Int64) throws {
        let q = try Quantity(parsing: text)
        #expect(q.description == canonical, "\(text)")
        #expect(q.milliValue == milli, "\(text)")
    }

    @Test func valueRoundsUp() throws {
        #expect(try Quantity(parsing: "100m").value == 1)
        #expect(try Quantity(parsing: "1.5").value == 2)
        #expect(try Quantity(parsing: "1Mi").value == 1_048_576)
        #expect(try Quantity(parsing: "0.1n").nanos == 1)  // below a nano rounds up to one
    }

    @Test(arguments: ["", "abc", "1.2.3", "1Qi", "1e", "--1", ".", "1 Gi", "1ki"])
    func rejects(text: String) {
        #expect(throws: Quantity.ParseError.self) { try Quantity(parsing: text) }
    }

    @Test func durations() throws {
        #expect(try KubeDuration(parsing: "20s").description == "20s")
        #expect(try KubeDuration(parsing: "1m").description == "1m0s")
        #expect(try KubeDuration(parsing: "1h30m").description == "1h30m0s")
        #expect(try KubeDuration(parsing: "1.5s").description == "1.5s")
        #expect(try KubeDuration(parsing: "500ms").description == "500ms")
        #expect(throws: KubeDuration.ParseError.self) { try KubeDuration(parsing: "20") }
    }

    @Test func kubeletConfiguration() throws {
        let (c, warnings) = try KubeletConfiguration.parse("""
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            staticPodPath: /etc/kubernetes/manifests
            fileCheckFrequency: 5s
            readOnlyPort: 10255
            containerLogMaxSize: 5Mi
            clusterDNS: [10.96.0.10]
            someFutureField: true
            """, path: "/var/lib/kubelet/config.yaml")
        let d = c.withDefaults()
        #expect(d.staticPodPath == "/etc/kubernetes/manifests")
        #expect(d.fileCheckFrequency == KubeDuration(seconds: 5))
        #expect(d.syncFrequency?.description == "1m0s")
        #expect(d.readOnlyPort == 10255 && d.healthzPort == 10248)
        #expect(d.cgroupDriver == "cgroupfs" && d.cgroupsPerQOS == true)
        #expect(d.containerLogMaxSize?.description == "5Mi" && d.containerLogMaxFiles == 5)
        #expect(warnings == ["unknown field \"someFutureField\""])
    }
}
