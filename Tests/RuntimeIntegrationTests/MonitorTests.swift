import BootletRuntime
import FoundationEssentials
import OCISpec
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// One parsed CRI log record.
struct CRIRecord {
    var time: String
    var stream: String
    var tag: String
    var content: String
}

func parseCRILog(_ text: String) -> [CRIRecord]? {
    var out: [CRIRecord] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
        let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, ["stdout", "stderr"].contains(parts[1]), ["P", "F"].contains(parts[2]) else { return nil }
        out.append(CRIRecord(time: String(parts[0]), stream: String(parts[1]), tag: String(parts[2]),
                             content: parts.count == 4 ? String(parts[3]) : ""))
    }
    return out
}

/// RFC3339Nano (Go's, trailing zeros trimmed) -> nanoseconds, nil if malformed.
/// `trimmed`: Go's RFC3339Nano drops trailing zeros of the fraction (CRI logs); the exit record uses a fixed
/// 9-digit fraction like kubelet's RFC3339NanoFixed.
func parseRFC3339Nano(_ s: String, trimmed: Bool = true) -> Int64? {
    let u = Array(s.utf8)
    guard u.count >= 20, u.last == UInt8(ascii: "Z"), u[4] == UInt8(ascii: "-"), u[10] == UInt8(ascii: "T") else { return nil }
    func num(_ r: Range<Int>) -> Int? { Int(String(decoding: u[r], as: UTF8.self)) }
    var t = tm()
    guard let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10), let h = num(11..<13),
          let mi = num(14..<16), let se = num(17..<19) else { return nil }
    t.tm_year = Int32(y - 1900); t.tm_mon = Int32(mo - 1); t.tm_mday = Int32(d)
    t.tm_hour = Int32(h); t.tm_min = Int32(mi); t.tm_sec = Int32(se)
    var frac: Int64 = 0
    if u[19] == UInt8(ascii: ".") {
        let digits = u[20..<(u.count - 1)]
        guard !digits.isEmpty, digits.count <= 9, !trimmed || digits.last != UInt8(ascii: "0"),
              trimmed || digits.count == 9,
              let f = Int64(String(decoding: digits, as: UTF8.self)) else { return nil }
        frac = f * Int64(pow10(9 - digits.count))
    } else if u.count != 20 { return nil }
    return Int64(timegm(&t)) * 1_000_000_000 + frac
}

func pow10(_ n: Int) -> Int { (0..<n).reduce(1) { a, _ in a * 10 } }

@Suite("Monitor: CRI logs, exit records, adoption")
struct MonitorTests {
    func launchDetached(_ b: BundleFixture, id: String, log: String, maxLine: Int = 16384) throws -> ContainerRecord {
        try b.writeConfig()
        var opts = OCIRuntime.LaunchOptions()
        opts.logPath = log
        opts.logMaxLine = maxLine
        return try b.runtime().launch(id: id, bundle: b.dir, mode: .runDetached, options: opts).0
    }

    func waitFor(_ timeoutMs: Int = 5000, _ cond: () -> Bool) -> Bool {
        for _ in 0..<(timeoutMs / 10) {
            if cond() { return true }
            usleep(10_000)
        }
        return cond()
    }

    @Test func criLogFormatSplitsAndPartials() throws {
        let script = """
            echo short; echo to-stderr >&2; printf 'crlf\\r\\n'; \
            head -c 40000 /dev/zero | tr '\\0' x; echo; \
            printf 'no-newline-at-end'
            """
        let b = try BundleFixture(args: ["/bin/sh", "-c", script])
        let log = b.dir + "/0.log"
        let rec = try launchDetached(b, id: "log1", log: log)
        let store = StateStore(root: b.stateRoot)
        #expect(waitFor { store.exitRecord(rec.id) != nil })
        let records = try #require(parseCRILog(try FileIO.readString(log)), "every line must parse as CRI")
        var last: Int64 = 0
        for r in records {
            let t = try #require(parseRFC3339Nano(r.time), "bad timestamp \(r.time)")
            #expect(t >= last, "timestamps must not go backwards")
            last = t
        }
        let out = records.filter { $0.stream == "stdout" }
        #expect(out.first.map { "\($0.tag) \($0.content)" } == "F short")
        #expect(records.contains { $0.stream == "stderr" && $0.tag == "F" && $0.content == "to-stderr" })
        #expect(out.contains { $0.tag == "F" && $0.content == "crlf" }, "a \\r before \\n is dropped")
        let xs = out.filter { $0.content.hasPrefix("x") }
        #expect(xs.map(\.tag) == ["P", "P", "F"])
        #expect(xs.map(\.content.count) == [16384, 16384, 40000 - 2 * 16384])
        #expect(out.last.map { "\($0.tag) \($0.content)" } == "P no-newline-at-end", "output without a final newline is a P record")
        try b.runtime().delete(id: rec.id, force: true)
    }

    @Test func customSplitSizeAndLogReopen() throws {
        let b = try BundleFixture(args: ["/bin/sh", "-c", "echo abcdefghij; sleep 0.3; echo after-rotation; sleep 30"])
        let log = b.dir + "/0.log"
        let rec = try launchDetached(b, id: "log2", log: log, maxLine: 4)
        #expect(waitFor { (try? FileIO.readString(log))?.contains("ij") == true })
        let first = try #require(parseCRILog(try FileIO.readString(log)))
        #expect(first.map(\.content) == ["abcd", "efgh", "ij"])
        #expect(first.map(\.tag) == ["P", "P", "F"])
        // Rotate like kubelet: rename, then ask for a reopen.
        #expect(rename(log, log + ".1") == 0)
        try b.runtime().reopenLog(id: rec.id)
        #expect(waitFor { (try? FileIO.readString(log))?.contains("tati") == true })
        #expect(try FileIO.readString(log + ".1").contains("afte") == false)
        try b.runtime().delete(id: rec.id, force: true)
        #expect(b.leftovers().isEmpty)
    }

