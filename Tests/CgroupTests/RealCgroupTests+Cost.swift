#if canImport(Glibc)
import Glibc
#endif
import BootletRuntime
import OCISpec
import Testing

/// The measured cycle behind `bench/cgroup-cost`: create + apply + attach + remove of a kubelet-style container
/// cgroup. As a test it runs 3 cycles and checks that each leaves nothing behind; with
/// BOOTLET_CGROUP_COST_ITERATIONS=N it runs N cycles and prints per-phase timings (the bench script reads them).
/// Nothing here asserts on time (CONVENTIONS rule 5). Part of the serialized real-cgroup suite, because it shares
/// the host-wide cgroup2 `+hugetlb` toggle with `applyAndReadBack`.
extension RealCgroupTests {
    /// What kubelet + containerd + runc apply to a 100m/64Mi container: shares/quota/period, memory+swap, a 0
    /// limit for every hugepage size, and runc's default device allow-list after "deny all".
    static func typicalResources(_ host: CgroupHost) throws -> LinuxResources {
        var r = KubeletCgroups.containerResources(
            ContainerResourceAmounts(cpuRequestMilli: 100, cpuLimitMilli: 100, memoryRequestBytes: 64 << 20, memoryLimitBytes: 64 << 20)
        )
        if host.hierarchy(for: "hugetlb") != nil {
            r.hugepageLimits = [LinuxHugepageLimit(pageSize: "2MB", limit: 0), LinuxHugepageLimit(pageSize: "1GB", limit: 0)]
        }
        func dev(_ type: String, _ major: Int64?, _ minor: Int64?, _ access: String) -> LinuxDeviceCgroup {
            LinuxDeviceCgroup(allow: true, type: type, major: major, minor: minor, access: access)
        }
        r.devices = [
            LinuxDeviceCgroup(allow: false, access: "rwm"), dev("c", nil, nil, "m"), dev("b", nil, nil, "m"),
            dev("c", 1, 3, "rwm"), dev("c", 1, 8, "rwm"), dev("c", 1, 7, "rwm"), dev("c", 5, 0, "rwm"),
            dev("c", 1, 5, "rwm"), dev("c", 1, 9, "rwm"), dev("c", 136, nil, "rwm"), dev("c", 5, 2, "rwm"),
            dev("c", 10, 200, "rwm"),
        ]
        return r
    }

    @Test("create + apply + attach + remove cycles leave nothing behind (bench/cgroup-cost)")
    func costCycle() throws {
        let iterations = getenv("BOOTLET_CGROUP_COST_ITERATIONS").flatMap { Int(String(cString: $0)) } ?? 3
        let t = try TestCgroups()
        defer { t.cleanup() }
        let uid = String(repeating: "e", count: 32)
        let pod = try t.child("kubepods", "burstable", "pod" + uid)
        try pod.create()
        let resources = try Self.typicalResources(t.host)
        var samples: [[Double]] = []  // create, apply, attach, remove
        let clock = ContinuousClock()
        func ms(_ d: Duration) -> Double {
            Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        }
        for i in 0..<iterations {
            let id = String(repeating: String(i % 10), count: 64)
            let m = CgroupfsManager(host: t.host, path: try pod.path.appending(id))
            let p = try Spawned(["/bin/sh", "-c", "read _"], gated: true)
            defer { p.cleanup() }
            let t0 = clock.now
            try m.create()
            let t1 = clock.now
            try m.apply(resources)
            let t2 = clock.now
            try m.addProcess(p.pid)
            let t3 = clock.now
            p.release()
            p.wait()
            #expect(try m.pids().isEmpty)
            let t4 = clock.now
            try m.remove()
            let t5 = clock.now
            for d in m.directories { #expect(!TestFS.exists(d)) }
            samples.append([ms(t1 - t0), ms(t2 - t1), ms(t3 - t2), ms(t5 - t4)])
        }
        if getenv("BOOTLET_CGROUP_COST_ITERATIONS") != nil {
            let names = ["create", "apply", "attach", "remove"]
            var line = "cgroup-cost bootlet n=\(iterations) hierarchies=\(t.host.hierarchies.count) mode=\(t.host.mode)"
            for (i, name) in names.enumerated() {
                line += " \(name)=\(Self.median(samples.map { $0[i] }))"
            }
            let totals = samples.map { $0.reduce(0, +) }
            line += " total=\(Self.median(totals)) total_p95=\(Self.p95(totals))"
            print(line)
        }
    }

    static func median(_ v: [Double]) -> String { fmt(v.sorted()[v.count / 2]) }
    static func p95(_ v: [Double]) -> String { fmt(v.sorted()[min(v.count - 1, Int(Double(v.count) * 0.95))]) }
    static func fmt(_ x: Double) -> String {
        let r = (x * 1000).rounded() / 1000
        return String(r)
    }
}
