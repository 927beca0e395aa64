#if canImport(Glibc)
import Glibc
#endif
import Logging

/// Listing, signalling, freezing processes; stats and OOM counters.
extension CgroupfsManager {
    // MARK: pids

    /// Every pid in the cgroup and its descendants, across all hierarchies (a process moved by someone else in one
    /// hierarchy only is still found). Exited-but-unreaped processes are not listed by the kernel.
    public func pids() throws(CgroupError) -> [pid_t] {
        var all = Set<pid_t>()
        for p in placements {
            try collectPids(p.dir, into: &all)
        }
        return all.sorted()
    }

    func collectPids(_ dir: String, into set: inout Set<pid_t>) throws(CgroupError) {
        switch CgroupFiles.readResult(CgroupFiles.join(dir, "cgroup.procs")) {
        case .success(let text): set.formUnion(CgroupFiles.parsePids(text))
        case .failure(let e) where e.code == ENOENT: return
        case .failure(let e):
            throw CgroupError(step: "list processes of \(path)", path: CgroupFiles.join(dir, "cgroup.procs"), errno: e.code)
        }
        for child in try CgroupFiles.subdirectories(dir) {
            try collectPids(CgroupFiles.join(dir, child), into: &set)
        }
    }

    // MARK: kill

    /// SIGKILL on a cgroup2 directory with `cgroup.kill` (Linux 5.14+; also the cgroup2 side of hybrid, where every
    /// process added by bootlet is tracked) kills everything atomically. Otherwise, and for any other signal:
    /// freeze (so nothing forks or exits and pids cannot be reused under us), signal every pid, thaw; for
    /// SIGKILL repeat until the cgroup is empty (runc's signalAllProcesses).
    public func killAll(signal: Int32, timeout: Duration) throws(CgroupError) {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        if signal == SIGKILL, let u = unifiedDirectory, CgroupFiles.exists(CgroupFiles.join(u, "cgroup.kill")) {
            let rc = CgroupFiles.writeErrno(CgroupFiles.join(u, "cgroup.kill"), "1")
            if rc == 0 {
                // cgroup.kill only reaches what is in the cgroup2 tree; wait for that part, then check everything.
                _ = try waitEmpty(until: min(deadline, clock.now.advanced(by: .milliseconds(500))), unifiedOnly: true)
                if try pids().isEmpty { return }
            } else if rc != ENOENT {
                logger.debug("cgroups: cgroup.kill for \(path) failed (\(String(cString: strerror(rc)))); signalling each pid")
            }
        }
        repeat {
            // Nothing left (the usual case after a container with its own pid namespace exited): no freeze/thaw.
            if try pids().isEmpty { return }
            let frozen: Bool
            do throws(CgroupError) {
                try freeze()
                frozen = true
            } catch {
                logger.debug("cgroups: could not freeze \(path) before signalling: \(error)")
                frozen = false
            }
            var signalError: CgroupError?
            do throws(CgroupError) {
                for pid in try pids() where kill(pid, signal) != 0 && errno != ESRCH {
                    signalError = CgroupError(step: "send signal \(signal) to process \(pid) of \(path)", errno: errno)
                }
            } catch { signalError = error }
            if frozen { try thaw() }
            if let signalError { throw signalError }
            if signal != SIGKILL { return }
            if try waitEmpty(until: min(deadline, clock.now.advanced(by: .milliseconds(200)))) { return }
        } while clock.now < deadline
        let left = (try? pids()) ?? []
        if left.isEmpty { return }
        throw CgroupError(
            step: "kill all processes of \(path)",
            detail: "\(left.count) processes still present after \(timeout): \(left.map(String.init).joined(separator: " "))"
        )
    }

    /// Polls until no process is left or `deadline` passes.
    func waitEmpty(until deadline: ContinuousClock.Instant, unifiedOnly: Bool = false) throws(CgroupError) -> Bool {
        var delay = 1
        while true {
            if unifiedOnly, let u = unifiedDirectory {
                var set = Set<pid_t>()
                try collectPids(u, into: &set)
                if set.isEmpty { return true }
            } else if try pids().isEmpty {
                return true
            }
            if ContinuousClock.now >= deadline { return false }
            CgroupFiles.sleepMillis(delay)
            delay = min(delay * 2, 20)
        }
    }

    // MARK: freezer

    /// v1 `freezer.state` FROZEN (polled until the kernel reports FROZEN, not FREEZING); cgroup2 `cgroup.freeze`
    /// (polled on `cgroup.events`). Gives up after 2 s, thawing again, so a stuck freeze never leaves tasks frozen.
    public func freeze() throws(CgroupError) {
        try setFrozen(true)
    }

    public func thaw() throws(CgroupError) {
        try setFrozen(false)
    }