    @Test func exitRecordHasCodeTimesAndIsAtomic() throws {
        let b = try BundleFixture(args: ["/bin/sh", "-c", "sleep 0.2; exit 42"])
        let rec = try launchDetached(b, id: "exit1", log: b.dir + "/0.log")
        let store = StateStore(root: b.stateRoot)
        #expect(waitFor { store.exitRecord(rec.id) != nil })
        let e = try #require(store.exitRecord(rec.id))
        #expect(e.exitCode == 42 && e.signal == 0 && e.oomKilled == false && e.pid == rec.pid && e.reason == nil)
        let started = try #require(parseRFC3339Nano(e.startedAt, trimmed: false))
        let finished = try #require(parseRFC3339Nano(e.finishedAt, trimmed: false))
        #expect(finished - started >= 150_000_000)
        #expect(!FileIO.exists(store.dir(rec.id) + "/.exit.tmp"))
        try b.runtime().delete(id: rec.id, force: false)
        #expect(b.leftovers().isEmpty)
    }

    @Test func killedMonitorRecords137Unknown() throws {
        let b = try BundleFixture(args: ["/bin/sleep", "60"])
        let rec = try launchDetached(b, id: "mon1", log: b.dir + "/0.log")
        let got = Box<ExitRecord?>(nil)
        let watcher = try ExitWatcher(store: StateStore(root: b.stateRoot)) { _, e in got.set(e) }
        defer { watcher.stop() }
        watcher.watch(rec)
        #expect(kill(rec.monitorPid, SIGKILL) == 0)
        #expect(waitFor { got.get() != nil })
        let e = try #require(got.get())
        #expect(e.exitCode == 137 && e.reason == "Unknown")
        #expect(waitFor { kill(rec.pid, 0) != 0 }, "the container dies with its monitor")
        #expect(StateStore(root: b.stateRoot).exitRecord(rec.id)?.reason == "Unknown", "the synthesized exit is persisted")
        try b.runtime().delete(id: rec.id, force: true)
        #expect(b.leftovers().isEmpty)
    }

    /// A manager (a process that launched containers) is killed with SIGKILL: the containers and their logs carry
    /// on, and a new manager adopts them and sees their exit codes exactly.
    @Test func managerKilledContainersSurviveAndAreAdopted() async throws {
        var fixtures: [BundleFixture] = []
        let stateRoot = "/tmp/bootlet-it-adopt-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileIO.removeTree(stateRoot) }
        for k in 0..<3 {
            let b = try BundleFixture(args: ["/bin/sh", "-c",
                "i=0; while [ ! -f /ctl/stop ]; do echo tick $i; i=$((i+1)); sleep 0.05; done; exit \(3 + k)"])
            try FileIO.makeDirectories(b.dir + "/ctl")
            b.spec.mounts!.append(Mount(destination: "/ctl", type: "bind", source: b.dir + "/ctl", options: ["rbind", "rw"]))
            try b.writeConfig()
            fixtures.append(b)
        }
        let dirs = fixtures.map(\.dir).joined(separator: ":")
        setenv("BOOTLET_IT_ADOPT", "\(stateRoot)|\(dirs)", 1)
        await #expect(processExitsWith: .signal(SIGKILL)) {
            // The manager: launch three containers with CRI logs, then die without any cleanup.
            let spec = String(cString: getenv("BOOTLET_IT_ADOPT")!).split(separator: "|").map(String.init)
            let rt = try OCIRuntime(store: StateStore(root: spec[0]))
            for (k, dir) in spec[1].split(separator: ":").enumerated() {
                var o = OCIRuntime.LaunchOptions()
                o.logPath = "\(dir)/0.log"
                _ = try rt.launch(id: "adopt\(k)", bundle: String(dir), mode: .runDetached, options: o)
            }
            kill(getpid(), SIGKILL)
        }
        let store = StateStore(root: stateRoot)
        #expect(store.ids() == ["adopt0", "adopt1", "adopt2"])
        let sizes = fixtures.map { (try? FileIO.read($0.dir + "/0.log").count) ?? 0 }
        usleep(300_000)
        for (k, b) in fixtures.enumerated() {
            let rec = try store.load("adopt\(k)")
            #expect(store.status(of: rec) == .running)
            #expect(((try? FileIO.read(b.dir + "/0.log").count) ?? 0) > sizes[k], "log keeps growing")
        }
        let exits = Box<[String: Int32]>([:])
        let watcher = try ExitWatcher(store: store) { id, e in exits.update { $0[id] = e.exitCode } }
        defer { watcher.stop() }
        #expect(watcher.adoptAll().count == 3)
        for b in fixtures { try FileIO.writeAtomically(b.dir + "/ctl/stop", []) }
        #expect(waitFor { exits.get().count == 3 })
        #expect(exits.get() == ["adopt0": 3, "adopt1": 4, "adopt2": 5])
        let rt = try OCIRuntime(store: store)
        for k in 0..<3 { try rt.delete(id: "adopt\(k)", force: false) }
        for b in fixtures { #expect(b.leftovers().isEmpty) }
    }
}

final class Box<T>: @unchecked Sendable {
    private var value: T
    private let lock = Lock()
    init(_ v: T) { value = v }
    func get() -> T { lock.with { value } }
    func set(_ v: T) { lock.with { value = v } }
    func update(_ f: (inout T) -> Void) { lock.with { f(&value) } }
}
