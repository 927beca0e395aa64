import BootletImages
@testable import BootletRunner
import BootletRuntime
import KubeModel
import OCISpec
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Container spec: capabilities, seccomp, no_new_privs, masked paths, namespaces, devices")
struct SecuritySpecTests {
    static let current: [Capability] = Array(Capability.allKnown.prefix(24))  // like root without CAP_SYS_RESOURCE (24)
    static let node = NodeSpecSettings(memoryCapacity: 8 << 30, currentCapabilities: current)

    func spec(_ edit: (inout SecurityContext) -> Void, node: NodeSpecSettings = SecuritySpecTests.node,
              pod podEdit: (inout Pod) -> Void = { _ in }) throws -> Spec {
        let f = try SpecFixture()
        let pod = makePod([makeContainer { $0.securityContext = .with(edit) }], edit: podEdit)
        return try f.build(pod: pod, node: node).spec
    }

    // MARK: capabilities

    struct CapCase: CustomStringConvertible, Sendable {
        var name: String
        var add: [String]?
        var drop: [String]?
        var privileged = false
        var want: [Capability]
        var description: String { name }
    }

    static let capCases: [CapCase] = [
        CapCase(name: "default set", add: nil, drop: nil, want: Capability.containerdDefault),
        CapCase(name: "add one (lower case, no CAP_)", add: ["net_admin"], drop: nil, want: Capability.containerdDefault + ["CAP_NET_ADMIN"]),
        CapCase(name: "add an existing one keeps the list", add: ["CHOWN"], drop: nil, want: Capability.containerdDefault),
        CapCase(name: "drop one", add: nil, drop: ["NET_RAW"], want: Capability.containerdDefault.filter { $0 != "CAP_NET_RAW" }),
        CapCase(name: "drop ALL", add: nil, drop: ["ALL"], want: []),
        CapCase(name: "drop ALL then add back", add: ["NET_BIND_SERVICE"], drop: ["all"], want: ["CAP_NET_BIND_SERVICE"]),
        CapCase(name: "add ALL", add: ["ALL"], drop: nil, want: current),
        CapCase(name: "add ALL minus one", add: ["ALL"], drop: ["CHOWN"], want: current.filter { $0 != "CAP_CHOWN" }),
        CapCase(name: "add ALL and drop ALL: drop wins", add: ["ALL", "SYS_TIME"], drop: ["ALL"], want: ["CAP_SYS_TIME"]),
        CapCase(name: "privileged ignores add/drop", add: ["NET_ADMIN"], drop: ["ALL"], privileged: true, want: current),
    ]

    @Test(arguments: capCases) func capabilities(_ c: CapCase) throws {
        let s = try spec {
            if c.add != nil || c.drop != nil { $0.capabilities = Capabilities(add: c.add, drop: c.drop) }
            if c.privileged { $0.privileged = true }
        }
        let caps = try #require(s.process?.capabilities)
        #expect(caps.bounding == c.want)
        #expect(caps.effective == c.want)
        #expect(caps.permitted == c.want)
        #expect(caps.inheritable == nil)
        #expect(caps.ambient == nil, "containerd WithoutAmbientCaps: a non-root user ends up with no capabilities")
    }

    @Test func defaultCapabilitySetIsContainerds14() {
        #expect(Capability.containerdDefault.count == 14)
    }

    // MARK: seccomp

    @Test func seccompMatrix() throws {
        let rd = RuntimeDefaultProfile.profile(boundingCapabilities: Set(Capability.containerdDefault))
        let withDefault = NodeSpecSettings(seccompDefault: true, memoryCapacity: 8 << 30, currentCapabilities: Self.current)
        let cases: [(String, SeccompProfile?, SeccompProfile?, NodeSpecSettings, Bool, LinuxSeccomp?)] = [
            ("nothing set, seccompDefault off: Unconfined", nil, nil, Self.node, false, nil),
            ("nothing set, seccompDefault on: RuntimeDefault", nil, nil, withDefault, false, rd),
            ("pod RuntimeDefault", nil, SeccompProfile(type: "RuntimeDefault"), Self.node, false, rd),
            ("container RuntimeDefault", SeccompProfile(type: "RuntimeDefault"), nil, Self.node, false, rd),
            ("container Unconfined overrides pod", SeccompProfile(type: "Unconfined"), SeccompProfile(type: "RuntimeDefault"), Self.node, false, nil),
            ("container Unconfined overrides seccompDefault", SeccompProfile(type: "Unconfined"), nil, withDefault, false, nil),
            ("privileged never gets one", SeccompProfile(type: "RuntimeDefault"), nil, withDefault, true, nil),
        ]
        for (name, ctr, pod, node, privileged, want) in cases {
            let s = try spec({
                $0.seccompProfile = ctr
                if privileged { $0.privileged = true }
            }, node: node, pod: { $0.spec.securityContext?.seccompProfile = pod })
            #expect(s.linux?.seccomp == want, "\(name)")
        }
    }

