import BootletRuntime
import OCISpec
import Testing

/// cgroup v2 (and the v2 side of hybrid) checked on a fake tree: a temp directory laid out like /sys/fs/cgroup with
/// the control files pre-created, because this host has no cgroup2 controllers besides hugetlb. The manager opens
/// files without O_CREAT, so a value only lands where the kernel would have a file.
@Suite("cgroup v2 writes on a fake tree")
struct FakeTreeV2Tests {
    static let leafFiles = [
        "cpu.weight", "cpu.max", "cpu.max.burst", "cpu.idle", "cpuset.cpus", "cpuset.mems", "memory.max",
        "memory.swap.max", "memory.low", "memory.high", "memory.oom.group", "pids.max", "io.weight", "io.max",
        "hugetlb.2MB.max", "hugetlb.2MB.rsvd.max", "hugetlb.1GB.max", "cgroup.procs",
    ]
    static let all = "cpuset cpu io memory hugetlb pids rdma misc"
    static let path = "/kubepods/burstable/pod1/c1"

    /// A v2 tree whose ancestors already have every controller enabled and whose leaf has empty control files.
    func tree(_ tag: String) throws -> (root: String, manager: CgroupfsManager, leaf: String) {
        let root = Fixtures.fakeRoot(tag, unifiedAt: "/sys/fs/cgroup", controllers: Self.all)
        var files: [String: String] = [:]
        let enabled = Self.all.split(separator: " ").map { "+" + $0 }.joined(separator: " ")
        for dir in ["sys/fs/cgroup", "sys/fs/cgroup/kubepods", "sys/fs/cgroup/kubepods/burstable", "sys/fs/cgroup/kubepods/burstable/pod1"] {
            files[dir + "/cgroup.controllers"] = Self.all
            files[dir + "/cgroup.subtree_control"] = enabled
        }
        for f in Self.leafFiles { files["sys/fs/cgroup" + Self.path + "/" + f] = "" }
        TestFS.populate(root, files)
        let host = try CgroupHost.detect(mountinfo: Fixtures.v2MountInfo, procSelfCgroup: Fixtures.v2ProcCgroup, rootPrefix: root)
        let m = CgroupfsManager(host: host, path: try CgroupPath(Self.path))
        return (root, m, root + "/sys/fs/cgroup" + Self.path)
    }

    @Test("create makes every level and enables the available controllers in each ancestor's subtree_control")
    func createEnablesControllers() throws {
        let root = Fixtures.fakeRoot("v2create", unifiedAt: "/sys/fs/cgroup", controllers: Self.all)
        defer { TestFS.removeTree(root) }
        // kubepods exists already with part of the controllers enabled; burstable/pod1/c1 do not exist.
        TestFS.populate(root, [
            "sys/fs/cgroup/kubepods/cgroup.controllers": "cpu memory pids",
            "sys/fs/cgroup/kubepods/cgroup.subtree_control": "cpu",
        ])
        let host = try CgroupHost.detect(mountinfo: Fixtures.v2MountInfo, procSelfCgroup: Fixtures.v2ProcCgroup, rootPrefix: root)
        let m = CgroupfsManager(host: host, path: try CgroupPath(Self.path))
        try m.create()
        #expect(TestFS.isDir(root + "/sys/fs/cgroup/kubepods/burstable/pod1/c1"))
        #expect(TestFS.read(root + "/sys/fs/cgroup/cgroup.subtree_control") == "+cpuset +cpu +io +memory +hugetlb +pids +rdma +misc")
        #expect(TestFS.read(root + "/sys/fs/cgroup/kubepods/cgroup.subtree_control") == "+memory +pids")
        #expect(m.exists())
        // Idempotent; already enabled controllers are not written again.
        TestFS.write(root + "/sys/fs/cgroup/cgroup.subtree_control", "cpuset cpu io memory hugetlb pids rdma misc")
        try m.create()
        #expect(TestFS.read(root + "/sys/fs/cgroup/cgroup.subtree_control") == "cpuset cpu io memory hugetlb pids rdma misc")
    }

