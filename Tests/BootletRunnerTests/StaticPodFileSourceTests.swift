#if canImport(Glibc)
import Glibc
#endif
import BootletRunner
import KubeModel
import Logging
import Synchronization
import Testing

/// Collects snapshots and log lines from one source.
final class Recorder: Sendable {
    let snapshots = Mutex<[StaticPodFileSource.Snapshot]>([])
    let logs = Mutex<[String]>([])

    var last: StaticPodFileSource.Snapshot? { snapshots.withLock { $0.last } }
    var count: Int { snapshots.withLock { $0.count } }

    /// Waits until the latest snapshot satisfies `cond` (polling; bounded).
    func wait(timeout: Duration = .seconds(6), _ cond: (StaticPodFileSource.Snapshot) -> Bool) -> StaticPodFileSource.Snapshot? {
        let clock = ContinuousClock()
        let end = clock.now + timeout
        while clock.now < end {
            if let s = last, cond(s) { return s }
            usleep(10_000)
        }
        return nil
    }
}

struct RecordingLogHandler: LogHandler {
    let recorder: Recorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        recorder.logs.withLock { $0.append("\(level): \(message)") }
    }
}

func startSource(_ path: String, node: String = "node1", frequency: Duration = .seconds(60)) throws -> (StaticPodFileSource, Recorder) {
    let rec = Recorder()
    let logger = Logger(label: "test") { _ in RecordingLogHandler(recorder: rec) }
    let src = try StaticPodFileSource(
        config: .init(path: path, nodeName: node, fileCheckFrequency: frequency), logger: logger
    ) { snap in rec.snapshots.withLock { $0.append(snap) } }
    try src.start()
    return (src, rec)
}

func names(_ s: StaticPodFileSource.Snapshot) -> [String] { s.pods.map { $0.metadata.name ?? "" } }

func expectedUID(_ content: String, path: String, node: String = "node1") throws -> String {
    try StaticPod.decode(Array(content.utf8), path: path, options: .init(nodeName: node)).pod.metadata.uid ?? ""
}

@Suite(.serialized) struct StaticPodFileSourceTests {
    @Test func addModifyDeleteAndDotRename() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (src, rec) = try startSource(dir.path)
        defer { src.stop() }
        #expect(rec.wait { $0.pods.isEmpty } != nil, "initial empty snapshot")

        writeAtomically(dir.file("web.yaml"), podManifest(name: "web"))
        let s1 = try #require(rec.wait { names($0) == ["web-node1"] })
        let uid1 = s1.pods[0].metadata.uid ?? ""
        #expect(uid1 == (try expectedUID(podManifest(name: "web"), path: dir.file("web.yaml"))))
        #expect(s1.pods[0].metadata.annotations?["kubernetes.io/config.source"] == "file")
        #expect(s1.pods[0].metadata.annotations?["kubernetes.io/config.seen"]?.count == 30)
        #expect(s1.files[uid1] == dir.file("web.yaml"))

        writeFile(dir.file("web.yaml"), podManifest(name: "web", args: ["sleep", "10"]))
        let s2 = try #require(rec.wait { $0.pods.count == 1 && $0.pods[0].metadata.uid != uid1 })
        #expect(s2.pods[0].spec.containers[0].args == ["sleep", "10"])

        rename(dir.file("web.yaml"), dir.file(".web.yaml"))
        #expect(rec.wait { $0.pods.isEmpty } != nil, "renaming to a dot-file removes the pod")

