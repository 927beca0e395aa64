import BootletRuntime
import OCISpec
import Testing

/// Seccomp observed from inside a container.
@Suite("Container seccomp")
struct SeccompContainerTests {
    @Test func runtimeDefaultIsEnforced() throws {
        let b = try BundleFixture(args: ["/bin/sh", "-c",
            "grep -E '^(Seccomp|Seccomp_filters|NoNewPrivs):' /proc/self/status; unshare -U /bin/true 2>&1; echo unshare=$?"])
        let caps = Set(b.spec.process!.capabilities!.bounding!)
        b.spec.linux!.seccomp = RuntimeDefaultProfile.profile(boundingCapabilities: caps)
        let r = try b.run()
        #expect(r.code == 0, "\(r.output)")
        #expect(statusField(r.output, "Seccomp") == "2")
        #expect(statusField(r.output, "Seccomp_filters") == "1")
        #expect(r.output.contains("Operation not permitted"), "unshare without CAP_SYS_ADMIN is refused by RuntimeDefault")
        #expect(r.output.contains("unshare=1"))
    }

    @Test func withoutSeccompTheSameCallSucceeds() throws {
        // Control for the test above: the refusal comes from the filter, not from missing capabilities.
        let b = try BundleFixture(args: ["/bin/sh", "-c", "grep '^Seccomp:' /proc/self/status; unshare -U /bin/true; echo unshare=$?"])
        let r = try b.run()
        #expect(statusField(r.output, "Seccomp") == "0")
        #expect(r.output.contains("unshare=0"))
    }

    @Test func customRuleWithErrnoRet() throws {
        let b = try BundleFixture(args: ["/bin/sh", "-c", "mkdir /tmp/x 2>&1; echo mkdir=$?; echo still-running"])
        b.spec.root!.readonly = false
        b.spec.linux!.seccomp = LinuxSeccomp(
            defaultAction: .allow, architectures: [.x86_64, .x86, .x32],
            syscalls: [LinuxSyscall(names: ["mkdir", "mkdirat"], action: .errno, errnoRet: 1)])
        let r = try b.run()
        #expect(r.output.contains("Operation not permitted"))
        #expect(r.output.contains("mkdir=1\nstill-running"))
        #expect(!FileIO.exists(b.rootfs + "/tmp/x"))
    }

    @Test func seccompWithoutNoNewPrivsIsLoadedBeforeTheCapabilityDrop() throws {
        let b = try BundleFixture(args: ["/bin/grep", "-E", "^(Seccomp|NoNewPrivs):", "/proc/self/status"])
        b.spec.process!.noNewPrivileges = false
        b.spec.process!.user = User(uid: 1000, gid: 1000)
        b.spec.linux!.seccomp = RuntimeDefaultProfile.profile(boundingCapabilities: Set(b.spec.process!.capabilities!.bounding!))
        let r = try b.run()
        #expect(r.code == 0, "\(r.output)")
        #expect(statusField(r.output, "Seccomp") == "2")
        #expect(statusField(r.output, "NoNewPrivs") == "0")
    }

    @Test func unknownSeccompActionIsAClearError() throws {
        let b = try BundleFixture(args: ["/bin/true"])
        b.spec.linux!.seccomp = LinuxSeccomp(defaultAction: "SCMP_ACT_EXPLODE", syscalls: [])
        try b.writeConfig()
        let r = try runCommand(try bootletBinary(), ["oci", "--root", b.stateRoot, "run", "-b", b.dir, "sec"])
        #expect(r.code != 0)
        #expect(r.stderr.contains("SCMP_ACT_EXPLODE") && r.stderr.contains("unknown seccomp action"), "\(r.stderr)")
        #expect(b.leftovers().isEmpty)
    }
}
