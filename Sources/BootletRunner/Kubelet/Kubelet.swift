import BootletImages
import BootletRuntime
import CBootletRuntime
import Dispatch
import KubeModel
import Logging
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#endif

/// `bootlet kubelet`: runs the pods of a manifest directory as kubelet does (docs/runner.md).
///
/// Threads: the file source's watcher thread delivers snapshots, the exit watcher thread delivers container
/// exits, the HTTP server has its own event loop; all of them only record facts and ask `PodWorkers` for a sync.
/// Syncing a pod (deciding and doing what kubelet's `SyncPod` does) runs on that pod's serial queue.
public final class Kubelet: @unchecked Sendable {
    public let config: RunnerConfig
    let logger: Logger
    let dirs: PodDirectories
    let images: ImageStore
    var runtime: OCIRuntime
    let store: StateStore
    let backOff: BackOff
    let imageBackOff: BackOff
    let logs: ContainerLogManager
    let cgroups: KubeletCgroups
    let hostIPs: [String]
    let network: PodNetwork
    /// Host facts and kubelet settings every container spec needs; read once (like kubelet's node info), not per
    /// container start (mountinfo, /proc/self/cgroup, meminfo, status, huge page sizes).
    let nodeSettings: NodeSpecSettings
    var exitWatcher: ExitWatcher!
    var workers: PodWorkers!
    var source: StaticPodFileSource?
    var servers: [ReadOnlyServer] = []
    let lock = Lock()
    /// All pods the runner knows (desired, terminating, or terminated awaiting cleanup), by UID.
    var pods: [String: PodRecord] = [:]
    /// Desired pods in manifest order (what /pods lists).
    var desiredOrder: [String] = []
    /// Manifest issues of the last snapshot (each is logged once).
    var reportedIssues: Set<String> = []
    var probeWorkers: [String: ProbeWorker] = [:]
    /// Containers and sandboxes started since the last housekeeping pass (for `heapTrim`).
    var launchesSinceHousekeeping = 0
    var heapTrim = HeapTrimPolicy()
    let http = HTTPGetClient()
    var prober: Prober { Prober(runtime: runtime, http: http) }
    var housekeeping: DispatchSourceTimer?
    var rotation: DispatchSourceTimer?
    var stopped = false

    public init(config: RunnerConfig, logger: Logger) throws {
        self.config = config
        self.logger = logger
        dirs = PodDirectories(rootDir: config.rootDir, podLogsDir: config.podLogsDir, containerLogsDir: config.containerLogsDir)
        images = try ImageStore(root: config.imageRoot, logger: logger)
        store = StateStore(root: config.runtimeRoot)
        let log = logger
        runtime = try OCIRuntime(store: store, warn: { log.warning("\($0)") })
        backOff = BackOff(initialSeconds: 10, maxSeconds: Int64(config.maxContainerRestartPeriod.components.seconds))
        imageBackOff = BackOff(initialSeconds: 10, maxSeconds: 300)
        logs = ContainerLogManager(maxSize: config.containerLogMaxSize, maxFiles: config.containerLogMaxFiles)
        cgroups = try KubeletCgroups(cgroupRoot: config.cgroupRoot, cgroupsPerQOS: config.cgroupsPerQOS)
        hostIPs = config.nodeIPs.isEmpty ? NodeAddresses.detect() : config.nodeIPs
        var node = NodeSpecSettings.detect(kubeletRootDir: config.rootDir)
        node.seccompDefault = config.seccompDefault
        node.allowedUnsafeSysctls = config.allowedUnsafeSysctls
        nodeSettings = node
        network = PodNetwork(
            namespaces: NetworkNamespaces(directory: config.runtimeRoot + "/netns"),
            cni: CNINetwork(options: .init(confDir: config.cniConfDir, binDirs: config.cniBinDirs, stateDir: config.cniCacheDir)))
    }

    /// Start every component; returns once serving. Pods keep running when the process later exits.
    public func start() throws {
        // Two malloc arenas, not 8 per core: the runner's threads are mostly idle, and every extra arena keeps its
        // own free memory (RSS) that the others cannot reuse.
        _ = bl_malloc_arena_max(2)
        for d in [config.rootDir, config.rootDir + "/pods", config.podLogsDir, config.containerLogsDir, config.runtimeRoot,
                  config.runtimeRoot + "/bundles", config.runtimeRoot + "/sandboxes"] {
            try FileIO.makeDirectories(d, mode: 0o755)
        }
        try setUpQoSCgroups()
        workers = PodWorkers(parallelStarts: 4) { [weak self] uid in self?.syncPod(uid) }
        exitWatcher = try ExitWatcher(store: store) { [weak self] id, exit in self?.containerExited(id: id, exit: exit) }
        try adoptRuntimeState()
        if config.readOnlyPort > 0 {
            let s = ReadOnlyServer()
            try s.start(host: config.address, port: config.readOnlyPort) { [weak self] path in self?.route(path) }
            servers.append(s)
            logger.info("serving read-only API", metadata: ["address": "\(config.address):\(s.port)"])
        }
        if config.healthzPort > 0 {
            let s = ReadOnlyServer()
            try s.start(host: config.healthzBindAddress, port: config.healthzPort) { path in
                path == "/healthz" ? (.ok, "text/plain; charset=utf-8", Array("ok".utf8)) : nil
            }
            servers.append(s)
        }
        var sourceConfig = StaticPodFileSource.Configuration(
            path: config.podManifestPath, nodeName: config.nodeName, fileCheckFrequency: config.fileCheckFrequency)
        sourceConfig.allowCheckpointVolumes = true
        let src = try StaticPodFileSource(config: sourceConfig, logger: logger) { [weak self] snap in self?.apply(snapshot: snap) }
        source = src
        try src.start()
        housekeeping = timer(every: config.housekeepingInterval) { [weak self] in self?.runHousekeeping() }
        rotation = timer(every: config.containerLogMonitorInterval) { [weak self] in self?.rotateLogs() }
    }

