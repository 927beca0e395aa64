import CBootletArchive
import Crypto
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Swift side of the CShims/archive glue: passes a hashing callback, turns `-errno` + message into `ImageError`.
enum Archive {
    enum Whiteouts {
        /// Snapshot for overlayfs: whiteouts as char 0/0 devices and `trusted.overlay.opaque=y`.
        case overlay
        /// Snapshot for the copy fallback: `.wh.` markers kept as empty files.
        case keep
        /// Not a layer (staging an archive of blobs): no whiteout meaning.
        case literal

        var c: Int32 {
            switch self {
            case .overlay: Int32(BL_WHITEOUT_OVERLAY)
            case .keep: Int32(BL_WHITEOUT_KEEP)
            case .literal: Int32(BL_WHITEOUT_LITERAL)
            }
        }
    }

    struct Streams {
        var stored: Digest
        var tar: Digest
        var tarSize: Int64
    }

    private static let observe: bl_observe_fn = { ctx, which, buf, len in
        guard let ctx, let buf else { return }
        Unmanaged<StreamHashes>.fromOpaque(ctx).takeUnretainedValue()
            .update(which: which, UnsafeRawBufferPointer(start: buf, count: len))
    }

    /// Extract the tar stream readable from `fd` beneath the directory `root` (see bl_extract_tar for the rules).
    /// Returns the number of entries and the SHA-256 of the stored and the uncompressed stream.
    static func extract(fd: Int32, into root: String, whiteouts: Whiteouts, allowDevices: Bool) throws -> (entries: Int, streams: Streams) {
        let hashes = StreamHashes()
        let rc = try withExtendedLifetime(hashes) {
            try extract(fd: fd, into: root, whiteouts: whiteouts, allowDevices: allowDevices,
                        observe: observe, ctx: Unmanaged.passUnretained(hashes).toOpaque())
        }
        return (rc, Streams(stored: Digest(hashes.stored.finalize()), tar: Digest(hashes.tar.finalize()), tarSize: hashes.tarBytes))
    }

    /// The same without hashing (staging an archive whose members are verified one by one afterwards).
    static func extractUnhashed(fd: Int32, into root: String, whiteouts: Whiteouts, allowDevices: Bool) throws {
        _ = try extract(fd: fd, into: root, whiteouts: whiteouts, allowDevices: allowDevices, observe: nil, ctx: nil)
    }

    private static func extract(
        fd: Int32, into root: String, whiteouts: Whiteouts, allowDevices: Bool, observe: bl_observe_fn?,
        ctx: UnsafeMutableRawPointer?
    ) throws -> Int {
        let rootfd = Glibc.open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if rootfd < 0 { throw ImageError("opening extraction root \(root)", errno: errno) }
        defer { close(rootfd) }
        var err = [CChar](repeating: 0, count: 1024)
        let rc = err.withUnsafeMutableBufferPointer { e -> Int in
            var opts = bl_extract_opts(
                whiteouts: whiteouts.c, allow_devices: allowDevices ? 1 : 0, observe: observe, ctx: ctx,
                err: e.baseAddress, errlen: e.count)
            return Int(bl_extract_tar(fd, rootfd, &opts))
        }
        try cCheck(rc, "extracting", detail: err)
        return rc
    }

    /// Write an uncompressed pax tar of `dir` to `fd`; returns its digest (= diffID) and size.
    static func createTar(from dir: String, to fd: Int32) throws -> (digest: Digest, size: Int64) {
        let hashes = StreamHashes()
        var err = [CChar](repeating: 0, count: 1024)
        let rc = withExtendedLifetime(hashes) {
            Int(bl_create_tar(dir, fd, observe, Unmanaged.passUnretained(hashes).toOpaque(), &err, err.count))
        }
        try cCheck(rc, "archiving \(dir)", detail: err)
        return (Digest(hashes.tar.finalize()), hashes.tarBytes)
    }

    /// Copy-fallback: merge the snapshot tree onto the rootfs tree, applying whiteouts (bl_merge_tree).
    static func merge(snapshot: String, into rootfs: String) throws {
        let s = Glibc.open(snapshot, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if s < 0 { throw ImageError("opening snapshot \(snapshot)", errno: errno) }
        defer { close(s) }
        let d = Glibc.open(rootfs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if d < 0 { throw ImageError("opening rootfs \(rootfs)", errno: errno) }
        defer { close(d) }
        var err = [CChar](repeating: 0, count: 1024)
        let rc = bl_merge_tree(s, d, &err, err.count)
        try cCheck(Int(rc), "copying snapshot \(snapshot) into \(rootfs)", detail: err)
    }

    /// Mount overlayfs at `target`; `lowers` from bottom to top (image layer order).
    static func overlayMount(target: String, lowersBottomFirst lowers: [String], upper: String?, work: String?) throws {
        var err = [CChar](repeating: 0, count: 1024)
        let top = Array(lowers.reversed())
        let cstrs = top.map { strdup($0) }
        defer { cstrs.forEach { free($0) } }
        let rc = cstrs.map { $0.map { UnsafePointer<CChar>($0) } }.withUnsafeBufferPointer { p in
            bl_overlay_mount(target, p.baseAddress, Int32(p.count), upper, work, &err, err.count)
        }
        try cCheck(Int(rc), "mounting overlay rootfs", detail: err)
    }

    /// Can overlayfs be mounted with upper/work and whiteout-bearing lowers under `dir` (bl_overlay_probe)?
    static func probeOverlay(in dir: String) throws {
        var err = [CChar](repeating: 0, count: 1024)
        let rc = bl_overlay_probe(dir, &err, err.count)
        try cCheck(Int(rc), "probing overlayfs in \(dir)", detail: err)
    }

    /// Open `path` inside the tree `rootfd` (symlinks followed but kept inside; bl_archive_open_in_root).
    static func openInRoot(_ rootfd: Int32, _ path: String, flags: Int32 = O_RDONLY) -> Int32 {
        bl_archive_open_in_root(rootfd, path, flags)
    }
}
