import BootletRuntime
import KubeModel

#if canImport(Glibc)
import Glibc
#endif

/// One run (instance) of a container. Its restart count is the attempt number and names its log file.
public struct ContainerRun: Sendable, Equatable {
    public var id: String
    public var name: String
    public var kind: ContainerKind
    public var restartCount: Int
    public var image: String
    public var imageID: String
    public var logPath: String
    public var terminationFile: String?
    /// Container definition hash: the back-off key changes with it.
    public var hash: String
    public var createdAt: Int64
    public var startedAt: Int64?
    public var exit: ExitRecord?
    /// Set when the runtime could not start it (containerd: exit 128, reason StartError).
    public var startError: String?
    public var stopSignal: Int32 = 15
    /// Termination message derived at exit (File / FallbackToLogsOnError).
    public var terminationMessage: String?

    public var isRunning: Bool { exit == nil && startError == nil && startedAt != nil }
    public var exitCode: Int32? {
        if startError != nil { return 128 }
        return exit?.exitCode
    }
    public var finishedAt: Int64? {
        if let e = exit, let t = parseNanos(e.finishedAt) { return t }
        return startError != nil ? createdAt : nil
    }
    /// containerd's reason for an exited container.
    public var terminatedReason: String? {
        if startError != nil { return ContainerReason.startError }
        guard let e = exit else { return nil }
        if e.reason == "Unknown" { return ContainerReason.containerStatusUnknown }
        if e.oomKilled { return ContainerReason.oomKilled }
        return e.exitCode == 0 ? ContainerReason.completed : ContainerReason.error
    }
}

/// The pod sandbox: a pause container holding the pod's namespaces, plus its network.
public struct SandboxRun: Sendable, Equatable {
    public var id: String
    public var pid: Int32
    public var monitorPid: Int32
    public var netnsPath: String?
    public var podIPs: [String]
    public var createdAt: Int64
    public var attempt: Int
    public var exited = false
}

/// A waiting reason the runner shows for a container until its next run starts.
public struct Waiting: Sendable, Equatable {
    public var reason: String
    public var message: String?
}

/// Everything the runner knows about one pod (one UID).
///
/// Several threads touch a record: the pod's sync queue, the exit watcher, probe workers, the HTTP server and the
/// file source. The fields holding references (the pod, runs, maps) are therefore kept behind a per-record lock:
/// a read, and an in-place change such as `rec.readiness[c] = false` (`_modify` holds the lock while it runs), is
/// atomic, and so are `append`/`update`. Without it, a manifest snapshot re-assigning `pod` or an exit updating
/// `runs` while the sync queue read them corrupted memory (the runner crashed with SIGSEGV when many pods started
/// at once).
public final class PodRecord: @unchecked Sendable {
    public let uid: String
    private let mutex = RecursiveLock()
    private var _pod: Pod
    private var _source: String
    private var _sandbox: SandboxRun?
    private var _runs: [String: [ContainerRun]] = [:]
    private var _waiting: [String: Waiting] = [:]
    private var _admissionFailure: (reason: String, message: String)?
    private var _conditionTimes: [String: (String, Int64)] = [:]
    private var _readiness: [String: Bool] = [:]
    private var _started: [String: Bool] = [:]
    private var _probesStarted: Set<String> = []
    private var _retired: [String] = []

