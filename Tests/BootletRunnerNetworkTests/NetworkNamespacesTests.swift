import BootletRuntime
import Testing

@testable import BootletRunner

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized)
struct NetworkNamespacesTests {
    func inode(_ path: String) -> ino_t? {
        var st = stat()
        return stat(path, &st) == 0 ? st.st_ino : nil
    }

    @Test func createListRemoveIsIdempotent() throws {
        let dir = "/tmp/bltnet-ns-\(randomHex(8))"
        let ns = NetworkNamespaces(directory: dir + "/netns")  // the directory is created on demand
        defer {
            for e in (try? ns.list()) ?? [] { try? NetworkNamespaces.remove(path: e.path) }
            try? FileIO.removeTree(dir)
        }
        #expect(try ns.list().isEmpty)
        let a = try ns.create("sandbox-a")
        let b = try ns.create("sandbox-b")
        #expect(a == dir + "/netns/sandbox-a")
        #expect(NetworkNamespaces.isNamespace(a))
        // A new namespace: different from ours and from the other one.
        let host = inode("/proc/self/ns/net")
        #expect(inode(a) != nil && inode(a) != host && inode(a) != inode(b))
        #expect(try ns.list() == [
            .init(name: "sandbox-a", path: a, pinned: true), .init(name: "sandbox-b", path: b, pinned: true),
        ])
        // Only lo, and it is down (like `ip netns add`).
        let links = try run("/usr/bin/nsenter", ["--net=\(a)", "ip", "-o", "link", "show"])
        #expect(links.code == 0)
        #expect(links.stdout.split(separator: "\n").count == 1)
        #expect(links.stdout.contains("lo:") && !links.stdout.contains("UP,"))

        try ns.remove("sandbox-a")
        #expect(!FileIO.exists(a))
        try ns.remove("sandbox-a")  // idempotent
        try NetworkNamespaces.remove(path: a)
        #expect(try ns.list().map(\.name) == ["sandbox-b"])
        #expect(!(try readMounts().contains(a)))
        try ns.remove("sandbox-b")
        #expect(try ns.list().isEmpty)
    }

    @Test func createRefusesAnExistingNameAndBadNames() throws {
        let dir = "/tmp/bltnet-ns-\(randomHex(8))"
        let ns = NetworkNamespaces(directory: dir)
        defer {
            for e in (try? ns.list()) ?? [] { try? NetworkNamespaces.remove(path: e.path) }
            try? FileIO.removeTree(dir)
        }
        let p = try ns.create("dup")
        do {
            try ns.create("dup")
            Issue.record("second create succeeded")
        } catch let e as RuntimeError {
            #expect(e.errno == EEXIST)
            #expect(e.description.contains(p) && e.description.contains("already pinned"))
        }
        // The failed create left the existing namespace alone.
        #expect(NetworkNamespaces.isNamespace(p))
        for bad in ["", ".", "..", "a/b", "../x", "-lead"] {
            #expect(throws: RuntimeError.self) { try ns.create(bad) }
        }
        #expect(try ns.list().map(\.name) == ["dup"])
    }

    @Test func listReportsAStaleUnmountedFileAndRemoveClearsIt() throws {
        let dir = "/tmp/bltnet-ns-\(randomHex(8))"
        let ns = NetworkNamespaces(directory: dir)
        defer { try? FileIO.removeTree(dir) }
        try FileIO.makeDirectories(dir)
        try write(dir + "/crashed", "")
        #expect(try ns.list() == [.init(name: "crashed", path: dir + "/crashed", pinned: false)])
        try ns.remove("crashed")
        #expect(try ns.list().isEmpty)
    }

    @Test func bringUpLoopbackInAPinnedNamespace() throws {
        let dir = "/tmp/bltnet-ns-\(randomHex(8))"
        let ns = NetworkNamespaces(directory: dir)
        defer {
            for e in (try? ns.list()) ?? [] { try? NetworkNamespaces.remove(path: e.path) }
            try? FileIO.removeTree(dir)
        }
        let p = try ns.create("lo-test")
        try NetworkNamespaces.bringUpLoopback(p)
        let link = try run("/usr/bin/nsenter", ["--net=\(p)", "ip", "-o", "link", "show", "lo"])
        #expect(link.stdout.contains("UP,LOWER_UP"))
        let ping = try run("/usr/bin/nsenter", ["--net=\(p)", "busybox", "ping", "-c1", "-W2", "127.0.0.1"])
        #expect(ping.code == 0, "\(ping.stdout)\(ping.stderr)")
        // Not a namespace: a clear error naming the path.
        do {
            try NetworkNamespaces.bringUpLoopback(dir + "/missing")
            Issue.record("bringUpLoopback on a missing path succeeded")
        } catch let e as RuntimeError {
            #expect(e.errno == ENOENT && e.description.contains(dir + "/missing"))
        }
        #expect(!NetworkNamespaces.isNamespace(dir))
        #expect(NetworkNamespaces.isNamespace("/proc/self/ns/net"))
    }

    func readMounts() throws -> String { try FileIO.readString("/proc/self/mountinfo") }
}
