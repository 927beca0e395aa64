import BootletRuntime
import Dispatch
import KubeModel

/// Probe workers (kubelet's `prober/worker.go`): one per (container run, probe kind), ticking every
/// `periodSeconds`, skipped before `initialDelaySeconds`, liveness/readiness held back until the startup probe
/// succeeded; results change only after `failureThreshold`/`successThreshold` consecutive equal outcomes.
/// Readiness drives `ready` and the Ready/ContainersReady conditions; startup drives `started`; a liveness or
/// startup failure kills the container, which is then restarted by the restart policy with back-off.
final class ProbeWorker: @unchecked Sendable {
    enum Kind: String { case liveness = "Liveness", readiness = "Readiness", startup = "Startup" }
    let uid: String
    let runID: String
    let container: String
    let kind: Kind
    let probe: Probe
    let startedAt: Int64
    var timer: DispatchSourceTimer?
    var success = 0, failure = 0
    var result: Bool?
    var busy = false
    var stopped = false

    init(uid: String, runID: String, container: String, kind: Kind, probe: Probe, startedAt: Int64) {
        self.uid = uid
        self.runID = runID
        self.container = container
        self.kind = kind
        self.probe = probe
        self.startedAt = startedAt
    }
}

extension Kubelet {
    /// Start the probe workers of a freshly started (or adopted) run.
    func startProbes(_ rec: PodRecord, _ run: ContainerRun, _ c: Container) {
        var list: [(ProbeWorker.Kind, Probe)] = []
        if let p = c.startupProbe { list.append((.startup, p)) }
        if let p = c.livenessProbe { list.append((.liveness, p)) }
        if let p = c.readinessProbe { list.append((.readiness, p)) }
        for (kind, probe) in list {
            let w = ProbeWorker(uid: rec.uid, runID: run.id, container: c.name, kind: kind, probe: probe,
                                startedAt: run.startedAt ?? Timestamp.nowNanos())
            // A serial queue per worker (kubelet: a goroutine per worker): probes block for up to timeoutSeconds and a
            // liveness kill waits out the grace period; on one CPU-wide pool a few such waits stalled every other
            // pod's probes. The timer's handler never overlaps itself, so a worker probes one at a time.
            let t = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "bootlet.probe.\(run.id).\(kind.rawValue)"))
            let period = Int(max(1, probe.periodSeconds)) * 1_000_000_000
            let delay = Int(max(0, probe.initialDelaySeconds)) * 1_000_000_000
            t.schedule(deadline: .now() + .nanoseconds(delay), repeating: .nanoseconds(period), leeway: .milliseconds(50))
            t.setEventHandler { [weak self, w] in self?.probeTick(w) }
            w.timer = t
            lock.with { probeWorkers[run.id + "/" + kind.rawValue] = w }
            t.resume()
        }
    }

    /// Stop every worker of a run (it exited or is being replaced).
    func stopProbes(runID: String) {
        let ws: [ProbeWorker] = lock.with {
            let keys = probeWorkers.keys.filter { $0.hasPrefix(runID + "/") }
            return keys.compactMap { probeWorkers.removeValue(forKey: $0) }
        }
        for w in ws {
            w.stopped = true
            w.timer?.cancel()
        }
    }

    func probeTick(_ w: ProbeWorker) {
        guard !w.stopped, !w.busy, let rec = lock.with({ pods[w.uid] }) else { return }
        guard let run = rec.current(w.container), run.id == w.runID, run.isRunning else {
            stopProbes(runID: w.runID)
            return
        }
        if rec.terminating && w.kind != .readiness { return }  // kubelet: quiet liveness/startup while deleting
        if w.kind != .startup, let c = containerSpec(rec, w.container), c.startupProbe != nil, rec.started[w.container] != true {
            return
        }
        w.busy = true
        defer { w.busy = false }
        let outcome = prober.run(w.probe, containerID: run.id, container: containerSpec(rec, w.container) ?? Container(name: w.container),
                                 podIP: rec.sandbox?.podIPs.first)
        if case .warning(let msg) = outcome { event(rec, "ProbeWarning", "\(w.kind.rawValue) probe warning: \(msg)", warning: true) }
        if outcome.succeeded {
            w.success += 1
            w.failure = 0
        } else {
            w.failure += 1
            w.success = 0
            if case .failure(let msg) = outcome {
                event(rec, "Unhealthy", "\(w.kind.rawValue) probe failed: \(msg)", warning: true)
            }
        }
        let successThreshold = Int(max(1, w.probe.successThreshold)), failureThreshold = Int(max(1, w.probe.failureThreshold))
        var changed: Bool?
        if w.success >= successThreshold && w.result != true { changed = true }
        if w.failure >= failureThreshold && w.result != false { changed = false }
        guard let now = changed else { return }
        w.result = now
        switch w.kind {
        case .readiness:
            lock.with { rec.readiness[w.container] = now }
            recordStatus(rec)
        case .startup:
            if now {
                lock.with { rec.started[w.container] = true }
                recordStatus(rec)
                w.stopped = true
                w.timer?.cancel()
                triggerReadiness(runID: w.runID)
                workers.sync(rec.uid)  // a sidecar being started lets the next init container go
            } else {
                killForProbe(rec, run, kind: w.kind)
            }
        case .liveness:
            if !now { killForProbe(rec, run, kind: w.kind) }
        }
    }

    /// kubelet probes readiness as soon as a container counts as started (the prober manager's manual trigger in
    /// `UpdatePodStatus`) instead of waiting for the next readiness period; `initialDelaySeconds` still holds. The
    /// worker's timer is moved forward, so the probe runs on the timer's own handler (never concurrently with a
    /// tick) and the period continues from there.
    func triggerReadiness(runID: String) {
        guard let r = lock.with({ probeWorkers[runID + "/" + ProbeWorker.Kind.readiness.rawValue] }), !r.stopped else { return }
        let period = Int(max(1, r.probe.periodSeconds)) * 1_000_000_000
        let due = r.startedAt + Int64(max(0, r.probe.initialDelaySeconds)) * 1_000_000_000
        let wait = Int(max(0, due - Timestamp.nowNanos()))
        r.timer?.schedule(deadline: .now() + .nanoseconds(wait), repeating: .nanoseconds(period), leeway: .milliseconds(50))
    }

    /// A liveness/startup failure: kill the container (probe-level grace period if set), the restart policy does
    /// the rest.
    func killForProbe(_ rec: PodRecord, _ run: ContainerRun, kind: ProbeWorker.Kind) {
        stopProbes(runID: run.id)
        let c = containerSpec(rec, run.name)
        let probe = kind == .liveness ? c?.livenessProbe : c?.startupProbe
        let grace = probe?.terminationGracePeriodSeconds ?? rec.pod.spec.terminationGracePeriodSeconds ?? 30
        let verb = rec.restartPolicy == "Never" ? "" : ", will be restarted"
        event(rec, "Killing", "Container \(run.name) failed \(kind.rawValue.lowercased()) probe\(verb)")
        workers.runAndWait(rec.uid) {
            guard let cur = rec.current(run.name), cur.id == run.id, cur.isRunning else { return }
            stopContainers(rec, [cur], graceNanos: max(2, grace) * 1_000_000_000)
        }
        workers.sync(rec.uid)
    }

    func containerSpec(_ rec: PodRecord, _ name: String) -> Container? {
        (rec.pod.spec.containers + (rec.pod.spec.initContainers ?? [])).first { $0.name == name }
    }
}