    @Test("every resource lands in the right v2 file with runc's conversions")
    func applyAll() throws {
        let (root, m, leaf) = try tree("v2apply")
        defer { TestFS.removeTree(root) }
        var cpu = LinuxCPU(shares: 1024, quota: 50_000, period: 100_000, cpus: "0-1", mems: "0")
        cpu.burst = 1000
        cpu.idle = 0
        let r = LinuxResources(
            memory: LinuxMemory(limit: 64 << 20, reservation: 32 << 20, swap: 128 << 20),
            cpu: cpu,
            pids: LinuxPids(limit: 0),
            blockIO: {
                var b = LinuxBlockIO(weight: 500)
                b.throttleReadBpsDevice = try? decode([LinuxThrottleDevice].self, #"[{"major":8,"minor":0,"rate":1048576}]"#)
                return b
            }(),
            hugepageLimits: [LinuxHugepageLimit(pageSize: "2MB", limit: 4 << 20)],
            unified: ["memory.oom.group": "1", "memory.high": "50000000"]
        )
        try m.apply(r)
        let expected: [String: String] = [
            "cpu.weight": "100", "cpu.max": "50000 100000", "cpu.max.burst": "1000", "cpu.idle": "0",
            "cpuset.cpus": "0-1", "cpuset.mems": "0",
            "memory.max": "67108864", "memory.swap.max": "67108864", "memory.low": "33554432",
            "pids.max": "max", "io.weight": "4950", "io.max": "8:0 rbps=1048576",
            "hugetlb.2MB.max": "4194304", "hugetlb.2MB.rsvd.max": "4194304", "hugetlb.1GB.max": "",
            "memory.oom.group": "1", "memory.high": "50000000",
        ]
        for (file, value) in expected {
            #expect(TestFS.read(leaf + "/" + file) == value, "\(file)")
        }
    }

    @Test("unlimited values, no-swap and partial updates")
    func limitsAndDefaults() throws {
        let (root, m, leaf) = try tree("v2limits")
        defer { TestFS.removeTree(root) }
        try m.apply(LinuxResources(memory: LinuxMemory(limit: -1), cpu: LinuxCPU(quota: -1, period: 100_000), pids: LinuxPids(limit: -1)))
        #expect(TestFS.read(leaf + "/memory.max") == "max")
        #expect(TestFS.read(leaf + "/memory.swap.max") == "max")
        #expect(TestFS.read(leaf + "/cpu.max") == "max 100000")
        #expect(TestFS.read(leaf + "/pids.max") == "max")
        #expect(TestFS.read(leaf + "/cpu.weight") == "")

        // kubelet's NoSwap: swap == limit → memory.swap.max 0.
        try m.apply(LinuxResources(memory: LinuxMemory(limit: 64 << 20, swap: 64 << 20), pids: LinuxPids(limit: 10)))
        #expect(TestFS.read(leaf + "/memory.max") == "67108864")
        #expect(TestFS.read(leaf + "/memory.swap.max") == "0")
        #expect(TestFS.read(leaf + "/pids.max") == "10")

        // Only a limit: swap stays as is; only shares: cpu.max untouched.
        TestFS.write(leaf + "/memory.swap.max", "untouched")
        try m.apply(LinuxResources(memory: LinuxMemory(limit: 1 << 20), cpu: LinuxCPU(shares: 2)))
        #expect(TestFS.read(leaf + "/memory.swap.max") == "untouched")
        #expect(TestFS.read(leaf + "/cpu.weight") == "1")
        #expect(TestFS.read(leaf + "/cpu.max") == "max 100000")

        // BFQ present: the blkio weight goes there unconverted.
        TestFS.write(leaf + "/io.bfq.weight", "")
        try m.apply(LinuxResources(blockIO: LinuxBlockIO(weight: 500)))
        #expect(TestFS.read(leaf + "/io.bfq.weight") == "500")
    }

    @Test("device rules are not enforced on v2 (logged), nothing written, no error")
    func devicesNotEnforced() throws {
        let (root, m, leaf) = try tree("v2dev")
        defer { TestFS.removeTree(root) }
        try m.apply(LinuxResources(devices: [LinuxDeviceCgroup(allow: false, access: "rwm")]))
        #expect(!TestFS.exists(leaf + "/devices.deny"))
        #expect(!TestFS.exists(leaf + "/devices.allow"))
    }

    @Test("bad or unsupported input gives errors that name the step")
    func errors() throws {
        let (root, m, _) = try tree("v2err")
        defer { TestFS.removeTree(root) }
        func fails(_ r: LinuxResources, _ needle: String) {
            let e = #expect(throws: CgroupError.self) { try m.apply(r) }
            #expect(e?.description.contains(needle) == true, "\(e?.description ?? "no error") lacks \(needle)")
        }
        fails(LinuxResources(hugepageLimits: [LinuxHugepageLimit(pageSize: "2M", limit: 1)]), "not of the form")
        fails(LinuxResources(hugepageLimits: [LinuxHugepageLimit(pageSize: "64KB", limit: 1)]), "no 64KB huge pages")
        fails(LinuxResources(unified: ["../etc/passwd": "x"]), "not a cgroup file name")
        fails(LinuxResources(unified: ["cgroup.procs": "1"]), "managed by the runtime")
        fails(LinuxResources(unified: ["net_cls.classid": "1"]), "not available")
        fails(LinuxResources(unified: ["memory.nonexistent": "1"]), "no such control file")
        fails(LinuxResources(memory: LinuxMemory(swap: 100)), "needs a memory limit")
        fails(LinuxResources(memory: LinuxMemory(limit: 100, swap: 50)), "below the memory limit")
        fails(LinuxResources(cpu: LinuxCPU(quota: -5)), "invalid")
        var rt = LinuxCPU()
        rt.realtimeRuntime = 1000
        fails(LinuxResources(cpu: rt), "realtime")
        fails(LinuxResources(devices: [LinuxDeviceCgroup(allow: true, type: "x")]), "not a, b or c")
    }

    @Test("a controller missing from an ancestor's subtree_control is enabled on apply")
    func lazyEnable() throws {
        let (root, m, leaf) = try tree("v2lazy")
        defer { TestFS.removeTree(root) }
        let pod = root + "/sys/fs/cgroup/kubepods/burstable/pod1/cgroup.subtree_control"
        TestFS.write(pod, "+cpu +memory")
        try m.apply(LinuxResources(hugepageLimits: [LinuxHugepageLimit(pageSize: "2MB", limit: 0)]))
        #expect(TestFS.read(pod) == "+hugetlb")
        #expect(TestFS.read(leaf + "/hugetlb.2MB.max") == "0")
        // Not available at all in an ancestor: a clear error instead of a silent no-op.
        TestFS.write(root + "/sys/fs/cgroup/kubepods/cgroup.controllers", "cpu memory")
        TestFS.write(root + "/sys/fs/cgroup/kubepods/cgroup.subtree_control", "+cpu +memory")
        let e = #expect(throws: CgroupError.self) { try m.apply(LinuxResources(pids: LinuxPids(limit: 5))) }
        #expect(e?.description.contains("pids") == true)
    }

    @Test("v2 freeze writes cgroup.freeze and waits for cgroup.events")
    func freeze() throws {
        let (root, m, leaf) = try tree("v2freeze")
        defer { TestFS.removeTree(root) }
        TestFS.populate(leaf, ["cgroup.freeze": "0", "cgroup.events": "populated 1\nfrozen 1\n"])
        try m.freeze()
        #expect(TestFS.read(leaf + "/cgroup.freeze") == "1")
        TestFS.write(leaf + "/cgroup.events", "populated 1\nfrozen 0\n")
        try m.thaw()
        #expect(TestFS.read(leaf + "/cgroup.freeze") == "0")
    }

    @Test("stats, OOM count, pids and mount sources read the v2 files")
    func statsAndPids() throws {
        let (root, m, leaf) = try tree("v2stats")
        defer { TestFS.removeTree(root) }
        TestFS.populate(leaf, [
            "memory.current": "1000\n", "memory.max": "max\n", "memory.stat": "anon 800\ninactive_file 100\nactive_file 50\n",
            "memory.events": "low 0\nhigh 0\nmax 3\noom 2\noom_kill 2\noom_group_kill 0\n",
            "cpu.stat": "usage_usec 5\nuser_usec 3\nsystem_usec 2\n", "pids.current": "3\n", "pids.max": "max\n",
            "cgroup.procs": "12\n13\n", "sub/cgroup.procs": "14\n",
        ])
        let s = try m.stats()
        #expect(s.memoryUsageBytes == 1000)
        #expect(s.memoryWorkingSetBytes == 900)
        #expect(s.memoryLimitBytes == nil)
        #expect(s.cpuUsageNanoseconds == 5000)
        #expect(s.pidsCurrent == 3)
        #expect(s.pidsLimit == nil)
        #expect(s.oomKills == 2)
        #expect(try m.oomKillCount() == 2)
        #expect(try m.pids() == [12, 13, 14])
        #expect(m.procsFiles() == [leaf + "/cgroup.procs"])
    }
}

@Suite("hybrid and legacy writes on a fake tree")
struct FakeTreeHybridTests {
    func tree(_ tag: String, mountinfo: String, procCgroup: String, unified: Bool) throws -> (String, CgroupfsManager) {
        let root = unified
            ? Fixtures.fakeRoot(tag, unifiedAt: "/sys/fs/cgroup/unified", controllers: "hugetlb")
            : TestFS.tempDir(tag)
        let host = try CgroupHost.detect(mountinfo: mountinfo, procSelfCgroup: procCgroup, rootPrefix: root)
        let m = CgroupfsManager(host: host, path: try CgroupPath("/kp/pod1/c1"))
        var files: [String: String] = [:]
        for h in host.v1Hierarchies { TestFS.mkdirs(root + h.mountPoint) }
        let leaf = { (c: String) in "sys/fs/cgroup/\(c)/kp/pod1/c1/" }
        for f in ["cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us"] { files[leaf("cpu") + f] = "" }
        for f in ["memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.soft_limit_in_bytes",
                  "memory.oom_control", "memory.swappiness"] { files[leaf("memory") + f] = "" }
        files[leaf("memory") + "memory.limit_in_bytes"] = "9223372036854771712\n"
        files[leaf("devices") + "devices.allow"] = ""
        files[leaf("devices") + "devices.deny"] = ""
        files[leaf("pids") + "pids.max"] = ""
        if unified {
            files[leaf("unified") + "hugetlb.2MB.max"] = ""
            for d in ["kp", "kp/pod1"] {
                files["sys/fs/cgroup/unified/\(d)/cgroup.controllers"] = "hugetlb"
                files["sys/fs/cgroup/unified/\(d)/cgroup.subtree_control"] = ""
            }
        }
        TestFS.populate(root, files)
        return (root, m)
    }

