import BootletRuntime
import KubeModel

/// The pod sync: kubelet's `SyncPod`/`computePodActions` for one pod, run on the pod's serial queue.
extension Kubelet {
    func syncPod(_ uid: String) {
        guard let rec = lock.with({ pods[uid] }), !lock.with({ stopped }) else { return }
        defer { recordStatus(rec) }
        if rec.terminating || !rec.desired {
            terminatePod(rec)
            return
        }
        // Static pods with the same full name run one at a time: a changed manifest (new UID) waits until the
        // old pod has fully terminated (kubelet's startedStaticPodsByFullname).
        let blocked = lock.with {
            pods.values.contains { $0.uid != uid && $0.fullName == rec.fullName && !$0.terminated && ($0.terminating || !$0.desired) }
        }
        if blocked { return }
        if rec.admissionFailure != nil { return }
        if !rec.dirsReady {
            if let message = SysctlPolicy.admissionError(for: rec.pod, allowedUnsafe: config.allowedUnsafeSysctls) {
                rec.admissionFailure = (PodReason.sysctlForbidden, message)
                event(rec, PodReason.sysctlForbidden, message, warning: true)
                return
            }
            do {
                try dirs.makePodDataDirs(uid)
                try FileIO.makeDirectories(dirs.podLogDir(namespace: rec.namespace, name: rec.name, uid: uid), mode: 0o755)
                try ensurePodCgroup(rec)
                rec.dirsReady = true
            } catch {
                event(rec, "FailedMount", "\(error)", warning: true)
                workers.sync(uid, afterNanos: 10_000_000_000)
                return
            }
        }
        if rec.startTime == nil { rec.startTime = Timestamp.nowNanos() }

        // A finished Never/OnFailure pod keeps its statuses; its sidecars and sandbox go (kubelet's KillPod when no
        // container runs and none needs starting).
        if PodLifecycle.regularContainersFinished(rec) {
            finishPod(rec)
            return
        }

        if rec.sandbox == nil || rec.sandbox?.exited == true {
            if let old = rec.sandbox {
                event(rec, "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.")
                stopContainers(rec, rec.runningRuns, graceNanos: 2_000_000_000)
                stopSandbox(rec, old)
            }
            do {
                try createSandbox(rec, attempt: (rec.sandbox?.attempt ?? -1) + 1)
            } catch {
                event(rec, "FailedCreatePodSandBox", "Failed to create pod sandbox: \(error)", warning: true)
                workers.sync(uid, afterNanos: 10_000_000_000)
                return
            }
        }

        // Adopted runs (started by an earlier runner) get their probes now that the pod spec is known.
        for run in rec.runningRuns where !rec.probesStarted.contains(run.id) {
            rec.probesStarted.insert(run.id)
            if let c = containerSpec(rec, run.name) { startProbes(rec, run, c) }
        }

        var nextWake: Int64?
        func wake(_ n: Int64?) { if let n { nextWake = min(nextWake ?? n, n) } }

        // Init containers, one at a time; sidecars start in order and stay up.
        if !PodLifecycle.everStartedRegular(rec) {
            for c in rec.pod.spec.initContainers ?? [] {
                let cur = rec.current(c.name)
                if c.isSidecar {
                    if cur?.isRunning == true {
                        if rec.started[c.name] == true { continue }
                        break
                    }
                    wake(startOrBackOff(rec, c, kind: .sidecar))
                    break
                }
                if cur == nil {
                    wake(startOrBackOff(rec, c, kind: .initContainer))
                    break
                }
                if cur!.isRunning { break }
                if cur!.exitCode == 0 { continue }
                if rec.restartPolicy == "Never" { break }  // the pod fails: next sync finishes it
                wake(startOrBackOff(rec, c, kind: .initContainer))
                break
            }
            if !PodLifecycle.incompleteInit(rec).isEmpty || PodLifecycle.initFailedForGood(rec) {
                if PodLifecycle.initFailedForGood(rec) { workers.sync(uid) }
                if let w = nextWake { workers.sync(uid, afterNanos: w) }
                return
            }
        }
        // Sidecars are restarted whenever they exit, whatever the pod's policy.
        for c in (rec.pod.spec.initContainers ?? []) where c.isSidecar && rec.current(c.name)?.isRunning != true {
            wake(startOrBackOff(rec, c, kind: .sidecar))
        }
        // Regular containers, in spec order.
        for c in rec.pod.spec.containers {
            guard let cur = rec.current(c.name) else {
                wake(startOrBackOff(rec, c, kind: .regular))
                continue
            }
            if cur.isRunning { continue }
            guard let code = cur.exitCode else { continue }
            if PodLifecycle.shouldRestart(policy: rec.restartPolicy, exitCode: code) {
                wake(startOrBackOff(rec, c, kind: .regular))
            } else {
                rec.waiting[c.name] = nil
            }
        }
        if PodLifecycle.regularContainersFinished(rec) { workers.sync(uid) }
        if let w = nextWake { workers.sync(uid, afterNanos: w) }
    }

    /// kubelet's status manager recomputes a pod's status after every sync and probe result, so a condition's
    /// `lastTransitionTime` is when it changed. The builder records transitions when it runs; running it here too,
    /// not only when `/pods` is read, keeps those times true when nobody is looking.
    func recordStatus(_ rec: PodRecord) {
        lock.with { _ = PodStatusBuilder.status(rec, hostIPs: hostIPs) }
    }

    /// Start `c` unless it is backing off; returns nanoseconds until a retry is due (nil when started or not
    /// needed).
    func startOrBackOff(_ rec: PodRecord, _ c: Container, kind: ContainerKind) -> Int64? {
        let hash = PodLifecycle.containerHash(c)
        if let cur = rec.current(c.name), cur.exitCode != nil, let finished = cur.finishedAt {
            let key = PodLifecycle.backOffKey(rec, container: c.name, hash: hash)
            if let r = backOff.remaining(key, since: finished) {
                let msg = PodLifecycle.crashLoopMessage(rec, container: c.name, delay: r.delay)
                if rec.waiting[c.name]?.reason != ContainerReason.crashLoopBackOff {
                    event(rec, "BackOff", "Back-off restarting failed container \(c.name) in pod \(rec.name)_\(rec.namespace)(\(rec.uid))", warning: true)
                }
                rec.waiting[c.name] = Waiting(reason: ContainerReason.crashLoopBackOff, message: msg)
                return r.left
            }
            backOff.next(key, eventTime: finished)
        }
        return startContainer(rec, c, kind: kind, hash: hash)
    }
}
