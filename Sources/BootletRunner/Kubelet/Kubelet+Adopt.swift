import BootletRuntime
import KubeModel

/// Picking up after a restart: containers and sandboxes created by an earlier runner are found in the runtime
/// state root through their annotations and adopted as they are — nothing is restarted (kubelet restarts do not
/// restart pods). Exits that happened while no runner was there are read from the monitors' exit records.
extension Kubelet {
    enum Annotation {
        static let podUID = "io.kubernetes.pod.uid"
        static let podName = "io.kubernetes.pod.name"
        static let podNamespace = "io.kubernetes.pod.namespace"
        static let containerName = "io.kubernetes.container.name"
        static let restartCount = "io.kubernetes.container.restartCount"
        static let kind = "io.bootlet.kind"
        static let image = "io.bootlet.image"
        static let imageID = "io.bootlet.image-id"
        static let logPath = "io.bootlet.log-path"
        static let terminationFile = "io.bootlet.termination-file"
        static let hash = "io.bootlet.hash"
        static let stopSignal = "io.bootlet.stop-signal"
        static let netns = "io.bootlet.netns"
        static let podIPs = "io.bootlet.pod-ips"
        static let attempt = "io.bootlet.sandbox-attempt"
    }

    func adoptRuntimeState() throws {
        var found: [String: PodRecord] = [:]
        var live: [ContainerRecord] = []
        for id in store.ids() {
            guard let r = try? store.load(id), let a = r.annotations, let uid = a[Annotation.podUID], let kind = a[Annotation.kind] else {
                continue  // not a container of this runner (another tool sharing the root): leave it alone
            }
            let rec = found[uid] ?? {
                var pod = Pod()
                pod.metadata.name = a[Annotation.podName]
                pod.metadata.namespace = a[Annotation.podNamespace]
                pod.metadata.uid = uid
                let n = PodRecord(uid: uid, pod: pod, source: "")
                n.dirsReady = true
                found[uid] = n
                return n
            }()
            let exit = store.exitRecord(id)
            if exit == nil && ProcFS.isAlive(r.monitorPid, startTime: r.monitorStartTime) { live.append(r) }
            if kind == "sandbox" {
                let attempt = Int(a[Annotation.attempt] ?? "0") ?? 0
                if let other = rec.sandbox {
                    // A sandbox that was re-created: keep the newest attempt, the other goes at housekeeping.
                    if other.attempt > attempt { rec.retire([id]); continue }
                    rec.retire([other.id])
                }
                rec.sandbox = SandboxRun(
                    id: id, pid: r.pid, monitorPid: r.monitorPid, netnsPath: a[Annotation.netns],
                    podIPs: (a[Annotation.podIPs] ?? "").split(separator: ",").map(String.init),
                    createdAt: parseNanos(r.created) ?? 0, attempt: Int(a[Annotation.attempt] ?? "0") ?? 0,
                    exited: exit != nil || !ProcFS.isAlive(r.monitorPid, startTime: r.monitorStartTime))
                continue
            }
            var run = ContainerRun(
                id: id, name: a[Annotation.containerName] ?? id, kind: ContainerKind(rawValue: kind) ?? .regular,
                restartCount: Int(a[Annotation.restartCount] ?? "0") ?? 0, image: a[Annotation.image] ?? "",
                imageID: a[Annotation.imageID] ?? "", logPath: a[Annotation.logPath] ?? "",
                terminationFile: a[Annotation.terminationFile], hash: a[Annotation.hash] ?? "",
                createdAt: parseNanos(r.created) ?? 0)
            run.startedAt = r.startedAt ?? parseNanos(r.created)
            run.stopSignal = Int32(a[Annotation.stopSignal] ?? "15") ?? 15
            if let exit {
                run.exit = exit
            } else if !ProcFS.isAlive(r.monitorPid, startTime: r.monitorStartTime) {
                run.exit = ExitWatcher.collect(r, store: store)
            }
            rec.runs[run.name, default: []].append(run)  // all runs; the newest two are kept below
        }
        for rec in found.values {
            // Keep the newest two runs per container, in attempt order.
            for (name, list) in rec.runs {
                let sorted = list.sorted { $0.restartCount < $1.restartCount }
                rec.runs[name] = Array(sorted.suffix(2))
                rec.retire(sorted.dropLast(2).map(\.id))
            }
            for run in rec.runningRuns { rec.started[run.name] = true; rec.readiness[run.name] = true }
            rec.startTime = rec.sandbox?.createdAt
            event(rec, "Adopted", "found pod \(rec.namespace)/\(rec.name) from an earlier run (\(rec.runningRuns.count) running containers)")
        }
        lock.with { for (uid, rec) in found { pods[uid] = rec } }
        for r in live { exitWatcher.watch(r) }
        let keep = Set(found.values.compactMap { $0.sandbox.map(\.id) })
        let report = network.cleanUpOrphans(keeping: keep)
        if !report.removed.isEmpty { logger.info("removed orphaned pod networks", metadata: ["sandboxes": "\(report.removed)"]) }
    }
}
