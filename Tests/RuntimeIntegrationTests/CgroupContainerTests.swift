import BootletRuntime
import OCISpec
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The runtime puts every container in its own cgroup (`linux.cgroupsPath`), applies `linux.resources`, and
/// removes the cgroup with the container.
@Suite("Container cgroups (real v1/hybrid)")
struct CgroupContainerTests {
    func cgroupDir(_ controller: String, _ path: String) -> String { "/sys/fs/cgroup/\(controller)\(path)" }
    /// A test's own top-level cgroup (tests run in parallel: none removes another's).
    func testTop(_ kind: String) -> String { "/bootlet-it-\(kind)-\(UInt32.random(in: 0...UInt32.max))" }
    /// Removes `top` and the cgroups below it from every hierarchy (the manager the runtime uses).
    func removeEverywhere(_ top: String) {
        guard let host = try? CgroupHost.current(), let path = try? CgroupPath(top) else { return }
        try? CgroupfsManager(host: host, path: path).remove()
    }

    @Test func resourcesAreWrittenAndTheCgroupIsRemoved() throws {
        let b = try BundleFixture(args: ["/bin/sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes; sleep 30"])
        let top = testTop("res"), path = top + "/c"
        defer { removeEverywhere(top) }
        b.spec.linux!.cgroupsPath = path
        b.spec.linux!.resources = LinuxResources(
            devices: [LinuxDeviceCgroup(allow: false, access: "rwm")],
            memory: LinuxMemory(limit: 64 << 20, reservation: 32 << 20),
            cpu: LinuxCPU(shares: 102, quota: 10000, period: 100000), pids: LinuxPids(limit: 77))
        try b.writeConfig()
        let rt = try b.runtime()
        var o = OCIRuntime.LaunchOptions()
        o.logPath = b.dir + "/0.log"
        let (rec, _) = try rt.launch(id: "cg1", bundle: b.dir, mode: .runDetached, options: o)
        func read(_ c: String, _ f: String) -> String { ((try? FileIO.readString(cgroupDir(c, path) + "/" + f)) ?? "").bl_trim() }
        #expect(read("memory", "memory.limit_in_bytes") == "67108864")
        #expect(read("memory", "memory.soft_limit_in_bytes") == "33554432")
        #expect(read("cpu", "cpu.shares") == "102")
        #expect(read("cpu", "cpu.cfs_quota_us") == "10000")
        #expect(read("cpu", "cpu.cfs_period_us") == "100000")
        #expect(read("pids", "pids.max") == "77")
        #expect(read("devices", "devices.list").contains("c 1:3 rwm"), "runc's default device rules follow the deny-all")
        for c in ["memory", "cpu", "pids", "devices", "freezer", "blkio", "cpuset", "systemd"] {
            #expect(read(c, "cgroup.procs").split(separator: "\n").contains(Substring(String(rec.pid))), "\(c)")
        }
        // The container sees its own cgroup as /sys/fs/cgroup/<controller>.
        let store = StateStore(root: b.stateRoot)
        for _ in 0..<200 where ((try? FileIO.readString(b.dir + "/0.log")) ?? "").isEmpty { usleep(10_000) }
        #expect(try FileIO.readString(b.dir + "/0.log").contains(" stdout F 67108864"))
        try rt.delete(id: "cg1", force: true)
        #expect(store.ids().isEmpty)
        for c in ["memory", "cpu", "pids", "devices", "freezer", "blkio", "cpuset", "systemd"] {
            #expect(!FileIO.exists(cgroupDir(c, path)), "cgroup left in \(c)")
        }
        #expect(!FileIO.exists("/sys/fs/cgroup/unified" + path))
    }

    /// Without a user namespace the child moves itself into the v1 hierarchies (writing "0" to `tasks`) and the
    /// monitor moves it into the cgroup2 one; with a user namespace the monitor does all of them. Either way the
    /// container ends up in its cgroup in every hierarchy, cgroup2 included (hybrid here).
    @Test(arguments: [false, true])
    func everyHierarchyIsJoined(userNamespace: Bool) throws {
        let b = try BundleFixture(args: ["/bin/cat", "/proc/self/cgroup"])
        let top = testTop("join"), path = top + "/c"
        defer { removeEverywhere(top) }
        b.spec.linux!.cgroupsPath = path
        if userNamespace { b.useUserNamespace() }
        let r = try b.run()
        #expect(r.code == 0, "\(r.output)")
        let lines = r.output.split(separator: "\n")
        let host = try FileIO.readString("/proc/self/cgroup").split(separator: "\n")
        #expect(lines.count == host.count, "\(r.output)")
        for l in lines {
            let f = l.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            #expect(f.count == 3 && f[2].hasSuffix(path), "not in the container's cgroup: \(l)")
        }
        #expect(lines.contains { $0.hasPrefix("0::") } == host.contains { $0.hasPrefix("0::") })
    }

