@testable import BootletRunner
import BootletRuntime
import KubeModel
import Testing

func pod(_ policy: String = "Always", containers: [String] = ["a"], inits: [Container] = []) -> Pod {
    var p = Pod()
    p.metadata.name = "p-node"
    p.metadata.namespace = "default"
    p.metadata.uid = "uid1"
    p.spec.restartPolicy = policy
    p.spec.containers = containers.map { Container(name: $0, image: "busybox") }
    p.spec.initContainers = inits.isEmpty ? nil : inits
    return p
}

func run(_ name: String, _ n: Int = 0, exit: Int32? = nil, running: Bool = false) -> ContainerRun {
    var r = ContainerRun(id: "\(name)\(n)", name: name, kind: .regular, restartCount: n, image: "busybox", imageID: "sha256:x",
                         logPath: "/l", terminationFile: nil, hash: "h", createdAt: 1_000_000_000)
    r.startedAt = 2_000_000_000
    if let exit { r.exit = ExitRecord(pid: 1, exitCode: exit, finishedAt: "2026-01-01T00:00:10.000000000Z") }
    _ = running
    return r
}

@Suite("Pod lifecycle decisions (kubelet's getPhase, ShouldContainerBeRestarted)")
struct LifecycleTests {
    @Test func restartPolicyMatrix() {
        #expect(PodLifecycle.shouldRestart(policy: "Always", exitCode: 0))
        #expect(PodLifecycle.shouldRestart(policy: "Always", exitCode: 1))
        #expect(!PodLifecycle.shouldRestart(policy: "OnFailure", exitCode: 0))
        #expect(PodLifecycle.shouldRestart(policy: "OnFailure", exitCode: 2))
        #expect(!PodLifecycle.shouldRestart(policy: "Never", exitCode: 1))
    }

    @Test func phases() {
        let r = PodRecord(uid: "uid1", pod: pod("Never"), source: "")
        #expect(PodLifecycle.phase(r) == PodPhase.pending)
        r.append(run("a", running: true))
        #expect(PodLifecycle.phase(r) == PodPhase.running)
        r.update("a0") { $0.exit = ExitRecord(pid: 1, exitCode: 3, finishedAt: "2026-01-01T00:00:10Z") }
        #expect(PodLifecycle.phase(r) == PodPhase.failed)
        let ok = PodRecord(uid: "u2", pod: pod("OnFailure"), source: "")
        ok.append(run("a", exit: 0))
        #expect(PodLifecycle.phase(ok) == PodPhase.succeeded)
        let failing = PodRecord(uid: "u3", pod: pod("OnFailure"), source: "")
        failing.append(run("a", exit: 1))
        #expect(PodLifecycle.phase(failing) == PodPhase.running, "OnFailure restarts a failed container: still Running")
        let always = PodRecord(uid: "u4", pod: pod("Always"), source: "")
        always.append(run("a", exit: 0))
        #expect(PodLifecycle.phase(always) == PodPhase.running)
    }

    @Test func initContainersGateThePod() {
        let r = PodRecord(uid: "u", pod: pod("Never", inits: [Container(name: "i1", image: "b"), Container(name: "i2", image: "b")]), source: "")
        #expect(PodLifecycle.incompleteInit(r) == ["i1", "i2"])
        #expect(PodLifecycle.phase(r) == PodPhase.pending)
        r.append(run("i1", exit: 0))
        #expect(PodLifecycle.incompleteInit(r) == ["i2"])
        r.append(run("i2", exit: 1))
        #expect(PodLifecycle.initFailedForGood(r))
        #expect(PodLifecycle.phase(r) == PodPhase.failed)
        #expect(PodLifecycle.regularContainersFinished(r))
    }

    @Test func statusStringsMatchKubelet() {
        let r = PodRecord(uid: "uid1", pod: pod("Always", inits: [Container(name: "init1", image: "b")]), source: "")
        var st = PodStatusBuilder.status(r, hostIPs: ["10.0.0.1"])
        #expect(st.containerStatuses?.first?.state.waiting?.reason == "PodInitializing")
        let initialized = st.conditions?.first { $0.type == "Initialized" }
        #expect(initialized?.status == "False" && initialized?.reason == "ContainersNotInitialized")
        #expect(initialized?.message == "containers with incomplete status: [init1]")
        r.append(run("init1", exit: 0))
        r.append(run("a", 0, exit: 1))
        r.waiting["a"] = Waiting(reason: "CrashLoopBackOff", message: PodLifecycle.crashLoopMessage(r, container: "a", delay: 20_000_000_000))
        st = PodStatusBuilder.status(r, hostIPs: [])
        let a = st.containerStatuses?.first
        #expect(a?.state.waiting?.reason == "CrashLoopBackOff")
        #expect(a?.state.waiting?.message == "back-off 20s restarting failed container=a pod=p-node_default(uid1)")
        #expect(a?.lastState.terminated?.exitCode == 1 && a?.lastState.terminated?.reason == "Error")
        #expect(a?.containerID == "bootlet://a0")
        #expect(st.qosClass == "BestEffort")
        #expect(st.conditions?.map(\.type) == ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"])
    }

