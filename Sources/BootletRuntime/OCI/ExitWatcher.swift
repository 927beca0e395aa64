import CBootletRuntime
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Learns when containers end, including containers started by an earlier process (a runner that restarted).
///
/// Every container has a monitor that writes `<state>/<id>/exit` and then exits; the watcher holds a pidfd per
/// monitor in one epoll set on a dedicated thread (no polling, no children to reap). When a monitor ends without
/// an exit record — it was killed — the container is recorded as exited 137 with reason "Unknown", the way
/// containerd records a task whose shim disappeared, and anything left of it is killed.
public final class ExitWatcher: @unchecked Sendable {
    public typealias Handler = @Sendable (_ id: String, _ exit: ExitRecord) -> Void

    private let store: StateStore
    private let handler: Handler
    private let epfd: Int32
    private let wakeFd: Int32
    private let lock = Lock()
    private var watched: [Int32: (id: String, record: ContainerRecord)] = [:]  // pidfd -> container
    private var thread: pthread_t?
    private var stopping = false

    public init(store: StateStore, handler: @escaping Handler) throws {
        self.store = store
        self.handler = handler
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        if epfd < 0 { throw RuntimeError.errno("create epoll for exit watcher") }
        wakeFd = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        if wakeFd < 0 { throw RuntimeError.errno("create eventfd for exit watcher") }
        var ev = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(fd: wakeFd))
        epoll_ctl(epfd, EPOLL_CTL_ADD, wakeFd, &ev)
        let unmanaged = Unmanaged.passRetained(self)
        var t = pthread_t()
        let rc = pthread_create(&t, nil, { arg in
            let w = Unmanaged<ExitWatcher>.fromOpaque(arg!).takeRetainedValue()
            w.loop()
            return nil
        }, unmanaged.toOpaque())
        if rc != 0 {
            unmanaged.release()
            throw RuntimeError("start exit watcher thread", "", errno: rc)
        }
        thread = t
    }

    /// Stop the thread (watched containers keep running; nothing is killed).
    public func stop() {
        lock.with { stopping = true }
        var one: UInt64 = 1
        _ = write(wakeFd, &one, 8)
        if let t = thread { pthread_join(t, nil) }
        thread = nil
        close(epfd)
        close(wakeFd)
        lock.with { for fd in watched.keys { close(fd) } }
    }

    /// Watch a container. If it already ended (exit record present, or monitor gone) the handler runs at once.
    public func watch(_ record: ContainerRecord) {
        let pidfd = record.monitorPid > 0 ? bl_pidfd_open(record.monitorPid) : -1
        let sameMonitor = pidfd >= 0 && ProcFS.isAlive(record.monitorPid, startTime: record.monitorStartTime)
        if !sameMonitor {
            if pidfd >= 0 { close(pidfd) }
            deliver(record)
            return
        }
        lock.with { watched[pidfd] = (record.id, record) }
        var ev = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(fd: pidfd))
        if epoll_ctl(epfd, EPOLL_CTL_ADD, pidfd, &ev) != 0 {
            lock.with { _ = watched.removeValue(forKey: pidfd) }
            close(pidfd)
            deliver(record)
        }
    }

    /// Every container in the state root, for a process that starts after others created them. Returns the
    /// records of containers whose monitor is still alive (they are being watched); ended ones are delivered to
    /// the handler.
    @discardableResult
    public func adoptAll() -> [ContainerRecord] {
        var live: [ContainerRecord] = []
        for id in store.ids() {
            guard let r = try? store.load(id) else { continue }
            if store.exitRecord(id) == nil && ProcFS.isAlive(r.monitorPid, startTime: r.monitorStartTime) {
                live.append(r)
            }
            watch(r)
        }
        return live
    }

    private func loop() {
        var events = [epoll_event](repeating: epoll_event(), count: 16)
        while true {
            let n = epoll_wait(epfd, &events, Int32(events.count), -1)
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            if lock.with({ stopping }) { return }
            for i in 0..<Int(n) {
                let fd = events[i].data.fd
                if fd == wakeFd { continue }
                guard let entry = lock.with({ watched.removeValue(forKey: fd) }) else { continue }
                epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nil)
                close(fd)
                deliver(entry.record)
            }
        }
    }

    private func deliver(_ record: ContainerRecord) {
        handler(record.id, ExitWatcher.collect(record, store: store))
    }

    /// The exit of a container whose monitor is gone: its record, or a synthesized 137/"Unknown" that is also
    /// written to disk so every later reader agrees.
    public static func collect(_ record: ContainerRecord, store: StateStore) -> ExitRecord {
        if let e = store.exitRecord(record.id) { return e }
        // The monitor may have been killed while the process survived (it normally dies with its monitor
        // through PDEATHSIG): finish it so nothing runs unaccounted for.
        if ProcFS.isAlive(record.pid, startTime: record.pidStartTime) {
            let fd = bl_pidfd_open(record.pid)
            if fd >= 0 {
                _ = bl_pidfd_send_signal(fd, SIGKILL)
                close(fd)
            }
        }
        let e = ExitRecord(pid: record.pid, exitCode: 137, signal: 0, finishedAt: Timestamp.now(), reason: "Unknown")
        if FileIO.exists(store.dir(record.id)), let data = try? JSONEncoder().encode(e) {
            try? FileIO.writeAtomically(store.exitPath(record.id), Array(data), step: "write synthesized exit record", durable: false)
        }
        return e
    }
}

/// A pthread mutex (usable from any thread, including non-async contexts).
public final class Lock: @unchecked Sendable {
    private var m = pthread_mutex_t()
    public init() { pthread_mutex_init(&m, nil) }
    deinit { pthread_mutex_destroy(&m) }
    @discardableResult
    public func with<T>(_ f: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&m)
        defer { pthread_mutex_unlock(&m) }
        return try f()
    }
}
