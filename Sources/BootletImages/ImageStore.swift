import FoundationEssentials
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The local, air-gapped image store (docs/images.md):
///
///     <root>/blobs/sha256/<hex>          content-addressed blobs (manifests, configs, layers), verified on write and use
///     <root>/index.json                  references → manifest digest, manifest digest → image record (atomic rename)
///     <root>/snapshots/<diffid-hex>/fs   unpacked layer, shared by every image with that diffID
///     <root>/containers/<id>/            per-container rootfs (overlay upper/work/rootfs, or a copy)
///     <root>/locks/{index,gc}            flock(2): index updates are serialised; importers and prepare hold `gc`
///                                        shared, garbage collection holds it exclusive
///     <root>/tmp/                        staging (same filesystem, so finished work is renamed into place)
///
/// Like containerd's content store + snapshotter, but without a daemon: every operation is a short-lived process
/// or the runner, coordinated by the lock files.
public final class ImageStore: Sendable {
    public static let defaultRoot = "/var/lib/bootlet/images"

    /// How container root filesystems are made.
    public enum RootfsMode: String, Sendable, Codable {
        /// overlayfs over the shared snapshots when the kernel and the store's filesystem allow it, else copies.
        case auto
        /// Always copy (filesystems that cannot be overlay upper dirs, or tests of the fallback).
        case copy
    }

    public let root: String
    public let rootfsMode: RootfsMode
    let logger: Logger
    /// Overlay usability, detected once per store object (nil: not probed yet).
    let overlayState = Mutex<Bool?>(nil)

    public init(root: String = ImageStore.defaultRoot, rootfsMode: RootfsMode = .auto,
                logger: Logger = Logger(label: "bootlet.images")) throws {
        var r = FS.absolute(root)
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r
        self.rootfsMode = rootfsMode
        self.logger = logger
        for d in ["", "/blobs/sha256", "/snapshots", "/containers", "/locks", "/tmp"] {
            do { try FS.mkdirs(r + d, mode: 0o700) } catch let e as ImageError { throw e.context("opening image store \(r)") }
        }
    }

    // MARK: paths

    func blobPath(_ d: Digest) -> String { "\(root)/blobs/sha256/\(d.hex)" }
    func snapshotDir(_ diffID: Digest) -> String { "\(root)/snapshots/\(diffID.hex)" }
    func snapshotFS(_ diffID: Digest) -> String { "\(root)/snapshots/\(diffID.hex)/fs" }
    func containerDir(_ id: String) -> String { "\(root)/containers/\(id)" }
    var indexPath: String { "\(root)/index.json" }
    func tempPath(_ kind: String) -> String { "\(root)/tmp/\(kind)-\(getpid())-\(FS.randomSuffix())" }

    func lockGC(exclusive: Bool) throws -> FileLock { try FileLock(path: "\(root)/locks/gc", exclusive: exclusive) }
    func lockIndex() throws -> FileLock { try FileLock(path: "\(root)/locks/index", exclusive: true) }

    // MARK: index

    struct LayerRecord: Codable, Hashable {
        var blob: Descriptor
        var diffID: Digest
    }

    struct ImageRecord: Codable {
        var manifest: Descriptor
        var config: Descriptor
        var layers: [LayerRecord]
        var platform: Platform?
        /// Seconds since the epoch.
        var imported: Int64
    }

    struct StoreIndex: Codable {
        var version = 1
        /// Canonical reference (`repo:tag` or `repo@sha256:…`) → manifest digest.
        var refs: [String: Digest] = [:]
        /// Manifest digest (`sha256:…`) → image.
        var images: [String: ImageRecord] = [:]
        /// `repo@digest` references added automatically next to each `repo:tag` (removed with the last tag).
        var autoRefs: Set<String> = []
    }

    /// Read the index. Writers replace it with rename(2), so a reader needs no lock.
    func loadIndex() throws -> StoreIndex {
        guard FS.exists(indexPath) else { return StoreIndex() }
        let data = try FS.readFile(indexPath)
        return try JSON.decode(StoreIndex.self, data, what: indexPath)
    }

    /// Read-modify-write of the index under the index lock.
    @discardableResult
    func updateIndex<T>(_ body: (inout StoreIndex) throws -> T) throws -> T {
        let lock = try lockIndex()
        defer { lock.unlock() }
        var idx = try loadIndex()
        let result = try body(&idx)
        try FS.writeAtomically(indexPath, try JSON.encodePretty(idx), mode: 0o600)
        return result
    }

    // MARK: blobs

    /// Read a small blob (manifest, config) from the store, verifying its digest: a store blob is checked every
    /// time it is used, not only when imported.
    func readBlob(_ d: Digest, limit: Int = 16 << 20) throws -> Data {
        let data = try FS.readFile(blobPath(d), limit: limit)
        let actual = Digest.of(data)
        guard actual == d else {
            throw ImageError("blob \(d) in \(root) is corrupt: its content hashes to \(actual)")
        }
        return data
    }

    /// Store `data` as a blob (no-op when present); returns its digest.
    @discardableResult
    func writeBlob(_ data: Data) throws -> Digest {
        let d = Digest.of(data)
        if !FS.isRegular(blobPath(d)) { try FS.writeAtomically(blobPath(d), data, mode: 0o644) }
        return d
    }

    // MARK: lookup