    @Test("hybrid: memory uses v1 names, hugetlb uses cgroup2 names and gets enabled in the cgroup2 ancestors")
    func hybridRouting() throws {
        let (root, m) = try tree("hyapply", mountinfo: Fixtures.hybridMountInfo, procCgroup: Fixtures.hybridProcCgroup, unified: true)
        defer { TestFS.removeTree(root) }
        let v1 = root + "/sys/fs/cgroup"
        try m.apply(LinuxResources(
            devices: [LinuxDeviceCgroup(allow: false, access: "rwm"), LinuxDeviceCgroup(allow: true, type: "c", major: 1, minor: 3, access: "rwm")],
            memory: LinuxMemory(limit: 64 << 20, reservation: 16 << 20, swap: 96 << 20, swappiness: 0, disableOOMKiller: true),
            cpu: LinuxCPU(shares: 512, quota: 20_000, period: 100_000),
            pids: LinuxPids(limit: 42),
            hugepageLimits: [LinuxHugepageLimit(pageSize: "2MB", limit: 2 << 20)],
            unified: ["hugetlb.2MB.max": "6291456"]
        ))
        #expect(TestFS.read(v1 + "/cpu/kp/pod1/c1/cpu.shares") == "512")
        #expect(TestFS.read(v1 + "/cpu/kp/pod1/c1/cpu.cfs_quota_us") == "20000")
        #expect(TestFS.read(v1 + "/cpu/kp/pod1/c1/cpu.cfs_period_us") == "100000")
        #expect(TestFS.read(v1 + "/memory/kp/pod1/c1/memory.limit_in_bytes") == "67108864")
        #expect(TestFS.read(v1 + "/memory/kp/pod1/c1/memory.memsw.limit_in_bytes") == "100663296")
        #expect(TestFS.read(v1 + "/memory/kp/pod1/c1/memory.soft_limit_in_bytes") == "16777216")
        #expect(TestFS.read(v1 + "/memory/kp/pod1/c1/memory.oom_control") == "1")
        #expect(TestFS.read(v1 + "/memory/kp/pod1/c1/memory.swappiness") == "0")
        #expect(TestFS.read(v1 + "/pids/kp/pod1/c1/pids.max") == "42")
        #expect(TestFS.read(v1 + "/devices/kp/pod1/c1/devices.deny") == "a")
        #expect(TestFS.read(v1 + "/devices/kp/pod1/c1/devices.allow") == "c 1:3 rwm")
        // unified map wins over the converted hugepage limit (applied last).
        #expect(TestFS.read(v1 + "/unified/kp/pod1/c1/hugetlb.2MB.max") == "6291456")
        #expect(!TestFS.exists(v1 + "/unified/kp/pod1/c1/memory.max"))
        #expect(TestFS.read(v1 + "/unified/cgroup.subtree_control") == "+hugetlb")
        #expect(TestFS.read(v1 + "/unified/kp/cgroup.subtree_control") == "+hugetlb")
        #expect(TestFS.read(v1 + "/unified/kp/pod1/cgroup.subtree_control") == "+hugetlb")

        // Without hugetlb in the request the cgroup2 tree is left alone.
        TestFS.write(v1 + "/unified/cgroup.subtree_control", "")
        try m.apply(LinuxResources(pids: LinuxPids(limit: 7)))
        #expect(TestFS.read(v1 + "/unified/cgroup.subtree_control") == "")

        let e = #expect(throws: CgroupError.self) { try m.apply(LinuxResources(unified: ["memory.high": "1"])) }
        #expect(e?.description.contains("bound to a v1 hierarchy") == true)
    }

