import BootletRuntime
import Dispatch
import KubeModel
import Testing

@testable import BootletRunner

/// A pod record is shared by the pod's sync queue, the exit watcher, probe workers, the HTTP server and the file
/// source (conformance found the runner crashing with SIGSEGV, and exits getting lost, when many pods started at
/// once). These tests hammer one record from many threads the way those callers do.
struct PodRecordConcurrencyTests {
    static func run(_ name: String, _ n: Int) -> ContainerRun {
        ContainerRun(id: "\(name)-\(n)", name: name, kind: .regular, restartCount: n, image: "busybox", imageID: "sha256:x",
                     logPath: "/nonexistent/\(n).log", terminationFile: nil, hash: "h", createdAt: Int64(n))
    }

    static func pod(_ name: String) -> Pod {
        var p = Pod()
        p.metadata.name = name
        p.spec.containers = (0..<4).map { Container(name: "c\($0)") }
        return p
    }

    @Test func appendsAndUpdatesFromManyThreadsAreAllKept() {
        let rec = PodRecord(uid: "u", pod: Self.pod("p"), source: "/m/p.yaml")
        let threads = 8, rounds = 400
        // Each thread owns one container: it appends a run, then (as the exit watcher would) records its exit.
        // Other threads meanwhile replace the pod (a manifest snapshot) and read everything (the HTTP server).
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let name = "t\(t)"
            for k in 0..<rounds {
                rec.append(Self.run(name, k))
                rec.update("\(name)-\(k)") { r in
                    r.exit = ExitRecord(pid: 1, exitCode: Int32(k % 2), finishedAt: "2026-01-01T00:00:00Z")
                }
                rec.pod = Self.pod("p\(k % 3)")
                rec.readiness[name] = k % 2 == 0
                rec.waiting[name] = Waiting(reason: "r\(k)")
                _ = rec.pod.spec.containers.count + rec.allRuns.count + rec.runningRuns.count
                _ = rec.current(name)?.id
            }
        }
        for t in 0..<threads {
            let list = rec.runs["t\(t)"] ?? []
            #expect(list.map(\.restartCount) == [rounds - 2, rounds - 1], "container t\(t): \(list.map(\.id))")
            #expect(list.allSatisfy { $0.exit != nil }, "an exit recorded for t\(t) was lost")
            #expect(rec.readiness["t\(t)"] == false && rec.waiting["t\(t)"]?.reason == "r\(rounds - 1)")
        }
    }

    @Test func runsOlderThanThePreviousAreRetiredForRemoval() {
        // kubelet's container GC keeps the current and one dead instance; older ones must be removed, not forgotten
        // (their runtime state, rootfs, bundle, logs and symlink leaked).
        let rec = PodRecord(uid: "u", pod: Self.pod("p"), source: "")
        for k in 0..<4 { rec.append(Self.run("c0", k)) }
        rec.append(Self.run("c1", 0))
        #expect(rec.runs["c0"]?.map(\.restartCount) == [2, 3])
        #expect(rec.takeRetired() == ["c0-0", "c0-1"])
        #expect(rec.takeRetired().isEmpty)
        rec.retire(["sandbox-old"])
        #expect(rec.takeRetired() == ["sandbox-old"])
    }

    @Test func accessorsCanNestInsideUpdate() {
        // The lock is recursive: an update closure may read the record (no deadlock).
        let rec = PodRecord(uid: "u", pod: Self.pod("p"), source: "")
        rec.append(Self.run("c0", 0))
        rec.update("c0-0") { r in r.startedAt = Int64(rec.pod.spec.containers.count) }
        #expect(rec.current("c0")?.startedAt == 4)
    }
}
