@testable import BootletRunner
import BootletRuntime
import KubeModel
import OCISpec
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Container spec: mounts (containerd order and options)")
struct MountSpecTests {
    func dest(_ s: Spec) -> [String] { (s.mounts ?? []).map(\.destination) }
    func mount(_ s: Spec, _ d: String) -> Mount? { (s.mounts ?? []).first { $0.destination == d } }

    @Test func defaultContainerMountsInContainerdOrder() throws {
        let f = try SpecFixture()
        let pod = makePod([makeContainer { $0.volumeMounts = [VolumeMount(name: "data", mountPath: "/data")] }])
        try FileIO.makeDirectories(f.dir + "/vol/data")
        let spec = try f.build(pod: pod, volumes: ["data": ResolvedVolume(hostPath: f.dir + "/vol/data")]).spec
        // System mounts (no /run, the default /dev/shm replaced), the cgroup view, then the CRI mounts sorted by
        // depth: kubelet's (volume, etc-hosts, termination log) before containerd's (hostname, resolv.conf, shm).
        #expect(dest(spec) == [
            "/proc", "/dev", "/dev/pts", "/dev/mqueue", "/sys", "/sys/fs/cgroup",
            "/data", "/etc/hosts", "/dev/termination-log", "/etc/hostname", "/etc/resolv.conf", "/dev/shm",
        ])
        let m = spec.mounts ?? []
        #expect(m[0] == Mount(destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"]))
        #expect(m[1] == Mount(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]))
        #expect(m[2].options == ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"])
        #expect(m[3] == Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]))
        #expect(m[4] == Mount(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]))
        #expect(m[5] == Mount(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"]))
        #expect(m[6] == Mount(destination: "/data", type: "bind", source: f.dir + "/vol/data", options: ["rbind", "rprivate", "rw"]))
        #expect(m[7] == Mount(destination: "/etc/hosts", type: "bind", source: f.etcHosts, options: ["rbind", "rprivate", "rw"]))
        #expect(m[8] == Mount(destination: "/dev/termination-log", type: "bind", source: f.termLog, options: ["rbind", "rprivate", "rw"]))
        #expect(m[9] == Mount(destination: "/etc/hostname", type: "bind", source: f.hostnameFile, options: ["rbind", "rprivate", "rw"]))
        #expect(m[10] == Mount(destination: "/etc/resolv.conf", type: "bind", source: f.resolvFile, options: ["rbind", "rprivate", "rw"]))
        #expect(m[11] == Mount(destination: "/dev/shm", type: "bind", source: f.shmDir, options: ["rbind", "rprivate", "rw"]))
        #expect(spec.linux?.rootfsPropagation == nil)
    }

    @Test func depthSortIsStable() {
        let ms = ["/a/b/c", "/x", "/etc/hosts", "/y", "/a/b", "/a/./b/../c"].map { CRIMount(containerPath: $0, hostPath: "/h") }
        #expect(ContainerSpecBuilder.stableSortByDepth(ms).map(\.containerPath) == ["/x", "/y", "/etc/hosts", "/a/b", "/a/./b/../c", "/a/b/c"])
    }

    @Test func readOnlyRootFilesystemMakesEtcFilesReadOnlyButNotKubeletEtcHosts() throws {
        let f = try SpecFixture()
        let pod = makePod([makeContainer {
            $0.securityContext = .with { $0.readOnlyRootFilesystem = true }
            $0.volumeMounts = [VolumeMount(name: "data", mountPath: "/data")]
        }])
        try FileIO.makeDirectories(f.dir + "/vol")
        let spec = try f.build(pod: pod, volumes: ["data": ResolvedVolume(hostPath: f.dir + "/vol")]).spec
        #expect(spec.root == Root(path: f.rootfs, readonly: true))
        #expect(mount(spec, "/etc/hostname")?.options == ["rbind", "rprivate", "ro"])
        #expect(mount(spec, "/etc/resolv.conf")?.options == ["rbind", "rprivate", "ro"])
        #expect(mount(spec, "/etc/hosts")?.options == ["rbind", "rprivate", "rw"], "kubelet's etc-hosts stays writable")
        #expect(mount(spec, "/dev/shm")?.options == ["rbind", "rprivate", "rw"])
        #expect(mount(spec, "/dev/termination-log")?.options == ["rbind", "rprivate", "rw"])
        #expect(mount(spec, "/data")?.options == ["rbind", "rprivate", "rw"], "volumes keep their own setting")

        let writable = try f.build(pod: makePod([makeContainer()])).spec
        #expect(writable.root == Root(path: f.rootfs, readonly: nil))
    }

    @Test func sandboxHostsCopyWhenKubeletHasNoEtcHosts() throws {
        let f = try SpecFixture()
        let pod = makePod([makeContainer { $0.securityContext = .with { $0.readOnlyRootFilesystem = true } }], hostNetwork: true)
        let spec = try f.build(pod: pod, etcHosts: false).spec
        #expect(mount(spec, "/etc/hosts") == Mount(destination: "/etc/hosts", type: "bind", source: f.hostsFile, options: ["rbind", "rprivate", "ro"]))
        #expect(dest(spec).filter { $0 == "/etc/hosts" }.count == 1)
    }

    @Test func volumeAtEtcHostsReplacesBothHostsFiles() throws {
        let f = try SpecFixture()
        try FileIO.writeAtomically(f.dir + "/myhosts", Array("1.2.3.4 x\n".utf8))
        let pod = makePod([makeContainer { $0.volumeMounts = [VolumeMount(name: "h", mountPath: "/etc/hosts")] }])
        let spec = try f.build(pod: pod, volumes: ["h": ResolvedVolume(hostPath: f.dir + "/myhosts")]).spec
        #expect(dest(spec).filter { $0 == "/etc/hosts" }.count == 1)
        #expect(mount(spec, "/etc/hosts")?.source == f.dir + "/myhosts")
    }

    @Test func readOnlyVolumesAndSources() throws {
        let f = try SpecFixture()
        for d in ["a", "b", "c"] { try FileIO.makeDirectories(f.dir + "/vol/" + d) }
        let pod = makePod([makeContainer {
            $0.volumeMounts = [
                VolumeMount(name: "a", mountPath: "/a", readOnly: true),
                VolumeMount(name: "b", mountPath: "/b"),
                {
                    var m = VolumeMount(name: "c", mountPath: "/c", readOnly: true)
                    m.recursiveReadOnly = "Enabled"
                    return m
                }(),
            ]
        }])
        let spec = try f.build(pod: pod, volumes: [
            "a": ResolvedVolume(hostPath: f.dir + "/vol/a"),
            "b": ResolvedVolume(hostPath: f.dir + "/vol/b", readOnly: true),  // e.g. a configMap volume
            "c": ResolvedVolume(hostPath: f.dir + "/vol/c"),
        ]).spec
        #expect(mount(spec, "/a")?.options == ["rbind", "rprivate", "ro"])
        #expect(mount(spec, "/b")?.options == ["rbind", "rprivate", "ro"])
        #expect(mount(spec, "/c")?.options == ["rbind", "rprivate", "rro"])
    }

    @Test func hostIPCBindsTheHostShm() throws {
        let f = try SpecFixture()
        let pod = makePod([makeContainer()]) { $0.spec.hostIPC = true }
        let spec = try f.build(pod: pod).spec
        #expect(mount(spec, "/dev/shm") == Mount(destination: "/dev/shm", type: "bind", source: "/dev/shm", options: ["rbind", "rprivate", "rw"]))
    }

    @Test func privilegedMakesSysAndCgroupWritable() throws {
        let f = try SpecFixture()
        let pod = makePod([makeContainer { $0.securityContext = .with { $0.privileged = true } }])
        let spec = try f.build(pod: pod).spec
        #expect(mount(spec, "/sys")?.options == ["nosuid", "noexec", "nodev", "rw"])
        #expect(mount(spec, "/sys/fs/cgroup")?.options == ["nosuid", "noexec", "nodev", "relatime", "rw"])
    }

    @Test func aDevVolumeDropsTheDefaultDevMounts() throws {
        let f = try SpecFixture()
        try FileIO.makeDirectories(f.dir + "/hostdev")
        let pod = makePod([makeContainer { $0.volumeMounts = [VolumeMount(name: "dev", mountPath: "/dev")] }])
        let spec = try f.build(pod: pod, volumes: ["dev": ResolvedVolume(hostPath: f.dir + "/hostdev")]).spec
        #expect(!dest(spec).contains("/dev/pts") && !dest(spec).contains("/dev/mqueue"))
        #expect(mount(spec, "/dev")?.type == "bind")
        // containerd's own /dev/shm and the termination log are still CRI mounts, bound after /dev.
        #expect(dest(spec).firstIndex(of: "/dev")! < dest(spec).firstIndex(of: "/dev/shm")!)
    }

    @Test func missingSourceIsCreatedAndSymlinksResolved() throws {
        let f = try SpecFixture()
        try FileIO.makeDirectories(f.dir + "/real")
        symlink(f.dir + "/real", f.dir + "/link")
        let pod = makePod([makeContainer {
            $0.volumeMounts = [VolumeMount(name: "new", mountPath: "/new"), VolumeMount(name: "link", mountPath: "/link")]
        }])
        let spec = try f.build(pod: pod, volumes: [
            "new": ResolvedVolume(hostPath: f.dir + "/not/yet"), "link": ResolvedVolume(hostPath: f.dir + "/link"),
        ]).spec
        #expect(FileIO.isDirectory(f.dir + "/not/yet"))
        #expect(mode(of: f.dir + "/not/yet") & 0o777 == 0o755 & ~mode_t(umaskValue()))
        #expect(mount(spec, "/link")?.source == f.dir + "/real")
    }

    func umaskValue() -> mode_t {
        let u = umask(0)
        umask(u)
        return u
    }

    @Test func unknownVolumeIsAConfigError() throws {
        let f = try SpecFixture()
        let pod = makePod([makeContainer { $0.volumeMounts = [VolumeMount(name: "ghost", mountPath: "/g")] }])
        let e = specError { try f.build(pod: pod) }
        #expect(e?.reason == "CreateContainerConfigError")
        #expect(e?.message == "cannot find volume \"ghost\" to mount into container \"app\"")
    }

    @Test func propagationModes() throws {
        let f = try SpecFixture()
        try FileIO.makeDirectories(f.dir + "/v")
        func build(_ mode: String?) throws -> Spec {
            let pod = makePod([makeContainer {
                var vm = VolumeMount(name: "v", mountPath: "/v")
                vm.mountPropagation = mode
                $0.volumeMounts = [vm]
                $0.securityContext = .with { $0.privileged = true }
            }])
            return try f.build(pod: pod, volumes: ["v": ResolvedVolume(hostPath: f.dir + "/v")]).spec
        }
        #expect(mount(try build("None"), "/v")?.options == ["rbind", "rprivate", "rw"])
        // /tmp on this host is not a shared mount (containerd: ensureSharedOrSlave / ensureShared).
        let mi = (try? FileIO.readString("/proc/self/mountinfo")) ?? ""
        if MountPropagationCheck.ensure(f.dir + "/v", allowSlave: true, mountinfo: mi) == nil {
            let s = try build("HostToContainer")
            #expect(mount(s, "/v")?.options == ["rbind", "rslave", "rw"])
            #expect(s.linux?.rootfsPropagation == "rslave")
        } else {
            let e = specError { try build("HostToContainer") }
            #expect(e?.reason == "CreateContainerError")
            #expect(e?.message.hasPrefix("path \"\(f.dir)/v\" is mounted on ") == true)
            #expect(e?.message.hasSuffix("but it is not a shared or slave mount") == true)
        }
        let bad = specError { try build("Sideways") }
        #expect(bad?.message == "invalid MountPropagation mode: \"Sideways\"")
    }

    @Test func propagationCheckReadsMountinfo() {
        let mi = """
            22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
            40 22 0:35 / /tmp rw,nosuid,nodev - tmpfs tmpfs rw
            41 22 0:36 / /var/lib/kubelet rw master:7 - ext4 /dev/sda2 rw
            42 41 0:37 / /var/lib/kubelet/pods rw shared:9 - tmpfs tmpfs rw
            """
        #expect(MountPropagationCheck.ensure("/srv/x", allowSlave: false, mountinfo: mi) == nil)
        #expect(MountPropagationCheck.ensure("/tmp/x", allowSlave: true, mountinfo: mi)
            == "path \"/tmp/x\" is mounted on \"/tmp\" but it is not a shared or slave mount")
        #expect(MountPropagationCheck.ensure("/var/lib/kubelet/x", allowSlave: true, mountinfo: mi) == nil)
        #expect(MountPropagationCheck.ensure("/var/lib/kubelet/x", allowSlave: false, mountinfo: mi)
            == "path \"/var/lib/kubelet/x\" is mounted on \"/var/lib/kubelet\" but it is not a shared mount")
        #expect(MountPropagationCheck.ensure("/var/lib/kubelet/pods/u", allowSlave: false, mountinfo: mi) == nil)
        #expect(MountPropagationCheck.ensure("/tmpfoo", allowSlave: false, mountinfo: mi) == nil, "/tmpfoo is on /, not /tmp")
    }

    @Test func noTerminationLogMountWhenPathIsEmpty() throws {
        let f = try SpecFixture()
        let pod = makePod([makeContainer { $0.terminationMessagePath = "" }])
        #expect(!dest(try f.build(pod: pod).spec).contains("/dev/termination-log"))
        let custom = makePod([makeContainer { $0.terminationMessagePath = "/tmp/status" }])
        #expect(mount(try f.build(pod: custom).spec, "/tmp/status")?.source == f.termLog)
    }
}