    /// Stop serving and watching. Containers are left running (a restarted runner adopts them).
    public func stop() {
        lock.with { stopped = true }
        source?.stop()
        housekeeping?.cancel()
        rotation?.cancel()
        servers.forEach { $0.stop() }
        exitWatcher?.stop()
        let ws = lock.with { Array(probeWorkers.values) }
        ws.forEach { $0.stopped = true; $0.timer?.cancel() }
        http.shutdown()
    }

    private func timer(every d: Duration, _ body: @escaping @Sendable () -> Void) -> DispatchSourceTimer {
        let t = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
        let ns = Int(d.components.seconds) * 1_000_000_000 + Int(d.components.attoseconds / 1_000_000_000)
        t.schedule(deadline: .now() + .nanoseconds(ns), repeating: .nanoseconds(ns), leeway: .milliseconds(ns / 1_000_000 / 10 + 1))
        t.setEventHandler(handler: body)
        t.resume()
        return t
    }

    // MARK: desired state

    /// A complete snapshot from the file source: start what is new, terminate what went away.
    func apply(snapshot: StaticPodFileSource.Snapshot) {
        // Every snapshot carries all current issues; report each one once (again only after it went away and came
        // back), so a bad file does not log an event at every manifest change elsewhere.
        let fresh: [StaticPodFileSource.Issue] = lock.with {
            let new = snapshot.issues.filter { !reportedIssues.contains($0.message) }
            reportedIssues = Set(snapshot.issues.map(\.message))
            return new
        }
        for issue in fresh {
            event(nil, "FailedValidation", issue.message, warning: true)
        }
        var toSync: [String] = []
        lock.with {
            let wanted = snapshot.byUID
            desiredOrder = snapshot.pods.compactMap(\.metadata.uid)
            for (uid, pod) in wanted {
                if let rec = pods[uid] {
                    // Only a pod that changed needs a sync: every snapshot lists all pods, and syncing them all at
                    // each manifest change elsewhere retried failing pods (and logged their events) every time.
                    var changed = false
                    if !rec.desired || rec.terminating {
                        // The same manifest came back (same UID) while its pod was ending: it starts again once
                        // termination is over, keeping its containers' history (restartCount continues).
                        rec.desired = true
                        changed = true
                    }
                    if rec.pod != pod { rec.pod = pod; changed = true }  // e.g. an adopted pod gets its spec
                    rec.source = snapshot.files[uid] ?? rec.source
                    if changed { toSync.append(uid) }
                } else {
                    let rec = PodRecord(uid: uid, pod: pod, source: snapshot.files[uid] ?? "")
                    pods[uid] = rec
                    event(rec, "Scheduled", "pod \(rec.fullName) from \(rec.source)")
                    toSync.append(uid)
                }
            }
            for (uid, rec) in pods where rec.desired && wanted[uid] == nil {
                rec.desired = false
                rec.terminating = true
                toSync.append(uid)
                event(rec, "Killing", "stopping pod: its manifest was removed or changed")
            }
        }
        toSync.forEach { workers.sync($0) }
    }

    /// A container (or sandbox) ended: record it and sync its pod.
    func containerExited(id: String, exit: ExitRecord) {
        var uid: String?
        var ended: (rec: PodRecord, run: ContainerRun)?
        lock.with {
            for rec in pods.values {
                if rec.sandbox?.id == id {
                    rec.sandbox?.exited = true
                    uid = rec.uid
                    return
                }
                if var run = rec.allRuns.first(where: { $0.id == id }) {
                    rec.update(id) { r in if r.exit == nil { r.exit = exit } }
                    rec.readiness[run.name] = false
                    if run.exit == nil { run.exit = exit }
                    ended = (rec, run)
                    uid = rec.uid
                    return
                }
            }
        }
        // The termination message is a file read, or the tail of a log of up to --container-log-max-size: outside
        // the runner's lock, which /pods and every sync wait on.
        if let (rec, run) = ended {
            let message = terminationMessage(rec, run, container: containerSpec(rec, run.name))
            lock.with { rec.update(id) { $0.terminationMessage = message } }
        }
        stopProbes(runID: id)
        if let uid { workers.sync(uid) }
    }

    // MARK: events

    /// kubelet records events through the API; without one they go to the structured log (reason + message).
    func event(_ rec: PodRecord?, _ reason: String, _ message: String, warning: Bool = false) {
        var md: Logger.Metadata = ["reason": "\(reason)"]
        if let rec { md["pod"] = "\(rec.namespace)/\(rec.name)"; md["uid"] = "\(rec.uid)" }
        if warning { logger.warning("\(message)", metadata: md) } else { logger.info("\(message)", metadata: md) }
    }

    // MARK: HTTP

    func route(_ path: String) -> (status: HTTPResponseStatus, contentType: String, body: [UInt8])? {
        switch path {
        case "/pods", "/pods/":
            return (.ok, "application/json", Array(podListJSON().utf8))
        case "/healthz":
            return (.ok, "text/plain; charset=utf-8", Array("ok".utf8))
        default:
            return nil
        }
    }

    /// `/pods`: a `v1.PodList` of the desired pods with their current status.
    func podListJSON() -> String {
        let items: [Pod] = lock.with {
            desiredOrder.compactMap { pods[$0] }.map { rec in
                var p = rec.pod
                p.status = PodStatusBuilder.status(rec, hostIPs: hostIPs)
                return p
            }
        }
        let list = PodList(items: items)
        return (try? JSONValueEncoder().encode(list).jsonText()) ?? "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{},\"items\":null}"
    }
}
