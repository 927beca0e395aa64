import BootletImages
import Foundation
import Synchronization
import Testing

/// Import, resolve, prepare, export, remove: every format the issue names, with overlay and copy root filesystems.
@Suite(.serialized) struct StoreTests {
    @Test func missingImageIsErrImageNeverPull() throws {
        let s = try Scratch("missing")
        let store = try ImageStore(root: s.path + "/store")
        do {
            _ = try store.image("etcd:3.5.9")
            Issue.record("resolved a missing image")
        } catch let e as ImageNotPresentError {
            #expect(e.reason == "ErrImageNeverPull")
            #expect(e.image == "etcd:3.5.9")
        }
        #expect(throws: ImageNotPresentError.self) { try store.prepare(image: "etcd:3.5.9", containerID: "c1") }
    }

    @Test(arguments: [ImageStore.RootfsMode.auto, .copy])
    func directoryImportRunsBusybox(mode: ImageStore.RootfsMode) throws {
        let s = try Scratch("dir")
        let src = try s.sub("src")
        try FileManager.default.createDirectory(atPath: src + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: src + "/bin/busybox")
        try FileManager.default.createSymbolicLink(atPath: src + "/bin/sh", withDestinationPath: "busybox")
        try FileManager.default.createSymbolicLink(atPath: src + "/bin/cat", withDestinationPath: "busybox")
        try FileManager.default.createDirectory(atPath: src + "/etc", withIntermediateDirectories: true)
        try write(src + "/etc/msg", Array("from the host dir\n".utf8))
        try FileManager.default.linkItem(atPath: src + "/etc/msg", toPath: src + "/etc/msg-link")
        try Shell.run("chown 1234:5678 \(src)/etc/msg && chmod 0640 \(src)/etc/msg && touch -d @1600000000 \(src)/etc/msg")
        let store = try ImageStore(root: s.path + "/store", rootfsMode: mode)
        let img = try store.importDirectory(
            src, tag: "lab/etcd:3.5", config: ImageConfig(entrypoint: ["/bin/sh", "-c"], cmd: ["cat /etc/msg"], env: ["A=1"],
                                                        workingDir: "/etc", user: "1234:5678", stopSignal: "SIGINT"))
        #expect(img.references == ["docker.io/lab/etcd:3.5"])
        #expect(img.config.entrypoint == ["/bin/sh", "-c"])
        #expect(img.config.cmd == ["cat /etc/msg"])
        #expect(img.config.env == [ImageStore.defaultPathEnv, "A=1"])
        #expect(img.config.workingDir == "/etc" && img.config.user == "1234:5678" && img.config.stopSignal == "SIGINT")
        #expect(img.layers.count == 1 && img.layers[0].digest == img.layers[0].diffID)
        #expect(try store.image("lab/etcd:3.5").id == img.id)
        #expect(try store.image(img.id.description).id == img.id)
        #expect(try store.image("docker.io/lab/etcd@\(img.manifestDigest)").id == img.id)

        let r = try store.prepare(image: "lab/etcd:3.5", containerID: "c-\(mode.rawValue)")
        defer { try? store.release(containerID: r.containerID) }
        #expect(r.mode == (mode == .copy ? .copy : .overlay))
        #expect(try inRootfs(r.path, "cat /etc/msg-link") == "from the host dir\n")
        var st = stat()
        #expect(lstat(r.path + "/etc/msg", &st) == 0)
        #expect(st.st_uid == 1234 && st.st_gid == 5678 && st.st_mode & 0o7777 == 0o640 && st.st_mtim.tv_sec == 1_600_000_000)
        #expect(st.st_nlink == 2)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: r.path + "/bin/sh") == "busybox")
        // The container writes to its own rootfs, never to the shared snapshot.
        _ = try inRootfs(r.path, "echo changed > /etc/msg")
        let r2 = try store.prepare(image: "lab/etcd:3.5", containerID: "c2-\(mode.rawValue)")
        defer { try? store.release(containerID: r2.containerID) }
        #expect(try read(r2.path + "/etc/msg") == "from the host dir\n")
        try store.release(containerID: r.containerID)
        #expect(!FileManager.default.fileExists(atPath: r.path))
        try store.release(containerID: r.containerID) // idempotent
    }

