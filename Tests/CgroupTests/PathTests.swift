import BootletRuntime
import Testing

@Suite("cgroup paths and placement")
struct PathTests {
    @Test("absolute, relative and absent OCI cgroupsPath")
    func parse() throws {
        let abs = try CgroupPath("/kubepods/burstable/podabc/0123")
        #expect(abs.isAbsolute)
        #expect(abs.components == ["kubepods", "burstable", "podabc", "0123"])
        #expect(abs.description == "/kubepods/burstable/podabc/0123")
        #expect(abs.parent?.description == "/kubepods/burstable/podabc")

        let rel = try CgroupPath("bootlet//./ctr/")
        #expect(!rel.isAbsolute)
        #expect(rel.components == ["bootlet", "ctr"])

        let def = try CgroupPath(ociCgroupsPath: nil, containerID: "abc")
        #expect(!def.isAbsolute && def.components == ["abc"])
        #expect(try CgroupPath(ociCgroupsPath: "", containerID: "abc") == def)
        // A colon inside a real path is fine.
        #expect(try CgroupPath("/a:b:c").components == ["a:b:c"])
    }

    @Test("runc's systemd slice:prefix:name form is rejected with a clear error")
    func systemdForm() throws {
        let e = #expect(throws: CgroupError.self) {
            try CgroupPath(ociCgroupsPath: "kubepods-burstable-pod1.slice:cri-containerd:abc", containerID: "abc")
        }
        #expect(e?.description.contains("systemd cgroup driver not supported") == true)
        let host = try CgroupHost.detect(mountinfo: Fixtures.v1MountInfo, procSelfCgroup: Fixtures.v1ProcCgroup)
        let d = #expect(throws: CgroupError.self) {
            try Cgroups.manager(path: CgroupPath("/x"), host: host, driver: .systemd)
        }
        #expect(d?.description.contains("systemd cgroup driver not supported") == true)
    }

    @Test("escaping paths and the root cgroup are refused")
    func refused() {
        #expect(throws: CgroupError.self) { try CgroupPath("/kubepods/../etc") }
        #expect(throws: CgroupError.self) { try CgroupPath("..") }
        #expect(throws: CgroupError.self) { try CgroupPath("/") }
        #expect(throws: CgroupError.self) { try CgroupPath(".") }
        #expect(throws: CgroupError.self) { try CgroupPath(absolute: []) }
        #expect(throws: CgroupError.self) { try CgroupPath(absolute: ["a/b"]) }
    }

    @Test("absolute paths start at each hierarchy root, relative ones at this process's cgroup")
    func placement() throws {
        let root = Fixtures.fakeRoot("place", unifiedAt: "/sys/fs/cgroup/unified", controllers: "hugetlb")
        defer { TestFS.removeTree(root) }
        let host = try CgroupHost.detect(
            mountinfo: Fixtures.hybridMountInfo, procSelfCgroup: Fixtures.hybridProcCgroup, rootPrefix: root
        )
        let abs = CgroupfsManager(host: host, path: try CgroupPath("/kubepods/pod1/c1"))
        #expect(abs.directory(for: "memory") == root + "/sys/fs/cgroup/memory/kubepods/pod1/c1")
        #expect(abs.directory(for: "cpu") == root + "/sys/fs/cgroup/cpu/kubepods/pod1/c1")
        #expect(abs.directory(for: "hugetlb") == root + "/sys/fs/cgroup/unified/kubepods/pod1/c1")
        #expect(abs.directory(for: "net_cls") == nil)
        #expect(abs.directories.count == 10)
        #expect(abs.procsFiles().contains(root + "/sys/fs/cgroup/systemd/kubepods/pod1/c1/cgroup.procs"))
        #expect(abs.procsFiles().contains(root + "/sys/fs/cgroup/unified/kubepods/pod1/c1/cgroup.procs"))

        // runc's default: the container id below the runtime's own cgroup in every hierarchy.
        let rel = CgroupfsManager(host: host, path: try CgroupPath(ociCgroupsPath: nil, containerID: "c1"))
        #expect(rel.directory(for: "memory") == root + "/sys/fs/cgroup/memory/process_api/0a105163ff65f5fea163591465823f00/c1")
        #expect(rel.directory(for: "pids") == root + "/sys/fs/cgroup/pids/c1")
        #expect(rel.unifiedDirectory == root + "/sys/fs/cgroup/unified/c1")
    }

    @Test("a namespaced/bind-mounted hierarchy root is stripped from the own cgroup path")
    func mountRoot() throws {
        let host = try CgroupHost.detect(
            mountinfo: "35 31 0:32 /kubepods/pod1 /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n",
            procSelfCgroup: "4:memory:/kubepods/pod1/runtime\n"
        )
        let m = CgroupfsManager(host: host, path: try CgroupPath("ctr"))
        #expect(m.directory(for: "memory") == "/sys/fs/cgroup/memory/runtime/ctr")
    }

    @Test("mount sources: one per hierarchy, co-mounted names get aliases, v2 mounts at /sys/fs/cgroup itself")
    func mountSources() throws {
        let v1 = try CgroupHost.detect(mountinfo: Fixtures.v1MountInfo, procSelfCgroup: Fixtures.v1ProcCgroup)
        let m = CgroupfsManager(host: v1, path: try CgroupPath("/kubepods/p/c"))
        let sources = m.mountSources()
        #expect(sources.count == 10)
        let cpu = try #require(sources.first { $0.name == "cpu,cpuacct" })
        #expect(cpu.aliases == ["cpu", "cpuacct"])
        #expect(cpu.hostPath == "/sys/fs/cgroup/cpu,cpuacct/kubepods/p/c")
        #expect(sources.first { $0.name == "systemd" }?.aliases == [])
        #expect(sources.first { $0.name == "memory" }?.aliases == [])
        #expect(sources.allSatisfy { !$0.isUnified })

        let root = Fixtures.fakeRoot("srcv2", unifiedAt: "/sys/fs/cgroup", controllers: Fixtures.v2Controllers)
        defer { TestFS.removeTree(root) }
        let v2 = try CgroupHost.detect(mountinfo: Fixtures.v2MountInfo, procSelfCgroup: Fixtures.v2ProcCgroup, rootPrefix: root)
        let s2 = CgroupfsManager(host: v2, path: try CgroupPath("/kubepods/p/c")).mountSources()
        #expect(s2 == [CgroupMountSource(name: "", hostPath: root + "/sys/fs/cgroup/kubepods/p/c", isUnified: true)])
    }
}
