import BootletRuntime
import Testing

@testable import BootletRunner

#if canImport(Glibc)
import Glibc
#endif

/// Real pod networking with Debian's plugins (bridge + host-local + portmap + loopback) on unique bridges and
/// subnets; every namespace, link, IPAM file and iptables chain is removed by `NetFixture.cleanup`.
@Suite(.serialized)
struct BridgeNetworkTests {
    func inSubnet(_ f: NetFixture, _ ip: String?) -> Bool {
        guard let ip, let v = ipv4(ip), let net = ipv4(f.subnetPrefix + ".0") else { return false }
        return v & 0xffff_ff00 == net
    }

    @Test func setUpGivesAnAddressInTheSubnetOnEth0AndTearDownReleasesIt() throws {
        let f = try NetFixture()
        defer { f.cleanup() }
        try f.writeBridgeConflist()
        let net = PodNetwork(namespaces: f.namespaces, cni: f.cni())
        let sandbox = "sb1-\(f.tag)"
        let att = try net.setUp(sandbox: sandbox, pod: f.pod)
        let st = att.status
        #expect(att.netnsPath == f.netnsDir + "/" + sandbox && NetworkNamespaces.isNamespace(att.netnsPath))
        #expect(st.networkName == f.networkName && st.configSource == f.confDir + "/10-bridge.conflist")
        #expect(st.interface == "eth0" && st.ips.count == 1 && st.ips[0].prefixLength == 24)
        #expect(inSubnet(f, st.podIP) && st.podIP != f.subnetPrefix + ".1")
        #expect(st.gateway == f.subnetPrefix + ".1")
        let ip = try #require(st.podIP)

        // Inside the namespace: eth0 with that address and MAC, lo up.
        let addr = try run("/usr/bin/nsenter", ["--net=\(att.netnsPath)", "ip", "-o", "-4", "addr", "show", "eth0"])
        #expect(addr.stdout.contains("inet \(ip)/24"), "\(addr.stdout)\(addr.stderr)")
        let link = try run("/usr/bin/nsenter", ["--net=\(att.netnsPath)", "ip", "-o", "link", "show", "eth0"])
        #expect(st.mac != nil && link.stdout.contains("link/ether \(st.mac!)"))
        #expect(try run("/usr/bin/nsenter", ["--net=\(att.netnsPath)", "ip", "-o", "link", "show", "lo"]).stdout.contains("UP,"))
        #expect(f.linkExists(f.bridge))
        #expect(f.ipamFiles() == [ip])

        // CHECK passes, and fails once the address is gone from eth0.
        try net.cni.check(sandbox: sandbox, netns: att.netnsPath)
        _ = try run("/usr/bin/nsenter", ["--net=\(att.netnsPath)", "ip", "addr", "del", "\(ip)/24", "dev", "eth0"])
        let checkErr = expectCNIError { try net.cni.check(sandbox: sandbox, netns: att.netnsPath) }
        #expect(checkErr?.pluginFailure?.plugin == "bridge" && checkErr?.pluginFailure?.command == "CHECK")

        try net.tearDown(sandbox: sandbox)
        #expect(!FileIO.exists(att.netnsPath))
        #expect(f.ipamFiles().isEmpty)
        #expect(try net.cni.attachments().isEmpty)
        try net.tearDown(sandbox: sandbox)  // twice is fine
        #expect(try f.namespaces.list().isEmpty)
    }

    @Test func twoSandboxesPingEachOther() throws {
        let f = try NetFixture()
        defer { f.cleanup() }
        try f.writeBridgeConflist(portmap: false)
        let net = PodNetwork(namespaces: f.namespaces, cni: f.cni())
        let a = try net.setUp(sandbox: "a-\(f.tag)", pod: f.pod)
        let b = try net.setUp(sandbox: "b-\(f.tag)", pod: PodIdentity(namespace: "kube-system", name: "b", uid: "u2"))
        let ipA = try #require(a.status.podIP), ipB = try #require(b.status.podIP)
        #expect(ipA != ipB && inSubnet(f, ipA) && inSubnet(f, ipB))
        #expect(Set(f.ipamFiles()) == [ipA, ipB])
        var ok = false
        for _ in 0..<3 where !ok {
            ok = try run("/usr/bin/nsenter", ["--net=\(a.netnsPath)", "busybox", "ping", "-c1", "-W2", ipB]).code == 0
        }
        #expect(ok, "a cannot ping b at \(ipB)")
        let back = try run("/usr/bin/nsenter", ["--net=\(b.netnsPath)", "busybox", "ping", "-c1", "-W2", ipA])
        #expect(back.code == 0, "\(back.stdout)\(back.stderr)")
        try net.tearDown(sandbox: "a-\(f.tag)")
        try net.tearDown(sandbox: "b-\(f.tag)")
        #expect(f.ipamFiles().isEmpty)
    }

