#if canImport(Glibc)
import Glibc
#endif
import KubeModel
import Logging
import Synchronization

/// The static-pod file source: turns a manifest directory (or a single manifest file) into complete snapshots
/// of pods, like kubelet's `pkg/kubelet/config/file.go` + `file_linux.go`.
///
/// * A full list runs at start and every `fileCheckFrequency` (default 20 s); an inotify watch on the
///   directory triggers re-reads of single files in between. Both run on one dedicated thread, so they are
///   serialised like kubelet's single goroutine.
/// * Names starting with `.` are ignored; entries are processed in lexical (byte) order; directories are
///   skipped; symlinks are followed (a symlink to a regular file is a manifest); other file types are skipped;
///   files over 10 MiB are refused.
/// * An inotify event re-reads that file only. If it no longer parses, the previous pod from that file is
///   **kept** (kubelet's store is left untouched on that path) and the error is reported; the next full list
///   drops it, because a list keeps exactly the files that parse (kubelet §1.8). A file that disappears is
///   dropped at once.
/// * Events are coalesced for `settleInterval` (default 50 ms) before files are re-read, and a parse error is
///   logged once per file and distinct message until that file parses or goes away, so a slowly written
///   manifest does not cause an error storm (kubelet logs every failed attempt).
/// * Two files yielding the same full name (`name_namespace`): the lexically first file wins; the other is
///   reported in `Snapshot.issues` (kubelet: "duplicate pod name" FailedValidation).
/// * When the path is a single file, its parent directory is watched and events are filtered by name, so an
///   atomic rename-over is seen (fsnotify on the file itself would lose the watch).
/// * A missing path yields an empty snapshot; the watch is retried every second.
///
/// Snapshots are delivered on the watcher thread through `onSnapshot`, only when the pod set (by UID and
/// content) or the issue list changed, and always once after the first list.
public final class StaticPodFileSource: Sendable {
    public struct Configuration: Sendable {
        /// `staticPodPath` (trailing `/` trimmed).
        public var path: String
        /// Node name: `<name>-<lowercased node>` naming, `spec.nodeName`, and part of the UID hash.
        public var nodeName: String
        public var fileCheckFrequency: Duration
        public var settleInterval: Duration
        public var yaml: YAMLParser
        /// UTC offset used for `kubernetes.io/config.seen` (kubelet uses local time; 0 gives `Z`).
        public var utcOffsetSeconds: Int
        /// Accept configMap/secret/projected volumes served from node checkpoints (see `StaticPod.Options`).
        public var allowCheckpointVolumes: Bool = false

        public init(
            path: String, nodeName: String, fileCheckFrequency: Duration = .seconds(20),
            settleInterval: Duration = .milliseconds(50), yaml: YAMLParser = YAMLParser(duplicateKeys: .lastWins),
            utcOffsetSeconds: Int = 0
        ) {
            var p = path
            while p.count > 1, p.hasSuffix("/") { p.removeLast() }
            self.path = p
            self.nodeName = nodeName
            self.fileCheckFrequency = fileCheckFrequency
            self.settleInterval = settleInterval
            self.yaml = yaml
            self.utcOffsetSeconds = utcOffsetSeconds
        }
    }

    /// A problem with one manifest file.
    public struct Issue: Sendable, Equatable, CustomStringConvertible {
        public var file: String
        public var message: String
        public var description: String { message }
    }

    /// The complete set of pods from the source at one moment.
    public struct Snapshot: Sendable, Equatable {
        /// Pods in lexical file order, with `config.source`/`config.seen` set.
        public var pods: [Pod]
        /// File path each pod came from, by UID.
        public var files: [String: String]
        /// Current per-file problems (parse/validation errors, duplicates), in file order.
        public var issues: [Issue]
        /// Non-fatal findings per file (unknown fields...).
        public var warnings: [Issue]

        public var byUID: [String: Pod] {
            var m: [String: Pod] = [:]
            for p in pods { m[p.metadata.uid ?? ""] = p }
            return m
        }
    }

    let config: Configuration
    let logger: Logger
    let onSnapshot: @Sendable (Snapshot) -> Void
    let control = Mutex(Control())
    /// Self-pipe that wakes the watcher thread (read end polled, write end written by stop/relistNow).
    let wakeFD: Int32
    let wakeWriteFD: Int32

    struct Control {
        var stop = false
        var relist = false
        var thread: LoopThreadRef?
    }

    public struct Error: Swift.Error, CustomStringConvertible {
        public var description: String
    }

    public init(config: Configuration, logger: Logger = Logger(label: "bootlet.config.file"), onSnapshot: @escaping @Sendable (Snapshot) -> Void) throws(Error) {
        self.config = config
        self.logger = logger
        self.onSnapshot = onSnapshot
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw Error(description: "pipe for the manifest watcher: \(String(cString: strerror(errno)))")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        wakeFD = fds[0]
        wakeWriteFD = fds[1]
    }

    deinit {
        close(wakeFD)
        close(wakeWriteFD)
    }

    /// Starts the watcher thread (idempotent).
    public func start() throws(Error) {
        let already = control.withLock { $0.thread != nil }
        if already { return }
        do {
            let t = try LoopThread { [self] in
                var loop = WatchLoop(source: self)
                loop.run()
            }
            control.withLock { $0.thread = LoopThreadRef(t) }
        } catch {
            throw Error(description: error.description)
        }
    }

    /// Stops and joins the watcher thread.
    public func stop() {
        let t = control.withLock { c -> LoopThreadRef? in
            c.stop = true
            let t = c.thread
            c.thread = nil
            return t
        }
        wake()
        t?.thread.join()
    }

    /// Asks for a full list now (kubelet only lists on its ticker; useful after a SIGHUP or in tests).
    public func relistNow() {
        control.withLock { $0.relist = true }
        wake()
    }

    func wake() {
        var one: UInt8 = 1
        _ = write(wakeWriteFD, &one, 1)
    }

    /// Convenience: the snapshots as an AsyncStream (the source is stopped when the stream terminates).
    public static func stream(config: Configuration, logger: Logger = Logger(label: "bootlet.config.file")) throws(Error)
        -> (AsyncStream<Snapshot>, StaticPodFileSource)
    {
        let (stream, cont) = AsyncStream<Snapshot>.makeStream(bufferingPolicy: .bufferingNewest(16))
        let source = try StaticPodFileSource(config: config, logger: logger) { cont.yield($0) }
        cont.onTermination = { [weak source] _ in source?.stop() }
        try source.start()
        return (stream, source)
    }
}

/// Sendable holder for the thread handle (only touched under the control mutex).
final class LoopThreadRef: @unchecked Sendable {
    let thread: LoopThread
    init(_ t: LoopThread) { thread = t }
}