    @Test func runtimeDefaultFollowsTheBoundingSet() throws {
        let s = try spec {
            $0.seccompProfile = SeccompProfile(type: "RuntimeDefault")
            $0.capabilities = Capabilities(add: ["SYS_ADMIN"])
        }
        #expect(s.linux?.seccomp == RuntimeDefaultProfile.profile(boundingCapabilities: Set(Capability.containerdDefault + ["CAP_SYS_ADMIN"])))
        #expect(s.linux?.seccomp != RuntimeDefaultProfile.profile(boundingCapabilities: Set(Capability.containerdDefault)))
    }

    @Test func localhostProfile() throws {
        let f = try SpecFixture()
        let root = f.dir + "/kubelet"
        try FileIO.makeDirectories(root + "/seccomp/profiles")
        try FileIO.writeAtomically(
            root + "/seccomp/profiles/audit.json",
            Array(#"{"defaultAction":"SCMP_ACT_LOG","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}"#.utf8))
        let node = NodeSpecSettings(kubeletRootDir: root, memoryCapacity: 8 << 30)
        func build(_ name: String?) throws -> Spec {
            let pod = makePod([makeContainer {
                $0.securityContext = .with { $0.seccompProfile = SeccompProfile(type: "Localhost", localhostProfile: name) }
            }])
            return try f.build(pod: pod, node: node).spec
        }
        #expect(try build("profiles/audit.json").linux?.seccomp
            == LinuxSeccomp(defaultAction: .log, syscalls: [LinuxSyscall(names: ["mkdir"], action: .errno, errnoRet: 1)]))

        let missing = specError { try build("profiles/nope.json") }
        #expect(missing?.reason == "CreateContainerError")
        #expect(missing?.message
            == "cannot load seccomp profile \"\(root)/seccomp/profiles/nope.json\": open \(root)/seccomp/profiles/nope.json: no such file or directory")

        try FileIO.writeAtomically(root + "/seccomp/bad.json", Array("{nope".utf8))
        let bad = specError { try build("bad.json") }
        #expect(bad?.reason == "CreateContainerError")
        #expect(bad?.message.hasPrefix("decoding seccomp profile failed \"\(root)/seccomp/bad.json\": ") == true)

        let unnamed = specError { try build(nil) }
        #expect(unnamed?.reason == "CreateContainerConfigError")
        #expect(unnamed?.message == "localhostProfile must be set if seccompProfile type is Localhost.")
    }

    // MARK: no_new_privs, masked paths, apparmor

    @Test func noNewPrivilegesOnlyWhenEscalationIsForbidden() throws {
        #expect(try spec { $0.allowPrivilegeEscalation = false }.process?.noNewPrivileges == true)
        #expect(try spec { $0.allowPrivilegeEscalation = true }.process?.noNewPrivileges == nil)
        #expect(try spec { _ in }.process?.noNewPrivileges == nil)
    }

