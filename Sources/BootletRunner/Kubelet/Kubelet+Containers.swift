import BootletImages
import BootletRuntime
import Dispatch
import KubeModel
import OCISpec

#if canImport(Glibc)
import Glibc
#endif

/// Starting and stopping containers: what kubelet's `startContainer`/`killContainer` and containerd's
/// CreateContainer/StartContainer/StopContainer do together.
extension Kubelet {
    /// A 64-hex container id (containerd's format).
    static func newContainerID() -> String {
        (0..<4).map { _ in
            let s = String(UInt64.random(in: 0...UInt64.max), radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }.joined()
    }

    /// Create and start one run of `c`. Returns a retry delay when it could not start for a reason kubelet retries
    /// (image missing, config error), nil otherwise (started, or recorded as a failed run that the restart policy
    /// and back-off handle).
    func startContainer(_ rec: PodRecord, _ c: Container, kind: ContainerKind, hash: String) -> Int64? {
        workers.startSlots.wait()
        defer { workers.startSlots.signal() }
        let imageRef = c.image ?? ""
        // Images: air-gapped, nothing to pull. A missing image waits like a pull-less kubelet (ErrImageNeverPull),
        // retried with the image back-off so importing it later starts the pod.
        let image: Image
        do {
            image = try images.image(imageRef)
            imageBackOff.reset(rec.uid + "/" + c.name)
        } catch let e as ImageNotPresentError {
            let key = rec.uid + "/" + c.name
            if rec.waiting[c.name]?.reason != ImageNotPresentError.reason {
                event(rec, "ErrImageNeverPull", e.description, warning: true)
            }
            rec.waiting[c.name] = Waiting(reason: ImageNotPresentError.reason, message: e.description)
            let now = Timestamp.nowNanos()
            if let r = imageBackOff.remaining(key, since: now) { return r.left }
            imageBackOff.next(key, eventTime: now)
            return imageBackOff.remaining(key, since: now)?.left ?? 10_000_000_000
        } catch {
            rec.waiting[c.name] = Waiting(reason: ContainerReason.invalidImageName, message: "\(error)")
            event(rec, "InspectFailed", "\(error)", warning: true)
            return 30_000_000_000
        }

        let restartCount = rec.current(c.name).map { $0.restartCount + 1 }
            ?? PodDirectories.restartCountFromLogDir(dirs.podLogDir(namespace: rec.namespace, name: rec.name, uid: rec.uid) + "/" + c.name)
        let id = Kubelet.newContainerID()
        let logPath = dirs.containerLogPath(namespace: rec.namespace, name: rec.name, uid: rec.uid, container: c.name,
                                            restartCount: restartCount)
        var run = ContainerRun(
            id: id, name: c.name, kind: kind, restartCount: restartCount, image: image.references.first ?? imageRef,
            imageID: image.id.description, logPath: logPath, terminationFile: nil, hash: hash, createdAt: Timestamp.nowNanos())
        do {
            try FileIO.makeDirectories(String(logPath[..<logPath.lastIndex(of: "/")!]), mode: 0o755)
            let built: BuiltContainer
            do {
                built = try buildContainer(
                    rec, c, kind: kind, id: id, image: image, restartCount: restartCount, logPath: logPath, hash: hash)
            } catch let e as SpecError {
                // kubelet: CreateContainerConfigError (or CreateContainerError) as a waiting reason, retried.
                try? images.release(containerID: id)
                rec.waiting[c.name] = Waiting(reason: e.reason, message: e.message)
                event(rec, "Failed", "Error: \(e.message)", warning: true)
                return 10_000_000_000
            }
            run.terminationFile = built.terminationFile
            run.stopSignal = built.stopSignal
            let bundle = config.runtimeRoot + "/bundles/" + id
            try FileIO.makeDirectories(bundle, mode: 0o700)
            var opts = OCIRuntime.LaunchOptions()
            opts.logPath = logPath
            opts.cgroupPath = built.cgroupPath
            let null = open("/dev/null", O_RDWR | O_CLOEXEC)
            defer { close(null) }
            opts.stdio = (null, null, null)
            let (record, _) = try runtime.launch(id: id, bundle: bundle, spec: built.spec, mode: .runDetached, options: opts)
            lock.with { launchesSinceHousekeeping += 1 }
            run.startedAt = record.startedAt ?? Timestamp.nowNanos()
            linkContainerLog(rec, run)
            rec.append(run)
            // Watch only once the run is recorded: an exit delivered earlier (a container that ends at once) would
            // find no run to attach to and be lost, leaving the container "running" for ever.
            exitWatcher.watch(record)
            rec.waiting[c.name] = nil
            rec.started[c.name] = c.startupProbe == nil
            rec.readiness[c.name] = c.readinessProbe == nil
            event(rec, "Started", "Started container \(c.name)")
            startProbes(rec, run, c)
            rec.probesStarted.insert(run.id)
            // postStart runs right after the start; the next container waits for it (kubelet's startContainer).
            if let hook = c.lifecycle?.postStart {
                if let err = prober.runHook(hook, containerID: id, container: c, podIP: rec.sandbox?.podIPs.first, timeoutNanos: nil) {
                    event(rec, "FailedPostStartHook", "PostStartHook failed", warning: true)
                    logger.debug("postStart hook of \(c.name) failed: \(err)")
                    if let cur = rec.current(c.name), cur.id == id {
                        stopContainers(rec, [cur], graceNanos: max(2, rec.pod.spec.terminationGracePeriodSeconds ?? 30) * 1_000_000_000)
                    }
                    rec.waiting[c.name] = Waiting(reason: ContainerReason.postStartHookError, message: err)
                }
            }
            return nil
        } catch {
            // The runtime could not start it: containerd reports such a run as exited 128, reason StartError.
            try? images.release(containerID: id)
            run.startError = "\(error)"
            rec.append(run)
            rec.waiting[c.name] = nil
            event(rec, "Failed", "Error: \(error)", warning: true)
            return 0
        }
    }

    /// `/var/log/containers/<pod>_<ns>_<container>-<id>.log` → the CRI log (kubelet's legacy symlink).
    func linkContainerLog(_ rec: PodRecord, _ run: ContainerRun) {
        let link = dirs.containerLogSymlink(podName: rec.name, namespace: rec.namespace, container: run.name, containerID: run.id)
        unlink(link)
        if symlink(run.logPath, link) != 0 {
            event(rec, "Failed", "create log symlink \(link): \(errnoText(errno))", warning: true)
        }
    }

    /// Stop runs in parallel with the stop signal and `graceNanos` before SIGKILL (CRI StopContainer), recording
    /// their exits.
    func stopContainers(_ rec: PodRecord, _ runs: [ContainerRun], graceNanos: Int64) {
        guard !runs.isEmpty else { return }
        let group = DispatchGroup()
        let results = LockedBox<[String: ExitRecord]>([:])
        let prober = self.prober
        let podIP = rec.sandbox?.podIPs.first
        for run in runs where run.isRunning {
            let container = containerSpec(rec, run.name)
            let preStop = container?.lifecycle?.preStop
            if preStop != nil { event(rec, "Killing", "Running preStop hook of container \(run.name)") }
            group.enter()
            PodWorkers.detached { [runtime, weak self] in  // blocks up to the grace period: not on a GCD thread
                defer { group.leave() }
                var grace = graceNanos
                // preStop counts inside the grace period; what is left (at least 2 s) goes to the stop signal.
                if let hook = preStop, let c = container, grace > 0 {
                    let t0 = Timestamp.nowNanos()
                    if let err = prober.runHook(hook, containerID: run.id, container: c, podIP: podIP, timeoutNanos: grace) {
                        self?.logger.warning("preStop hook of \(run.name) failed: \(err)")
                    }
                    grace = max(2_000_000_000, grace - (Timestamp.nowNanos() - t0))
                }
                if let e = try? runtime.stop(id: run.id, signal: run.stopSignal, graceNanos: grace) {
                    results.update { $0[run.id] = e }
                }
            }
        }
        group.wait()
        for (id, e) in results.value {
            rec.update(id) { r in
                if r.exit == nil { r.exit = e }
            }
        }
        for run in runs { rec.readiness[run.name] = false }
    }

    /// Termination message of a run that ended (kubelet-static-pods.md §2.8): the file's last 4096 bytes; with
    /// FallbackToLogsOnError and a failed run with an empty file, the log's last 80 lines / 2048 bytes.
    func terminationMessage(_ rec: PodRecord, _ run: ContainerRun, container: Container?) -> String? {
        var msg = ""
        if let f = run.terminationFile, let bytes = try? FileIO.read(f) {
            msg = String(decoding: bytes.suffix(4096), as: UTF8.self)
        }
        if msg.isEmpty, container?.terminationMessagePolicy == "FallbackToLogsOnError", let code = run.exitCode, code != 0,
           run.startError == nil {
            msg = CRILog.tail(path: run.logPath, lines: 80, bytes: 2048)
        }
        return msg.isEmpty ? nil : msg
    }
}

/// A small lock-protected value.
final class LockedBox<T>: @unchecked Sendable {
    private var v: T
    private let lock = Lock()
    init(_ v: T) { self.v = v }
    var value: T { lock.with { v } }
    func update(_ f: (inout T) -> Void) { lock.with { f(&v) } }
}

/// Reading CRI log files (kubectl logs semantics: prefixes stripped, partial records joined).
public enum CRILog {
    /// The decoded content of `path`.
    public static func content(path: String) -> String {
        guard let text = try? FileIO.readString(path) else { return "" }
        var out = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count >= 3 else { continue }
            let content = parts.count == 4 ? String(parts[3]) : ""
            out += content
            if parts[2] == "F" { out += "\n" }
        }
        return out
    }

    /// kubelet's FallbackToLogsOnError tail: last `lines` lines, then the last `bytes` bytes of those.
    public static func tail(path: String, lines: Int, bytes: Int) -> String {
        let all = content(path: path)
        var ls = all.split(separator: "\n", omittingEmptySubsequences: false)
        if all.hasSuffix("\n") { ls.removeLast() }
        let joined = ls.suffix(lines).joined(separator: "\n") + (all.hasSuffix("\n") ? "\n" : "")
        let u = Array(joined.utf8)
        return String(decoding: u.suffix(bytes), as: UTF8.self)
    }
}