    public var pod: Pod {
        get { mutex.with { _pod } }
        _modify { mutex.lock(); defer { mutex.unlock() }; yield &_pod }
    }
    /// The manifest file the pod came from.
    public var source: String {
        get { mutex.with { _source } }
        _modify { mutex.lock(); defer { mutex.unlock() }; yield &_source }
    }
    public var sandbox: SandboxRun? {
        get { mutex.with { _sandbox } }
        _modify { mutex.lock(); defer { mutex.unlock() }; yield &_sandbox }
    }
    /// Runs per container name, oldest first (the last one is current; one earlier run is kept for lastState).
    public var runs: [String: [ContainerRun]] {
        get { mutex.with { _runs } }
        _modify { mutex.lock(); defer { mutex.unlock() }; yield &_runs }
    }
    public var waiting: [String: Waiting] {
        get { mutex.with { _waiting } }
        _modify { mutex.lock(); defer { mutex.unlock() }; yield &_waiting }
    }
    /// Pod-level failure decided at admission (e.g. SysctlForbidden): phase Failed, nothing runs.
    public var admissionFailure: (reason: String, message: String)? {
        get { mutex.with { _admissionFailure } }
        _modify { mutex.lock(); defer { mutex.unlock() }; yield &_admissionFailure }
    }
    public var startTime: Int64?
    /// Condition transition times (type -> (status, time)).
    public var conditionTimes: [String: (String, Int64)] {
        get { mutex.with { _conditionTimes } }
        _modify { mutex.lock(); defer { mutex.unlock() }; yield &_conditionTimes }
    }
    /// Readiness per container name (probes; without a readiness probe a started container is ready).
    public var readiness: [String: Bool] {
        get { mutex.with { _readiness } }
        _modify { mutex.lock(); defer { mutex.unlock() }; yield &_readiness }
    }
    public var started: [String: Bool] {
        get { mutex.with { _started } }
        _modify { mutex.lock(); defer { mutex.unlock() }; yield &_started }
    }
    /// Runs whose probe workers were started (adopted runs get theirs at the first sync).
    public var probesStarted: Set<String> {
        get { mutex.with { _probesStarted } }
        _modify { mutex.lock(); defer { mutex.unlock() }; yield &_probesStarted }
    }
    public var desired = true
    public var terminating = false
    public var terminated = false
    public var dirsReady = false

    public init(uid: String, pod: Pod, source: String) {
        self.uid = uid
        _pod = pod
        _source = source
    }

    public var name: String { pod.metadata.name ?? "" }
    public var namespace: String { pod.metadata.namespace ?? "default" }
    public var fullName: String { "\(name)_\(namespace)" }
    public var restartPolicy: String { pod.spec.restartPolicy ?? "Always" }

    public func current(_ container: String) -> ContainerRun? { runs[container]?.last }
    public func previous(_ container: String) -> ContainerRun? {
        guard let r = runs[container], r.count >= 2 else { return nil }
        return r[r.count - 2]
    }

    public func append(_ run: ContainerRun) {
        mutex.with {
            var list = _runs[run.name] ?? []
            list.append(run)
            if list.count > 2 {
                _retired += list.prefix(list.count - 2).map(\.id)
                list.removeFirst(list.count - 2)
            }
            _runs[run.name] = list
        }
    }

    /// Hand over runtime containers (or sandboxes) the record no longer tracks, for removal by housekeeping.
    /// kubelet's container GC keeps one dead instance per container (`minDeadContainerInPod`); older instances are
    /// removed with their logs, as they fall out of `runs`.
    public func retire(_ ids: [String]) { mutex.with { _retired += ids } }

    /// The retired ids, emptying the list.
    public func takeRetired() -> [String] {
        mutex.with {
            defer { _retired = [] }
            return _retired
        }
    }

    public func update(_ id: String, _ change: (inout ContainerRun) -> Void) {
        mutex.with {
            for (name, list) in _runs {
                if let i = list.firstIndex(where: { $0.id == id }) {
                    var l = list
                    change(&l[i])
                    _runs[name] = l
                    return
                }
            }
        }
    }

    public var allRuns: [ContainerRun] { runs.values.flatMap { $0 } }
    public var runningRuns: [ContainerRun] { runs.values.compactMap { $0.last }.filter(\.isRunning) }
}

/// A recursive pthread mutex: a record's accessors may be used inside `update`/`withLock` closures.
final class RecursiveLock: @unchecked Sendable {
    private let m: UnsafeMutablePointer<pthread_mutex_t>
    init() {
        m = .allocate(capacity: 1)
        var attr = pthread_mutexattr_t()
        pthread_mutexattr_init(&attr)
        pthread_mutexattr_settype(&attr, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(m, &attr)
        pthread_mutexattr_destroy(&attr)
    }
    deinit {
        pthread_mutex_destroy(m)
        m.deallocate()
    }
    func lock() { pthread_mutex_lock(m) }
    func unlock() { pthread_mutex_unlock(m) }
    func with<T>(_ f: () throws -> T) rethrows -> T {
        pthread_mutex_lock(m)
        defer { pthread_mutex_unlock(m) }
        return try f()
    }
}

/// Nanoseconds since the epoch of an RFC 3339 time (the runtime's records), nil if it does not parse.
func parseNanos(_ rfc3339: String) -> Int64? {
    guard let t = try? KubeTime(rfc3339: rfc3339) else { return nil }
    return t.seconds * 1_000_000_000 + Int64(t.nanoseconds)
}