    @Test func maskedAndReadonlyPaths() throws {
        let normal = try spec { _ in }
        #expect(normal.linux?.maskedPaths == [
            "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
            "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
        ])
        #expect(normal.linux?.readonlyPaths == ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"])
        let unmasked = try spec { $0.procMount = "Unmasked" }
        #expect(unmasked.linux?.maskedPaths == [] && unmasked.linux?.readonlyPaths == [])
        let privileged = try spec { $0.privileged = true }
        #expect(privileged.linux?.maskedPaths == [] && privileged.linux?.readonlyPaths == [])
        #expect(try spec { $0.procMount = "Default" }.linux?.maskedPaths?.count == 11)
    }

    @Test func appArmorIsAWarning() throws {
        let f = try SpecFixture()
        let pod = makePod([makeContainer { $0.securityContext = .with { $0.appArmorProfile = ["type": "RuntimeDefault"] } }])
        let r = try f.build(pod: pod)
        #expect(r.spec.process?.apparmorProfile == nil)
        #expect(r.warnings.contains { $0.contains("AppArmor is not supported") })
    }

    // MARK: namespaces

    @Test func namespacesPerHostFlags() throws {
        func ns(_ edit: @escaping (inout Pod) -> Void, v2: Bool = false, privileged: Bool = false) throws -> [LinuxNamespace] {
            let node = NodeSpecSettings(cgroupV2: v2, memoryCapacity: 8 << 30, currentCapabilities: Self.current)
            return try spec({ if privileged { $0.privileged = true } }, node: node, pod: edit).linux?.namespaces ?? []
        }
        let sandbox = [
            LinuxNamespace(type: .pid), LinuxNamespace(type: .ipc, path: "/proc/4242/ns/ipc"),
            LinuxNamespace(type: .uts, path: "/proc/4242/ns/uts"), LinuxNamespace(type: .mount),
            LinuxNamespace(type: .network, path: "/run/netns/cni-1234"),
        ]
        #expect(try ns { _ in } == sandbox)
        #expect(try ns { $0.spec.shareProcessNamespace = true }.first == LinuxNamespace(type: .pid, path: "/proc/4242/ns/pid"))
        #expect(try ns { $0.spec.hostPID = true }.map(\.type) == [.ipc, .uts, .mount, .network])
        #expect(try ns { $0.spec.hostIPC = true }.map(\.type) == [.pid, .uts, .mount, .network])
        #expect(try ns { $0.spec.hostNetwork = true } == [LinuxNamespace(type: .pid), LinuxNamespace(type: .ipc, path: "/proc/4242/ns/ipc"), LinuxNamespace(type: .mount)])
        #expect(try ns({ _ in }, v2: true).last == LinuxNamespace(type: .cgroup))
        #expect(try ns({ _ in }, v2: true, privileged: true).contains { $0.type == .cgroup } == false)
        #expect(try ns({ _ in }, v2: false).contains { $0.type == .cgroup } == false)
    }

    @Test func hostnameOnlyWithOwnUTS() throws {
        let f = try SpecFixture()
        #expect(try f.build(pod: makePod([makeContainer()])).spec.hostname == "web-node1")
        #expect(try f.build(pod: makePod([makeContainer()], hostNetwork: true)).spec.hostname == nil)
    }

    // MARK: devices

    @Test func devicesForPrivilegedContainers() throws {
        let f = try SpecFixture()
        let dev = f.dir + "/dev"
        for d in ["", "/pts", "/net", "/shm", "/.udev"] { try FileIO.makeDirectories(dev + d) }
        #expect(mknod(dev + "/null", S_IFCHR | 0o666, makedev(1, 3)) == 0)
        #expect(mknod(dev + "/sda", S_IFBLK | 0o660, makedev(8, 0)) == 0)
        #expect(mknod(dev + "/net/tun", S_IFCHR | 0o666, makedev(10, 200)) == 0)
        #expect(mknod(dev + "/console", S_IFCHR | 0o600, makedev(5, 1)) == 0)
        #expect(mknod(dev + "/pts/0", S_IFCHR | 0o620, makedev(136, 0)) == 0)
        #expect(mknod(dev + "/.udev/x", S_IFCHR | 0o600, makedev(1, 7)) == 0)
        #expect(mkfifo(dev + "/initctl", 0o600) == 0)
        for (p, m) in [("/null", 0o666), ("/sda", 0o660), ("/net/tun", 0o666)] { chmod(dev + p, mode_t(m)) }  // undo the umask
        symlink("null", dev + "/alias")
        chown(dev + "/sda", 0, 6)
        let node = NodeSpecSettings(memoryCapacity: 8 << 30, currentCapabilities: Self.current, deviceRoot: dev)
        let priv = try f.build(pod: makePod([makeContainer { $0.securityContext = .with { $0.privileged = true } }]), node: node).spec
        #expect(priv.linux?.devices == [
            LinuxDevice(path: "/dev/net/tun", type: "c", major: 10, minor: 200, fileMode: 0o666, uid: 0, gid: 0),
            LinuxDevice(path: "/dev/null", type: "c", major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0),
            LinuxDevice(path: "/dev/sda", type: "b", major: 8, minor: 0, fileMode: 0o660, uid: 0, gid: 6),
        ])
        #expect(priv.linux?.resources?.devices == [LinuxDeviceCgroup(allow: true, access: "rwm")])
        let plain = try f.build(pod: makePod([makeContainer()]), node: node).spec
        #expect(plain.linux?.devices == nil)
        #expect(plain.linux?.resources?.devices == [LinuxDeviceCgroup(allow: false, access: "rwm")])
    }
}

func makedev(_ major: UInt32, _ minor: UInt32) -> dev_t {
    let ma = dev_t(major), mi = dev_t(minor)
    return ((ma & 0xffff_f000) << 32) | ((ma & 0xfff) << 8) | ((mi & 0xffff_ff00) << 12) | (mi & 0xff)
}
