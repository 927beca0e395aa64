import BootletRuntime
import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// One worker per pod: every change to a pod (manifest, container exit, back-off expiry, probe result) asks for a
/// sync, requests are coalesced, and a pod is never synced twice at once; different pods sync in parallel.
///
/// A pod's work runs on a thread of its own (started when the pod has work, ending when it has none), like
/// kubelet's goroutine per pod. Pod syncs block for long stretches — waiting out a grace period, spawning monitors,
/// running CNI plugins — and on libdispatch's Linux pool, which adds about one thread per second once its threads
/// block, such waits held back every other pod (a pod started seconds late while four others were terminating).
/// A semaphore bounds how many pods start containers at the same time so a burst of manifests does not oversubscribe
/// the machine.
final class PodWorkers: @unchecked Sendable {
    private struct Worker {
        var items: [() -> Void] = []
        /// A thread is draining the items (or is being started).
        var busy = false
        /// That thread, once it runs.
        var thread: pthread_t?
    }

    private let lock = Lock()
    private var workers: [String: Worker] = [:]
    private var scheduled: Set<String> = []
    private var timers: [String: DispatchWorkItem] = [:]
    let startSlots: DispatchSemaphore
    private let work: @Sendable (String) -> Void

    init(parallelStarts: Int, work: @escaping @Sendable (String) -> Void) {
        startSlots = DispatchSemaphore(value: parallelStarts)
        self.work = work
    }

    /// Queue `item` for the pod; start its thread if it has none.
    private func enqueue(_ uid: String, _ item: @escaping () -> Void) {
        let start: Bool = lock.with {
            var w = workers[uid] ?? Worker()
            w.items.append(item)
            let idle = !w.busy
            w.busy = true
            workers[uid] = w
            return idle
        }
        if start { spawn(uid) }
    }

    private func spawn(_ uid: String) {
        PodWorkers.detached { [self] in drain(uid) }
    }

    /// Run `body` on a new detached thread (or here, if no thread can be made). For work that blocks for seconds,
    /// such as stopping a container within its grace period, which must not hold one of libdispatch's threads.
    static func detached(_ body: @escaping () -> Void) {
        final class Box {
            let run: () -> Void
            init(_ run: @escaping () -> Void) { self.run = run }
        }
        let box = Unmanaged.passRetained(Box(body))
        var t = pthread_t()
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
        defer { pthread_attr_destroy(&attr) }
        let rc = pthread_create(&t, &attr, { arg in
            let b = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
            b.run()
            return nil
        }, box.toOpaque())
        if rc != 0 {
            // No thread: run it here rather than dropping it.
            box.release()
            body()
        }
    }

    /// Run the pod's items in order until there are none left, then let the thread end.
    private func drain(_ uid: String) {
        let me = pthread_self()
        while true {
            let next: (() -> Void)? = lock.with {
                guard var w = workers[uid], !w.items.isEmpty else {
                    workers.removeValue(forKey: uid)  // idle: the next request starts a new thread
                    return nil
                }
                w.thread = me
                let item = w.items.removeFirst()
                workers[uid] = w
                return item
            }
            guard let next else { return }
            next()
        }
    }

    /// Sync `uid` soon (coalesced with a pending request).
    func sync(_ uid: String) {
        let first = lock.with { scheduled.insert(uid).inserted }
        guard first else { return }
        enqueue(uid) { [self] in
            lock.with { _ = scheduled.remove(uid) }
            work(uid)
        }
    }

    /// Sync `uid` after `nanos` (replaces an earlier timer of the pod).
    func sync(_ uid: String, afterNanos nanos: Int64) {
        guard nanos > 0 else { return sync(uid) }
        let item = DispatchWorkItem { [weak self] in self?.sync(uid) }
        lock.with {
            timers[uid]?.cancel()
            timers[uid] = item
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(nanos)), execute: item)
    }

    /// Run `body` in the pod's order and wait for it (used for termination and shutdown ordering). On the pod's own
    /// thread it runs at once.
    func runAndWait(_ uid: String, _ body: () -> Void) {
        let onPodThread = lock.with { workers[uid]?.thread.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
        if onPodThread { return body() }
        final class Slot: @unchecked Sendable { var body: (() -> Void)? }
        withoutActuallyEscaping(body) { body in
            // The queued item may outlive this call on the worker thread: it reaches `body` only through the slot,
            // which is emptied before the waiter is released, so `body` never escapes.
            let slot = Slot()
            slot.body = body
            let done = DispatchSemaphore(value: 0)
            enqueue(uid) {
                slot.body?()
                slot.body = nil
                done.signal()
            }
            done.wait()
        }
    }

    /// Forget a pod's timers (after cleanup); its thread ends once it has no work.
    func forget(_ uid: String) {
        lock.with { timers.removeValue(forKey: uid)?.cancel() }
    }
}
