import BootletImages
import Foundation
import Testing

/// OCI whiteouts across three layers (gzip, zstd, plain), seen through the merged rootfs in both modes.
@Suite(.serialized) struct WhiteoutTests {
    static func layers() throws -> [[UInt8]] {
        let l1 = try busyboxLayer { t in
            t.dir("a/")
            t.file("a/keep", "keep\n")
            t.file("a/gone", "gone\n")
            t.dir("o/")
            t.file("o/old1", "old1\n")
            t.dir("o/sub/")
            t.file("o/sub/old2", "old2\n")
            t.file("top-del", "x\n")
            t.dir("d/")
            t.file("d/x", "x\n")
            t.file("replaced", "file in layer 1\n")
        }
        var t2 = TarBuilder()
        t2.dir("a/")
        t2.add("a/.wh.gone")
        t2.dir("o/")
        t2.add("o/.wh..wh..opq")
        t2.file("o/new", "new\n")
        t2.add(".wh.top-del")
        t2.add(".wh..wh.plnk") // aufs bookkeeping: ignored
        var t3 = TarBuilder()
        t3.file("a/again", "again\n")
        t3.add(".wh.d")
        t3.file("o/new2", "new2\n")
        t3.dir("replaced/")
        t3.file("replaced/inner", "dir in layer 3\n")
        return [l1, t2.finish(), t3.finish()]
    }

    @Test(arguments: [ImageStore.RootfsMode.auto, .copy])
    func mergedViewAppliesWhiteouts(mode: ImageStore.RootfsMode) throws {
        let s = try Scratch("wh-\(mode.rawValue)")
        let layout = try LayoutWriter(s.path + "/layout")
        try layout.image(layers: try Self.layers(), compress: [.none, .gzip, .zstd], name: "docker.io/library/wh:1")
        let store = try ImageStore(root: s.path + "/store", rootfsMode: mode)
        let img = try store.importPath(layout.dir)[0]
        #expect(img.layers.map(\.mediaType) == [
            "application/vnd.oci.image.layer.v1.tar", "application/vnd.oci.image.layer.v1.tar+gzip",
            "application/vnd.oci.image.layer.v1.tar+zstd",
        ])
        let r = try store.prepare(image: "wh:1", containerID: "wh-\(mode.rawValue)")
        defer { try? store.release(containerID: r.containerID) }
        #expect(r.mode == (mode == .copy ? .copy : .overlay))
        // Checked from inside (busybox in the rootfs) and from outside.
        #expect(try inRootfs(r.path, "ls /a") == "again\nkeep\n")
        #expect(try inRootfs(r.path, "ls /o") == "new\nnew2\n")
        #expect(try inRootfs(r.path, "cat /replaced/inner") == "dir in layer 3\n")
        let fm = FileManager.default
        for gone in ["a/gone", "o/old1", "o/sub", "top-del", "d", "a/.wh.gone", "o/.wh..wh..opq", ".wh..wh.plnk"] {
            #expect(!fm.fileExists(atPath: "\(r.path)/\(gone)"), "\(gone) should be hidden")
        }
        #expect(try read(r.path + "/a/keep") == "keep\n")
        // Snapshots hold each layer alone, in the form the mode needs.
        let l2 = store.root + "/snapshots/\(sha(try Self.layers()[1]).hex)/fs"
        var st = stat()
        if mode == .copy {
            #expect(fm.fileExists(atPath: l2 + "/a/.wh.gone"))
        } else {
            #expect(lstat(l2 + "/a/gone", &st) == 0 && st.st_mode & S_IFMT == S_IFCHR && st.st_rdev == 0)
            let opaque = try Shell.run("python3 -c \"import os; print(os.getxattr('\(l2)/o', 'trusted.overlay.opaque'))\"").1
            #expect(opaque == "b'y'\n")
        }
    }
}
