#if canImport(Glibc)
import Glibc
#endif
import KubeModel
import Logging

/// Per-file state kept by the watcher thread.
struct FileEntry {
    var pod: Pod?
    var warnings: [String] = []
    var error: String?
}

/// The watcher thread's state machine (runs only on the loop thread).
struct WatchLoop {
    let source: StaticPodFileSource
    var config: StaticPodFileSource.Configuration { source.config }
    var logger: Logger { source.logger }
    let clock = ContinuousClock()

    /// File path → state.
    var entries: [String: FileEntry] = [:]
    /// UID → first time seen (kubelet's `config.seen`), kept while the UID is present.
    var seen: [String: KubeTime] = [:]
    /// Messages already logged per file, so a file that keeps failing the same way logs once.
    var logged: [String: Set<String>] = [:]
    var lastSnapshot: StaticPodFileSource.Snapshot?
    var inotify: Inotify?
    var watchedDir: String?
    var wd: Int32 = -1
    /// Only this base name matters when `config.path` is a single file.
    var singleFileName: String?
    var pendingNames: Set<String> = []
    var settleDeadline: ContinuousClock.Instant?
    /// Names whose latest event was a create/modify/attrib (possibly a partial write).
    var unfinishedNames: Set<String> = []
    var pendingSince: ContinuousClock.Instant?

    init(source: StaticPodFileSource) { self.source = source }

    mutating func run() {
        do {
            inotify = try Inotify()
        } catch {
            logger.error("manifest watcher: \(error); falling back to periodic listing only")
        }
        var nextRelist = clock.now
        var nextWatchTry = clock.now
        while true {
            let (stop, relistAsked) = source.control.withLock { c in
                defer { c.relist = false }
                return (c.stop, c.relist)
            }
            if stop { break }
            let now = clock.now
            var watchAdded = false
            if wd < 0, inotify != nil, now >= nextWatchTry {
                establishWatch()
                nextWatchTry = now + .seconds(1)
                // A watch that was (re)established after start may have missed files created meanwhile.
                watchAdded = wd >= 0 && lastSnapshot != nil
            }
            if relistAsked || watchAdded || now >= nextRelist {
                relist()
                nextRelist = clock.now + config.fileCheckFrequency
            }
            if let d = settleDeadline, clock.now >= d {
                settleDeadline = nil
                processPending()
            }
            // Sleep until the next deadline or an event.
            var deadline = nextRelist
            if wd < 0, inotify != nil { deadline = min(deadline, nextWatchTry) }
            if let d = settleDeadline { deadline = min(deadline, d) }
            let waitMs = max(0, Int32(clamping: (deadline - clock.now).milliseconds))
            var fds = [pollfd(fd: source.wakeFD, events: Int16(POLLIN), revents: 0)]
            if let ino = inotify { fds.append(pollfd(fd: ino.fd, events: Int16(POLLIN), revents: 0)) }
            let rc = poll(&fds, nfds_t(fds.count), waitMs)
            if rc < 0, errno != EINTR {
                logger.error("manifest watcher: poll: \(String(cString: strerror(errno)))")
                usleep(100_000)
                continue
            }
            if fds[0].revents != 0 {
                var drain = [UInt8](repeating: 0, count: 64)
                while read(source.wakeFD, &drain, drain.count) > 0 {}
            }
            if fds.count > 1, fds[1].revents != 0 { readEvents() }
        }
        if let ino = inotify, wd >= 0 { ino.removeWatch(wd) }
    }

    // MARK: watch

    mutating func establishWatch() {
        guard let ino = inotify else { return }
        var st = stat()
        guard stat(config.path, &st) == 0 else { return }  // missing path: the list emits an empty set
        let dir: String
        if (st.st_mode & S_IFMT) == S_IFDIR {
            dir = config.path
            singleFileName = nil
        } else {
            let (parent, base) = splitPath(config.path)
            dir = parent
            singleFileName = base
        }
        do {
            wd = try ino.addDirectoryWatch(dir)
            watchedDir = dir
        } catch {
            logOnce(config.path, "unable to watch manifest path: \(error)")
        }
    }

