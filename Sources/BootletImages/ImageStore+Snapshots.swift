import Crypto
import FoundationEssentials
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

extension ImageStore {
    /// How a snapshot stores whiteouts; recorded per snapshot so a store moved between hosts stays readable.
    enum SnapshotFormat: String, Codable {
        /// overlayfs whiteouts (char 0/0, trusted.overlay.opaque): usable as an overlay lowerdir.
        case overlay
        /// `.wh.` marker files: only the copy fallback can use it.
        case markers
    }

    struct SnapshotInfo: Codable {
        var diffID: Digest
        var format: SnapshotFormat
        /// Uncompressed tar size.
        var size: Int64
        var entries: Int
    }

    /// Whether overlayfs can be used with this store's filesystem as upper dir and with overlay whiteouts in the
    /// lower dirs. Probed once per store object with a real mount in `tmp/` (the same filesystem as the snapshots);
    /// `RootfsMode.copy` disables it.
    public var overlaySupported: Bool {
        if rootfsMode == .copy { return false }
        if let known = overlayState.withLock({ $0 }) { return known }
        let ok = probeOverlay()
        overlayState.withLock { $0 = ok }
        return ok
    }

    func markOverlayUnusable(_ why: ImageError) {
        logger.warning("overlayfs unusable, falling back to copied root filesystems: \(why)")
        overlayState.withLock { $0 = false }
    }

    private func probeOverlay() -> Bool {
        let dir = tempPath("overlay-probe")
        defer { try? FS.removeTree(dir) }
        do {
            try FS.mkdirs(dir, mode: 0o700)
            try Archive.probeOverlay(in: dir)
            return true
        } catch {
            logger.info("overlayfs not usable for \(root), container root filesystems will be copies: \(error)")
            return false
        }
    }

    func snapshotInfo(_ diffID: Digest) -> SnapshotInfo? {
        let p = snapshotDir(diffID) + "/snapshot.json"
        guard let data = try? FS.readFile(p) else { return nil }
        return try? JSON.decode(SnapshotInfo.self, data, what: p)
    }

    /// Copy a blob from `fd` into the store, verifying size and digest; no-op when the store already has it.
    func storeBlob(from fd: Int32, expected d: Descriptor, source: String) throws {
        if FS.isRegular(blobPath(d.digest)) { return }
        let tmp = tempPath("blob")
        let out = try FS.open(tmp, O_WRONLY | O_CREAT | O_EXCL, mode: 0o644, step: "creating")
        var ok = false
        defer {
            close(out)
            if !ok { unlink(tmp) }
        }
        var h = SHA256()
        var size: Int64 = 0
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ImageError("reading blob \(d.digest) from \(source)", errno: errno)
            }
            if n == 0 { break }
            try buf.withUnsafeBytes { b in
                let chunk = UnsafeRawBufferPointer(rebasing: b[0..<n])
                h.update(bufferPointer: chunk)
                try FS.writeAll(fd: out, chunk, step: "writing \(tmp)")
            }
            size += Int64(n)
        }
        let actual = Digest(h.finalize())
        guard actual == d.digest else {
            throw ImageError("digest mismatch for blob \(d.digest) from \(source): its content hashes to \(actual)")
        }
        guard size == d.size else {
            throw ImageError("size mismatch for blob \(d.digest) from \(source): descriptor says \(d.size) bytes, blob has \(size)")
        }
        if fsync(out) < 0 { throw ImageError("syncing \(tmp)", errno: errno) }
        if rename(tmp, blobPath(d.digest)) < 0 { throw ImageError("renaming \(tmp) into the blob store", errno: errno) }
        ok = true
    }

    /// Move (or hardlink) a staged file, already hashed by the caller, into the blob store.
    func adoptBlob(path: String, digest: Digest, link: Bool = false) throws {
        if FS.isRegular(blobPath(digest)) { return }
        let rc = link ? Glibc.link(path, blobPath(digest)) : rename(path, blobPath(digest))
        if rc < 0 && errno != EEXIST { throw ImageError("moving \(path) into the blob store", errno: errno) }
    }

    /// sha256 of a store blob, for telling corruption apart from a bad archive after a failed unpack.
    func hashBlob(_ d: Digest) throws -> Digest {
        let fd = try FS.open(blobPath(d), O_RDONLY, step: "opening blob")
        defer { close(fd) }
        var h = SHA256()
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ImageError("reading blob \(d)", errno: errno)
            }
            if n == 0 { return Digest(h.finalize()) }
            buf.withUnsafeBytes { h.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }

    /// Unpack the layer blob into `snapshots/<diffID>` unless it is there. The blob's digest and the diffID are
    /// both checked while extracting (one read); on mismatch nothing is kept.
    /// The layer's snapshot, unpacked from its blob first if missing.
    @discardableResult
    func ensureSnapshot(layer: LayerRecord, allowDevices: Bool) throws -> SnapshotInfo {
        if let existing = snapshotInfo(layer.diffID) { return existing }
        let format: SnapshotFormat = overlaySupported ? .overlay : .markers
        let tmp = tempPath("snapshot")
        var kept = false
        defer { if !kept { try? FS.removeTree(tmp) } }
        try FS.mkdirs(tmp + "/fs", mode: 0o755)
        let fd = try FS.open(blobPath(layer.blob.digest), O_RDONLY, step: "opening layer blob")
        defer { close(fd) }
        let step = "unpacking layer \(layer.blob.digest) (diffID \(layer.diffID))"
        let result: (entries: Int, streams: Archive.Streams)
        do {
            result = try Archive.extract(fd: fd, into: tmp + "/fs", whiteouts: format == .overlay ? .overlay : .keep,
                                         allowDevices: allowDevices)
        } catch let e as ImageError {
            // The stream is verified as it is read; when it breaks early, say whether the blob itself is corrupt.
            if let actual = try? hashBlob(layer.blob.digest), actual != layer.blob.digest {
                throw ImageError("\(step): blob is corrupt: its content hashes to \(actual) (\(e))")
            }
            throw e.context(step)
        }
        guard result.streams.stored == layer.blob.digest else {
            throw ImageError("\(step): blob is corrupt: its content hashes to \(result.streams.stored)")
        }
        guard result.streams.tar == layer.diffID else {
            throw ImageError("\(step): uncompressed layer hashes to \(result.streams.tar), but the image config lists diffID \(layer.diffID)")
        }
        let info = SnapshotInfo(diffID: layer.diffID, format: format, size: result.streams.tarSize, entries: result.entries)
        try FS.writeAtomically(tmp + "/snapshot.json", try JSON.encodePretty(info), mode: 0o600)
        if rename(tmp, snapshotDir(layer.diffID)) < 0 {
            // A concurrent importer finished the same layer first.
            if errno == EEXIST || errno == ENOTEMPTY { return snapshotInfo(layer.diffID) ?? info }
            throw ImageError("\(step): moving the snapshot into place", errno: errno)
        }
        kept = true
        logger.debug("unpacked layer \(layer.diffID) (\(result.entries) entries, \(format.rawValue))")
        return info
    }
}
