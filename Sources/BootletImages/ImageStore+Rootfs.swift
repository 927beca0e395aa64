import FoundationEssentials
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A container root filesystem made by `ImageStore.prepare`.
public struct PreparedRootfs: Sendable, Equatable {
    public enum Mode: String, Sendable, Codable {
        /// overlayfs: the image's snapshots as lowerdirs, a per-container upper/work dir.
        case overlay
        /// A private copy of the merged layers (overlay unavailable).
        case copy
    }

    public let containerID: String
    /// The directory to use as the OCI bundle's `root.path`.
    public let path: String
    public let mode: Mode
}

extension ImageStore {
    struct ContainerRecord: Codable {
        var containerID: String
        var image: Digest
        var snapshots: [Digest]
        var mode: PreparedRootfs.Mode
    }

    func containerRecord(_ id: String) throws -> ContainerRecord {
        let p = containerDir(id) + "/container.json"
        return try JSON.decode(ContainerRecord.self, try FS.readFile(p), what: p)
    }

    static func validContainerID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128 && id != "." && id != ".." && id.utf8.allSatisfy {
            ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95 || $0 == 46
        }
    }

    /// Make the root filesystem for a container: an overlay mount of the image's layer snapshots with a private
    /// upper dir (containerd's overlayfs snapshotter), or, where overlay is unusable, a copy of the merged layers.
    /// Reuses the snapshots unpacked at import, so repeated prepares cost one mount. Missing snapshots (removed by
    /// hand) are unpacked again from the verified blobs. The image must be present (`ImageNotPresentError`).
    public func prepare(image name: String, containerID: String) throws -> PreparedRootfs {
        guard Self.validContainerID(containerID) else {
            throw ImageError("preparing rootfs: invalid container ID \"\(containerID)\" (want [A-Za-z0-9_.-], at most 128)")
        }
        let gc = try lockGC(exclusive: false)
        defer { gc.unlock() }
        let idx = try loadIndex()
        guard let manifest = try resolve(name, in: idx), let rec = idx.images[manifest.description] else {
            throw ImageNotPresentError(image: name)
        }
        let step = "preparing rootfs of container \(containerID) from \(name)"
        let dir = containerDir(containerID)
        if mkdir(dir, 0o700) < 0 {
            if errno == EEXIST { throw ImageError("\(step): \(dir) exists (release the container first)", errno: EEXIST) }
            throw ImageError("\(step): creating \(dir)", errno: errno)
        }
        var done = false
        defer { if !done { try? releaseLocked(containerID) } }
        do {
            let snapshots = try rec.layers.map { try ensureSnapshot(layer: $0, allowDevices: false) }
            let allOverlay = snapshots.allSatisfy { $0.format == .overlay }
            // Overlay-format snapshots mean the import-time probe succeeded on this store: try the mount directly
            // (no second probe on the container-start path); a failure falls back to copying and is remembered.
            let overlayKnownBad = overlayState.withLock { $0 } == false
            var mode: PreparedRootfs.Mode = allOverlay && rootfsMode != .copy && !overlayKnownBad ? .overlay : .copy
            let record = { (m: PreparedRootfs.Mode) in
                ContainerRecord(containerID: containerID, image: manifest, snapshots: rec.layers.map(\.diffID), mode: m)
            }
            // Record first: from here on GC treats the snapshots as in use. Not fsynced: after a crash the mount
            // is gone too, and the runner releases and prepares again (container start is the hot path).
            try FS.writeAtomically(dir + "/container.json", try JSON.encode(record(mode)), mode: 0o600, durable: false)
            let rootfs = dir + "/rootfs"
            if mkdir(rootfs, 0o755) < 0 { throw ImageError("creating \(rootfs)", errno: errno) }
            if mode == .overlay {
                do {
                    for d in ["upper", "work"] where mkdir("\(dir)/\(d)", 0o755) < 0 {
                        throw ImageError("creating \(dir)/\(d)", errno: errno)
                    }
                    try Archive.overlayMount(target: rootfs, lowersBottomFirst: rec.layers.map { snapshotFS($0.diffID) },
                                             upper: dir + "/upper", work: dir + "/work")
                } catch let e as ImageError {
                    markOverlayUnusable(e)
                    mode = .copy
                    try FS.writeAtomically(dir + "/container.json", try JSON.encode(record(mode)), mode: 0o600, durable: false)
                }
            }
            if mode == .copy {
                for l in rec.layers { try Archive.merge(snapshot: snapshotFS(l.diffID), into: rootfs) }
            }
            done = true
            return PreparedRootfs(containerID: containerID, path: rootfs, mode: mode)
        } catch let e as ImageError {
            throw e.context(step)
        }
    }

    /// Unmount and delete a container's rootfs (and its overlay upper dir). Missing is success (idempotent, like
    /// `runc delete` of a gone container). Snapshots it used become collectable once no image needs them.
    public func release(containerID: String) throws {
        guard Self.validContainerID(containerID) else { throw ImageError("releasing rootfs: invalid container ID \"\(containerID)\"") }
        let gc = try lockGC(exclusive: false)
        defer { gc.unlock() }
        try releaseLocked(containerID)
    }

    func releaseLocked(_ containerID: String) throws {
        let dir = containerDir(containerID)
        guard FS.exists(dir) else { return }
        let rootfs = dir + "/rootfs"
        if umount2(rootfs, Int32(UMOUNT_NOFOLLOW)) < 0 && errno != EINVAL && errno != ENOENT {
            // Busy (a process still has it open): detach it so the directory can go; the kernel frees it later.
            if errno != EBUSY || umount2(rootfs, Int32(MNT_DETACH | UMOUNT_NOFOLLOW)) < 0 {
                throw ImageError("releasing rootfs of container \(containerID): unmounting \(rootfs)", errno: errno)
            }
        }
        do { try FS.removeTree(dir) } catch let e as ImageError { throw e.context("releasing rootfs of container \(containerID)") }
    }
}
