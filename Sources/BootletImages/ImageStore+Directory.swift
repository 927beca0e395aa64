import BootletRuntime
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

extension ImageStore {
    /// The default `PATH` docker/buildkit give images that set none; runc/containerd would otherwise run the
    /// process with no PATH at all.
    public static let defaultPathEnv = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// `bootlet image import --from-dir DIR --tag REF`: wrap a host directory (e.g. a static etcd binary with its
    /// files) into a one-layer OCI image. The layer is an uncompressed tar (`application/vnd.oci.image.layer.v1.tar`,
    /// so its digest is its diffID): the store is local, nothing is transferred, and skipping gzip keeps import fast.
    /// Owners, modes, mtimes, xattrs and hardlinks are kept; symlinks are stored, never followed.
    public func importDirectory(_ dir: String, tag: String, config: ImageConfig, allowDevices: Bool = false) throws -> Image {
        let dir = FS.absolute(dir)
        do {
            let ref = try ImageReference(tag)
            guard FS.isDirectory(dir) else { throw ImageError("\(dir) is not a directory") }
            let gc = try lockGC(exclusive: false)
            defer { gc.unlock() }
            let tmp = tempPath("layer")
            let fd = try FS.open(tmp, O_WRONLY | O_CREAT | O_EXCL, mode: 0o644, step: "creating")
            var moved = false
            defer {
                close(fd)
                if !moved { unlink(tmp) }
            }
            let (diffID, size) = try Archive.createTar(from: dir, to: fd)
            if fsync(fd) < 0 { throw ImageError("syncing \(tmp)", errno: errno) }
            try adoptBlob(path: tmp, digest: diffID)
            moved = !FS.exists(tmp)

            var env = config.env
            if !env.contains(where: { $0.hasPrefix("PATH=") }) { env.insert(Self.defaultPathEnv, at: 0) }
            let platform = Platform.host
            let created = Timestamp.now(fraction: false)
            let exec = OCIImageConfig.Exec(
                User: config.user, ExposedPorts: config.exposedPorts.isEmpty ? nil : Dictionary(uniqueKeysWithValues: config.exposedPorts.map { ($0, EmptyObject()) }),
                Env: env, Entrypoint: config.entrypoint, Cmd: config.cmd,
                Volumes: config.volumes.isEmpty ? nil : Dictionary(uniqueKeysWithValues: config.volumes.map { ($0, EmptyObject()) }),
                WorkingDir: config.workingDir, Labels: config.labels.isEmpty ? nil : config.labels, StopSignal: config.stopSignal
            )
            let cfg = OCIImageConfig(
                created: created, author: nil, architecture: platform.architecture, os: platform.os, variant: platform.variant,
                config: exec, rootfs: .init(type: "layers", diff_ids: [diffID]),
                history: [.init(created: created, created_by: "bootlet image import --from-dir \(dir)", comment: nil, empty_layer: nil)]
            )
            let cdata = try JSON.encode(cfg)
            let cdesc = Descriptor(mediaType: MediaType.ociConfig, digest: try writeBlob(cdata), size: Int64(cdata.count))
            let manifest = OCIManifest(
                schemaVersion: 2, mediaType: MediaType.ociManifest, config: cdesc,
                layers: [Descriptor(mediaType: MediaType.ociLayer, digest: diffID, size: size)]
            )
            let mdata = try JSON.encode(manifest)
            let mdesc = Descriptor(mediaType: MediaType.ociManifest, digest: Digest.of(mdata), size: Int64(mdata.count))
            // The store itself is the blob source: the layer and config are already in blobs/.
            let src = try BlobDir(path: root)
            defer { src.close() }
            let (img, dropped) = try importManifest(mdesc, manifestData: mdata, from: src, names: [ref],
                                                    options: ImportOptions(tag: tag, allowDevices: allowDevices, platform: platform))
            gc.unlock()
            if dropped { try collectGarbage() }
            return img
        } catch let e as ImageError {
            throw e.context("importing directory \(dir) as \(tag)")
        }
    }
}