    /// A running container whose startup probe has not succeeded is neither started nor ready, even without a
    /// readiness probe (kubelet's prober manager skips readiness for containers that have not started).
    @Test func notReadyBeforeStartupProbeSucceeds() {
        let r = PodRecord(uid: "uid1", pod: pod("Always", containers: ["a", "b"]), source: "")
        r.append(run("a", running: true))
        r.append(run("b", running: true))
        r.started["a"] = false  // startup probe pending
        r.readiness["a"] = true  // no readiness probe
        r.started["b"] = true
        r.readiness["b"] = true
        var st = PodStatusBuilder.status(r, hostIPs: [])
        let a = st.containerStatuses?.first { $0.name == "a" }
        #expect(a?.started == false && a?.ready == false)
        #expect(st.containerStatuses?.first { $0.name == "b" }?.ready == true)
        let ready = st.conditions?.first { $0.type == "Ready" }
        #expect(ready?.status == "False" && ready?.reason == "ContainersNotReady")
        #expect(ready?.message == "containers with unready status: [a]")
        r.started["a"] = true
        st = PodStatusBuilder.status(r, hostIPs: [])
        #expect(st.containerStatuses?.first { $0.name == "a" }?.ready == true)
        #expect(st.conditions?.first { $0.type == "Ready" }?.status == "True")
    }

    @Test func terminatedReasons() {
        var r = run("a", exit: 0)
        #expect(r.terminatedReason == "Completed")
        r.exit?.exitCode = 2
        #expect(r.terminatedReason == "Error")
        r.exit?.oomKilled = true
        #expect(r.terminatedReason == "OOMKilled")
        var s = run("b")
        s.startError = "exec: \"x\": executable file not found in $PATH"
        #expect(s.terminatedReason == "StartError" && s.exitCode == 128)
        var u = run("c", exit: 137)
        u.exit?.reason = "Unknown"
        #expect(u.terminatedReason == "ContainerStatusUnknown")
    }

    @Test func qosClasses() {
        var p = pod()
        #expect(KubeletResources.qosClass(of: p).rawValue == "BestEffort")
        p.spec.containers[0].resources.requests = ["cpu": "100m"]
        #expect(KubeletResources.qosClass(of: p).rawValue == "Burstable")
        p.spec.containers[0].resources.requests = ["cpu": "100m", "memory": "64Mi"]
        p.spec.containers[0].resources.limits = ["cpu": "100m", "memory": "64Mi"]
        #expect(KubeletResources.qosClass(of: p).rawValue == "Guaranteed")
        p.spec.containers[0].resources.limits = ["cpu": "200m", "memory": "64Mi"]
        #expect(KubeletResources.qosClass(of: p).rawValue == "Burstable")
    }
}

@Suite("Crash-loop back-off (kubelet: 10 s doubling to 300 s, forgotten after 10 minutes)")
struct BackOffTests {
    @Test func sequenceAndCap() {
        let clock = ManualClock()
        let b = BackOff(now: { clock.now })
        let key = "p_ns_uid_c_h"
        #expect(b.remaining(key, since: clock.now) == nil, "first failure restarts at once")
        b.next(key, eventTime: clock.now)
        #expect(b.remaining(key, since: clock.now)?.delay == 10_000_000_000)
        var delays: [Int64] = []
        for _ in 0..<7 {
            clock.advance(seconds: 1)
            let t = clock.now
            b.next(key, eventTime: t)
            delays.append(b.remaining(key, since: t)!.delay / 1_000_000_000)
        }
        #expect(delays == [20, 40, 80, 160, 300, 300, 300])
        // A container that ran fine for more than 10 minutes starts over.
        clock.advance(seconds: 601)
        b.next(key, eventTime: clock.now)
        #expect(b.remaining(key, since: clock.now)?.delay == 10_000_000_000)
    }

    @Test func goDurationFormat() {
        #expect(BackOff.goDuration(nanos: 10_000_000_000) == "10s")
        #expect(BackOff.goDuration(nanos: 80_000_000_000) == "1m20s")
        #expect(BackOff.goDuration(nanos: 300_000_000_000) == "5m0s")
    }
}

final class ManualClock: @unchecked Sendable {
    private let lock = Lock()
    private var t: Int64 = 1_000_000_000_000
    var now: Int64 { lock.with { t } }
    func advance(seconds: Int64) { lock.with { t += seconds * 1_000_000_000 } }
}
