import BootletRuntime
import KubeModel

/// kubelet's pod-level decisions as pure functions over a `PodRecord` (kubelet-static-pods.md §3).
public enum PodLifecycle {
    /// `ShouldContainerBeRestarted` for a regular container whose current run ended.
    public static func shouldRestart(policy: String, exitCode: Int32) -> Bool {
        switch policy {
        case "Never": return false
        case "OnFailure": return exitCode != 0
        default: return true
        }
    }

    /// Init containers not finished yet, in spec order (sidecars count once started).
    public static func incompleteInit(_ rec: PodRecord) -> [String] {
        if everStartedRegular(rec) { return [] }
        var out: [String] = []
        for c in rec.pod.spec.initContainers ?? [] {
            let run = rec.current(c.name)
            if c.isSidecar {
                if !(run?.isRunning == true && rec.started[c.name] == true) { out.append(c.name) }
            } else if run?.exitCode != 0 || run?.exit == nil {
                out.append(c.name)
            }
        }
        return out
    }

    /// Once any regular container ran, init containers are done for good (kubelet never re-runs them).
    public static func everStartedRegular(_ rec: PodRecord) -> Bool {
        rec.pod.spec.containers.contains { c in rec.runs[c.name]?.contains { $0.startedAt != nil || $0.startError != nil } == true }
    }

    /// An init container failed and the pod policy is Never: the pod fails.
    public static func initFailedForGood(_ rec: PodRecord) -> Bool {
        guard rec.restartPolicy == "Never", !everStartedRegular(rec) else { return false }
        for c in rec.pod.spec.initContainers ?? [] where !c.isSidecar {
            if let r = rec.current(c.name), let code = r.exitCode, code != 0 { return true }
        }
        return false
    }

    /// True when every regular container ended and none will be restarted (Never/OnFailure pods).
    public static func regularContainersFinished(_ rec: PodRecord) -> Bool {
        if rec.restartPolicy == "Always" { return false }
        if initFailedForGood(rec) { return true }
        for c in rec.pod.spec.containers {
            guard let r = rec.current(c.name), let code = r.exitCode else { return false }
            if shouldRestart(policy: rec.restartPolicy, exitCode: code) { return false }
        }
        return true
    }

    /// kubelet's `getPhase` over the current runs.
    public static func phase(_ rec: PodRecord) -> String {
        if rec.admissionFailure != nil { return PodPhase.failed }
        if initFailedForGood(rec) { return PodPhase.failed }
        if !incompleteInit(rec).isEmpty { return PodPhase.pending }
        var running = 0, waiting = 0, stopped = 0, succeeded = 0
        for c in rec.pod.spec.containers {
            guard let r = rec.current(c.name) else {
                waiting += 1
                continue
            }
            if r.isRunning {
                running += 1
            } else if let code = r.exitCode {
                stopped += 1
                if code == 0 { succeeded += 1 }
            } else {
                waiting += 1
            }
        }
        if waiting > 0 { return PodPhase.pending }
        if running > 0 { return PodPhase.running }
        if stopped > 0 {
            if rec.restartPolicy == "Always" { return PodPhase.running }
            if stopped == succeeded { return PodPhase.succeeded }
            if rec.restartPolicy == "Never" { return PodPhase.failed }
            return PodPhase.running
        }
        return PodPhase.pending
    }

    /// Back-off key (`<pod>_<ns>_<uid>_<container>_<hash>`).
    public static func backOffKey(_ rec: PodRecord, container: String, hash: String) -> String {
        "\(rec.name)_\(rec.namespace)_\(rec.uid)_\(container)_\(hash)"
    }

    /// kubelet's message while a container backs off.
    public static func crashLoopMessage(_ rec: PodRecord, container: String, delay: Int64) -> String {
        "back-off \(BackOff.goDuration(nanos: delay)) restarting failed container=\(container) pod=\(rec.name)_\(rec.namespace)(\(rec.uid))"
    }

    /// A stable hash of a container definition (FNV-1a over its canonical JSON).
    public static func containerHash(_ c: Container) -> String {
        let json = (try? JSONValueEncoder().encode(c).jsonText()) ?? c.name
        var h: UInt32 = 2_166_136_261
        for b in json.utf8 {
            h ^= UInt32(b)
            h = h &* 16_777_619
        }
        return String(h, radix: 16)
    }
}
