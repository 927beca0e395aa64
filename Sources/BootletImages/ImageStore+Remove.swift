import FoundationEssentials
import Logging
#if canImport(Glibc)
import Glibc
#endif

extension ImageStore {
    /// What `remove` did.
    public struct RemoveResult: Sendable, Equatable {
        /// References removed.
        public var untagged: [String]
        /// Image IDs no longer in the store.
        public var deleted: [Digest]
    }

    /// `bootlet image remove REF`: remove a reference (`repo:tag`: that tag; `repo@digest`: every reference of that
    /// repository to that image; `sha256:<id>`: every reference to the image), then collect garbage: blobs and
    /// snapshots that no image and no prepared container uses are deleted. Containers keep their snapshots until
    /// `release` (as containerd's leases do), so removing a running pod's image is safe.
    @discardableResult
    public func remove(_ name: String) throws -> RemoveResult {
        do {
            let result = try updateIndex { idx -> RemoveResult in
                guard let m = try resolve(name, in: idx) else { throw ImageNotPresentError(image: name) }
                var keys: [String]
                if name.hasPrefix("sha256:") {
                    keys = idx.refs.filter { $0.value == m }.map(\.key)
                } else {
                    let ref = try ImageReference(name)
                    keys = ref.digest != nil
                        ? idx.refs.filter { $0.value == m && Self.repository(ofKey: $0.key) == ref.repository }.map(\.key)
                        : [ref.storeKey]
                }
                for k in keys {
                    idx.refs[k] = nil
                    idx.autoRefs.remove(k)
                }
                // The repository's automatic digest reference goes with its last tag.
                for repo in Set(keys.map { Self.repository(ofKey: $0) }) {
                    let rest = idx.refs.filter { $0.value == m && Self.repository(ofKey: $0.key) == repo }
                    if rest.keys.allSatisfy({ idx.autoRefs.contains($0) }) {
                        for k in rest.keys {
                            idx.refs[k] = nil
                            idx.autoRefs.remove(k)
                            keys.append(k)
                        }
                    }
                }
                var deleted: [Digest] = []
                if !idx.refs.values.contains(m), let rec = idx.images[m.description] {
                    idx.images[m.description] = nil
                    deleted.append(rec.config.digest)
                }
                return RemoveResult(untagged: keys.sorted(), deleted: deleted)
            }
            try collectGarbage()
            return result
        } catch let e as ImageError {
            throw e.context("removing image \(name)")
        }
    }

    /// Mark and sweep: live blobs are those of indexed images, live snapshots those of indexed images and of
    /// prepared containers. Runs with the gc lock exclusive, so no import or prepare is half-way.
    public func collectGarbage() throws {
        let gc = try lockGC(exclusive: true)
        defer { gc.unlock() }
        let idx = try loadIndex()
        var liveBlobs = Set<String>()
        var liveSnapshots = Set<String>()
        for rec in idx.images.values {
            liveBlobs.insert(rec.manifest.digest.hex)
            liveBlobs.insert(rec.config.digest.hex)
            for l in rec.layers {
                liveBlobs.insert(l.blob.digest.hex)
                liveSnapshots.insert(l.diffID.hex)
            }
        }
        for c in try FS.list("\(root)/containers") {
            guard let rec = try? containerRecord(c) else { continue }
            for s in rec.snapshots { liveSnapshots.insert(s.hex) }
        }
        for b in try FS.list("\(root)/blobs/sha256") where !liveBlobs.contains(b) {
            try FS.removeTree("\(root)/blobs/sha256/\(b)")
        }
        for s in try FS.list("\(root)/snapshots") where !liveSnapshots.contains(s) {
            try FS.removeTree("\(root)/snapshots/\(s)")
            logger.debug("removed unused snapshot \(s)")
        }
        // Nothing is staging while we hold the lock exclusively: leftovers are from interrupted imports.
        for t in try FS.list("\(root)/tmp") { try FS.removeTree("\(root)/tmp/\(t)") }
    }
}
