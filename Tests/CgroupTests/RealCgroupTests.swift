#if canImport(Glibc)
import Glibc
#endif
import BootletRuntime
import OCISpec
import Testing

/// A uniquely named parent cgroup `/bootlet-test-<rand>` on the real host; `cleanup()` kills whatever is left in it
/// and removes it from every hierarchy, and undoes the one host-wide change a test can cause (enabling hugetlb in the
/// cgroup2 root) when the test caused it.
struct TestCgroups {
    let host: CgroupHost
    let parent: CgroupfsManager
    private let rootHadHugetlb: Bool

    init() throws {
        host = try CgroupHost.current()
        parent = CgroupfsManager(host: host, path: try CgroupPath("/bootlet-test-\(randomSuffix())"))
        rootHadHugetlb = Self.rootSubtree(host).contains("hugetlb")
    }

    static func rootSubtree(_ host: CgroupHost) -> [Substring] {
        guard let u = host.unified else { return [] }
        return (TestFS.read(u.mountPoint + "/cgroup.subtree_control") ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" })
    }

    func child(_ components: String...) throws -> CgroupfsManager {
        CgroupfsManager(host: host, path: try CgroupPath(absolute: parent.path.components + components))
    }

    func cleanup() {
        do { try parent.killAll() } catch { Issue.record("cleanup killAll: \(error)") }
        do { try parent.remove() } catch { Issue.record("cleanup remove: \(error)") }
        if !rootHadHugetlb, let u = host.unified, Self.rootSubtree(host).contains("hugetlb") {
            _ = TestFS.write(u.mountPoint + "/cgroup.subtree_control", "-hugetlb")  // EBUSY if someone else uses it
        }
    }
}

func procs(_ file: String) -> [pid_t] {
    (TestFS.read(file) ?? "").split(separator: "\n").compactMap { pid_t($0) }
}

/// Real cgroups on this (hybrid) host, as root. Serialized: OOM and fork-bomb tests should not overlap.
@Suite("real cgroups on this host", .serialized)
struct RealCgroupTests {
    @Test("create makes the cgroup in every hierarchy (cpuset copied from the parent), remove deletes all of it")
    func createAndRemove() throws {
        let t = try TestCgroups()
        defer { t.cleanup() }
        // The parent exists in the cpuset hierarchy already but with empty cpus/mems (made by someone else):
        // create fixes it on the way down instead of copying the emptiness.
        let cpusetRoot = try #require(t.host.hierarchy(for: "cpuset")).mountPoint
        #expect(mkdir(cpusetRoot + t.parent.path.description, 0o755) == 0)
        #expect(mkdir(cpusetRoot + t.parent.path.description + "/pod", 0o755) == 0)
        #expect(TestFS.value(cpusetRoot + t.parent.path.description + "/pod/cpuset.cpus") == "")
        let m = try t.child("pod", "ctr")
        try m.create()
        try m.create()  // idempotent
        #expect(TestFS.value(cpusetRoot + t.parent.path.description + "/pod/cpuset.cpus")?.isEmpty == false)
        #expect(m.directories.count == t.host.hierarchies.count)
        #expect(m.directories.count == 10)
        for d in m.directories { #expect(TestFS.isDir(d), "\(d)") }
        let cpuset = try #require(m.directory(for: "cpuset"))
        #expect(TestFS.value(cpuset + "/cpuset.cpus") == TestFS.value("/sys/fs/cgroup/cpuset/cpuset.cpus"))
        #expect(TestFS.value(cpuset + "/cpuset.mems") == TestFS.value("/sys/fs/cgroup/cpuset/cpuset.mems"))
        #expect(TestFS.value(cpuset + "/cpuset.cpus")?.isEmpty == false)

        // A grandchild made behind the manager's back is removed too (bottom-up).
        mkdir(try #require(m.directory(for: "memory")) + "/extra", 0o755)
        mkdir(try #require(m.unifiedDirectory) + "/extra", 0o755)
        try t.parent.remove()
        for d in t.parent.directories + m.directories { #expect(!TestFS.exists(d), "\(d) left behind") }
        try t.parent.remove()  // already gone: not an error
    }

    @Test("every resource is written and reads back from the cgroup files")
    func applyAndReadBack() throws {
        let t = try TestCgroups()
        defer { t.cleanup() }
        let m = try t.child("ctr")
        try m.create()
        var cpu = LinuxCPU(shares: 512, quota: 25_000, period: 50_000, cpus: "0", mems: "0")
        cpu.burst = 1000
        let blockDev = try #require(firstBlockDevice())
        var blk = LinuxBlockIO()
        blk.throttleReadBpsDevice = try decode(
            [LinuxThrottleDevice].self, #"[{"major":\#(blockDev.major),"minor":\#(blockDev.minor),"rate":1048576}]"#
        )
        try m.apply(LinuxResources(
            devices: [
                LinuxDeviceCgroup(allow: false, access: "rwm"),
                LinuxDeviceCgroup(allow: true, type: "c", major: 1, minor: 3, access: "rwm"),
                LinuxDeviceCgroup(allow: true, type: "c", major: 1, minor: 5, access: "r"),
            ],
            memory: LinuxMemory(limit: 64 << 20, reservation: 32 << 20, swap: 64 << 20, swappiness: 10, disableOOMKiller: true),
            cpu: cpu,
            pids: LinuxPids(limit: 100),
            blockIO: blk,
            hugepageLimits: [LinuxHugepageLimit(pageSize: "2MB", limit: 4 << 20)]
        ))
        let c = try #require(m.directory(for: "cpu"))
        #expect(TestFS.value(c + "/cpu.shares") == "512")
        #expect(TestFS.value(c + "/cpu.cfs_period_us") == "50000")
        #expect(TestFS.value(c + "/cpu.cfs_quota_us") == "25000")
        #expect(TestFS.value(c + "/cpu.cfs_burst_us") == "1000")
        let cs = try #require(m.directory(for: "cpuset"))
        #expect(TestFS.value(cs + "/cpuset.cpus") == "0")
        #expect(TestFS.value(cs + "/cpuset.mems") == "0")
        let mem = try #require(m.directory(for: "memory"))
        #expect(TestFS.value(mem + "/memory.limit_in_bytes") == "67108864")
        #expect(TestFS.value(mem + "/memory.memsw.limit_in_bytes") == "67108864")
        #expect(TestFS.value(mem + "/memory.soft_limit_in_bytes") == "33554432")
        #expect(TestFS.value(mem + "/memory.swappiness") == "10")
        #expect(TestFS.read(mem + "/memory.oom_control")?.contains("oom_kill_disable 1") == true)
        #expect(TestFS.value(try #require(m.directory(for: "pids")) + "/pids.max") == "100")
        let blkio = try #require(m.directory(for: "blkio"))
        #expect(TestFS.value(blkio + "/blkio.throttle.read_bps_device") == "\(blockDev.major):\(blockDev.minor) 1048576")
        #expect(TestFS.value(try #require(m.directory(for: "devices")) + "/devices.list") == "c 1:3 rwm\nc 1:5 r")
        // hugetlb is bound to cgroup2 on this host: v2 file names in the unified directory.
        let hugetlb = try #require(m.directory(for: "hugetlb"))
        #expect(hugetlb == m.unifiedDirectory)
        #expect(TestFS.value(hugetlb + "/hugetlb.2MB.max") == "4194304")
        #expect(TestFS.value(hugetlb + "/hugetlb.2MB.rsvd.max") == "4194304")

        // Lowering and raising memory+swap both work (the write order keeps memsw >= limit at every step).
        try m.apply(LinuxResources(memory: LinuxMemory(limit: 32 << 20, swap: 32 << 20)))
        #expect(TestFS.value(mem + "/memory.limit_in_bytes") == "33554432")
        #expect(TestFS.value(mem + "/memory.memsw.limit_in_bytes") == "33554432")
        try m.apply(LinuxResources(memory: LinuxMemory(limit: 128 << 20, swap: 256 << 20)))
        #expect(TestFS.value(mem + "/memory.limit_in_bytes") == "134217728")
        #expect(TestFS.value(mem + "/memory.memsw.limit_in_bytes") == "268435456")
        try m.apply(LinuxResources(memory: LinuxMemory(limit: -1), cpu: LinuxCPU(quota: -1), pids: LinuxPids(limit: -1)))
        #expect(TestFS.value(mem + "/memory.limit_in_bytes") == "9223372036854771712")
        #expect(TestFS.value(mem + "/memory.memsw.limit_in_bytes") == "9223372036854771712")
        #expect(TestFS.value(c + "/cpu.cfs_quota_us") == "-1")
        #expect(TestFS.value(try #require(m.directory(for: "pids")) + "/pids.max") == "max")

        // blkio weight needs blkio.weight or BFQ's blkio.bfq.weight; without either it is an error, not a no-op.
        let weightFile = ["blkio.weight", "blkio.bfq.weight"].first { TestFS.exists(blkio + "/" + $0) }
        if let weightFile {
            try m.apply(LinuxResources(blockIO: LinuxBlockIO(weight: 300)))
            #expect(TestFS.value(blkio + "/" + weightFile) == "300")
        } else {
            let e = #expect(throws: CgroupError.self) { try m.apply(LinuxResources(blockIO: LinuxBlockIO(weight: 300))) }
            #expect(e?.description.contains("BFQ") == true)
        }
        // The kernel's shares range is reported, not silently clamped.
        #expect(throws: CgroupError.self) { try m.apply(LinuxResources(cpu: LinuxCPU(shares: 1))) }
        // A limit below usage would be EBUSY; a bad swap (below the limit) is EINVAL from the kernel, named.
        let e = #expect(throws: CgroupError.self) {
            try m.apply(LinuxResources(memory: LinuxMemory(limit: 64 << 20, swap: 32 << 20)))
        }
        #expect(e?.description.contains("memory.memsw.limit_in_bytes") == true)
    }

    @Test("addProcess puts a spawned sleep into every hierarchy; stats see it; killAll empties the cgroup")
    func processesAndStats() throws {
        let t = try TestCgroups()
        defer { t.cleanup() }
        let m = try t.child("ctr")
        try m.create()
        try m.apply(LinuxResources(memory: LinuxMemory(limit: 64 << 20), pids: LinuxPids(limit: 50)))
        // v1 charges memory where it is allocated, so the process joins before exec'ing sleep.
        let p = try Spawned(["/bin/sh", "-c", "read _; exec /bin/sleep 100"], gated: true)
        defer { p.cleanup() }
        try m.addProcess(p.pid)
        p.release()
        #expect(eventually { (TestFS.read("/proc/\(p.pid)/cmdline") ?? "").hasPrefix("/bin/sleep") })
        for f in m.procsFiles() { #expect(procs(f) == [p.pid], "\(f)") }
        let selfCgroup = TestFS.read("/proc/\(p.pid)/cgroup") ?? ""
        #expect(selfCgroup.split(separator: "\n").allSatisfy { $0.hasSuffix(":" + m.path.description) }, "\(selfCgroup)")
        #expect(try m.pids() == [p.pid])
        let s = try m.stats()
        #expect(s.pidsCurrent == 1)
        #expect(s.pidsLimit == 50)
        #expect(s.memoryLimitBytes == 64 << 20)
        #expect((s.memoryUsageBytes ?? 0) > 0)
        #expect(s.cpuUsageNanoseconds != nil)
        #expect(s.oomKills == 0)
        #expect(throws: CgroupError.self) { try m.addProcess(999_999_999) }

        try m.killAll()
        #expect(try m.pids().isEmpty)
        p.wait()
        #expect(p.termSignal == SIGKILL)
    }

    @Test("a child joins itself through procsFiles by writing 0")
    func procsFilesSelfJoin() throws {
        let t = try TestCgroups()
        defer { t.cleanup() }
        let m = try t.child("selfjoin")
        try m.create()
        let files = m.procsFiles()
        #expect(files.count == 10)
        let p = try Spawned(
            ["/bin/sh", "-c", #"for f in "$@"; do echo 0 > "$f" || exit 1; done; exec /bin/sleep 100"#, "sh"] + files
        )
        defer { p.cleanup() }
        #expect(eventually { (try? m.pids()) == [p.pid] && procs(files[files.count - 1]) == [p.pid] })
        for f in files { #expect(procs(f) == [p.pid], "\(f)") }
        try m.killAll()
        #expect(try m.pids().isEmpty)
    }

    @Test("a memory hog over its limit is OOM-killed and oomKillCount goes up")
    func oomKill() throws {
        let t = try TestCgroups()
        defer { t.cleanup() }
        let m = try t.child("oom")
        try m.create()
        try m.apply(LinuxResources(memory: LinuxMemory(limit: 32 << 20, swap: 32 << 20)))
        // The hog must not run unlimited: check the limit before letting it allocate.
        #expect(TestFS.value(try #require(m.directory(for: "memory")) + "/memory.limit_in_bytes") == "33554432")
        let p = try Spawned(["/bin/sh", "-c", "read _; exec /usr/bin/tail /dev/zero"], gated: true)
        defer { p.cleanup() }
        try m.addProcess(p.pid)
        let before = try m.oomKillCount()
        p.release()
        p.wait()
        #expect(p.termSignal == SIGKILL)
        #expect(try m.oomKillCount() == before + 1)
        #expect(try m.stats().oomKills == before + 1)
    }

    @Test("pids.max stops a fork bomb (fork fails with EAGAIN) and killAll cleans up")
    func pidsLimit() throws {
        let t = try TestCgroups()
        defer { t.cleanup() }
        let m = try t.child("forkbomb")
        try m.create()
        try m.apply(LinuxResources(pids: LinuxPids(limit: 10)))
        let errFile = TestFS.tempDir("forkbomb") + "/stderr"
        defer { TestFS.removeTree(String(errFile.dropLast("/stderr".count))) }
        let p = try Spawned(
            ["/bin/bash", "-c", "read _; for i in {1..30}; do /bin/sleep 100 & done; wait"], gated: true, stderrPath: errFile
        )
        defer { p.cleanup() }
        try m.addProcess(p.pid)
        p.release()
        // bash reports the failed fork ("fork: retry: Resource temporarily unavailable") and keeps retrying.
        #expect(eventually(seconds: 10) { TestFS.read(errFile)?.contains("Resource temporarily unavailable") == true })
        #expect(try m.pids().count <= 10)
        let events = TestFS.read(try #require(m.directory(for: "pids")) + "/pids.events") ?? ""
        let maxHits = events.split(separator: "\n").first { $0.hasPrefix("max ") }.flatMap { Int($0.dropFirst(4)) } ?? 0
        #expect(maxHits > 0)
        try m.killAll()
        #expect(try m.pids().isEmpty)
        p.wait()
        #expect(p.termSignal == SIGKILL)
    }

    @Test("killAll with SIGTERM signals a whole process tree; SIGKILL also finds processes outside cgroup2")
    func killAllTree() throws {
        let t = try TestCgroups()
        defer { t.cleanup() }
        let m = try t.child("tree", "ctr")
        try m.create()
        let p = try Spawned(["/bin/sh", "-c", "read _; /bin/sleep 100 & /bin/sleep 100 & /bin/sleep 100 & wait"], gated: true)
        defer { p.cleanup() }
        try m.addProcess(p.pid)
        p.release()
        #expect(eventually { (try? m.pids().count) == 4 })
        try m.killAll(signal: SIGTERM, timeout: .seconds(5))
        #expect(eventually { (try? m.pids().isEmpty) == true })
        p.wait()
        #expect(p.termSignal == SIGTERM)

        // A process that joined only the v1 hierarchies (not cgroup2, so cgroup.kill cannot reach it) is still
        // killed: freeze, signal each pid, thaw.
        let q = try Spawned(["/bin/sleep", "100"])
        defer { q.cleanup() }
        for d in m.directories where d != m.unifiedDirectory {
            #expect(TestFS.write(d + "/cgroup.procs", String(q.pid)))
        }
        #expect(try m.pids() == [q.pid])
        try t.parent.killAll()  // from the parent: descendants count
        #expect(try m.pids().isEmpty)
        q.wait()
        #expect(q.termSignal == SIGKILL)
    }

    @Test("freeze and thaw")
    func freezeThaw() throws {
        let t = try TestCgroups()
        defer { t.cleanup() }
        let m = try t.child("freeze")
        try m.create()
        let p = try Spawned(["/bin/sleep", "100"])
        defer { p.cleanup() }
        try m.addProcess(p.pid)
        let state = try #require(m.directory(for: "freezer")) + "/freezer.state"
        try m.freeze()
        #expect(TestFS.value(state) == "FROZEN")
        try m.thaw()
        #expect(TestFS.value(state) == "THAWED")
        try m.killAll()
        p.wait()
        #expect(p.termSignal == SIGKILL)
    }

    @Test("remove fails with the errno and the pids while processes remain, then succeeds")
    func removeBusy() throws {
        let t = try TestCgroups()
        defer { t.cleanup() }
        let m = try t.child("busy")
        try m.create()
        let p = try Spawned(["/bin/sleep", "100"])
        defer { p.cleanup() }
        try m.addProcess(p.pid)
        let e = #expect(throws: CgroupError.self) { try m.remove() }
        #expect(e?.description.contains("Device or resource busy") == true)
        #expect(e?.description.contains(String(p.pid)) == true)
        try m.killAll()
        try m.remove()
        for d in m.directories { #expect(!TestFS.exists(d)) }
    }

    @Test("a relative path lands below this process's own cgroup (memory is nested here)")
    func relativePath() throws {
        let host = try CgroupHost.current()
        let name = "bootlet-test-rel-\(randomSuffix())"
        let m = CgroupfsManager(host: host, path: try CgroupPath(name))
        defer { try? m.remove() }
        try m.create()
        let own = try #require(host.hierarchy(for: "memory")?.ownCgroup)
        let expected = "/sys/fs/cgroup/memory" + (own == "/" ? "" : own) + "/" + name
        #expect(m.directory(for: "memory") == expected)
        #expect(TestFS.isDir(expected))
        try m.remove()
        #expect(!TestFS.exists(expected))
    }

    @Test("mount sources name every /sys/fs/cgroup entry and point at the cgroup's directories")
    func mountSources() throws {
        let t = try TestCgroups()
        defer { t.cleanup() }
        let m = try t.child("ctr")
        try m.create()
        let sources = m.mountSources()
        #expect(Set(sources.map(\.name)) == ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd", "unified"])
        #expect(sources.map(\.hostPath) == m.directories)
        #expect(sources.filter(\.isUnified).map(\.name) == ["unified"])
        for s in sources { #expect(TestFS.isDir(s.hostPath)) }
    }
}

/// major:minor of a block device on this host (for the throttle test).
func firstBlockDevice() -> (major: Int, minor: Int)? {
    guard let dir = opendir("/sys/block") else { return nil }
    defer { closedir(dir) }
    var names: [String] = []
    while let ent = readdir(dir) {
        let name = withUnsafeBytes(of: ent.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        if !name.hasPrefix(".") { names.append(name) }
    }
    for n in names.sorted(by: { ($0.hasPrefix("loop") ? 1 : 0, $0) < ($1.hasPrefix("loop") ? 1 : 0, $1) }) {
        let parts = (TestFS.value("/sys/block/\(n)/dev") ?? "").split(separator: ":")
        if parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]) { return (a, b) }
    }
    return nil
}
