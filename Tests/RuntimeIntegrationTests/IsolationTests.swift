import BootletRuntime
import FoundationEssentials
import OCISpec
import Testing

#if canImport(Glibc)
import Glibc
#endif


/// Every isolation feature of the OCI runtime, observed from inside a real container.
@Suite("Container isolation (root, real namespaces)")
struct IsolationTests {
    @Test func processIsPIDOneInItsOwnNamespace() throws {
        let b = try BundleFixture(args: ["/bin/sh", "-c", "echo pid=$$; readlink /proc/self/ns/pid"])
        let r = try b.run()
        #expect(r.code == 0)
        #expect(r.output.contains("pid=1\n"))
        var buf = [CChar](repeating: 0, count: 256)
        let n = readlink("/proc/self/ns/pid", &buf, 255)
        let host = String(decoding: buf[0..<max(0, n)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #expect(!r.output.contains(host), "container must not share the host pid namespace")
        #expect(b.leftovers().isEmpty)
    }

    @Test func hostnameAndDomainname() throws {
        let b = try BundleFixture(args: ["/bin/sh", "-c", "hostname; cat /proc/sys/kernel/domainname"])
        b.spec.hostname = "bl-host-1"
        b.spec.domainname = "example.test"
        let r = try b.run()
        #expect(r.output == "bl-host-1\nexample.test\n")
    }

    @Test func mountsHaveTheirFlags() throws {
        let b = try BundleFixture(args: ["/bin/cat", "/proc/self/mountinfo"])
        let data = b.dir + "/data"
        try FileIO.makeDirectories(data)
        try FileIO.writeAtomically(data + "/f", Array("x".utf8))
        b.spec.mounts!.append(Mount(destination: "/mnt/data", type: "bind", source: data, options: ["rbind", "ro", "nosuid", "nodev"]))
        let r = try b.run()
        #expect(r.code == 0)
        func line(_ mp: String) -> String? {
            r.output.split(separator: "\n").first { $0.split(separator: " ").dropFirst(4).first == Substring(mp) }.map(String.init)
        }
        let proc = try #require(line("/proc"))
        #expect(proc.contains(" - proc "))
        let dev = try #require(line("/dev"))
        #expect(dev.contains("nosuid") && dev.contains(" - tmpfs ") && dev.contains("size=65536k"))
        let sys = try #require(line("/sys"))
        #expect(sys.split(separator: " ")[5].hasPrefix("ro,"))
        let pts = try #require(line("/dev/pts"))
        #expect(pts.contains("noexec") && pts.contains("ptmxmode=666"))
        let bind = try #require(line("/mnt/data"))
        let opts = bind.split(separator: " ")[5]
        #expect(opts.hasPrefix("ro") && opts.contains("nosuid") && opts.contains("nodev"))
        let root = try #require(line("/"))
        #expect(root.split(separator: " ")[5].hasPrefix("ro"), "root.readonly must remount / read-only")
        let cg = try #require(line("/sys/fs/cgroup/memory"))
        #expect(cg.split(separator: " ")[5].hasPrefix("ro"))
    }

    @Test func bindMountIsReadOnlyAndReadable() throws {
        let b = try BundleFixture(args: ["/bin/sh", "-c", "cat /mnt/data/f; echo; touch /mnt/data/g 2>&1; touch /tmp/x 2>&1"])
        let data = b.dir + "/data"
        try FileIO.makeDirectories(data)
        try FileIO.writeAtomically(data + "/f", Array("hello".utf8))
        b.spec.mounts!.append(Mount(destination: "/mnt/data", type: "bind", source: data, options: ["rbind", "ro"]))
        let r = try b.run()
        #expect(r.output.hasPrefix("hello\n"))
        #expect(r.output.contains("touch: /mnt/data/g: Read-only file system"))
        #expect(r.output.contains("touch: /tmp/x: Read-only file system"))
        #expect(!FileIO.exists(data + "/g"))
    }

    @Test func maskedAndReadonlyPaths() throws {
        let b = try BundleFixture(args: ["/bin/sh", "-c",
            "wc -c < /proc/timer_list; ls /sys/firmware | wc -l; echo 1 > /proc/sys/kernel/panic 2>&1 || echo ro-sys"])
        let r = try b.run()
        let lines = r.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.trimmingPrefix(while: { $0 == " " }) == "0", "/proc/timer_list must be /dev/null")
        #expect(lines.count > 1 && lines[1].trimmingPrefix(while: { $0 == " " }) == "0", "/sys/firmware must be an empty tmpfs")
        #expect(r.output.contains("Read-only file system"))
        #expect(r.output.contains("ro-sys"))
    }

    @Test func deviceNodes() throws {
        let b = try BundleFixture(args: ["/bin/sh", "-c",
            "for d in null zero full random urandom tty kmsg-test; do stat -c '%n %F %t:%T %a %u:%g' /dev/$d; done; for l in ptmx fd stdin; do readlink /dev/$l; done"])
        b.spec.linux!.devices = [LinuxDevice(path: "/dev/kmsg-test", type: "c", major: 1, minor: 11, fileMode: 0o600, uid: 0, gid: 5)]
        let r = try b.run()
        #expect(r.output.contains("/dev/null character special file 1:3 666 0:0"))
        #expect(r.output.contains("/dev/zero character special file 1:5 666 0:0"))
        #expect(r.output.contains("/dev/full character special file 1:7 666 0:0"))
        #expect(r.output.contains("/dev/urandom character special file 1:9 666 0:0"))
        #expect(r.output.contains("/dev/tty character special file 5:0 666 0:0"))
        #expect(r.output.contains("/dev/kmsg-test character special file 1:b 600 0:5"))
        #expect(r.output.contains("pts/ptmx\n/proc/self/fd\n/proc/self/fd/0\n"))
    }

    @Test func userGroupsAndUmask() throws {
        let b = try BundleFixture(args: ["/bin/sh", "-c", "grep -E '^(Uid|Gid|Groups)' /proc/self/status; umask"])
        b.spec.process!.user = User(uid: 1000, gid: 1001, umask: 0o027, additionalGids: [10, 20])
        let r = try b.run()
        #expect(statusField(r.output, "Uid") == "1000\t1000\t1000\t1000")
        #expect(statusField(r.output, "Gid") == "1001\t1001\t1001\t1001")
        #expect(statusField(r.output, "Groups")?.split(separator: " ").map(String.init) == ["10", "20"])
        #expect(r.output.hasSuffix("0027\n"))
    }

    @Test func capabilitySetsAsRoot() throws {
        let b = try BundleFixture(args: ["/bin/grep", "-E", "^Cap|^NoNewPrivs", "/proc/self/status"])
        // As uid 0 the kernel makes the effective set equal the permitted set at exec (root is treated as holding
        // every file capability) and, with no_new_privs, limits permitted to what it was; runc gives the same.
        b.spec.process!.capabilities = LinuxCapabilities(
            bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", "CAP_SYS_ADMIN", "CAP_CHECKPOINT_RESTORE"],
            effective: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", "CAP_CHECKPOINT_RESTORE"],
            inheritable: ["CAP_KILL", "CAP_NET_RAW"],
            permitted: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", "CAP_CHECKPOINT_RESTORE"],
            ambient: ["CAP_KILL"])
        let r = try b.run()
        #expect(statusField(r.output, "CapBnd") == format16((1 << 0) | (1 << 5) | (1 << 13) | (1 << 21) | (1 << 40)))
        #expect(statusField(r.output, "CapPrm") == format16((1 << 0) | (1 << 5) | (1 << 13) | (1 << 40)))
        #expect(statusField(r.output, "CapEff") == format16((1 << 0) | (1 << 5) | (1 << 13) | (1 << 40)))
        #expect(statusField(r.output, "CapInh") == format16((1 << 5) | (1 << 13)))
        #expect(statusField(r.output, "CapAmb") == format16(1 << 5))
        #expect(statusField(r.output, "NoNewPrivs") == "1")
    }

    @Test func capabilitySetsAsNonRootUseAmbient() throws {
        let b = try BundleFixture(args: ["/bin/grep", "-E", "^Cap", "/proc/self/status"])
        b.spec.process!.user = User(uid: 1000, gid: 1000)
        // A non-root process keeps across exec only its ambient capabilities (they become permitted and
        // effective); the inheritable and bounding sets are kept as configured.
        b.spec.process!.capabilities = LinuxCapabilities(
            bounding: ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
            effective: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
            inheritable: ["CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
            permitted: ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
            ambient: ["CAP_NET_BIND_SERVICE"])
        let r = try b.run()
        #expect(statusField(r.output, "CapBnd") == format16((1 << 5) | (1 << 10) | (1 << 13)))
        #expect(statusField(r.output, "CapInh") == format16((1 << 10) | (1 << 13)))
        #expect(statusField(r.output, "CapAmb") == format16(1 << 10))
        #expect(statusField(r.output, "CapPrm") == format16(1 << 10))
        #expect(statusField(r.output, "CapEff") == format16(1 << 10))
    }

    @Test func noNewPrivilegesOff() throws {
        let b = try BundleFixture(args: ["/bin/grep", "NoNewPrivs", "/proc/self/status"])
        b.spec.process!.noNewPrivileges = false
        let r = try b.run()
        #expect(statusField(r.output, "NoNewPrivs") == "0")
    }

    @Test func rlimitsAndClampedHardLimit() throws {
        let b = try BundleFixture(args: ["/bin/sh", "-c", "ulimit -n; ulimit -Hn; ulimit -Sc; ulimit -Hc"])
        var cur = rlimit()
        getrlimit(__rlimit_resource_t(7), &cur)
        b.spec.process!.rlimits = [
            POSIXRlimit(type: "RLIMIT_NOFILE", hard: UInt64(cur.rlim_max) + 1000, soft: 512),
            POSIXRlimit(type: "RLIMIT_CORE", hard: 4096 * 1024, soft: 2048 * 1024),
        ]
        let warnings = WarningSink()
        let r = try b.run(warnings: warnings)
        #expect(r.code == 0)
        let lines = r.output.split(separator: "\n").map(String.init)
        #expect(lines == ["512", String(cur.rlim_max), "4096", "8192"] || lines == ["512", String(UInt64(cur.rlim_max) + 1000), "4096", "8192"])
        if bl_has_sys_resource() == 0 {
            #expect(lines.count > 1 && lines[1] == String(cur.rlim_max), "hard limit must be clamped without CAP_SYS_RESOURCE")
            #expect(warnings.all.contains { $0.contains("RLIMIT_NOFILE") && $0.contains("clamped") })
        }
    }

    @Test func sysctlsInNamespaces() throws {
        let b = try BundleFixture(args: ["/bin/sh", "-c", "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shm_rmid_forced"])
        b.spec.linux!.sysctl = ["net.ipv4.ip_forward": "1", "kernel.shm_rmid_forced": "1"]
        let r = try b.run()
        #expect(r.output == "1\n1\n")
    }

    @Test func hostSysctlIsRefused() throws {
        let b = try BundleFixture(args: ["/bin/true"])
        b.spec.linux!.sysctl = ["vm.overcommit_memory": "1"]
        #expect(throws: RuntimeError.self) { try b.run() }
        #expect(b.leftovers().isEmpty)
    }

    @Test func oomScoreAdjAndClampedNegativeValue() throws {
        let b = try BundleFixture(args: ["/bin/cat", "/proc/self/oom_score_adj"])
        b.spec.process!.oomScoreAdj = 300
        #expect(try b.run().output == "300\n")
        b.spec.process!.oomScoreAdj = -998
        let warnings = WarningSink()
        let r = try b.run(warnings: warnings)
        #expect(r.code == 0, "a negative oom_score_adj without CAP_SYS_RESOURCE must not fail the container")
        if bl_has_sys_resource() == 0 {
            #expect(r.output == "\(ProcFS.ownOOMScoreAdj())\n")
            #expect(warnings.all.contains { $0.contains("oomScoreAdj") })
        } else {
            #expect(r.output == "-998\n")
        }
    }

    @Test func cwdAndEnvironment() throws {
        let b = try BundleFixture(args: ["/bin/sh", "-c", "pwd; echo $FOO"])
        b.spec.process!.cwd = "/tmp"
        b.spec.process!.env!.append("FOO=bar baz")
        #expect(try b.run().output == "/tmp\nbar baz\n")
    }

    @Test func userNamespaceWithMappings() throws {
        let b = try BundleFixture(args: ["/bin/sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id -u"])
        b.useUserNamespace()
        let r = try b.run()
        #expect(r.code == 0, "\(r.output)")
        let fields = r.output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(fields.first == ["0", "200000", "65536"])
        #expect(fields.last == ["0"])
    }

    @Test func joinAnotherContainersNetIPCAndUTS() throws {
        let a = try BundleFixture(args: ["/bin/sleep", "30"])
        a.spec.hostname = "owner-of-ns"
        try a.writeConfig()
        let rt = try a.runtime()
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(null) }
        var opts = OCIRuntime.LaunchOptions()
        opts.stdio = (null, null, null)
        let (rec, _) = try rt.launch(id: "owner", bundle: a.dir, mode: .runDetached, options: opts)
        defer { try? rt.delete(id: "owner", force: true) }

        let b = try BundleFixture(args: ["/bin/sh", "-c", "hostname; for n in net ipc uts; do readlink /proc/self/ns/$n; done"])
        b.spec.hostname = nil
        b.spec.linux!.namespaces = [
            .init(type: .pid), .init(type: .mount),
            .init(type: .network, path: "/proc/\(rec.pid)/ns/net"),
            .init(type: .ipc, path: "/proc/\(rec.pid)/ns/ipc"),
            .init(type: .uts, path: "/proc/\(rec.pid)/ns/uts"),
        ]
        b.spec.linux!.sysctl = nil
        let r = try b.run()
        #expect(r.code == 0, "\(r.output)")
        var expected = ["owner-of-ns"]
        for ns in ["net", "ipc", "uts"] {
            var buf = [CChar](repeating: 0, count: 256)
            let n = readlink("/proc/\(rec.pid)/ns/\(ns)", &buf, 255)
            expected.append(String(decoding: buf[0..<max(0, n)].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        #expect(r.output.split(separator: "\n").map(String.init) == expected)
    }
}

func format16(_ v: UInt64) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
}

/// 1 if this process has CAP_SYS_RESOURCE.
func bl_has_sys_resource() -> Int32 { bl_cap_effective_shim(24) }
