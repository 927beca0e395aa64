import BootletImages
import BootletRuntime
import CBootletRuntime
import KubeModel

#if canImport(Glibc)
import Glibc
#endif

/// Ending pods: graceful termination (kubelet-static-pods.md §3.7), the end of Never/OnFailure pods, and the
/// housekeeping cleanup that leaves nothing behind.
extension Kubelet {
    /// Stop every container of a pod (mains in parallel, then sidecars in reverse order), then its sandbox.
    func terminatePod(_ rec: PodRecord) {
        if !rec.terminated {
            let grace = max(2, rec.pod.spec.terminationGracePeriodSeconds ?? 30) * 1_000_000_000
            let deadline = Timestamp.nowNanos() + grace
            for name in rec.readiness.keys { rec.readiness[name] = false }
            let sidecarNames = (rec.pod.spec.initContainers ?? []).filter(\.isSidecar).map(\.name)
            let mains = rec.runningRuns.filter { $0.kind != .sidecar && !sidecarNames.contains($0.name) }
            stopContainers(rec, mains, graceNanos: grace)
            for name in sidecarNames.reversed() {
                if let run = rec.current(name), run.isRunning {
                    stopContainers(rec, [run], graceNanos: max(2_000_000_000, deadline - Timestamp.nowNanos()))
                }
            }
            // Anything else still running (adopted runs of containers no longer in the spec).
            stopContainers(rec, rec.runningRuns, graceNanos: 2_000_000_000)
            if let sb = rec.sandbox { stopSandbox(rec, sb) }
            rec.terminated = true
            event(rec, "Killed", "pod \(rec.fullName) terminated")
        }
        if rec.desired {
            // The same manifest came back while the pod was ending: run it again, keeping its history.
            rec.terminating = false
            rec.terminated = false
            if let sb = rec.sandbox { rec.retire([sb.id]) }  // stopped above; its record goes at housekeeping
            rec.sandbox = nil
            workers.sync(rec.uid)
        } else {
            let waiting = lock.with { pods.values.filter { $0.uid != rec.uid && $0.fullName == rec.fullName }.map(\.uid) }
            waiting.forEach { workers.sync($0) }
        }
    }

    /// A Never/OnFailure pod whose regular containers are done: stop sidecars (reverse order) and the sandbox.
    func finishPod(_ rec: PodRecord) {
        let sidecars = (rec.pod.spec.initContainers ?? []).filter(\.isSidecar).map(\.name).reversed()
        for name in sidecars {
            if let run = rec.current(name), run.isRunning {
                stopContainers(rec, [run], graceNanos: max(2, rec.pod.spec.terminationGracePeriodSeconds ?? 30) * 1_000_000_000)
            }
        }
        for run in rec.runningRuns { stopContainers(rec, [run], graceNanos: 2_000_000_000) }
        if let sb = rec.sandbox, !sb.exited || rec.sandbox?.netnsPath != nil {
            stopSandbox(rec, sb)
            rec.sandbox?.exited = true
            rec.sandbox?.netnsPath = nil
        }
    }

    // MARK: housekeeping

    /// Every `housekeepingInterval` (kubelet: 2 s): remove pods that ended and are no longer wanted.
    func runHousekeeping() {
        for rec in lock.with({ Array(pods.values) }) { removeRetired(rec) }
        let done = lock.with { pods.values.filter { $0.terminated && !$0.desired }.map(\.uid) }
        // Hand free heap back once pod churn has settled, so the runner's RSS follows the pods it has, not the most
        // it ever had (HeapTrimPolicy).
        let trim = lock.with { () -> Bool in
            defer { launchesSinceHousekeeping = 0 }
            return heapTrim.pass(launches: launchesSinceHousekeeping, removals: done.count)
        }
        if trim { _ = bl_malloc_trim() }
        for uid in done {
            workers.runAndWait(uid) { [self] in
                guard let rec = lock.with({ pods[uid] }), rec.terminated, !rec.desired else { return }
                if cleanUpPod(rec) {
                    lock.with { _ = pods.removeValue(forKey: uid) }
                    workers.forget(uid)
                    updateBurstableShares()
                }
            }
        }
    }