    @Test func umociLayoutImport() throws {
        let s = try Scratch("umoci")
        let layout = s.path + "/layout"
        let bundle = s.path + "/bundle"
        try Shell.run("umoci init --layout \(layout) && umoci new --image \(layout):v1")
        try Shell.run("umoci unpack --image \(layout):v1 \(bundle)")
        try Shell.run("""
            mkdir -p \(bundle)/rootfs/bin \(bundle)/rootfs/etc && cp /bin/busybox \(bundle)/rootfs/bin/ && \
            ln -s busybox \(bundle)/rootfs/bin/sh && ln -s busybox \(bundle)/rootfs/bin/cat && ln -s busybox \(bundle)/rootfs/bin/ls && \
            echo one > \(bundle)/rootfs/etc/one && echo gone > \(bundle)/rootfs/etc/gone && \
            umoci repack --refresh-bundle --image \(layout):v1 \(bundle) && \
            rm \(bundle)/rootfs/etc/gone && echo two > \(bundle)/rootfs/etc/two && \
            umoci repack --refresh-bundle --image \(layout):v1 \(bundle) && \
            umoci config --image \(layout):v1 --config.cmd /bin/cat --config.cmd /etc/two
            """)
        let store = try ImageStore(root: s.path + "/store")
        // umoci names the image only by tag: the import asks for a repository.
        #expect(throws: ImageError.self) { try store.importPath(layout) }
        let imgs = try store.importPath(layout, options: ImportOptions(tag: "umoci/test:v1"))
        #expect(imgs.count == 1)
        let img = imgs[0]
        #expect(img.layers.count == 2)
        #expect(img.layers.allSatisfy { $0.mediaType.hasSuffix("+gzip") })
        #expect(img.config.cmd == ["/bin/cat", "/etc/two"])
        let r = try store.prepare(image: "umoci/test:v1", containerID: "u1")
        defer { try? store.release(containerID: "u1") }
        #expect(try inRootfs(r.path, "cat /etc/one /etc/two") == "one\ntwo\n")
        #expect(!FileManager.default.fileExists(atPath: r.path + "/etc/gone"))
    }

