import BootletRuntime
import Dispatch

/// One serial queue per pod: every change to a pod (manifest, container exit, back-off expiry, probe result) asks
/// for a sync, requests are coalesced, and a pod is never synced twice at once; different pods sync in parallel.
///
/// Blocking runtime work (spawning a monitor, waiting for a container to stop) runs on these queues, never on the
/// HTTP or watcher threads. A semaphore bounds how many pods start containers at the same time so a burst of
/// manifests does not oversubscribe the machine.
///
/// The pod queues are plain serial queues (libdispatch's overcommit pool: a thread for each queue that has work),
/// like kubelet's goroutine per pod worker. Targeting them at a shared concurrent queue capped the pods in flight
/// at the CPU count (2 here): four removed pods with grace periods terminated two at a time instead of together.
final class PodWorkers: @unchecked Sendable {
    private let lock = Lock()
    private var queues: [String: DispatchQueue] = [:]
    private var scheduled: Set<String> = []
    private var timers: [String: DispatchWorkItem] = [:]
    private let target = DispatchQueue(label: "bootlet.pods", attributes: .concurrent)
    let startSlots: DispatchSemaphore
    private let work: @Sendable (String) -> Void

    init(parallelStarts: Int, work: @escaping @Sendable (String) -> Void) {
        startSlots = DispatchSemaphore(value: parallelStarts)
        self.work = work
    }

    private func queue(_ uid: String) -> DispatchQueue {
        lock.with {
            if let q = queues[uid] { return q }
            let q = DispatchQueue(label: "bootlet.pod.\(uid)")
            queues[uid] = q
            return q
        }
    }

    /// Sync `uid` soon (coalesced with a pending request).
    func sync(_ uid: String) {
        let q = queue(uid)
        let first = lock.with { scheduled.insert(uid).inserted }
        guard first else { return }
        q.async { [self] in
            lock.with { _ = scheduled.remove(uid) }
            work(uid)
        }
    }

    /// Sync `uid` after `nanos` (replaces an earlier timer of the pod that would fire later).
    func sync(_ uid: String, afterNanos nanos: Int64) {
        guard nanos > 0 else { return sync(uid) }
        let item = DispatchWorkItem { [weak self] in self?.sync(uid) }
        lock.with {
            timers[uid]?.cancel()
            timers[uid] = item
        }
        target.asyncAfter(deadline: .now() + .nanoseconds(Int(nanos)), execute: item)
    }

    /// Run `body` on the pod's queue and wait for it (used for termination and shutdown ordering).
    func runAndWait(_ uid: String, _ body: () -> Void) {
        queue(uid).sync(execute: body)
    }

    /// Forget a pod's queue and timers (after cleanup).
    func forget(_ uid: String) {
        lock.with {
            timers.removeValue(forKey: uid)?.cancel()
            queues.removeValue(forKey: uid)
        }
    }
}
