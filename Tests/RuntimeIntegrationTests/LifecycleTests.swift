import BootletRuntime
import FoundationEssentials
import OCISpec
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The runc-compatible command line, driven as a user (or containerd) would.
@Suite("bootlet oci lifecycle (CLI)")
struct LifecycleTests {
    func oci(_ b: BundleFixture, _ args: String...) throws -> CommandResult {
        try runCommand(try bootletBinary(), ["oci", "--root", b.stateRoot] + args)
    }

    func state(_ b: BundleFixture, _ id: String) throws -> State {
        let r = try oci(b, "state", id)
        #expect(r.code == 0, "\(r.stderr)")
        return try JSONDecoder().decode(State.self, from: Data(r.stdout.utf8))
    }

    @Test func createStartKillDelete() throws {
        let b = try BundleFixture(args: ["/bin/sleep", "60"])
        try b.writeConfig()
        let pidFile = b.dir + "/pid"
        var r = try oci(b, "create", "--bundle", b.dir, "--pid-file", pidFile, "lc1")
        #expect(r.code == 0, "\(r.stderr)")
        var st = try state(b, "lc1")
        #expect(st.status == .created)
        #expect(st.ociVersion == Spec.version && st.id == "lc1" && st.bundle == b.dir)
        let pid = try #require(st.pid)
        #expect(pid > 0 && kill(pid, 0) == 0)
        #expect(try FileIO.readString(pidFile) == String(pid))
        // A created container has not exec'd its process yet: it still waits, so it stays "created".
        usleep(100_000)
        #expect(try state(b, "lc1").status == .created)
        #expect(try oci(b, "list", "-q").stdout == "lc1\n")

        r = try oci(b, "start", "lc1")
        #expect(r.code == 0, "\(r.stderr)")
        st = try state(b, "lc1")
        #expect(st.status == .running)
        let comm = try FileIO.readString("/proc/\(pid)/comm")
        #expect(comm == "sleep\n")

        r = try oci(b, "delete", "lc1")
        #expect(r.code != 0)
        #expect(r.stderr.contains("not stopped: running"))

        r = try oci(b, "kill", "lc1", "KILL")
        #expect(r.code == 0, "\(r.stderr)")
        var stopped = false
        for _ in 0..<200 {
            if try state(b, "lc1").status == .stopped { stopped = true; break }
            usleep(10_000)
        }
        #expect(stopped)
        let exit = try #require(StateStore(root: b.stateRoot).exitRecord("lc1"))
        #expect(exit.exitCode == 137 && exit.signal == 9)

        r = try oci(b, "delete", "lc1")
        #expect(r.code == 0, "\(r.stderr)")
        r = try oci(b, "state", "lc1")
        #expect(r.code == 1)
        #expect(r.stderr.contains("container does not exist"))
        #expect(b.leftovers().isEmpty)
    }

    @Test func deleteCreatedContainerWithoutStart() throws {
        let b = try BundleFixture(args: ["/bin/true"])
        try b.writeConfig()
        #expect(try oci(b, "create", "-b", b.dir, "lc2").code == 0)
        let pid = try #require(try state(b, "lc2").pid)
        let r = try oci(b, "delete", "lc2")
        #expect(r.code == 0, "\(r.stderr)")
        usleep(50_000)
        #expect(kill(pid, 0) != 0, "the waiting container process must be gone")
        #expect(b.leftovers().isEmpty)
    }

    @Test func forceDeleteRunningContainer() throws {
        let b = try BundleFixture(args: ["/bin/sleep", "60"])
        try b.writeConfig()
        #expect(try oci(b, "run", "-d", "-b", b.dir, "lc3").code == 0)
        let st = try state(b, "lc3")
        #expect(st.status == .running)
        let r = try oci(b, "delete", "--force", "lc3")
        #expect(r.code == 0, "\(r.stderr)")
        #expect(kill(st.pid!, 0) != 0)
        #expect(b.leftovers().isEmpty)
    }

