import BootletRuntime
import OCISpec
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Running a process inside a running container (runc exec / CRI ExecSync).
@Suite("exec in a container")
struct ExecTests {
    func start(_ b: BundleFixture, id: String) throws -> (OCIRuntime, ContainerRecord) {
        try b.writeConfig()
        let rt = try b.runtime()
        var o = OCIRuntime.LaunchOptions()
        o.logPath = b.dir + "/0.log"
        let (rec, _) = try rt.launch(id: id, bundle: b.dir, mode: .runDetached, options: o)
        return (rt, rec)
    }

    @Test func execJoinsNamespacesCgroupAndCredentials() throws {
        let b = try BundleFixture(args: ["/bin/sleep", "60"])
        b.spec.hostname = "exec-host"
        b.spec.process!.user = User(uid: 1000, gid: 1000)
        b.spec.linux!.seccomp = RuntimeDefaultProfile.profile(boundingCapabilities: Set(b.spec.process!.capabilities!.bounding!))
        let (rt, rec) = try start(b, id: "ex1")
        defer { try? rt.delete(id: "ex1", force: true) }
        let r = try rt.exec(id: "ex1", args: ["/bin/sh", "-c",
            "hostname; id -u; grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status; readlink /proc/self/ns/net; echo pid=$$; sed 's/^/cg /' /proc/self/cgroup; echo err >&2; exit 5"])
        #expect(r.exitCode == 5 && !r.timedOut)
        let text = String(decoding: r.output, as: UTF8.self)
        var host = [CChar](repeating: 0, count: 256)
        let n = readlink("/proc/\(rec.pid)/ns/net", &host, 255)
        let netns = String(decoding: host[0..<max(0, n)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #expect(text.hasPrefix("exec-host\n1000\n"), "\(text)")
        #expect(statusField(text, "NoNewPrivs") == "1" && statusField(text, "Seccomp") == "2")
        #expect(text.contains(netns + "\n"), "joins the container's network namespace")
        // The container's cgroup in every hierarchy (v1 through `tasks`, cgroup2 through the monitor).
        let cg = text.split(separator: "\n").filter { $0.hasPrefix("cg ") }
        let hostLines = try FileIO.readString("/proc/self/cgroup").split(separator: "\n")
        #expect(cg.count == hostLines.count && cg.allSatisfy { $0.hasSuffix("/ex1") }, "joins the container's cgroup: \(text)")
        #expect(text.hasSuffix("err\n"))
        #expect(text.contains("pid=2\n"), "joins the container pid namespace (its init is pid 1)")
    }

    @Test func timeoutKillsTheProcess() throws {
        let b = try BundleFixture(args: ["/bin/sleep", "60"])
        let (rt, _) = try start(b, id: "ex2")
        defer { try? rt.delete(id: "ex2", force: true) }
        let t0 = Timestamp.nowNanos()
        let r = try rt.exec(id: "ex2", args: ["/bin/sleep", "30"], timeoutNanos: 200_000_000)
        #expect(r.timedOut && r.exitCode == 137)
        #expect(Timestamp.nowNanos() - t0 < 5_000_000_000)
        // The container itself is untouched.
        #expect(try rt.state(id: "ex2").status == .running)
    }

    @Test func execInStoppedContainerIsAnError() throws {
        let b = try BundleFixture(args: ["/bin/true"])
        let (rt, _) = try start(b, id: "ex3")
        defer { try? rt.delete(id: "ex3", force: true) }
        for _ in 0..<200 where (try? rt.state(id: "ex3").status) != .stopped { usleep(10_000) }
        #expect(throws: RuntimeError.self) { try rt.exec(id: "ex3", args: ["/bin/true"]) }
    }

    @Test func missingCommandInsideTheContainer() throws {
        let b = try BundleFixture(args: ["/bin/sleep", "60"])
        let (rt, _) = try start(b, id: "ex4")
        defer { try? rt.delete(id: "ex4", force: true) }
        let e = #expect(throws: RuntimeError.self) { try rt.exec(id: "ex4", args: ["no-such-cmd"]) }
        #expect(e?.description.contains("executable file not found in $PATH") == true)
    }
}
