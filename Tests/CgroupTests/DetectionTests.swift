import BootletRuntime
import Testing

@Suite("cgroup mode detection")
struct DetectionTests {
    @Test("this host is hybrid: v1 controllers plus cgroup2 carrying only hugetlb")
    func realHost() throws {
        let host = try CgroupHost.current()
        #expect(host.mode == .hybrid)
        let v1 = Set(host.v1Hierarchies.flatMap(\.controllers))
        for c in ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "name=systemd"] {
            #expect(v1.contains(c), "missing v1 controller \(c)")
        }
        #expect(host.unified?.mountPoint == "/sys/fs/cgroup/unified")
        #expect(host.unified?.controllers == ["hugetlb"])
        #expect(host.hierarchy(for: "hugetlb")?.isUnified == true)
        #expect(host.hierarchy(for: "memory")?.mountPoint == "/sys/fs/cgroup/memory")
    }

    @Test("pure v2 systemd host")
    func pureV2() throws {
        let root = Fixtures.fakeRoot("v2detect", unifiedAt: "/sys/fs/cgroup", controllers: Fixtures.v2Controllers)
        defer { TestFS.removeTree(root) }
        let host = try CgroupHost.detect(
            mountinfo: Fixtures.v2MountInfo, procSelfCgroup: Fixtures.v2ProcCgroup, rootPrefix: root
        )
        #expect(host.mode == .v2)
        #expect(host.hierarchies.count == 1)
        let u = try #require(host.unified)
        #expect(u.mountPoint == "/sys/fs/cgroup")
        #expect(u.controllers == ["cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc"])
        #expect(u.ownCgroup == "/user.slice/user-1000.slice/session-3.scope")
        #expect(u.mountName == "")
        #expect(host.hierarchy(for: "memory") == u)
        #expect(host.hierarchy(for: "net_cls") == nil)
    }

    @Test("legacy v1 host: controllers from super options, co-mounts, named hierarchy, bind mount ignored")
    func legacyV1() throws {
        let host = try CgroupHost.detect(mountinfo: Fixtures.v1MountInfo, procSelfCgroup: Fixtures.v1ProcCgroup)
        #expect(host.mode == .v1)
        #expect(host.unified == nil)
        // perf_event is in /proc/self/cgroup but not mounted: skipped.
        #expect(host.hierarchies.map(\.mountPoint) == [
            "/sys/fs/cgroup/systemd", "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/net_cls,net_prio",
            "/sys/fs/cgroup/memory", "/sys/fs/cgroup/cpuset", "/sys/fs/cgroup/pids", "/sys/fs/cgroup/hugetlb",
            "/sys/fs/cgroup/freezer", "/sys/fs/cgroup/devices", "/sys/fs/cgroup/blkio",
        ])
        let cpu = try #require(host.hierarchy(for: "cpuacct"))
        #expect(cpu.controllers == ["cpu", "cpuacct"])
        #expect(cpu.mountName == "cpu,cpuacct")
        #expect(cpu.ownCgroup == "/user.slice")
        #expect(host.hierarchy(for: "name=systemd")?.ownCgroup == "/user.slice/user-1000.slice/session-1.scope")
        #expect(host.hierarchy(for: "hugetlb")?.isUnified == false)
        #expect(host.hierarchy(for: "io") == nil)
    }

    @Test("hybrid: cgroup2 gets only the controllers its cgroup.controllers lists")
    func hybrid() throws {
        let root = Fixtures.fakeRoot("hydetect", unifiedAt: "/sys/fs/cgroup/unified", controllers: "hugetlb\n")
        defer { TestFS.removeTree(root) }
        let host = try CgroupHost.detect(
            mountinfo: Fixtures.hybridMountInfo, procSelfCgroup: Fixtures.hybridProcCgroup, rootPrefix: root
        )
        #expect(host.mode == .hybrid)
        #expect(host.v1Hierarchies.count == 9)
        let u = try #require(host.unified)
        #expect(u.controllers == ["hugetlb"])
        #expect(u.mountName == "unified")
        #expect(host.hierarchy(for: "hugetlb") == u)
        #expect(host.hierarchy(for: "memory")?.ownCgroup == "/process_api/0a105163ff65f5fea163591465823f00")

        // systemd's usual hybrid: an empty cgroup2 (process tracking only).
        TestFS.write(root + "/sys/fs/cgroup/unified/cgroup.controllers", "\n")
        let empty = try CgroupHost.detect(
            mountinfo: Fixtures.hybridMountInfo, procSelfCgroup: Fixtures.hybridProcCgroup, rootPrefix: root
        )
        #expect(empty.mode == .hybrid)
        #expect(empty.unified?.controllers == [])
        #expect(empty.hierarchy(for: "hugetlb") == nil)
    }

    @Test("a v1 host whose cgroup2 mount is removed is legacy")
    func hybridWithoutUnifiedIsLegacy() throws {
        let text = Fixtures.hybridMountInfo.split(separator: "\n").filter { !$0.contains("cgroup2") }.joined(separator: "\n")
        let host = try CgroupHost.detect(mountinfo: text, procSelfCgroup: Fixtures.hybridProcCgroup)
        #expect(host.mode == .v1)
        #expect(host.hierarchies.count == 9)
    }

    @Test("a cgroup2 mount hidden by a tmpfs mounted over it (private mount namespace) is ignored: legacy")
    func overmountedUnifiedIsLegacy() throws {
        let text = Fixtures.hybridMountInfo + "\n90 41 0:60 / /sys/fs/cgroup/unified rw,relatime - tmpfs none rw\n"
        let host = try CgroupHost.detect(mountinfo: text, procSelfCgroup: Fixtures.hybridProcCgroup)
        #expect(host.mode == .v1)
        #expect(host.unified == nil)
        #expect(host.hierarchies.count == 9)
    }

    @Test("a whole cgroup tree hidden by a later mount on an ancestor directory is not used")
    func overmountedAncestor() throws {
        let hidden = Fixtures.hybridMountInfo + "\n91 23 0:61 / /sys/fs/cgroup rw,relatime - tmpfs none rw\n"
        #expect(throws: CgroupError.self) {
            try CgroupHost.detect(mountinfo: hidden, procSelfCgroup: Fixtures.hybridProcCgroup)
        }
        // A hierarchy mounted below the new tmpfs afterwards is visible again.
        let remounted = hidden + "92 91 0:35 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        let host = try CgroupHost.detect(mountinfo: remounted, procSelfCgroup: Fixtures.hybridProcCgroup)
        #expect(host.v1Hierarchies.map(\.mountPoint) == ["/sys/fs/cgroup/memory"])
    }

    @Test("mountinfo octal escapes are decoded")
    func escapes() throws {
        let entries = try MountInfoEntry.parse(
            "40 31 0:37 /a\\134b /sys/fs/cgroup/my\\040memory\\011x rw,relatime shared:3 master:1 - cgroup cg\\040src rw,memory\n"
        )
        #expect(entries.count == 1)
        #expect(entries[0].mountPoint == "/sys/fs/cgroup/my memory\tx")
        #expect(entries[0].root == "/a\\b")
        #expect(entries[0].source == "cg src")
        #expect(entries[0].superOptions == ["rw", "memory"])
        #expect(entries[0].fsType == "cgroup")

        let host = try CgroupHost.detect(
            mountinfo: "40 31 0:37 / /sys/fs/cgroup/my\\040memory rw - cgroup cgroup rw,memory\n",
            procSelfCgroup: "4:memory:/\n"
        )
        #expect(host.hierarchies.first?.mountPoint == "/sys/fs/cgroup/my memory")
    }

    @Test("malformed input is an error naming the line")
    func malformed() throws {
        let e = #expect(throws: CgroupError.self) {
            try CgroupHost.detect(mountinfo: "31 23 0:28 / /sys/fs/cgroup\n", procSelfCgroup: "0::/\n")
        }
        #expect(e?.description.contains("line 1") == true)
        #expect(throws: CgroupError.self) {
            try CgroupHost.detect(mountinfo: Fixtures.v2MountInfo, procSelfCgroup: "garbage\n")
        }
        let none = #expect(throws: CgroupError.self) {
            try CgroupHost.detect(
                mountinfo: "22 28 0:21 / /sys rw - sysfs sysfs rw\n", procSelfCgroup: "0::/\n"
            )
        }
        #expect(none?.description.contains("no cgroup") == true)
    }
}