    mutating func readEvents() {
        guard let ino = inotify else { return }
        for e in ino.readEvents() {
            if e.mask & UInt32(IN_Q_OVERFLOW) != 0 {
                source.control.withLock { $0.relist = true }
                continue
            }
            if e.mask & UInt32(IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF) != 0, e.wd == wd {
                // The watched directory went away: retry the watch, and list now (it emits the empty set).
                wd = -1
                source.control.withLock { $0.relist = true }
                continue
            }
            guard e.wd == wd, !e.name.isEmpty, !e.name.hasPrefix(".") else { continue }
            if let only = singleFileName, e.name != only { continue }
            pendingNames.insert(e.name)
            // A rename into place, a closed write or a removal is a finished change; a create or a modify may be
            // a writer still in the middle of the file.
            let finished = UInt32(IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM)
            if e.mask & finished != 0 { unfinishedNames.remove(e.name) } else { unfinishedNames.insert(e.name) }
        }
        guard !pendingNames.isEmpty else { return }
        let now = clock.now
        // Only finished changes pending (the usual atomic rename): handle them at once, as kubelet does.
        if unfinishedNames.isDisjoint(with: pendingNames) {
            settleDeadline = now
            return
        }
        // Debounce: wait until the directory has been quiet for settleInterval, but never postpone a pending
        // change by more than a second behind a writer that keeps writing.
        if pendingSince == nil { pendingSince = now }
        if let since = pendingSince, now - since < .seconds(1) {
            settleDeadline = now + config.settleInterval
        }
    }

    /// Handles the coalesced events: a name that no longer exists is a delete; otherwise the file is re-read
    /// and, if it fails, its previous pod is kept (kubelet's event path never removes on a parse error).
    mutating func processPending() {
        guard let dir = watchedDir else { pendingNames.removeAll(); return }
        let names = pendingNames.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        pendingNames.removeAll()
        unfinishedNames.removeAll()
        pendingSince = nil
        for name in names {
            let path = dir == "/" ? "/" + name : dir + "/" + name
            switch readManifest(path) {
            case .vanished:
                entries[path] = nil
                logged[path] = nil
            case .skipped:
                entries[path] = nil
            case .failed(let message):
                var e = entries[path] ?? FileEntry()
                e.error = message
                entries[path] = e
                logOnce(path, message)
            case .parsed(let decoded):
                entries[path] = FileEntry(pod: decoded.pod, warnings: decoded.warnings, error: nil)
                logged[path] = nil
                for w in decoded.warnings { logOnce(path, w, level: .warning) }
            }
        }
        emit()
    }

    // MARK: list

    /// A full list: exactly the files that parse now (kubelet `extractFromDir` + store replace).
    mutating func relist() {
        var fresh: [String: FileEntry] = [:]
        var st = stat()
        if stat(config.path, &st) != 0 {
            if errno != ENOENT { logOnce(config.path, "unable to read manifest path: \(String(cString: strerror(errno)))") }
            entries = [:]
            emit()
            return
        }
        var files: [String]
        if (st.st_mode & S_IFMT) == S_IFDIR {
            files = listDirectory(config.path)
        } else if (st.st_mode & S_IFMT) == S_IFREG {
            files = [config.path]
        } else {
            logOnce(config.path, "path is not a directory or file")
            return
        }
        files.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for path in files {
            switch readManifest(path) {
            case .vanished, .skipped:
                continue
            case .failed(let message):
                fresh[path] = FileEntry(pod: nil, error: message)
                logOnce(path, message)
            case .parsed(let decoded):
                fresh[path] = FileEntry(pod: decoded.pod, warnings: decoded.warnings)
                logged[path] = nil
                for w in decoded.warnings { logOnce(path, w, level: .warning) }
            }
        }
        for k in logged.keys where fresh[k] == nil && k != config.path { logged[k] = nil }
        entries = fresh
        emit()
    }