    @Test func hostPortReachesAListenerInThePod() throws {
        let f = try NetFixture()
        defer { f.cleanup() }
        try f.writeBridgeConflist()
        let net = PodNetwork(namespaces: f.namespaces, cni: f.cni())
        let sandbox = "hp-\(f.tag)"
        let hostPort = Int32.random(in: 30000...39999)
        let att = try net.setUp(
            sandbox: sandbox, pod: f.pod,
            portMappings: [.init(hostPort: hostPort, containerPort: 8080, protocol: .tcp)])
        #expect(att.status.warnings.isEmpty)
        let podIP = try #require(att.status.podIP)
        let token = "hello-from-\(f.tag)"
        try write(f.root + "/token", token + "\n")
        let listener = try spawnBackground(
            "/usr/bin/nsenter", ["--net=\(att.netnsPath)", "busybox", "nc", "-l", "-p", "8080"], stdinFile: f.root + "/token")
        defer { killAndReap(listener) }

        // The node's address (source of the default route), else the bridge gateway: both are host addresses.
        let route = try run("/usr/sbin/ip", ["-4", "-o", "route", "get", "1.1.1.1"]).stdout.split(separator: " ").map(String.init)
        let hostIP = route.firstIndex(of: "src").flatMap { $0 + 1 < route.count ? route[$0 + 1] : nil } ?? (f.subnetPrefix + ".1")
        let got = tcpFetch(hostIP, UInt16(hostPort), within: 5)
        #expect(got?.contains(token) == true, "connecting to \(hostIP):\(hostPort) got \(String(describing: got))")

        let nat = try run("/usr/sbin/iptables", ["-w", "-t", "nat", "-S"]).stdout
        #expect(nat.contains("\(podIP):8080"))
        try net.tearDown(sandbox: sandbox)
        #expect(!(try run("/usr/sbin/iptables", ["-w", "-t", "nat", "-S"]).stdout.contains("\(podIP):8080")))
    }

    @Test func tearDownAfterTheNamespaceIsGoneStillReleasesTheAddress() throws {
        let f = try NetFixture()
        defer { f.cleanup() }
        try f.writeBridgeConflist()
        let cni = f.cni()
        let sandbox = "gone-\(f.tag)"
        let ns = try f.namespaces.create(sandbox)
        let st = try cni.setUp(
            sandbox: sandbox, netns: ns, pod: f.pod, portMappings: [.init(hostPort: Int32.random(in: 40000...49999), containerPort: 80)])
        let ip = try #require(st.podIP)
        #expect(f.ipamFiles() == [ip])
        try f.namespaces.remove(sandbox)  // the namespace (and with it the veth pair) disappears first
        // The configuration is edited while the runner is down; a new runner instance must use the cached one.
        try write(f.confDir + "/10-bridge.conflist", #"{"cniVersion":"1.0.0","name":"other","plugins":[{"type":"bridge","bridge":"never"}]}"#)
        let restarted = f.cni()
        try restarted.tearDown(sandbox: sandbox)
        #expect(f.ipamFiles().isEmpty)
        #expect(try restarted.attachments().isEmpty)
        #expect(!(try run("/usr/sbin/iptables", ["-w", "-t", "nat", "-S"]).stdout.contains(ip + ":80")))
        #expect(!f.linkExists("never"))
        try restarted.tearDown(sandbox: sandbox)
    }

    @Test func orphanCleanupAfterACrashKeepsLiveSandboxes() throws {
        let f = try NetFixture()
        defer { f.cleanup() }
        try f.writeBridgeConflist(portmap: false)
        let live = "live-\(f.tag)", orphan = "orphan-\(f.tag)"
        let first = PodNetwork(namespaces: f.namespaces, cni: f.cni())
        let l = try first.setUp(sandbox: live, pod: f.pod)
        let o = try first.setUp(sandbox: orphan, pod: f.pod)
        // A stale file from a crash between creating and mounting a namespace.
        try write(f.netnsDir + "/stale-\(f.tag)", "")

        let restarted = PodNetwork(namespaces: f.namespaces, cni: f.cni())
        let report = restarted.cleanUpOrphans(keeping: [live])
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.removed == [orphan, "stale-\(f.tag)"])
        #expect(try f.namespaces.list().map(\.name) == [live])
        #expect(f.ipamFiles() == [l.status.podIP!])
        #expect(!FileIO.exists(o.netnsPath))
        #expect(try restarted.cni.attachments().map(\.containerId).allSatisfy { $0 == live })
        try restarted.tearDown(sandbox: live)
        #expect(f.ipamFiles().isEmpty)
    }