    @Test("legacy v1: no unified map, net_cls written where mounted, blkio weight needs a weight file")
    func legacy() throws {
        let (root, m) = try tree("v1apply", mountinfo: Fixtures.v1MountInfo, procCgroup: Fixtures.v1ProcCgroup, unified: false)
        defer { TestFS.removeTree(root) }
        let e = #expect(throws: CgroupError.self) { try m.apply(LinuxResources(unified: ["memory.high": "1"])) }
        #expect(e?.description.contains("legacy") == true)
        let leaf = root + "/sys/fs/cgroup/net_cls,net_prio/kp/pod1/c1"
        TestFS.populate(leaf, ["net_cls.classid": "", "net_prio.ifpriomap": ""])
        let net = try decode(LinuxNetwork.self, #"{"classID":1048577}"#)
        try m.apply(LinuxResources(network: net))
        #expect(TestFS.read(leaf + "/net_cls.classid") == "1048577")
        let b = #expect(throws: CgroupError.self) { try m.apply(LinuxResources(blockIO: LinuxBlockIO(weight: 100))) }
        #expect(b?.description.contains("BFQ") == true)
        // Co-mounted cpu,cpuacct: cpu limits go to the shared directory.
        TestFS.populate(root + "/sys/fs/cgroup/cpu,cpuacct/kp/pod1/c1", ["cpu.shares": ""])
        try m.apply(LinuxResources(cpu: LinuxCPU(shares: 256)))
        #expect(TestFS.read(root + "/sys/fs/cgroup/cpu,cpuacct/kp/pod1/c1/cpu.shares") == "256")
    }
}