    @Test func dockerSaveArchiveImport() throws {
        let s = try Scratch("docker")
        let base = try busyboxLayer()
        var t2 = TarBuilder()
        t2.dir("etc/")
        t2.file("etc/hostname", "docker-save\n")
        let top = t2.finish()
        let (b, tp) = (sha(base), sha(top))
        let config = Array(#"{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"],"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":["\#(b)","\#(tp)"]}}"#.utf8)
        let configSmall = Array(#"{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":["\#(b)"]}}"#.utf8)
        let (c1, c2) = (sha(config), sha(configSmall))
        let manifest = #"[{"Config":"\#(c1.hex).json","RepoTags":["busybox:save","localhost:5000/bb:1"],"Layers":["\#(b.hex)/layer.tar","\#(tp.hex)/layer.tar"]},{"Config":"\#(c2.hex).json","RepoTags":["base:1"],"Layers":["dup/layer.tar"]}]"#
        var outer = TarBuilder()
        outer.dir("\(b.hex)/")
        outer.add("\(b.hex)/layer.tar", content: base)
        outer.dir("\(tp.hex)/")
        outer.add("\(tp.hex)/layer.tar", content: top)
        outer.dir("dup/")
        outer.add("dup/layer.tar", .symlink, linkname: "../\(b.hex)/layer.tar") // docker save links shared layers
        outer.add("\(c1.hex).json", content: config)
        outer.add("\(c2.hex).json", content: configSmall)
        outer.file("repositories", #"{"busybox":{"save":"\#(c1.hex)"}}"#)
        outer.file("manifest.json", manifest)
        let archive = s.path + "/save.tar"
        try write(archive, outer.finish())
        try Shell.run("gzip -k \(archive)") // `docker save | gzip` works too

        let store = try ImageStore(root: s.path + "/store")
        let imgs = try store.importPath(archive + ".gz")
        #expect(imgs.count == 2)
        let img = try store.image("busybox:save")
        #expect(img.id == c1) // docker's image ID is the config digest
        #expect(try store.image("localhost:5000/bb:1").id == c1)
        #expect(try store.image("base:1").id == c2)
        #expect(img.layers.map(\.diffID) == [b, tp])
        let r = try store.prepare(image: "busybox:save", containerID: "d1")
        defer { try? store.release(containerID: "d1") }
        #expect(try inRootfs(r.path, "cat /etc/hostname") == "docker-save\n")
        // Staging left nothing behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.path + "/store/tmp").isEmpty)
        // Shared base layer: one snapshot for both images.
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.path + "/store/snapshots").count == 2)
    }

    @Test func digestMismatchRefused() throws {
        let s = try Scratch("digest")
        let layout = try LayoutWriter(s.path + "/layout")
        let (_, _, blobs) = try layout.image(layers: [try busyboxLayer()], name: "corrupt:1")
        let blobPath = "\(layout.dir)/blobs/sha256/\(blobs[0].hex)"
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: blobPath)))
        bytes[600] ^= 0xff
        try write(blobPath, bytes)
        let store = try ImageStore(root: s.path + "/store")
        do {
            _ = try store.importPath(layout.dir)
            Issue.record("corrupt layer imported")
        } catch let e as ImageError {
            #expect(e.description.contains("digest mismatch for blob \(blobs[0])"))
        }
        #expect(throws: ImageNotPresentError.self) { try store.image("corrupt:1") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.path + "/store/snapshots").isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.path + "/store/blobs/sha256").isEmpty)
    }

    @Test func corruptStoreBlobDetectedWhenUsed() throws {
        let s = try Scratch("use")
        let layout = try LayoutWriter(s.path + "/layout")
        let (_, config, blobs) = try layout.image(layers: [try busyboxLayer()], name: "docker.io/library/ok:1")
        let store = try ImageStore(root: s.path + "/store")
        _ = try store.importPath(layout.dir)
        // A layer blob corrupted in the store is caught when it is unpacked again.
        let layerInStore = "\(store.root)/blobs/sha256/\(blobs[0].hex)"
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: layerInStore)))
        bytes[700] ^= 0x01
        try write(layerInStore, bytes)
        try FileManager.default.removeItem(atPath: "\(store.root)/snapshots/\(sha(try busyboxLayer()).hex)")
        do {
            _ = try store.prepare(image: "ok:1", containerID: "x1")
            Issue.record("prepared from a corrupt blob")
        } catch let e as ImageError {
            #expect(e.description.contains("blob is corrupt"))
        }
        #expect(!FileManager.default.fileExists(atPath: "\(store.root)/containers/x1"))
        // A corrupt config is caught on every lookup.
        try write("\(store.root)/blobs/sha256/\(config.hex)", Array("{}".utf8))
        #expect(throws: ImageError.self) { try store.image("ok:1") }
    }

    @Test func exportReadByUmociSkopeoAndReimport() throws {
        let s = try Scratch("export")
        let layout = try LayoutWriter(s.path + "/layout")
        try layout.image(layers: [try busyboxLayer()], compress: [.gzip], name: "registry.local/tools/bb:2", cmd: ["/bin/sh"])
        let store = try ImageStore(root: s.path + "/store")
        let img = try store.importPath(layout.dir)[0]
        let out = s.path + "/exported"
        try store.export("registry.local/tools/bb:2", to: out)
        let stat = try Shell.run("umoci stat --image \(out):2").1
        #expect(stat.contains("LAYER") || stat.contains("history") || !stat.isEmpty)
        let inspect = try Shell.run("skopeo inspect --raw oci:\(out):2").1
        #expect(inspect.contains(img.manifestDigest.description) == false) // raw manifest, not its digest
        #expect(inspect.contains(img.layers[0].digest.description))
        let cfg = try Shell.run("skopeo inspect --config oci:\(out):2").1
        #expect(cfg.contains("\"/bin/sh\""))
        try Shell.run("umoci unpack --image \(out):2 \(s.path)/unpacked && test -x \(s.path)/unpacked/rootfs/bin/busybox")
        // Round trip: the export names the image (io.containerd.image.name), a fresh store gets the same image ID.
        let store2 = try ImageStore(root: s.path + "/store2")
        let again = try store2.importPath(out)
        #expect(again.map(\.id) == [img.id])
        #expect(again[0].references == ["registry.local/tools/bb:2"])
    }

    @Test func removeCollectsUnusedBlobsAndSnapshots() throws {
        let s = try Scratch("gc")
        let layout = try LayoutWriter(s.path + "/layout")
        let base = try busyboxLayer()
        var t = TarBuilder()
        t.file("a", "a\n")
        var u = TarBuilder()
        u.file("b", "b\n")
        try layout.image(layers: [base, t.finish()], name: "docker.io/library/one:1")
        try layout.image(layers: [base, u.finish()], name: "docker.io/library/two:1")
        let store = try ImageStore(root: s.path + "/store")
        #expect(try store.importPath(layout.dir).count == 2)
        func snapshots() throws -> Int { try FileManager.default.contentsOfDirectory(atPath: store.root + "/snapshots").count }
        func blobs() throws -> Int { try FileManager.default.contentsOfDirectory(atPath: store.root + "/blobs/sha256").count }
        #expect(try snapshots() == 3 && blobs() == 7)
        let r = try store.prepare(image: "one:1", containerID: "keep")
        defer { try? store.release(containerID: "keep") }
        let res = try store.remove("one:1")
        #expect(res.untagged.contains("docker.io/library/one:1"))
        #expect(res.deleted.count == 1)
        #expect(throws: ImageNotPresentError.self) { try store.image("one:1") }
        // The prepared container still holds its layers (lease), the blobs of `one` are gone.
        #expect(try snapshots() == 3 && blobs() == 4)
        #expect(try inRootfs(r.path, "cat /a") == "a\n")
        try store.release(containerID: "keep")
        try store.collectGarbage()
        #expect(try snapshots() == 2)
        try store.remove("two:1")
        #expect(try snapshots() == 0 && blobs() == 0)
        #expect(try store.list().isEmpty)
    }

    @Test func retagDropsTheUntaggedImage() throws {
        let s = try Scratch("retag")
        let store = try ImageStore(root: s.path + "/store")
        let d1 = try s.sub("v1"), d2 = try s.sub("v2")
        try write(d1 + "/f", Array("1".utf8))
        try write(d2 + "/f", Array("2".utf8))
        let a = try store.importDirectory(d1, tag: "x:1", config: ImageConfig())
        let b = try store.importDirectory(d2, tag: "x:1", config: ImageConfig())
        #expect(a.id != b.id)
        #expect(try store.list().map(\.id) == [b.id])
    }

    @Test func concurrentImportersShareOneSnapshot() throws {
        let s = try Scratch("concurrent")
        let layout = try LayoutWriter(s.path + "/layout")
        try layout.image(layers: [try busyboxLayer()], name: "docker.io/library/same:1")
        let root = s.path + "/store"
        let errors = Mutex<[String]>([])
        // Separate store objects: each takes its own flock()s, like separate `bootlet image import` processes.
        DispatchQueue.concurrentPerform(iterations: 3) { _ in
            do { _ = try ImageStore(root: root).importPath(layout.dir) } catch { errors.withLock { $0.append("\(error)") } }
        }
        #expect(errors.withLock { $0 } == [])
        let store = try ImageStore(root: root)
        #expect(try store.list().count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/snapshots").count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/tmp").isEmpty)
    }
}