    /// Remove every trace of a terminated pod: container records and rootfs, bundles, volumes, the pod
    /// directory, its cgroup, its logs and log symlinks. Returns false (and keeps what is left) if something is
    /// still in use, to retry at the next housekeeping, as kubelet keeps a pod dir whose volumes do not unmount.
    func cleanUpPod(_ rec: PodRecord) -> Bool {
        var ok = true
        for run in rec.allRuns where !removeContainer(rec, id: run.id, name: run.name) { ok = false }
        if let sb = rec.sandbox, !removeContainer(rec, id: sb.id, name: nil) { ok = false }
        if !unmountAll(under: dirs.podDir(rec.uid)) {
            event(rec, "FailedUnmount", "volumes of pod \(rec.fullName) are still mounted; will retry", warning: true)
            return false
        }
        do { try FileIO.removeTree(dirs.podDir(rec.uid)) } catch {
            event(rec, "FailedCleanup", "remove pod directory: \(error)", warning: true)
            ok = false
        }
        try? FileIO.removeTree(dirs.podLogDir(namespace: rec.namespace, name: rec.name, uid: rec.uid))
        removePodCgroup(rec)
        backOff.forget(prefix: "\(rec.name)_\(rec.namespace)_\(rec.uid)_")
        return ok
    }

    /// kubelet's container GC for one pod: runtime containers the record no longer tracks (instances older than
    /// the previous one, re-created sandboxes) are removed with their state, prepared rootfs, bundle, sandbox
    /// directory, log files (`<n>.log` and its rotations) and `/var/log/containers` symlink. They have exited, so
    /// this runs beside the pod's sync; what cannot be removed yet is retried at the next housekeeping.
    func removeRetired(_ rec: PodRecord) {
        var again: [String] = []
        for id in rec.takeRetired() {
            let annotations = (try? store.load(id))?.annotations ?? [:]
            guard removeContainer(rec, id: id, name: annotations[Annotation.containerName]) else {
                again.append(id)
                continue
            }
            if let log = annotations[Annotation.logPath], let slash = log.lastIndex(of: "/") {
                let dir = String(log[..<slash]), base = String(log[log.index(after: slash)...])
                for f in (try? FileIO.list(dir)) ?? [] where f == base || f.hasPrefix(base + ".") { unlink(dir + "/" + f) }
            }
        }
        if !again.isEmpty { rec.retire(again) }
    }

    /// Remove one container or sandbox of `rec`: runtime state (SIGKILL if still running), prepared rootfs, bundle,
    /// sandbox directory, and the `/var/log/containers` symlink when the container `name` is known. False (nothing
    /// else removed) when the runtime could not delete it; the caller retries at the next housekeeping.
    func removeContainer(_ rec: PodRecord, id: String, name: String?) -> Bool {
        if FileIO.exists(store.dir(id)) {
            do { try runtime.delete(id: id, force: true) } catch {
                event(rec, "FailedKillPod", "remove container \(id): \(error)", warning: true)
                return false
            }
        }
        try? images.release(containerID: id)
        try? FileIO.removeTree(config.runtimeRoot + "/bundles/" + id)
        if FileIO.exists(sandboxDir(id)) {
            _ = unmountAll(under: sandboxDir(id))
            try? FileIO.removeTree(sandboxDir(id))
        }
        if let name {
            unlink(dirs.containerLogSymlink(podName: rec.name, namespace: rec.namespace, container: name, containerID: id))
        }
        return true
    }

    /// Unmount everything mounted below `dir` (deepest first). False if something stays mounted.
    func unmountAll(under dir: String) -> Bool {
        let points = MountInfoEntry.current().map(\.mountPoint).filter { $0 == dir || $0.hasPrefix(dir + "/") }
            .sorted { $0.count > $1.count }
        var ok = true
        for p in points where umount2(p, Int32(MNT_DETACH)) != 0 && errno != EINVAL && errno != ENOENT { ok = false }
        return ok
    }

    /// Rotate the logs of running containers (every containerLogMonitorInterval).
    func rotateLogs() {
        let runs: [ContainerRun] = lock.with { pods.values.flatMap { $0.runningRuns } }
        for run in runs {
            do {
                try logs.rotateIfNeeded(log: run.logPath) { try runtime.reopenLog(id: run.id) }
            } catch {
                logger.warning("rotate log of container \(run.id): \(error)")
            }
        }
    }
}
