import BootletImages
import Foundation
import Testing

/// Hostile layers: each is refused with an error naming the entry, and nothing is written outside the store.
@Suite(.serialized) struct MaliciousLayerTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        /// What the error must mention.
        let expect: String
        let build: @Sendable (_ sentinel: String) -> [UInt8]
        var testDescription: String { name }
    }

    /// `sentinel` is an absolute directory outside the store that every attack aims at.
    static let cases: [Case] = [
        Case(name: "path traversal ../../x", expect: "contains '..'") { sentinel in
            var t = TarBuilder()
            t.file("../../../../../../../../..\(sentinel)/pwned", "x")
            return t.finish()
        },
        Case(name: "traversal hidden in the middle", expect: "contains '..'") { sentinel in
            var t = TarBuilder()
            t.dir("a/")
            t.file("a/../../../../../../../../..\(sentinel)/pwned", "x")
            return t.finish()
        },
        Case(name: "absolute path", expect: "is absolute") { sentinel in
            var t = TarBuilder()
            t.file("\(sentinel)/pwned", "x")
            return t.finish()
        },
        Case(name: "symlink to / then a file through it", expect: "symlink") { sentinel in
            var t = TarBuilder()
            t.add("evil", .symlink, linkname: "/")
            t.file("evil\(sentinel)/pwned", "x")
            return t.finish()
        },
        Case(name: "symlink to the sentinel then a file through it", expect: "symlink") { sentinel in
            var t = TarBuilder()
            t.dir("d/")
            t.add("d/evil", .symlink, linkname: sentinel)
            t.file("d/evil/pwned", "x")
            return t.finish()
        },
        Case(name: "relative symlink escaping then a directory through it", expect: "symlink") { _ in
            var t = TarBuilder()
            t.add("up", .symlink, linkname: "../../../../../../../../../tmp")
            t.dir("up/pwned-dir/")
            return t.finish()
        },
        Case(name: "hardlink to an absolute host file", expect: "is absolute") { sentinel in
            var t = TarBuilder()
            t.add("passwd", .hardlink, linkname: "\(sentinel)/secret")
            return t.finish()
        },
        Case(name: "hardlink with .. to a host file", expect: "contains '..'") { sentinel in
            var t = TarBuilder()
            t.add("passwd", .hardlink, linkname: "../../../../../../../..\(sentinel)/secret")
            return t.finish()
        },
        Case(name: "hardlink through a symlink to a host file", expect: "symlink") { sentinel in
            var t = TarBuilder()
            t.add("s", .symlink, linkname: sentinel)
            t.add("passwd", .hardlink, linkname: "s/secret")
            return t.finish()
        },
        Case(name: "hardlink to a file not in the layer", expect: "is not in this layer") { _ in
            var t = TarBuilder()
            t.add("passwd", .hardlink, linkname: "etc/passwd")
            return t.finish()
        },
        Case(name: "character device node", expect: "character device 1:1 is not allowed") { _ in
            var t = TarBuilder()
            t.dir("dev/")
            t.add("dev/mem", .char, mode: 0o600, major: 1, minor: 1)
            return t.finish()
        },
        Case(name: "block device node", expect: "block device 8:0 is not allowed") { _ in
            var t = TarBuilder()
            t.add("sda", .block, mode: 0o600, major: 8, minor: 0)
            return t.finish()
        },
        Case(name: "whiteout naming ..", expect: "whiteout names no file") { _ in
            var t = TarBuilder()
            t.dir("a/")
            t.add("a/.wh..")
            return t.finish()
        },
    ]

    @Test(arguments: cases)
    func refused(_ c: Case) throws {
        let s = try Scratch("evil")
        let sentinel = try s.sub("sentinel")
        try write(sentinel + "/secret", Array("secret\n".utf8))
        let before = try FileManager.default.contentsOfDirectory(atPath: sentinel)
        let tmpBefore = Set(try FileManager.default.contentsOfDirectory(atPath: "/tmp"))
        let layer = c.build(sentinel)
        let layout = try LayoutWriter(s.path + "/layout")
        try layout.image(layers: [layer], name: "docker.io/library/evil:1")
        let store = try ImageStore(root: s.path + "/store")
        do {
            _ = try store.importPath(layout.dir)
            Issue.record("\(c.name): imported")
        } catch let e as ImageError {
            #expect(e.description.contains(c.expect), "\(e)")
            #expect(e.description.contains("entry \""), "error names the entry: \(e)")
        }
        // Nothing outside the store: the sentinel is untouched, no new entry in /tmp, the secret has one link.
        #expect(try FileManager.default.contentsOfDirectory(atPath: sentinel) == before)
        #expect(try read(sentinel + "/secret") == "secret\n")
        var st = stat()
        #expect(lstat(sentinel + "/secret", &st) == 0 && st.st_nlink == 1)
        let tmpAfter = Set(try FileManager.default.contentsOfDirectory(atPath: "/tmp")).subtracting(tmpBefore)
        #expect(tmpAfter.filter { $0.contains("pwned") }.isEmpty)
        // And nothing half-done inside it.
        #expect(throws: ImageNotPresentError.self) { try store.image("evil:1") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root + "/snapshots").isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root + "/tmp").isEmpty)
    }

    /// The device policy is a switch, not a ban: `--allow-devices` accepts them; 0/0 whiteouts are always fine.
    @Test func devicesAllowedOnRequest() throws {
        let s = try Scratch("devok")
        var t = TarBuilder()
        t.dir("dev/")
        t.add("dev/null", .char, mode: 0o666, major: 1, minor: 3)
        t.add("dev/fifo", .fifo, mode: 0o600)
        let layout = try LayoutWriter(s.path + "/layout")
        try layout.image(layers: [t.finish()], name: "docker.io/library/dev:1")
        let store = try ImageStore(root: s.path + "/store", rootfsMode: .copy)
        #expect(throws: ImageError.self) { try store.importPath(layout.dir) }
        _ = try store.importPath(layout.dir, options: ImportOptions(allowDevices: true))
        let r = try store.prepare(image: "dev:1", containerID: "dev")
        defer { try? store.release(containerID: "dev") }
        var st = stat()
        #expect(lstat(r.path + "/dev/null", &st) == 0 && st.st_mode & S_IFMT == S_IFCHR && st.st_rdev == (1 << 8 | 3))
        #expect(lstat(r.path + "/dev/fifo", &st) == 0 && st.st_mode & S_IFMT == S_IFIFO)
    }

    /// Entries that look odd but are legitimate stay accepted: metadata survives (owner, set-id mode, mtime,
    /// xattrs), symlinks to absolute targets are stored as text, hardlinks inside the layer are kept.
    @Test func legitimateEntriesKeepMetadata() throws {
        let s = try Scratch("meta")
        var t = TarBuilder()
        t.dir("./usr/")
        t.dir("usr/bin/")
        t.add("usr/bin/tool", content: Array("#!/bin/sh\n".utf8), mode: 0o4755, uid: 1000, gid: 2000, mtime: 1_500_000_000,
              xattrs: ["user.origin": "lab", "trusted.overlay.opaque": "y"])
        t.add("usr/bin/tool-link", .hardlink, linkname: "./usr/bin/tool")
        t.add("etc-passwd-link", .symlink, linkname: "/etc/passwd")
        let layout = try LayoutWriter(s.path + "/layout")
        try layout.image(layers: [t.finish()], name: "docker.io/library/meta:1")
        let store = try ImageStore(root: s.path + "/store")
        _ = try store.importPath(layout.dir)
        let r = try store.prepare(image: "meta:1", containerID: "meta")
        defer { try? store.release(containerID: "meta") }
        var st = stat()
        #expect(lstat(r.path + "/usr/bin/tool", &st) == 0)
        #expect(st.st_uid == 1000 && st.st_gid == 2000 && st.st_mode & 0o7777 == 0o4755 && st.st_mtim.tv_sec == 1_500_000_000)
        #expect(st.st_nlink == 2)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: r.path + "/etc-passwd-link") == "/etc/passwd")
        let x = try Shell.run("python3 -c \"import os; p='\(r.path)/usr/bin/tool'; print(os.getxattr(p, 'user.origin'), [a for a in os.listxattr(p) if a.startswith('trusted.overlay')])\"").1
        #expect(x == "b'lab' []\n") // an image cannot set overlay's own attributes
    }
}