    @Test func orphanCleanupLeavesAnotherRunnersAttachmentsAlone() throws {
        // Two runners (different netns directories, as with two --runtime-root) share the CNI cache directory.
        let f = try NetFixture()
        defer { f.cleanup() }
        try f.writeBridgeConflist(portmap: false)
        let mine = PodNetwork(namespaces: f.namespaces, cni: f.cni())
        let sandbox = "other-runner-\(f.tag)"
        let att = try mine.setUp(sandbox: sandbox, pod: f.pod)
        let otherDir = f.root + "/netns-other"
        try FileIO.makeDirectories(otherDir)
        let other = PodNetwork(namespaces: NetworkNamespaces(directory: otherDir), cni: f.cni())
        let report = other.cleanUpOrphans(keeping: [])
        #expect(report.removed.isEmpty && report.failures.isEmpty, "\(report)")
        #expect(NetworkNamespaces.isNamespace(att.netnsPath))
        #expect(Set(try mine.cni.attachments().map(\.containerId)) == [sandbox])
        #expect(f.ipamFiles() == [att.status.podIP!])
        // Its own runner still treats it as an orphan.
        #expect(mine.cleanUpOrphans(keeping: []).removed == [sandbox])
        #expect(f.ipamFiles().isEmpty)
    }

    @Test func noConfigurationGivesLoopbackOnlyAndNoPodIP() throws {
        let f = try NetFixture()
        defer { f.cleanup() }
        let net = PodNetwork(namespaces: f.namespaces, cni: f.cni())
        let sandbox = "lo-\(f.tag)"
        let att = try net.setUp(sandbox: sandbox, pod: f.pod, portMappings: [.init(hostPort: 8080, containerPort: 80)])
        #expect(att.status.networkName == nil && att.status.podIP == nil && att.status.podIPs.isEmpty)
        #expect(att.status.interface == "lo")
        #expect(att.status.warnings == ["hostPort mappings 8080->80/tcp not applied: no CNI configuration in \(f.confDir)"])
        let links = try run("/usr/bin/nsenter", ["--net=\(att.netnsPath)", "ip", "-o", "link", "show"]).stdout
        #expect(links.split(separator: "\n").count == 1 && links.contains("lo:") && links.contains("UP,"))
        #expect(try run("/usr/bin/nsenter", ["--net=\(att.netnsPath)", "busybox", "ping", "-c1", "-W2", "127.0.0.1"]).code == 0)
        #expect(try net.cni.attachments().isEmpty)
        try net.tearDown(sandbox: sandbox)
        #expect(try f.namespaces.list().isEmpty)
    }

    @Test func realPluginErrorAndBadFilesLeaveNothingBehind() throws {
        let f = try NetFixture()
        defer { f.cleanup() }
        let net = PodNetwork(namespaces: f.namespaces, cni: f.cni())
        // host-local refuses an invalid subnet; the bridge plugin passes its CNI error on.
        let file = f.confDir + "/10-bad-range.conflist"
        try f.writeBridgeConflist(portmap: false)  // registers the bridge for cleanup
        try write(file, """
            {"cniVersion":"1.0.0","name":"\(f.networkName)","plugins":[{"type":"bridge","bridge":"\(f.bridge)",
             "ipam":{"type":"host-local","dataDir":"\(f.ipamDir)","ranges":[[{"subnet":"\(f.subnetPrefix).0/33"}]]}}]}
            """)
        unlink(f.confDir + "/10-bridge.conflist")
        let err = expectCNIError { _ = try net.setUp(sandbox: "err-\(f.tag)", pod: f.pod) }
        let failure = try #require(err?.pluginFailure, "\(String(describing: err))")
        #expect(failure.plugin == "bridge" && failure.exitCode != 0 && failure.source == file)
        #expect(failure.code == 999 && failure.msg == "invalid CIDR address: \(f.subnetPrefix).0/33")
        #expect("\(err!)".contains("plugin \"bridge\" (/usr/lib/cni/bridge) exited with status"))
        #expect(try f.namespaces.list().isEmpty)
        #expect(try net.cni.attachments().isEmpty)

        // A half-written file (a non-atomic copy into the directory).
        try write(file, #"{"cniVersion":"1.0.0","name":"x","plugins":[{"type":"bri"#)
        let bad = expectCNIError { _ = try net.setUp(sandbox: "bad-\(f.tag)", pod: f.pod) }
        #expect(bad.map { if case .invalidConfig(file, _) = $0 { true } else { false } } == true)
        #expect(try f.namespaces.list().isEmpty)

        // No loopback plugin in the bin dirs: named, with where it was looked for.
        unlink(file)
        try f.writeBridgeConflist()
        let noBins = PodNetwork(namespaces: f.namespaces, cni: f.cni(binDirs: [f.fakeBinDir]))
        let missing = expectCNIError { _ = try noBins.setUp(sandbox: "nobin-\(f.tag)", pod: f.pod) }
        #expect("\(missing!)".contains("plugin \"loopback\" not found in \(f.fakeBinDir)"))
        #expect("\(missing!)".contains("built-in loopback network"))
        #expect(try f.namespaces.list().isEmpty)
    }
}