        rename(dir.file(".web.yaml"), dir.file("web.yaml"))
        #expect(rec.wait { $0.pods.count == 1 } != nil)
        unlink(dir.file("web.yaml"))
        #expect(rec.wait { $0.pods.isEmpty } != nil, "deleting removes the pod")
    }

    @Test func sameContentAgainKeepsUIDAndSeen() throws {
        let dir = TempDir()
        defer { dir.remove() }
        writeFile(dir.file("a.yaml"), podManifest(name: "a"))
        let (src, rec) = try startSource(dir.path)
        defer { src.stop() }
        let s1 = try #require(rec.wait { $0.pods.count == 1 })
        let before = rec.count
        // Whitespace/comment-only change: same decoded pod, same UID, nothing new emitted.
        writeFile(dir.file("a.yaml"), "# touched\n" + podManifest(name: "a") + "\n\n")
        usleep(400_000)
        #expect(rec.count == before)
        #expect(rec.last?.pods == s1.pods)
    }

    @Test func slowlyWrittenManifestYieldsOnePodWithoutAnErrorStorm() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (src, rec) = try startSource(dir.path)
        defer { src.stop() }
        _ = rec.wait { $0.pods.isEmpty }
        let content = podManifest(name: "slow")
        let bytes = Array(content.utf8)
        let path = dir.file("slow.yaml")
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        try #require(fd >= 0)
        // Eight chunks, each followed by a pause longer than the settle interval, so partial files are parsed.
        let chunk = (bytes.count + 7) / 8
        var off = 0
        while off < bytes.count {
            let n = min(chunk, bytes.count - off)
            _ = bytes[off..<(off + n)].withUnsafeBytes { write(fd, $0.baseAddress, n) }
            off += n
            usleep(120_000)
        }
        close(fd)
        let uid = try expectedUID(content, path: path)
        let s = try #require(rec.wait { $0.pods.count == 1 && $0.pods[0].metadata.uid == uid && $0.issues.isEmpty })
        #expect(s.pods.count == 1)
        let errors = rec.logs.withLock { $0.filter { $0.hasPrefix("error") } }
        #expect(!errors.isEmpty, "partial files were seen and failed")
        #expect(Set(errors).count == errors.count, "each distinct error is logged once: \(errors)")
        #expect(errors.count < 8)
    }

    @Test func symlinkedManifestAndRelistCatchesWhatInotifyMisses() throws {
        let dir = TempDir()
        let outside = TempDir("bootlet-fs-target")
        defer {
            dir.remove()
            outside.remove()
        }
        writeFile(outside.file("real.yaml"), podManifest(name: "linked"))
        symlink(outside.file("real.yaml"), dir.file("linked.yaml"))
        let (src, rec) = try startSource(dir.path)
        defer { src.stop() }
        let s1 = try #require(rec.wait { names($0) == ["linked-node1"] })
        // The target lives outside the watched directory: no inotify event reaches the source.
        writeFile(outside.file("real.yaml"), podManifest(name: "linked", args: ["changed"]))
        usleep(300_000)
        #expect(rec.last?.pods == s1.pods)
        src.relistNow()
        let s2 = try #require(rec.wait { $0.pods.first?.spec.containers[0].args == ["changed"] })
        #expect(s2.pods[0].metadata.uid != s1.pods[0].metadata.uid)
    }

    @Test func periodicRelistRuns() throws {
        let dir = TempDir()
        let outside = TempDir("bootlet-fs-target")
        defer {
            dir.remove()
            outside.remove()
        }
        writeFile(outside.file("real.yaml"), podManifest(name: "p"))
        symlink(outside.file("real.yaml"), dir.file("p.yaml"))
        let (src, rec) = try startSource(dir.path, frequency: .milliseconds(300))
        defer { src.stop() }
        _ = try #require(rec.wait { $0.pods.count == 1 })
        writeFile(outside.file("real.yaml"), podManifest(name: "p", args: ["v2"]))
        #expect(rec.wait { $0.pods.first?.spec.containers[0].args == ["v2"] } != nil)
    }

    @Test func duplicateNamesLexicallyFirstWins() throws {
        let dir = TempDir()
        defer { dir.remove() }
        writeFile(dir.file("b.yaml"), podManifest(name: "dup", args: ["from-b"]))
        writeFile(dir.file("a.yaml"), podManifest(name: "dup", args: ["from-a"]))
        writeFile(dir.file("c.yaml"), podManifest(name: "other"))
        let (src, rec) = try startSource(dir.path)
        defer { src.stop() }
        let s = try #require(rec.wait { $0.pods.count == 2 })
        #expect(names(s) == ["dup-node1", "other-node1"])
        #expect(s.pods[0].spec.containers[0].args == ["from-a"])
        #expect(s.issues.count == 1)
        #expect(s.issues.first?.file == dir.file("b.yaml"))
        #expect(s.issues.first?.message.contains("duplicate pod name \"dup-node1_default\"") == true)
        // Removing the winner lets the other file's pod in.
        unlink(dir.file("a.yaml"))
        #expect(rec.wait { $0.pods.first?.spec.containers[0].args == ["from-b"] && $0.issues.isEmpty } != nil)
    }

    @Test func parseFailureKeepsOldPodOnInotifyPathAndDropsItOnRelist() throws {
        let dir = TempDir()
        defer { dir.remove() }
        writeFile(dir.file("x.yaml"), podManifest(name: "x"))
        let (src, rec) = try startSource(dir.path)
        defer { src.stop() }
        let s1 = try #require(rec.wait { $0.pods.count == 1 })
        writeFile(dir.file("x.yaml"), "kind: Pod\nmetadata: {name: x\n")
        let s2 = try #require(rec.wait { !$0.issues.isEmpty })
        #expect(s2.pods == s1.pods, "the event path keeps the running pod")
        #expect(s2.issues[0].message.contains("convert YAML to JSON"))
        src.relistNow()
        let s3 = try #require(rec.wait { $0.pods.isEmpty })
        #expect(s3.issues.count == 1, "the broken file is still reported")
        writeFile(dir.file("x.yaml"), podManifest(name: "x"))
        let s4 = try #require(rec.wait { $0.pods.count == 1 && $0.issues.isEmpty })
        #expect(s4.pods[0].metadata.uid == s1.pods[0].metadata.uid)
    }

    @Test func ignoredEntriesAndPerFileErrors() throws {
        let dir = TempDir()
        defer { dir.remove() }
        writeFile(dir.file(".hidden.yaml"), podManifest(name: "hidden"))
        mkdir(dir.file("subdir"), 0o755)
        writeFile(dir.file("subdir/inner.yaml"), podManifest(name: "inner"))
        writeFile(dir.file("bad.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n")
        writeFile(dir.file("good"), podManifest(name: "good"))  // no extension filter
        let big = String(repeating: "#", count: 11 * 1024 * 1024)
        writeFile(dir.file("huge.yaml"), big)
        let (src, rec) = try startSource(dir.path)
        defer { src.stop() }
        let s = try #require(rec.wait { $0.pods.count == 1 && $0.issues.count == 2 })
        #expect(names(s) == ["good-node1"])
        #expect(s.issues.map(\.file) == [dir.file("bad.yaml"), dir.file("huge.yaml")])
        #expect(s.issues[1].message.contains("larger than the 10485760-byte limit"))
        #expect(s.issues[1].message.contains("read: file is \(11 * 1024 * 1024) bytes"), "the real size: \(s.issues[1].message)")
    }

    @Test func missingDirectoryThenCreated() throws {
        let parent = TempDir()
        defer { parent.remove() }
        let path = parent.file("manifests")
        let (src, rec) = try startSource(path + "/")
        defer { src.stop() }
        #expect(rec.wait { $0.pods.isEmpty } != nil, "a missing path yields an empty set")
        mkdir(path, 0o755)
        writeFile(path + "/early.yaml", podManifest(name: "early"))
        // The watch is retried every second; once it is in place the directory is listed at once.
        #expect(rec.wait { names($0) == ["early-node1"] } != nil)
        writeFile(path + "/late.yaml", podManifest(name: "late"))
        #expect(rec.wait { names($0) == ["early-node1", "late-node1"] } != nil)
        // Removing the whole directory empties the set again.
        removeTree(path)
        #expect(rec.wait { $0.pods.isEmpty } != nil)
    }

    @Test func singleFilePathFollowsAtomicReplace() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let file = dir.file("only.yaml")
        writeFile(file, podManifest(name: "only"))
        writeFile(dir.file("sibling.yaml"), podManifest(name: "sibling"))
        let (src, rec) = try startSource(file)
        defer { src.stop() }
        let s1 = try #require(rec.wait { $0.pods.count == 1 })
        #expect(names(s1) == ["only-node1"])
        writeAtomically(file, podManifest(name: "only", args: ["v2"]))
        #expect(rec.wait { $0.pods.first?.spec.containers[0].args == ["v2"] } != nil)
        writeFile(dir.file("sibling.yaml"), podManifest(name: "sibling", args: ["x"]))
        usleep(300_000)
        #expect(rec.last.map(names) == ["only-node1"])
    }

    @Test func streamDeliversSnapshots() async throws {
        let dir = TempDir()
        defer { dir.remove() }
        writeFile(dir.file("s.yaml"), podManifest(name: "s"))
        let (stream, source) = try StaticPodFileSource.stream(config: .init(path: dir.path, nodeName: "N"))
        defer { source.stop() }
        var it = stream.makeAsyncIterator()
        let first = await it.next()
        #expect(first.map(names) == ["s-n"])
        #expect(first?.pods.first?.spec.nodeName == "N")
    }
}