    /// Resolve what a pod spec or the CLI names: a reference (normalised) or an image ID `sha256:<config hex>`.
    /// A missing image throws `ImageNotPresentError` (kubelet reason `ErrImageNeverPull`); an unparsable name throws
    /// `ImageReference.ParseError` (kubelet reason `InvalidImageName`).
    public func image(_ name: String) throws -> Image {
        let idx = try loadIndex()
        guard let m = try resolve(name, in: idx), let rec = idx.images[m.description] else {
            throw ImageNotPresentError(image: name)
        }
        return try makeImage(rec, idx: idx)
    }

    func resolve(_ name: String, in idx: StoreIndex) throws -> Digest? {
        if name.hasPrefix("sha256:"), let id = try? Digest(parsing: name) {
            return idx.images.values.first { $0.config.digest == id }?.manifest.digest
        }
        let ref = try ImageReference(name)
        if let m = idx.refs[ref.storeKey] { return m }
        // `repo@digest` also names an image stored under another tag of the same repository (containerd does so).
        if let d = ref.digest, idx.images[d.description] != nil,
           idx.refs.contains(where: { $0.value == d && Self.repository(ofKey: $0.key) == ref.repository }) {
            return d
        }
        return nil
    }

    static func repository(ofKey key: String) -> String {
        if let at = key.firstIndex(of: "@") { return String(key[..<at]) }
        if let colon = key.lastIndex(of: ":"), !key[colon...].contains("/") { return String(key[..<colon]) }
        return key
    }

    /// All images, each with every reference that points at it.
    public func list() throws -> [Image] {
        let idx = try loadIndex()
        return try idx.images.values.map { try makeImage($0, idx: idx) }
            .sorted { ($0.references.first ?? $0.id.description) < ($1.references.first ?? $1.id.description) }
    }

    func makeImage(_ rec: ImageRecord, idx: StoreIndex) throws -> Image {
        let configData = try readBlob(rec.config.digest)
        let cfg = try JSON.decode(OCIImageConfig.self, configData, what: "image config \(rec.config.digest)")
        let refs = idx.refs.filter { $0.value == rec.manifest.digest }.map(\.key).sorted()
        return Image(
            id: rec.config.digest, manifestDigest: rec.manifest.digest,
            references: refs.filter { !$0.contains("@") }, repoDigests: refs.filter { $0.contains("@") },
            layers: rec.layers.map { Image.Layer(digest: $0.blob.digest, diffID: $0.diffID, mediaType: $0.blob.mediaType, size: $0.blob.size) },
            config: ImageConfig(cfg.config), platform: rec.platform,
            size: rec.layers.reduce(rec.config.size + rec.manifest.size) { $0 + $1.blob.size },
            created: cfg.created
        )
    }
}

/// An image in the store, as the runner and `bootlet image inspect` see it.
public struct Image: Sendable, Codable, Equatable {
    public struct Layer: Sendable, Codable, Equatable {
        public let digest: Digest
        public let diffID: Digest
        public let mediaType: String
        public let size: Int64
    }

    /// The image ID: digest of the config blob. kubelet's `status.containerStatuses[].imageID` is `sha256:<hex>` of
    /// this (docs/images.md; real-kubelet-observed.md).
    public let id: Digest
    public let manifestDigest: Digest
    /// Canonical `repository:tag` references.
    public let references: [String]
    /// `repository@sha256:<manifest>` references.
    public let repoDigests: [String]
    public let layers: [Layer]
    public let config: ImageConfig
    public let platform: Platform?
    /// Bytes of the stored blobs (manifest + config + layers as stored).
    public let size: Int64
    public let created: String?
}

/// The parts of the image config the runner uses to build the container's process (kubelet/CRI semantics:
/// pod `command` replaces Entrypoint and drops Cmd, `args` replaces Cmd).
public struct ImageConfig: Sendable, Codable, Equatable {
    public var entrypoint: [String]?
    public var cmd: [String]?
    public var env: [String]
    public var workingDir: String?
    public var user: String?
    public var stopSignal: String?
    public var labels: [String: String]
    public var exposedPorts: [String]
    public var volumes: [String]

    public init(entrypoint: [String]? = nil, cmd: [String]? = nil, env: [String] = [], workingDir: String? = nil,
                user: String? = nil, stopSignal: String? = nil, labels: [String: String] = [:],
                exposedPorts: [String] = [], volumes: [String] = []) {
        self.entrypoint = entrypoint
        self.cmd = cmd
        self.env = env
        self.workingDir = workingDir
        self.user = user
        self.stopSignal = stopSignal
        self.labels = labels
        self.exposedPorts = exposedPorts
        self.volumes = volumes
    }

    init(_ c: OCIImageConfig.Exec?) {
        self.init(
            entrypoint: c?.Entrypoint, cmd: c?.Cmd, env: c?.Env ?? [],
            workingDir: c?.WorkingDir.flatMap { $0.isEmpty ? nil : $0 }, user: c?.User.flatMap { $0.isEmpty ? nil : $0 },
            stopSignal: c?.StopSignal.flatMap { $0.isEmpty ? nil : $0 }, labels: c?.Labels ?? [:],
            exposedPorts: (c?.ExposedPorts ?? [:]).keys.sorted(), volumes: (c?.Volumes ?? [:]).keys.sorted()
        )
    }
}
