import BootletRuntime
import KubeModel

/// Builds `v1.PodStatus` from a `PodRecord` the way kubelet's `generateAPIPodStatus` /
/// `convertToAPIContainerStatuses` do (times in whole seconds, reasons from §3.8).
public enum PodStatusBuilder {
    public static func status(_ rec: PodRecord, hostIPs: [String], now: Int64 = Timestamp.nowNanos()) -> PodStatus {
        var st = PodStatus(phase: PodLifecycle.phase(rec))
        let phase = st.phase ?? PodPhase.pending
        if let f = rec.admissionFailure {
            // kubelet's rejectPod: the event carries the bare message, the status prefixes it.
            st.reason = f.reason
            st.message = "Pod was rejected: " + f.message
        }
        let hasInit = !(rec.pod.spec.initContainers ?? []).isEmpty
        st.initContainerStatuses = (rec.pod.spec.initContainers ?? []).map { containerStatus(rec, $0, kind: $0.isSidecar ? .sidecar : .initContainer, hasInit: hasInit) }
        if st.initContainerStatuses?.isEmpty == true { st.initContainerStatuses = nil }
        st.containerStatuses = rec.pod.spec.containers.map { containerStatus(rec, $0, kind: .regular, hasInit: hasInit) }
            .sorted { $0.name < $1.name }
        if let start = rec.startTime { st.startTime = KubeTime(seconds: start / 1_000_000_000) }
        if !rec.pod.spec.hostNetwork, let ips = rec.sandbox?.podIPs, !ips.isEmpty {
            st.podIP = ips[0]
            st.podIPs = ips.map { PodIP(ip: $0) }
        }
        if !hostIPs.isEmpty && !(rec.pod.spec.hostNetwork) {
            st.hostIP = hostIPs[0]
            st.hostIPs = hostIPs.map { HostIP(ip: $0) }
        }
        st.qosClass = KubeletResources.qosClass(of: rec.pod).rawValue

        // Conditions (kubelet's order).
        let sandboxReady = rec.sandbox.map { !$0.exited } ?? false
        let incomplete = PodLifecycle.incompleteInit(rec)
        let done = phase == PodPhase.succeeded || phase == PodPhase.failed
        var unready: [String] = []
        for c in (rec.pod.spec.initContainers ?? []).filter(\.isSidecar) + rec.pod.spec.containers {
            if !containerReady(rec, c.name) { unready.append(c.name) }
        }
        if rec.terminating { unready = (rec.pod.spec.containers).map(\.name) }
        var conds: [PodCondition] = []
        func cond(_ type: String, _ ok: Bool, reason: String? = nil, message: String? = nil) {
            let status = ok ? "True" : "False"
            let prev = rec.conditionTimes[type]
            let t: Int64
            if let p = prev, p.0 == status { t = p.1 } else {
                t = now
                rec.conditionTimes[type] = (status, now)
            }
            conds.append(PodCondition(type: type, status: status, lastTransitionTime: KubeTime(seconds: t / 1_000_000_000),
                                      reason: ok ? nil : reason, message: ok ? nil : message))
        }
        cond(PodConditionType.podReadyToStartContainers, sandboxReady)
        if incomplete.isEmpty {
            cond(PodConditionType.initialized, true)
        } else {
            cond(PodConditionType.initialized, false, reason: PodReason.containersNotInitialized,
                 message: "containers with incomplete status: [\(incomplete.joined(separator: " "))]")
        }
        if done {
            cond(PodConditionType.ready, false, reason: PodReason.podCompleted)
            cond(PodConditionType.containersReady, false, reason: PodReason.podCompleted)
        } else if unready.isEmpty {
            cond(PodConditionType.ready, true)
            cond(PodConditionType.containersReady, true)
        } else {
            let msg = "containers with unready status: [\(unready.joined(separator: " "))]"
            cond(PodConditionType.ready, false, reason: PodReason.containersNotReady, message: msg)
            cond(PodConditionType.containersReady, false, reason: PodReason.containersNotReady, message: msg)
        }
        cond(PodConditionType.podScheduled, true)
        st.conditions = conds
        return st
    }

    static func terminatedState(_ r: ContainerRun) -> ContainerStateTerminated {
        var t = ContainerStateTerminated(exitCode: r.exitCode ?? 0, reason: r.terminatedReason,
                                         containerID: "bootlet://" + r.id)
        if let e = r.exit, e.signal != 0 { t.signal = e.signal }
        if let s = r.startedAt { t.startedAt = KubeTime(seconds: s / 1_000_000_000) }
        if let f = r.finishedAt { t.finishedAt = KubeTime(seconds: f / 1_000_000_000) }
        if let err = r.startError {
            t.message = err
        } else if let m = r.terminationMessage, !m.isEmpty {
            t.message = m
        }
        if r.exit?.reason == "Unknown" {
            t.message = "The container could not be located when the pod was terminated"
        }
        return t
    }

    static func containerStatus(_ rec: PodRecord, _ c: Container, kind: ContainerKind, hasInit: Bool) -> ContainerStatus {
        var s = ContainerStatus(name: c.name, image: c.image ?? "")
        let cur = rec.current(c.name)
        if let cur {
            s.image = cur.image
            s.imageID = cur.imageID
            s.containerID = "bootlet://" + cur.id
            s.restartCount = Int32(cur.restartCount)
        }
        if let w = rec.waiting[c.name] {
            // Waiting for the next run: the ended run becomes lastState.
            s.state = ContainerState(waiting: ContainerStateWaiting(reason: w.reason, message: w.message))
            if let cur, cur.exitCode != nil { s.lastState = ContainerState(terminated: terminatedState(cur)) }
            else if let prev = rec.previous(c.name), prev.exitCode != nil { s.lastState = ContainerState(terminated: terminatedState(prev)) }
        } else if let cur {
            if cur.isRunning {
                s.state = ContainerState(running: ContainerStateRunning(startedAt: cur.startedAt.map { KubeTime(seconds: $0 / 1_000_000_000) }))
            } else if cur.exitCode != nil {
                s.state = ContainerState(terminated: terminatedState(cur))
            } else {
                s.state = ContainerState(waiting: ContainerStateWaiting(reason: hasInit ? ContainerReason.podInitializing : ContainerReason.containerCreating))
            }
            if let prev = rec.previous(c.name), prev.exitCode != nil {
                s.lastState = ContainerState(terminated: terminatedState(prev))
            }
        } else {
            s.state = ContainerState(waiting: ContainerStateWaiting(reason: hasInit ? ContainerReason.podInitializing : ContainerReason.containerCreating))
        }
        let running = cur?.isRunning == true
        s.started = running ? (rec.started[c.name] ?? true) : false
        s.ready = containerReady(rec, c.name) && !rec.terminating
        return s
    }

    /// kubelet's prober manager (`UpdatePodStatus`): a container is ready only when it is running, *started*
    /// (its startup probe succeeded, or it has none) and its readiness result is Success (or it has no readiness
    /// probe). A container whose startup probe has not succeeded yet is never ready, probe or not.
    static func containerReady(_ rec: PodRecord, _ name: String) -> Bool {
        rec.current(name)?.isRunning == true && rec.started[name] != false && rec.readiness[name] == true
    }
}
