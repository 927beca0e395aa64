import Crypto
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

extension ImageStore {
    /// `bootlet image export REF DIR`: write the image as an OCI image layout (image-spec "Image Layout") that
    /// skopeo (`oci:DIR:TAG`), umoci (`--image DIR:TAG`) and `bootlet image import` read. A missing or empty DIR is
    /// created; an existing layout gets the image added (a previous entry with the same name is replaced).
    /// The index entry carries `org.opencontainers.image.ref.name` = the tag (what skopeo and umoci look up) and
    /// `io.containerd.image.name` = the full reference (what `ctr export` writes; bootlet's import prefers it).
    public func export(_ name: String, to dir: String) throws {
        let dir = FS.absolute(dir)
        do {
            let image = try self.image(name)
            let ref = name.hasPrefix("sha256:") ? nil : try ImageReference(name)
            if FS.exists(dir) {
                guard FS.isDirectory(dir) else { throw ImageError("\(dir) exists and is not a directory") }
                let entries = try FS.list(dir)
                if !entries.isEmpty && !entries.contains("oci-layout") {
                    throw ImageError("\(dir) is neither empty nor an OCI image layout")
                }
            }
            try FS.mkdirs(dir + "/blobs/sha256", mode: 0o755)
            let idx = try loadIndex()
            guard let rec = idx.images[image.manifestDigest.description] else { throw ImageNotPresentError(image: name) }
            for d in [rec.manifest, rec.config] + rec.layers.map(\.blob) {
                let dst = "\(dir)/blobs/sha256/\(d.digest.hex)"
                if FS.isRegular(dst) { continue }
                let fd = try FS.open(blobPath(d.digest), O_RDONLY, step: "opening blob")
                defer { close(fd) }
                try copyBlob(from: fd, to: dst, expected: d)
            }
            try FS.writeAtomically(dir + "/oci-layout", Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
            var index = OCIIndex(schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [], annotations: nil)
            if FS.isRegular(dir + "/index.json") {
                index = try JSON.decode(OCIIndex.self, try FS.readFile(dir + "/index.json"), what: "\(dir)/index.json")
            }
            var annotations: [String: String] = [:]
            if let ref {
                annotations[Annotation.containerdName] = ref.description
                if let tag = ref.tag { annotations[Annotation.refName] = tag }
                index.manifests.removeAll {
                    $0.annotations?[Annotation.containerdName] == ref.description
                        || (ref.tag != nil && $0.annotations?[Annotation.refName] == ref.tag)
                }
            }
            index.manifests.append(Descriptor(mediaType: rec.manifest.mediaType, digest: rec.manifest.digest, size: rec.manifest.size,
                                              annotations: annotations.isEmpty ? nil : annotations, platform: rec.platform))
            try FS.writeAtomically(dir + "/index.json", try JSON.encode(index))
        } catch let e as ImageError {
            throw e.context("exporting \(name) to \(dir)")
        }
    }

    /// Copy a store blob out, verifying it on the way (a corrupt store blob is never exported).
    private func copyBlob(from fd: Int32, to dst: String, expected d: Descriptor) throws {
        let tmp = dst + ".tmp-" + FS.randomSuffix()
        let out = try FS.open(tmp, O_WRONLY | O_CREAT | O_EXCL, mode: 0o644, step: "creating")
        var ok = false
        defer {
            close(out)
            if !ok { unlink(tmp) }
        }
        let hashes = StreamHashes()
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ImageError("reading blob \(d.digest)", errno: errno)
            }
            if n == 0 { break }
            try buf.withUnsafeBytes {
                let chunk = UnsafeRawBufferPointer(rebasing: $0[0..<n])
                hashes.update(which: 0, chunk)
                try FS.writeAll(fd: out, chunk, step: "writing \(tmp)")
            }
        }
        let actual = Digest(hashes.stored.finalize())
        guard actual == d.digest else { throw ImageError("blob \(d.digest) in \(root) is corrupt: its content hashes to \(actual)") }
        if rename(tmp, dst) < 0 { throw ImageError("renaming \(tmp) to \(dst)", errno: errno) }
        ok = true
    }
}
