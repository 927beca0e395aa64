import BootletRuntime
import Dispatch
import Synchronization
import Testing

@testable import BootletRunner

#if canImport(Glibc)
import Glibc
#endif

/// Pod workers: parallel across pods even when syncs block for seconds, serial and coalesced per pod.
struct PodWorkersTests {
    static func now() -> Int64 { Timestamp.nowNanos() }

    @Test func aBlockedPodDoesNotHoldBackOthers() {
        // Sixteen pods block for 2 s each (a grace period); a seventeenth must still run at once. On libdispatch's
        // pool (one more thread per second once all block) it waited seconds.
        let ranAt = Mutex<Int64?>(nil)
        let workers = PodWorkers(parallelStarts: 4) { uid in
            if uid.hasPrefix("slow") { usleep(2_000_000) } else { ranAt.withLock { $0 = PodWorkersTests.now() } }
        }
        for i in 0..<16 { workers.sync("slow-\(i)") }
        usleep(50_000)
        let t0 = Self.now()
        workers.sync("fast")
        var waited: Int64 = 0
        while ranAt.withLock({ $0 }) == nil && waited < 5_000_000_000 {
            usleep(10_000)
            waited = Self.now() - t0
        }
        let delay = (ranAt.withLock { $0 } ?? Int64.max) - t0
        #expect(delay < 300_000_000, "the fast pod ran \(delay / 1_000_000) ms after its request")
        usleep(2_100_000)
    }

    @Test func onePodRunsSeriallyAndRequestsCoalesce() {
        let running = Atomic<Int>(0), overlap = Atomic<Bool>(false), runs = Atomic<Int>(0)
        let workers = PodWorkers(parallelStarts: 4) { _ in
            if running.add(1, ordering: .sequentiallyConsistent).newValue > 1 { overlap.store(true, ordering: .sequentiallyConsistent) }
            runs.add(1, ordering: .sequentiallyConsistent)
            usleep(100_000)
            running.subtract(1, ordering: .sequentiallyConsistent)
        }
        workers.sync("p")
        usleep(20_000)
        for _ in 0..<50 { workers.sync("p") }  // while the first runs: one more sync, not fifty
        usleep(400_000)
        let overlapped = overlap.load(ordering: .sequentiallyConsistent), count = runs.load(ordering: .sequentiallyConsistent)
        #expect(!overlapped)
        #expect(count == 2)
    }

    @Test func runAndWaitIsOrderedWithSyncsAndRunsInlineOnThePodThread() {
        final class Holder: @unchecked Sendable { var workers: PodWorkers? }
        let log = Mutex<[String]>([])
        let holder = Holder()
        let workers = PodWorkers(parallelStarts: 4) { uid in
            log.withLock { $0.append("sync") }
            usleep(100_000)
            // A sync that waits on its own pod (e.g. a probe kill path) must not deadlock.
            holder.workers?.runAndWait(uid) { log.withLock { $0.append("inline") } }
        }
        holder.workers = workers
        workers.sync("p")
        usleep(10_000)
        workers.runAndWait("p") { log.withLock { $0.append("after") } }
        #expect(log.withLock { $0 } == ["sync", "inline", "after"])
    }
}