    func listDirectory(_ dir: String) -> [String] {
        guard let d = opendir(dir) else {
            return []
        }
        defer { closedir(d) }
        var out: [String] = []
        while let ent = readdir(d) {
            let name = withUnsafeBytes(of: ent.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.isEmpty || name.hasPrefix(".") { continue }
            out.append(dir == "/" ? "/" + name : dir + "/" + name)
        }
        return out
    }

    // MARK: snapshot

    mutating func emit() {
        let order = entries.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var pods: [Pod] = []
        var files: [String: String] = [:]
        var issues: [StaticPodFileSource.Issue] = []
        var warnings: [StaticPodFileSource.Issue] = []
        var byFullName: [String: String] = [:]
        let now = KubeTime.now()
        var liveUIDs = Set<String>()
        for path in order {
            guard let e = entries[path] else { continue }
            if let err = e.error { issues.append(.init(file: path, message: err)) }
            for w in e.warnings { warnings.append(.init(file: path, message: w)) }
            guard var pod = e.pod else { continue }
            if let first = byFullName[pod.fullName] {
                let msg = "static pod manifest \(path): skipped due to duplicate pod name \"\(pod.fullName)\" (first defined in \(first))"
                issues.append(.init(file: path, message: msg))
                logOnce(path, msg)
                continue
            }
            byFullName[pod.fullName] = path
            let uid = pod.metadata.uid ?? ""
            liveUIDs.insert(uid)
            let firstSeen = seen[uid] ?? now
            seen[uid] = firstSeen
            StaticPod.annotateSource(&pod, source: "file", seen: firstSeen, utcOffsetSeconds: config.utcOffsetSeconds)
            pods.append(pod)
            files[uid] = path
        }
        for uid in seen.keys where !liveUIDs.contains(uid) { seen[uid] = nil }
        let snap = StaticPodFileSource.Snapshot(pods: pods, files: files, issues: issues, warnings: warnings)
        if snap != lastSnapshot {
            lastSnapshot = snap
            source.onSnapshot(snap)
        }
    }

    mutating func logOnce(_ path: String, _ message: String, level: Logger.Level = .error) {
        if logged[path, default: []].insert(message).inserted {
            logger.log(level: level, "\(message)", metadata: ["path": "\(path)"])
        }
    }

    // MARK: reading

    enum ReadResult {
        case parsed(StaticPod.Decoded)
        case failed(String)
        case vanished
        case skipped
    }

    /// stat (following symlinks), size limit, read, decode.
    func readManifest(_ path: String) -> ReadResult {
        var st = stat()
        if stat(path, &st) != 0 {
            let e = errno
            if e == ENOENT { return .vanished }
            return .failed("static pod manifest \(path): stat: \(String(cString: strerror(e)))")
        }
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            return .skipped  // kubelet: "not recursing into manifest path"
        case S_IFREG:
            break
        default:
            return .skipped
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            if e == ENOENT { return .vanished }
            return .failed("static pod manifest \(path): open: \(String(cString: strerror(e)))")
        }
        defer { close(fd) }
        let limit = StaticPod.maxManifestSize
        // Refuse by the file's size before reading it: the message then names the real size (reading stops a
        // chunk past the limit, so the decoder alone would report that count).
        if Int(st.st_size) > limit {
            return .failed(ManifestError(
                path: path, step: "read",
                message: "file is \(st.st_size) bytes, larger than the \(limit)-byte limit for a manifest").description)
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while bytes.count <= limit {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failed("static pod manifest \(path): read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            bytes += chunk[..<n]
        }
        do {
            return .parsed(try StaticPod.decode(bytes, path: path, options: .init(nodeName: config.nodeName, yaml: config.yaml, allowCheckpointVolumes: config.allowCheckpointVolumes)))
        } catch {
            return .failed(error.description)
        }
    }

    func splitPath(_ p: String) -> (String, String) {
        guard let slash = p.lastIndex(of: "/") else { return (".", p) }
        let dir = String(p[..<slash])
        return (dir.isEmpty ? "/" : dir, String(p[p.index(after: slash)...]))
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (s, atto) = components
        return s * 1000 + atto / 1_000_000_000_000_000
    }
}

extension KubeTime {
    /// Wall-clock now (CLOCK_REALTIME).
    static func now() -> KubeTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return KubeTime(seconds: Int64(ts.tv_sec), nanoseconds: Int32(ts.tv_nsec))
    }
}