    @Test func runReturnsTheContainerExitCode() throws {
        let b = try BundleFixture(args: ["/bin/sh", "-c", "echo out; echo err >&2; exit 7"])
        try b.writeConfig()
        let r = try oci(b, "run", "-b", b.dir, "lc4")
        #expect(r.code == 7)
        #expect(r.stdout == "out\n" && r.stderr == "err\n")
        #expect(b.leftovers().isEmpty)
    }

    /// The monitor starts before the plan is written; it must wait for the spawner's PLAN message, never read a
    /// half-written plan (that raced about once in a hundred runs). Many back-to-back runs all succeed.
    @Test func manyConsecutiveRunsAllStart() throws {
        let b = try BundleFixture(args: ["/bin/true"])
        try b.writeConfig()
        var failures: [String] = []
        for i in 0..<150 {
            let r = try oci(b, "run", "-b", b.dir, "many-\(i)-\(UInt32.random(in: 0...UInt32.max))")
            if r.code != 0 { failures.append("run \(i): \(r.code) \(r.stderr)") }
        }
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        #expect(b.leftovers().isEmpty)
    }

    @Test func hooksSeeTheStateOnStdin() throws {
        let b = try BundleFixture(args: ["/bin/true"])
        let out = b.dir + "/hooks"
        try FileIO.makeDirectories(out)
        func hook(_ name: String) -> Hook { Hook(path: "/bin/sh", args: ["sh", "-c", "cat > \(out)/\(name).json"]) }
        b.spec.hooks = Hooks(prestart: [hook("prestart")], createRuntime: [hook("createRuntime")],
                             poststart: [hook("poststart")], poststop: [hook("poststop")])
        try b.writeConfig()
        let r = try oci(b, "run", "-b", b.dir, "lc5")
        #expect(r.code == 0, "\(r.stderr)")
        for (name, status) in [("prestart", "creating"), ("createRuntime", "creating"), ("poststop", "stopped")] {
            let st = try JSONDecoder().decode(State.self, from: Data(try FileIO.read("\(out)/\(name).json")))
            #expect(st.id == "lc5" && st.status.rawValue == status && st.bundle == b.dir, "\(name)")
        }
        #expect(FileIO.exists("\(out)/poststart.json"))
        #expect(b.leftovers().isEmpty)
    }

    @Test func failingPrestartHookFailsCreateAndCleansUp() throws {
        let b = try BundleFixture(args: ["/bin/true"])
        b.spec.hooks = Hooks(prestart: [Hook(path: "/bin/false")])
        try b.writeConfig()
        let r = try oci(b, "run", "-b", b.dir, "lc6")
        #expect(r.code == 1)
        #expect(r.stderr.contains("prestart hook #0 /bin/false") && r.stderr.contains("exited with status 1"))
        #expect(b.leftovers().isEmpty)
    }

    @Test func sameBundleRunsUnderRuncAndCrun() throws {
        let b = try BundleFixture(args: ["/bin/sh", "-c", "hostname; id; grep -E '^(CapBnd|CapEff|NoNewPrivs)' /proc/self/status; echo $$"])
        try b.writeConfig()
        let mine = try oci(b, "run", "-b", b.dir, "same")
        #expect(mine.code == 0, "\(mine.stderr)")
        let runc = try runCommand("/usr/bin/runc", ["--root", b.stateRoot + "-runc", "run", "-b", b.dir, "same-runc"])
        #expect(runc.code == 0, "\(runc.stderr)")
        #expect(runc.stdout == mine.stdout)
        // Debian's crun refuses hybrid cgroup hosts; hide the unified mount in a private mount namespace.
        let crun = try runCommand("/usr/bin/unshare", ["-m", "--propagation", "private", "/bin/sh", "-c",
            "mount -t tmpfs none /sys/fs/cgroup/unified 2>/dev/null; exec crun --root \(b.stateRoot)-crun run -b \(b.dir) same-crun"])
        #expect(crun.code == 0, "\(crun.stderr)")
        #expect(crun.stdout == mine.stdout)
        try? FileIO.removeTree(b.stateRoot + "-runc")
        try? FileIO.removeTree(b.stateRoot + "-crun")
    }
}
