@testable import BootletRunner
import BootletRuntime
import KubeModel
import OCISpec
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Sandbox (pause) spec")
struct SandboxSpecTests {
    func input(_ pod: Pod, node: NodeSpecSettings = NodeSpecSettings(memoryCapacity: 8 << 30)) -> SandboxSpecInput {
        SandboxSpecInput(
            pod: pod, id: sandboxID, rootfs: "/run/bootlet/sandboxes/x/rootfs", pauseBinary: "/usr/libexec/bootlet-pause",
            networkNamespacePath: "/run/netns/cni-1234", hostname: "web-node1", shmPath: "/run/bootlet/sandboxes/x/shm",
            resolvConfPath: "/run/bootlet/sandboxes/x/resolv.conf", podCgroupPath: "/kubepods/besteffort/pod\(podUID)",
            logDirectory: "/var/log/pods/default_web-node1_\(podUID)", node: node)
    }

    func build(_ pod: Pod, node: NodeSpecSettings = NodeSpecSettings(memoryCapacity: 8 << 30)) throws -> Spec {
        try SandboxSpecBuilder.build(input(pod, node: node)).spec
    }

    @Test func defaultSandbox() throws {
        let s = try build(makePod([makeContainer()]))
        let p = try #require(s.process)
        #expect(p.args == ["/pause"])
        #expect(p.env == ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])
        #expect(p.cwd == "/")
        #expect(p.user == User(uid: 65535, gid: 65535, additionalGids: [65535]))
        #expect(p.capabilities == LinuxCapabilities(
            bounding: Capability.containerdDefault, effective: Capability.containerdDefault, inheritable: nil,
            permitted: Capability.containerdDefault, ambient: nil))
        #expect(p.noNewPrivileges == true)
        #expect(p.oomScoreAdj == -998)
        #expect(p.rlimits == nil)
        #expect(s.root == Root(path: "/run/bootlet/sandboxes/x/rootfs", readonly: true))
        #expect(s.hostname == "web-node1")
        let l = try #require(s.linux)
        #expect(l.namespaces == [
            LinuxNamespace(type: .pid), LinuxNamespace(type: .ipc), LinuxNamespace(type: .uts), LinuxNamespace(type: .mount),
            LinuxNamespace(type: .network, path: "/run/netns/cni-1234"),
        ])
        #expect(l.sysctl == ["net.ipv4.ip_unprivileged_port_start": "0", "net.ipv4.ping_group_range": "0 2147483647"])
        #expect(l.cgroupsPath == "/kubepods/besteffort/pod\(podUID)/\(sandboxID)")
        #expect(l.resources == LinuxResources(devices: [LinuxDeviceCgroup(allow: false, access: "rwm")], cpu: LinuxCPU(shares: 2)))
        #expect(l.seccomp == nil)
        #expect(l.maskedPaths == SpecDefaults.containerdMaskedPaths)
        #expect(l.readonlyPaths == ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"])
        #expect((s.mounts ?? []).map(\.destination) == ["/proc", "/dev", "/dev/pts", "/dev/mqueue", "/sys", "/dev/shm", "/etc/resolv.conf", "/pause"])
        #expect(s.mounts?[5] == Mount(destination: "/dev/shm", type: "bind", source: "/run/bootlet/sandboxes/x/shm", options: ["rbind", "ro", "nosuid", "nodev", "noexec"]))
        #expect(s.mounts?[7] == Mount(destination: "/pause", type: "bind", source: "/usr/libexec/bootlet-pause", options: ["rbind", "ro", "nosuid", "nodev"]))
        #expect(s.annotations?["io.kubernetes.cri.container-type"] == "sandbox")
        #expect(s.annotations?["io.kubernetes.cri.sandbox-log-directory"] == "/var/log/pods/default_web-node1_\(podUID)")
    }

    @Test func hostNamespaces() throws {
        let hostNet = try build(makePod([makeContainer()], hostNetwork: true))
        #expect(hostNet.linux?.namespaces?.map(\.type) == [.pid, .ipc, .mount])
        #expect(hostNet.hostname == nil)
        #expect(hostNet.linux?.sysctl == [:], "no unprivileged port/ICMP defaults in the host's network namespace")
        let hostPID = try build(makePod([makeContainer()]) { $0.spec.hostPID = true })
        #expect(hostPID.linux?.namespaces?.map(\.type) == [.ipc, .uts, .mount, .network])
        let hostIPC = try build(makePod([makeContainer()]) { $0.spec.hostIPC = true })
        #expect(hostIPC.linux?.namespaces?.map(\.type) == [.pid, .uts, .mount, .network])
        #expect(hostIPC.mounts?.first { $0.destination == "/dev/shm" }?.source == "/dev/shm")
        // shareProcessNamespace: the sandbox owns the pod's pid namespace either way.
        let shared = try build(makePod([makeContainer()]) { $0.spec.shareProcessNamespace = true })
        #expect(shared.linux?.namespaces?.first == LinuxNamespace(type: .pid))
    }

    @Test func sysctls() throws {
        let pod = makePod([makeContainer()]) {
            $0.spec.securityContext?.sysctls = [Sysctl(name: "net/ipv4/ping_group_range", value: "1 1"), Sysctl(name: "kernel.shm_rmid_forced", value: "1")]
        }
        #expect(try build(pod).linux?.sysctl == [
            "net.ipv4.ping_group_range": "1 1", "kernel.shm_rmid_forced": "1", "net.ipv4.ip_unprivileged_port_start": "0",
        ])
        let unsafe = makePod([makeContainer()]) { $0.spec.securityContext?.sysctls = [Sysctl(name: "net.core.somaxconn", value: "1024")] }
        let e = specError { try build(unsafe) }
        #expect(e?.reason == "SysctlForbidden")
        #expect(e?.message == "forbidden sysctl: \"net.core.somaxconn\" not allowlisted")
        let allowed = NodeSpecSettings(memoryCapacity: 8 << 30, allowedUnsafeSysctls: ["net.core.*"])
        #expect(try build(unsafe, node: allowed).linux?.sysctl?["net.core.somaxconn"] == "1024")
        let hostNet = makePod([makeContainer()], hostNetwork: true) {
            $0.spec.securityContext?.sysctls = [Sysctl(name: "net.ipv4.tcp_syncookies", value: "1")]
        }
        #expect(specError { try build(hostNet) }?.message == "forbidden sysctl: \"net.ipv4.tcp_syncookies\" not allowed with host net enabled")
    }

    @Test func userAndSeccomp() throws {
        let runAs = makePod([makeContainer()]) {
            $0.spec.securityContext?.runAsUser = 1000
            $0.spec.securityContext?.supplementalGroups = [5000]
        }
        #expect(try build(runAs).process?.user == User(uid: 1000, gid: 0, additionalGids: [0]))
        let withGroup = makePod([makeContainer()]) {
            $0.spec.securityContext?.runAsUser = 1000
            $0.spec.securityContext?.runAsGroup = 2000
        }
        #expect(try build(withGroup).process?.user == User(uid: 1000, gid: 2000, additionalGids: [2000]))

        let seccompDefault = NodeSpecSettings(seccompDefault: true, memoryCapacity: 8 << 30)
        let rd = RuntimeDefaultProfile.profile(boundingCapabilities: Set(Capability.containerdDefault))
        #expect(try build(makePod([makeContainer()]), node: seccompDefault).linux?.seccomp == rd)
        let podRD = makePod([makeContainer()]) { $0.spec.securityContext?.seccompProfile = SeccompProfile(type: "RuntimeDefault") }
        #expect(try build(podRD).linux?.seccomp == rd)
        // A container-level profile does not apply to the sandbox; a privileged container makes it unconfined.
        let ctrOnly = makePod([makeContainer { $0.securityContext = .with { $0.seccompProfile = SeccompProfile(type: "RuntimeDefault") } }])
        #expect(try build(ctrOnly).linux?.seccomp == nil)
        let privileged = makePod([makeContainer { $0.securityContext = .with { $0.privileged = true } }])
        #expect(try build(privileged, node: seccompDefault).linux?.seccomp == nil)
    }

    @Test func shmMountPlan() {
        #expect(ShmMount.forSandbox(pod: makePod([makeContainer()]) { $0.spec.hostIPC = true }, directory: "/x") == nil)
        let m = ShmMount.forSandbox(pod: makePod([makeContainer()]), directory: "/run/bootlet/sandboxes/x/shm")
        #expect(m?.path == "/run/bootlet/sandboxes/x/shm")
        #expect(m?.source == "shm" && m?.fstype == "tmpfs")
        #expect(m?.data == "mode=1777,size=65536k")
        #expect(m?.flags == UInt(MS_NOSUID | MS_NODEV | MS_NOEXEC))
    }

    @Test func shmMountAndUnmount() throws {
        let f = try SpecFixture()
        let shm = ShmMount(path: f.dir + "/sandbox/tmpfs-shm")
        try shm.mount()
        defer { try? shm.unmount() }
        let mi = (try? FileIO.readString("/proc/self/mountinfo")) ?? ""
        let line = try #require(mi.split(separator: "\n").first { $0.split(separator: " ")[4] == Substring(shm.path) })
        let fields = line.split(separator: " ")
        let dash = try #require(fields.firstIndex(of: "-"))
        #expect(fields[dash + 1] == "tmpfs" && fields[dash + 2] == "shm")
        let flags = Set(fields[5].split(separator: ","))
        #expect(flags.isSuperset(of: ["nosuid", "nodev", "noexec"]))
        let superOpts = Set(fields[dash + 3].split(separator: ","))
        #expect(superOpts.contains("size=65536k"))
        #expect(!superOpts.contains { $0.hasPrefix("mode=") }, "tmpfs lists mode= only when it differs from 1777")
        #expect(mode(of: shm.path) == 0o1777)
        try shm.unmount()
        try shm.unmount()  // idempotent
        #expect(!((try? FileIO.readString("/proc/self/mountinfo")) ?? "").contains(shm.path))
    }
}