    func setFrozen(_ frozen: Bool) throws(CgroupError) {
        let what = frozen ? "freeze" : "thaw"
        let (file, value, doneFile, isDone): (String, String, String, (String) -> Bool)
        if let h = host.hierarchy(for: "freezer"), !h.isUnified, let p = placements.first(where: { $0.hierarchy == h }) {
            file = CgroupFiles.join(p.dir, "freezer.state")
            value = frozen ? "FROZEN" : "THAWED"
            doneFile = file
            isDone = { $0.bl_trimmed() == value }
        } else if let u = unifiedDirectory, host.mode == .v2 || CgroupFiles.exists(CgroupFiles.join(u, "cgroup.freeze")) {
            file = CgroupFiles.join(u, "cgroup.freeze")
            value = frozen ? "1" : "0"
            doneFile = CgroupFiles.join(u, "cgroup.events")
            isDone = { text in text.split(separator: "\n").contains { $0 == (frozen ? "frozen 1" : "frozen 0") } }
        } else {
            throw CgroupError.unsupported("\(what) \(path)", "no freezer: neither a v1 freezer hierarchy nor cgroup.freeze")
        }
        try CgroupFiles.write(file, value, step: "\(what) \(path)")
        let deadline = ContinuousClock.now.advanced(by: .seconds(2))
        var delay = 1
        while true {
            if case .success(let text) = CgroupFiles.readResult(doneFile), isDone(text) { return }
            if ContinuousClock.now >= deadline { break }
            CgroupFiles.sleepMillis(delay)
            delay = min(delay * 2, 50)
        }
        if frozen { _ = CgroupFiles.writeErrno(file, host.hierarchy(for: "freezer")?.isUnified == false ? "THAWED" : "0") }
        throw CgroupError(step: "\(what) \(path)", path: doneFile, detail: "the kernel did not report the new state within 2 s")
    }

    // MARK: stats

    public func stats() throws(CgroupError) -> CgroupStats {
        var s = CgroupStats()
        if let (dir, v2) = try? target("memory", for: "read memory stats") {
            let usage = try readNumber(dir, v2 ? "memory.current" : "memory.usage_in_bytes", "read memory usage")
            s.memoryUsageBytes = usage
            let limitText = try CgroupFiles.read(
                CgroupFiles.join(dir, v2 ? "memory.max" : "memory.limit_in_bytes"), step: "read memory limit of \(path)"
            )
            // v1 shows "unlimited" as PAGE_COUNTER_MAX pages (9223372036854771712 with 4 KiB pages).
            if let l = UInt64(limitText.bl_trimmed()), l < (1 << 62) { s.memoryLimitBytes = l }
            if case .success(let text) = CgroupFiles.readResult(CgroupFiles.join(dir, "memory.stat")) {
                let stat = CgroupFiles.parseKeyValues(text)
                let inactive = stat[v2 ? "inactive_file" : "total_inactive_file"] ?? 0
                s.memoryWorkingSetBytes = usage > inactive ? usage - inactive : 0
            }
            s.oomKills = try? oomKillCount()
        }
        if let h = host.hierarchy(for: "cpuacct"), let p = placements.first(where: { $0.hierarchy == h }) {
            s.cpuUsageNanoseconds = try readNumber(p.dir, "cpuacct.usage", "read cpu usage")
        } else if let u = unifiedDirectory, host.mode == .v2 {
            let stat = try CgroupFiles.read(CgroupFiles.join(u, "cpu.stat"), step: "read cpu usage of \(path)")
            s.cpuUsageNanoseconds = CgroupFiles.parseKeyValues(stat)["usage_usec"].map { $0 * 1000 }
        }
        if let (dir, _) = try? target("pids", for: "read pids stats") {
            s.pidsCurrent = try readNumber(dir, "pids.current", "read pids count")
            s.pidsLimit = CgroupFiles.readTrimmed(CgroupFiles.join(dir, "pids.max")).flatMap(UInt64.init)
        }
        return s
    }

    func readNumber(_ dir: String, _ file: String, _ what: String) throws(CgroupError) -> UInt64 {
        let full = CgroupFiles.join(dir, file)
        let text = (try CgroupFiles.read(full, step: "\(what) of \(path)")).bl_trimmed()
        guard let v = UInt64(text) else {
            throw CgroupError(step: "\(what) of \(path)", path: full, detail: "unexpected content \"\(text)\"")
        }
        return v
    }

    /// v1 `memory.oom_control` field `oom_kill` (Linux 4.13+), v2 `memory.events` field `oom_kill` (hierarchical:
    /// includes kills in child cgroups).
    public func oomKillCount() throws(CgroupError) -> UInt64 {
        let (dir, v2) = try target("memory", for: "read OOM kill count")
        let file = CgroupFiles.join(dir, v2 ? "memory.events" : "memory.oom_control")
        let values = CgroupFiles.parseKeyValues(try CgroupFiles.read(file, step: "read OOM kill count of \(path)"))
        guard let n = values["oom_kill"] else {
            throw CgroupError(step: "read OOM kill count of \(path)", path: file, detail: "no oom_kill field (kernel too old)")
        }
        return n
    }
}