    /// The monitor attaches the child while the child mounts (BL_O_CGROUP_LATE); the cgroup namespace must still be
    /// created only after the move, so the container sees its own cgroup as the root ("/") in every hierarchy.
    @Test func cgroupNamespaceIsRootedAtTheContainersCgroup() throws {
        let b = try BundleFixture(args: ["/bin/cat", "/proc/self/cgroup"])
        let top = testTop("cgns"), path = top + "/c"
        defer { removeEverywhere(top) }
        b.spec.linux!.cgroupsPath = path
        b.spec.linux!.namespaces!.append(LinuxNamespace(type: .cgroup))
        let r = try b.run()
        #expect(r.code == 0, "\(r.output)")
        let lines = r.output.split(separator: "\n")
        #expect(lines.count >= 5, "\(r.output)")
        for l in lines {
            let f = l.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            #expect(f.count == 3 && f[2] == "/", "not rooted at the container's cgroup: \(l)")
        }
        // Without a cgroup namespace the same container sees the host path.
        b.spec.linux!.namespaces!.removeAll { $0.type == .cgroup }
        let host = try b.run()
        #expect(host.output.contains(":memory:" + path) || host.output.contains(path), "\(host.output)")
    }

    @Test func memoryHogIsReportedOOMKilled() throws {
        let b = try BundleFixture(args: ["/bin/sh", "-c", "tail /dev/zero"])
        let top = testTop("oom")
        defer { removeEverywhere(top) }
        b.spec.linux!.cgroupsPath = top + "/c"
        b.spec.linux!.resources = LinuxResources(memory: LinuxMemory(limit: 24 << 20, swap: 24 << 20))
        try b.writeConfig()
        let rt = try b.runtime()
        var o = OCIRuntime.LaunchOptions()
        o.logPath = b.dir + "/0.log"
        let (rec, _) = try rt.launch(id: "oom1", bundle: b.dir, mode: .runDetached, options: o)
        let store = StateStore(root: b.stateRoot)
        for _ in 0..<1000 where store.exitRecord(rec.id) == nil { usleep(10_000) }
        let e = try #require(store.exitRecord(rec.id))
        #expect(e.oomKilled)
        #expect(e.exitCode == 137 || e.exitCode == 1, "the shell or tail was killed by the OOM killer")
        try rt.delete(id: "oom1", force: false)
        #expect(b.leftovers().isEmpty)
    }

    @Test func pidsLimitStopsAForkBomb() throws {
        let b = try BundleFixture(args: ["/bin/sh", "-c", "for i in $(seq 1 30); do sleep 3 & done 2>&1; wait; echo done"])
        let top = testTop("pids")
        defer { removeEverywhere(top) }
        b.spec.linux!.cgroupsPath = top + "/c"
        b.spec.linux!.resources = LinuxResources(pids: LinuxPids(limit: 10))
        let r = try b.run()
        #expect(r.output.contains("Resource temporarily unavailable"), "\(r.output)")
        #expect(!FileIO.exists("/sys/fs/cgroup/pids" + b.spec.linux!.cgroupsPath!))
        #expect(b.leftovers().isEmpty)
    }

    @Test func defaultCgroupIsBelowTheRuntimesOwnLikeRunc() throws {
        let b = try BundleFixture(args: ["/bin/cat", "/proc/self/cgroup"])
        let id = "cgdef\(UInt32.random(in: 0...UInt32.max))"
        let r = try b.run(id: id)
        let own = try FileIO.readString("/proc/self/cgroup")
        for line in own.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[1].contains("memory") else { continue }
            let base = parts[2] == "/" ? "" : String(parts[2])
            // Inside its cgroup namespace-less view the container reports the host path.
            #expect(r.output.contains("memory:\(base)/\(id)\n"), "\(r.output)")
        }
    }
}

extension String {
    func bl_trim() -> String {
        var s = Substring(self)
        while let l = s.last, l == "\n" || l == " " { s = s.dropLast() }
        return String(s)
    }
}
