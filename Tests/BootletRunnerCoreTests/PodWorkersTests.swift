@testable import BootletRunner
import BootletRuntime
import Dispatch
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Pod workers (kubelet: one goroutine per pod)")
struct PodWorkersTests {
    /// Syncs of different pods that block (a termination waiting out a grace period) all run at the same time: each
    /// waits until every other one has started. With a thread per pod queue they meet within milliseconds; on a
    /// CPU-wide pool only as many as there are cores run, and Linux libdispatch adds a thread for blocked work only
    /// about once a second, so 12 pods do not meet within the 3 s allowed.
    @Test func blockingSyncsOfDifferentPodsRunTogether() {
        let pods = 12
        let arrived = LockedBox(0)
        let allThere = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        let met = LockedBox(0)
        let workers = PodWorkers(parallelStarts: 1) { _ in
            var n = 0
            arrived.update { $0 += 1; n = $0 }
            if n == pods { for _ in 0..<pods { allThere.signal() } }
            if allThere.wait(timeout: .now() + .seconds(3)) == .success { met.update { $0 += 1 } }
            done.leave()
        }
        for i in 0..<pods {
            done.enter()
            workers.sync("pod\(i)")
        }
        #expect(done.wait(timeout: .now() + .seconds(30)) == .success)
        #expect(arrived.value == pods)
        #expect(met.value == pods, "only \(met.value) of \(pods) blocking pod syncs were in flight together")
    }

    /// One pod is still synced one request at a time, and requests that arrive while it syncs are coalesced.
    @Test func onePodSyncsSerially() {
        let inFlight = LockedBox(0), maxInFlight = LockedBox(0), runs = LockedBox(0)
        let workers = PodWorkers(parallelStarts: 1) { _ in
            inFlight.update { $0 += 1 }
            maxInFlight.update { [n = inFlight.value] in $0 = max($0, n) }
            usleep(50_000)
            runs.update { $0 += 1 }
            inFlight.update { $0 -= 1 }
        }
        for _ in 0..<20 { workers.sync("p") }
        var waited = 0
        while runs.value == 0 || inFlight.value > 0 { usleep(10_000); waited += 1; if waited > 500 { break } }
        usleep(200_000)
        #expect(maxInFlight.value == 1)
        #expect(runs.value >= 1 && runs.value <= 2, "20 requests while idle or syncing coalesce into at most 2 syncs, got \(runs.value)")
    }
}
