import BootletRuntime
import FoundationEssentials
import KubeModel
import Testing

@testable import BootletRunner

#if canImport(Glibc)
import Glibc
#endif

/// The CNI protocol as bootlet speaks it, observed through shell-script plugins that log their stdin and
/// environment (loopback is the real plugin, on a real pinned namespace).
@Suite(.serialized)
struct CNIProtocolTests {
    static let resultA = #"{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","mac":"02:00:00:00:00:0a","sandbox":"NS"}],"ips":[{"address":"10.99.0.7/24","gateway":"10.99.0.1","interface":0}]}"#
    static let resultB = #"{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","mac":"02:00:00:00:00:0b","sandbox":"NS"}],"ips":[{"address":"fd00:99::8/64","interface":0},{"address":"10.99.0.8/24","gateway":"10.99.0.1","interface":0}]}"#

    func withFixture(_ body: (NetFixture, String, String) throws -> Void) throws {
        let f = try NetFixture()
        defer { f.cleanup() }
        let sandbox = "sb-\(f.tag)"
        let ns = try f.namespaces.create(sandbox)
        try body(f, sandbox, ns)
    }

    func fakeList(_ f: NetFixture, version: String = "1.0.0", plugins: String) throws -> String {
        let path = f.confDir + "/10-fake.conflist"
        try write(path, #"{"cniVersion":"\#(version)","name":"fakenet","plugins":[\#(plugins)]}"#)
        return path
    }

    func printing(_ json: String) -> String {
        "case \"$CNI_COMMAND\" in ADD) printf '%s' '\(json)' | sed \"s|NS|$CNI_NETNS|\" ;; esac"
    }

    @Test func addChainsPrevResultPassesCapabilitiesAndCNIArgs() throws {
        try withFixture { f, sandbox, ns in
            try f.writeFakePlugin("fake-a", body: printing(Self.resultA))
            try f.writeFakePlugin("fake-b", body: printing(Self.resultB))
            let file = try fakeList(f, plugins: #"{"type":"fake-a","custom":{"k":[1,2]}},{"type":"fake-b","capabilities":{"portMappings":true}}"#)
            let cni = f.cni(binDirs: [f.fakeBinDir, "/usr/lib/cni"])
            let status = try cni.setUp(
                sandbox: sandbox, netns: ns, pod: f.pod,
                portMappings: [.init(hostPort: 8080, containerPort: 80), .init(hostPort: 0, containerPort: 9090)])

            // The status comes from the last plugin's result, IPv4 first.
            #expect(status.networkName == "fakenet" && status.configSource == file && status.interface == "eth0")
            #expect(status.podIP == "10.99.0.8" && status.podIPs == ["10.99.0.8", "fd00:99::8"])
            #expect(status.gateway == "10.99.0.1" && status.mac == "02:00:00:00:00:0b" && status.warnings.isEmpty)

            let calls = try f.calls()
            #expect(calls.map { "\($0.plugin) \($0.command)" } == ["fake-a ADD", "fake-b ADD"])
            let a = try #require(calls[0].stdin), b = try #require(calls[1].stdin)
            // name and cniVersion injected, plugin keys kept, nothing else for the first plugin.
            #expect(a["name"] == .string("fakenet") && a["cniVersion"] == .string("1.0.0"))
            #expect(a["custom"] == .object(["k": .array([.int(1), .int(2)])]))
            #expect(a["prevResult"] == nil && a["runtimeConfig"] == nil)
            // The exact bytes are stable: the entry's keys sorted (as libcni's re-marshalled map has them), then
            // the injected ones in the order they are set.
            #expect(try FileIO.readString(f.logDir + "/000-fake-a-ADD.stdin")
                == #"{"custom":{"k":[1,2]},"type":"fake-a","name":"fakenet","cniVersion":"1.0.0"}"#)
            // The second gets the first one's result and the capability it declared (hostPort 0 dropped).
            #expect(b["prevResult"] == (try JSONValue.parse(Array(Self.resultA.replacing("NS", with: ns).utf8))))
            #expect(b["runtimeConfig"] == .object(["portMappings": .array([
                .object(["hostPort": .int(8080), "containerPort": .int(80), "protocol": .string("tcp")]),
            ])]))
            #expect(calls[0].env == [
                "CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-\(f.tag);"
                    + "K8S_POD_INFRA_CONTAINER_ID=\(sandbox);K8S_POD_UID=uid\(f.tag)",
                "CNI_COMMAND=ADD", "CNI_CONTAINERID=\(sandbox)", "CNI_IFNAME=eth0", "CNI_NETNS=\(ns)",
                "CNI_PATH=\(f.fakeBinDir):/usr/lib/cni",
            ])
            // The loopback plugin brought lo up.
            #expect(try run("/usr/bin/nsenter", ["--net=\(ns)", "ip", "-o", "link", "show", "lo"]).stdout.contains("UP,"))

            // Cache: libcni's format, one entry per network, with the final result.
            let cached = try cni.attachments(sandbox: sandbox)
            #expect(Set(cached.map(\.networkName)) == ["fakenet", "cni-loopback"])
            let entry = try #require(cached.first { $0.networkName == "fakenet" })
            #expect(entry.kind == "cniCacheV1" && entry.ifName == "eth0" && entry.netns == ns)
            #expect(entry.result == (try JSONValue.parse(Array(Self.resultB.replacing("NS", with: ns).utf8))))
            #expect(Data(base64Encoded: entry.config).map { Array($0) } == (try FileIO.read(file)))
            #expect(FileIO.exists(f.stateDir + "/results/fakenet-\(sandbox)-eth0"))

            // CHECK: plugins in order with the cached result.
            try cni.check(sandbox: sandbox, netns: ns)
            let checks = try f.calls().dropFirst(2)
            #expect(checks.map { "\($0.plugin) \($0.command)" } == ["fake-a CHECK", "fake-b CHECK"])
            #expect(checks.allSatisfy { $0.stdin?["prevResult"] == entry.result })

            // DEL: reverse order, cached result as prevResult, same runtimeConfig; then the cache is gone.
            try cni.tearDown(sandbox: sandbox, netns: ns)
            let dels = try f.calls().dropFirst(4)
            #expect(dels.map { "\($0.plugin) \($0.command)" } == ["fake-b DEL", "fake-a DEL"])
            #expect(dels.allSatisfy { $0.stdin?["prevResult"] == entry.result })
            #expect(dels.first?.stdin?["runtimeConfig"] == b["runtimeConfig"])
            #expect(dels.first?.env.contains("CNI_NETNS=\(ns)") == true)
            #expect(try cni.attachments(sandbox: sandbox).isEmpty)
            #expect(!(try run("/usr/bin/nsenter", ["--net=\(ns)", "ip", "-o", "link", "show", "lo"]).stdout.contains("UP,")))

            // A second tearDown has nothing left to do.
            try cni.tearDown(sandbox: sandbox, netns: ns)
            #expect(try f.calls().count == 6)
        }
    }

    @Test func delAfterACrashMidAddUsesTheIntentEntryAndAnEmptyNetnsOnceItIsGone() throws {
        try withFixture { f, sandbox, ns in
            try f.writeFakePlugin("fake-a", body: printing(Self.resultA))
            let file = try fakeList(f, version: "0.4.0", plugins: #"{"type":"fake-a"}"#)
            let cni = f.cni(binDirs: [f.fakeBinDir, "/usr/lib/cni"])
            // What setUp writes before the first plugin runs; a crash right after leaves exactly this.
            let list = try CNINetworkConfigList.load(file: file)
            try cni.cache.write(CNIAttachment(
                kind: "cniCacheV1", containerId: sandbox, config: Data(list.bytes).base64EncodedString(), ifName: "eth0",
                networkName: "fakenet", netns: ns, cniArgs: [["IgnoreUnknown", "1"]], capabilityArgs: nil, result: nil,
                configSource: file))
            // The configuration changes and the namespace disappears while the runner is down.
            unlink(file)
            try NetworkNamespaces.remove(path: ns)

            let restarted = f.cni(binDirs: [f.fakeBinDir, "/usr/lib/cni"])
            try restarted.tearDown(sandbox: sandbox)
            let calls = try f.calls()
            #expect(calls.map { "\($0.plugin) \($0.command)" } == ["fake-a DEL"])
            #expect(calls[0].stdin?["prevResult"] == nil)
            #expect(calls[0].stdin?["cniVersion"] == .string("0.4.0"))
            #expect(calls[0].env.contains("CNI_NETNS="))
            #expect(calls[0].env.contains("CNI_ARGS=IgnoreUnknown=1"))
            #expect(try restarted.attachments().isEmpty)
        }
    }

    @Test func pre040ListsGetNoPrevResultOnDel() throws {
        try withFixture { f, sandbox, ns in
            try f.writeFakePlugin("fake-a", body: printing(Self.resultA.replacing("1.0.0", with: "0.3.1")))
            _ = try fakeList(f, version: "0.3.1", plugins: #"{"type":"fake-a"}"#)
            let cni = f.cni(binDirs: [f.fakeBinDir, "/usr/lib/cni"])
            let st = try cni.setUp(sandbox: sandbox, netns: ns, pod: f.pod)
            #expect(st.podIP == "10.99.0.7")
            try cni.check(sandbox: sandbox, netns: ns)  // CHECK does not exist before 0.4.0: nothing runs
            try cni.tearDown(sandbox: sandbox)
            let calls = try f.calls()
            #expect(calls.map { "\($0.plugin) \($0.command)" } == ["fake-a ADD", "fake-a DEL"])
            #expect(calls[1].stdin?["prevResult"] == nil)
        }
    }

    @Test func pluginErrorNamesPluginExitCodeCNIErrorAndFileAndRollsBack() throws {
        try withFixture { f, sandbox, ns in
            try f.writeFakePlugin("fake-a", body: printing(Self.resultA))
            try f.writeFakePlugin("fake-fail", body: """
                if [ "$CNI_COMMAND" = ADD ]; then
                  echo 'bridge setup trace' >&2
                  echo '{"cniVersion":"1.0.0","code":7,"msg":"invalid network config","details":"subnet overlaps 10.0.0.0/8"}'
                  exit 3
                fi
                """)
            let file = try fakeList(f, plugins: #"{"type":"fake-a"},{"type":"fake-fail"},{"type":"fake-never"}"#)
            let cni = f.cni(binDirs: [f.fakeBinDir, "/usr/lib/cni"])
            let err = expectCNIError { _ = try cni.setUp(sandbox: sandbox, netns: ns, pod: f.pod) }
            let failure = try #require(err?.pluginFailure)
            #expect(failure.plugin == "fake-fail" && failure.exitCode == 3 && failure.code == 7)
            #expect(failure.msg == "invalid network config" && failure.details == "subnet overlaps 10.0.0.0/8")
            #expect(failure.stderr == "bridge setup trace" && failure.source == file && failure.command == "ADD")
            let text = "\(err!)"
            for part in ["CNI ADD", sandbox, "fakenet", file, "\"fake-fail\"", "status 3", "code 7", "invalid network config",
                         "subnet overlaps"] {
                #expect(text.contains(part), "\(part) missing from: \(text)")
            }
            // Rolled back: DEL for the plugins whose ADD ran (not the one after the failure), nothing cached.
            #expect(try f.calls().map { "\($0.plugin) \($0.command)" }
                == ["fake-a ADD", "fake-fail ADD", "fake-fail DEL", "fake-a DEL"])
            #expect(try cni.attachments().isEmpty)
        }
    }

    @Test func missingPluginBinaryNamesPluginDirsAndFile() throws {
        try withFixture { f, sandbox, ns in
            try f.writeFakePlugin("fake-a", body: printing(Self.resultA))
            let file = try fakeList(f, plugins: #"{"type":"fake-a"},{"type":"no-such-plugin"}"#)
            let cni = f.cni(binDirs: [f.fakeBinDir, "/usr/lib/cni"])
            let err = expectCNIError { _ = try cni.setUp(sandbox: sandbox, netns: ns, pod: f.pod) }
            guard case .pluginNotFound(let plugin, let searched, _, _, let network, let source)? = err else {
                Issue.record("unexpected \(String(describing: err))")
                return
            }
            #expect(plugin == "no-such-plugin" && searched == [f.fakeBinDir, "/usr/lib/cni"])
            #expect(network == "fakenet" && source == file)
            #expect("\(err!)".contains("plugin \"no-such-plugin\" not found in \(f.fakeBinDir):/usr/lib/cni"))
            #expect(try f.calls().map { "\($0.plugin) \($0.command)" } == ["fake-a ADD", "fake-a DEL"])
            #expect(try cni.attachments().isEmpty)
        }
    }

    @Test func slowPluginIsKilledAtTheTimeout() throws {
        try withFixture { f, sandbox, ns in
            try f.writeFakePlugin("fake-slow", body: #"[ "$CNI_COMMAND" = ADD ] && exec sleep 30"#)
            _ = try fakeList(f, plugins: #"{"type":"fake-slow"}"#)
            let cni = f.cni(binDirs: [f.fakeBinDir, "/usr/lib/cni"], timeout: .milliseconds(500))
            let start = time(nil)
            let err = expectCNIError { _ = try cni.setUp(sandbox: sandbox, netns: ns, pod: f.pod) }
            #expect(time(nil) - start < 10)
            guard case .pluginTimedOut(let plugin, _, let command, _, _, _, let seconds)? = err else {
                Issue.record("unexpected \(String(describing: err))")
                return
            }
            #expect(plugin == "fake-slow" && command == "ADD" && seconds == 0.5)
            #expect("\(err!)".contains("timed out after 0.5s"))
            #expect(try f.calls().map { "\($0.plugin) \($0.command)" } == ["fake-slow ADD", "fake-slow DEL"])
        }
    }

    @Test func garbageOutputIsAnInvalidResult() throws {
        try withFixture { f, sandbox, ns in
            try f.writeFakePlugin("fake-junk", body: #"[ "$CNI_COMMAND" = ADD ] && echo 'all good!'; exit 0"#)
            _ = try fakeList(f, plugins: #"{"type":"fake-junk"}"#)
            let cni = f.cni(binDirs: [f.fakeBinDir, "/usr/lib/cni"])
            let err = expectCNIError { _ = try cni.setUp(sandbox: sandbox, netns: ns, pod: f.pod) }
            guard case .invalidResult(let plugin, _, _, _, _, let reason)? = err else {
                Issue.record("unexpected \(String(describing: err))")
                return
            }
            #expect(plugin == "fake-junk" && reason.contains("not JSON: all good!"))
            #expect(try cni.attachments().isEmpty)
        }
    }

    @Test func hostPortsWithoutAPortmapPluginAreReportedNotDropped() throws {
        try withFixture { f, sandbox, ns in
            try f.writeFakePlugin("fake-a", body: printing(Self.resultA))
            let file = try fakeList(f, plugins: #"{"type":"fake-a"}"#)
            let cni = f.cni(binDirs: [f.fakeBinDir, "/usr/lib/cni"])
            let st = try cni.setUp(
                sandbox: sandbox, netns: ns, pod: f.pod, portMappings: [.init(hostPort: 8443, containerPort: 443)])
            #expect(st.warnings == ["hostPort mappings 8443->443/tcp not applied: no plugin in \(file) declares the portMappings capability"])
            #expect(try f.calls().first?.stdin?["runtimeConfig"] == nil)
        }
    }

    @Test func invalidArgumentsAreRefusedBeforeAnyPluginRuns() throws {
        try withFixture { f, sandbox, ns in
            try f.writeFakePlugin("fake-a", body: printing(Self.resultA))
            _ = try fakeList(f, plugins: #"{"type":"fake-a"}"#)
            let cni = f.cni(binDirs: [f.fakeBinDir, "/usr/lib/cni"])
            #expect(throws: CNIError.self) { _ = try cni.setUp(sandbox: "../x", netns: ns, pod: f.pod) }
            #expect(throws: CNIError.self) { _ = try cni.setUp(sandbox: sandbox, netns: ns, ifName: "way-too-long-ifname", pod: f.pod) }
            #expect(throws: CNIError.self) {
                _ = try cni.setUp(sandbox: sandbox, netns: ns, pod: PodIdentity(namespace: "a;b", name: "n", uid: "u"))
            }
            #expect(try f.calls().isEmpty)
            #expect(try cni.attachments().isEmpty)
        }
    }

    @Test func versionProbe() throws {
        let f = try NetFixture()
        defer { f.cleanup() }
        let versions = try f.cni().pluginVersions("bridge")
        #expect(versions.contains("0.4.0") && versions.contains("1.0.0"))
        #expect(throws: CNIError.self) { _ = try f.cni().pluginVersions("no-such-plugin") }
    }
}
