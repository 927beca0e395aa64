import CBootletArchive
import Crypto
import FoundationEssentials
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Options of `bootlet image import`.
public struct ImportOptions: Sendable {
    /// Name for the imported image, overriding the archive's names (needed when the archive names none or only a tag).
    public var tag: String?
    /// Accept character/block device nodes in layers (refused by default; docs/images.md "Security policy").
    public var allowDevices: Bool
    /// Platform to select from multi-platform indexes.
    public var platform: Platform

    public init(tag: String? = nil, allowDevices: Bool = false, platform: Platform = .host) {
        self.tag = tag
        self.allowDevices = allowDevices
        self.platform = platform
    }
}

/// A directory tree that holds blobs: an OCI image layout, or a staged `docker save` / OCI archive. Every open goes
/// through openat2(RESOLVE_IN_ROOT): symlinks in the tree (docker save links duplicate layers) stay inside it.
struct BlobDir {
    let rootfd: Int32
    let name: String
    var paths: [Digest: String] = [:]

    init(path: String) throws {
        rootfd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if rootfd < 0 { throw ImageError("opening \(path)", errno: errno) }
        name = path
    }

    func close() { _ = Glibc.close(rootfd) }

    func open(_ rel: String) throws -> Int32 {
        let fd = Archive.openInRoot(rootfd, rel)
        if fd < 0 { throw ImageError("opening \(rel) in \(name)", errno: -fd) }
        return fd
    }

    func exists(_ rel: String) -> Bool {
        let fd = Archive.openInRoot(rootfd, rel, flags: Int32(BL_O_PATH))
        if fd >= 0 { Glibc.close(fd) }
        return fd >= 0
    }

    func read(_ rel: String, limit: Int = 16 << 20) throws -> Data {
        let fd = try open(rel)
        defer { Glibc.close(fd) }
        let data = try FS.readAll(fd: fd, step: "reading \(rel) in \(name)")
        if data.count > limit { throw ImageError("reading \(rel) in \(name): larger than \(limit) bytes") }
        return data
    }

    func path(of d: Digest) -> String { paths[d] ?? "blobs/sha256/\(d.hex)" }

    func openBlob(_ d: Digest) throws -> Int32 { try open(path(of: d)) }

    /// Read a small blob, checking digest and size against its descriptor.
    func readBlob(_ d: Descriptor, what: String) throws -> Data {
        guard d.size >= 0, d.size <= 16 << 20 else { throw ImageError("\(what) \(d.digest) in \(name): size \(d.size) out of range") }
        let data = try read(path(of: d.digest))
        let actual = Digest.of(data)
        guard actual == d.digest else {
            throw ImageError("digest mismatch for \(what) \(d.digest) in \(name): its content hashes to \(actual)")
        }
        guard Int64(data.count) == d.size else {
            throw ImageError("size mismatch for \(what) \(d.digest) in \(name): descriptor says \(d.size) bytes, blob has \(data.count)")
        }
        return data
    }
}

extension ImageStore {
    /// `bootlet image import PATH`: an OCI image layout directory, a `docker save` tar (plain or compressed), an OCI
    /// archive (tar of a layout), or an unpacked `docker save` directory.
    public func importPath(_ path: String, options: ImportOptions = ImportOptions()) throws -> [Image] {
        let path = FS.absolute(path)
        do {
            guard let mode = FS.lstatMode(path) ?? statMode(path) else { throw ImageError("opening \(path)", errno: ENOENT) }
            if mode & S_IFMT == S_IFDIR || statMode(path).map({ $0 & S_IFMT == S_IFDIR }) == true {
                let src = try BlobDir(path: path)
                defer { src.close() }
                return try importTree(src, options: options)
            }
            return try importArchive(path, options: options)
        } catch let e as ImageError {
            throw e.context("importing \(path)")
        }
    }

    private func statMode(_ path: String) -> mode_t? {
        var st = stat()
        return stat(path, &st) == 0 ? st.st_mode : nil
    }

    /// Stage a tar (docker save / OCI archive) under tmp/ with the same contained extractor, then import the tree.
    func importArchive(_ path: String, options: ImportOptions) throws -> [Image] {
        let gc = try lockGC(exclusive: false)
        defer { gc.unlock() }
        let stage = tempPath("stage")
        defer { try? FS.removeTree(stage) }
        try FS.mkdirs(stage, mode: 0o700)
        let fd = try FS.open(path, O_RDONLY, step: "opening")
        defer { close(fd) }
        do {
            try Archive.extractUnhashed(fd: fd, into: stage, whiteouts: .literal, allowDevices: false)
        } catch let e as ImageError {
            throw e.context("reading the archive")
        }
        let src = try BlobDir(path: stage)
        defer { src.close() }
        return try importTree(src, options: options, staged: true, holdingGC: true)
    }

    func importTree(_ src: BlobDir, options: ImportOptions, staged: Bool = false, holdingGC: Bool = false) throws -> [Image] {
        var dropped = false
        let images: [Image]
        do {
            let gc = holdingGC ? nil : try lockGC(exclusive: false)
            defer { gc?.unlock() }
            if src.exists("manifest.json") {
                (images, dropped) = try importDockerSave(src, options: options, staged: staged)
            } else if src.exists("oci-layout") || src.exists("index.json") {
                (images, dropped) = try importLayout(src, options: options)
            } else {
                throw ImageError("not an image: no manifest.json (docker save) nor oci-layout/index.json (OCI image layout)")
            }
        }
        if dropped && !holdingGC { try collectGarbage() }
        return images
    }

    // MARK: OCI image layout

    func importLayout(_ src: BlobDir, options: ImportOptions) throws -> ([Image], Bool) {
        if src.exists("oci-layout") {
            struct LayoutFile: Codable { var imageLayoutVersion: String }
            let lf = try JSON.decode(LayoutFile.self, try src.read("oci-layout"), what: "oci-layout")
            guard lf.imageLayoutVersion.hasPrefix("1.") else {
                throw ImageError("unsupported OCI image layout version \(lf.imageLayoutVersion)")
            }
        }
        let index = try JSON.decode(OCIIndex.self, try src.read("index.json"), what: "index.json")
        // One image per name; descriptors without a name form one group that needs --tag.
        var groups: [(name: String?, descs: [Descriptor])] = []
        for d in index.manifests {
            let name = d.annotations?[Annotation.containerdName] ?? d.annotations?[Annotation.refName]
            if let i = groups.firstIndex(where: { $0.name == name }) { groups[i].descs.append(d) } else { groups.append((name, [d])) }
        }
        guard !groups.isEmpty else { throw ImageError("index.json lists no images") }
        if options.tag != nil && groups.count > 1 {
            throw ImageError("the layout holds \(groups.count) images (\(groups.map { $0.name ?? "<unnamed>" }.joined(separator: ", "))); --tag names a single image")
        }
        var images: [Image] = []
        var dropped = false
        for g in groups {
            let names: [ImageReference]
            if let tag = options.tag {
                names = [try ImageReference(tag)]
            } else if let n = g.name, n.contains("/") || n.contains(":") || n.contains("@") {
                names = [try ImageReference(n)]
            } else if let n = g.name {
                throw ImageError("the layout names an image only by the tag \"\(n)\" (\(Annotation.refName)); pass --tag REPOSITORY[:TAG]")
            } else {
                throw ImageError("the layout has an image without a name (\(Annotation.refName) annotation); pass --tag REPOSITORY[:TAG]")
            }
            var leaves: [(Descriptor, Platform?)] = []
            for d in g.descs { try collectManifests(d, platform: d.platform, src: src, depth: 0, into: &leaves) }
            let manifest = try selectPlatform(leaves, options.platform, what: g.name ?? "image")
            let (img, d) = try importManifest(manifest, manifestData: nil, from: src, names: names, options: options)
            images.append(img)
            dropped = dropped || d
        }
        return (images, dropped)
    }

    /// Flatten nested indexes into manifests with the platform their parent index gave them.
    func collectManifests(_ d: Descriptor, platform: Platform?, src: BlobDir, depth: Int, into out: inout [(Descriptor, Platform?)]) throws {
        guard depth < 8 else { throw ImageError("image indexes nested deeper than 8 levels") }
        if d.annotations?["vnd.docker.reference.type"] == "attestation-manifest" { return }
        if MediaType.indexes.contains(d.mediaType) {
            let idx = try JSON.decode(OCIIndex.self, try src.readBlob(d, what: "index"), what: "image index \(d.digest)")
            for m in idx.manifests { try collectManifests(m, platform: m.platform ?? platform, src: src, depth: depth + 1, into: &out) }
        } else if MediaType.manifests.contains(d.mediaType) {
            out.append((d, platform))
        } else {
            throw ImageError("unsupported manifest media type \(d.mediaType) for \(d.digest)")
        }
    }

    /// containerd's platform matching, reduced to what a host needs: same os and architecture; an exact variant
    /// (or none) beats another variant; a manifest without a platform is accepted and checked against its config.
    func selectPlatform(_ leaves: [(Descriptor, Platform?)], _ want: Platform, what: String) throws -> Descriptor {
        func score(_ p: Platform?) -> Int? {
            guard let p else { return 1 }
            guard p.os == want.os, p.architecture == want.architecture else { return nil }
            return p.variant == want.variant || p.variant == nil ? 3 : 2
        }
        let ranked = leaves.compactMap { l in score(l.1).map { (l.0, $0) } }
        guard let best = ranked.max(by: { $0.1 < $1.1 }) else {
            let have = leaves.compactMap { $0.1?.description }.joined(separator: ", ")
            throw ImageError("\(what) has no manifest for \(want) (it has: \(have.isEmpty ? "none" : have))")
        }
        return best.0
    }

    // MARK: docker save

    func importDockerSave(_ src: BlobDir, options: ImportOptions, staged: Bool) throws -> ([Image], Bool) {
        let entries = try JSON.decode([DockerSaveManifest].self, try src.read("manifest.json"), what: "manifest.json")
        guard !entries.isEmpty else { throw ImageError("manifest.json lists no images") }
        if options.tag != nil && entries.count > 1 {
            throw ImageError("the archive holds \(entries.count) images; --tag names a single image")
        }
        var images: [Image] = []
        var dropped = false
        for e in entries {
            let names: [ImageReference]
            if let tag = options.tag {
                names = [try ImageReference(tag)]
            } else if let tags = e.RepoTags, !tags.isEmpty {
                names = try tags.map { try ImageReference($0) }
            } else {
                throw ImageError("image \(e.Config) in manifest.json has no RepoTags; pass --tag REPOSITORY[:TAG]")
            }
            var blobs = src
            let configData = try src.read(e.Config)
            let configDesc = Descriptor(mediaType: MediaType.ociConfig, digest: Digest.of(configData), size: Int64(configData.count))
            blobs.paths[configDesc.digest] = e.Config
            var layers: [Descriptor] = []
            for l in e.Layers {
                let (d, size, type) = try hashMember(src, l)
                blobs.paths[d] = l
                layers.append(Descriptor(mediaType: type, digest: d, size: size))
                // A staged archive lives on the store's filesystem: hardlink a regular member into the blob store
                // instead of copying it (a symlinked member, docker save's shared layer, is copied if still needed).
                if staged, FS.lstatMode("\(src.name)/\(l)").map({ $0 & S_IFMT == S_IFREG }) == true {
                    try adoptBlob(path: "\(src.name)/\(l)", digest: d, link: true)
                }
            }
            let manifest = OCIManifest(schemaVersion: 2, mediaType: MediaType.ociManifest, config: configDesc, layers: layers)
            let mdata = try JSON.encode(manifest)
            let mdesc = Descriptor(mediaType: MediaType.ociManifest, digest: Digest.of(mdata), size: Int64(mdata.count))
            let (img, d) = try importManifest(mdesc, manifestData: mdata, from: blobs, names: names, options: options)
            images.append(img)
            dropped = dropped || d
        }
        return (images, dropped)
    }

    /// Digest, size and layer media type (by magic bytes: docker save layers are usually plain tars).
    private func hashMember(_ src: BlobDir, _ rel: String) throws -> (Digest, Int64, String) {
        let fd = try src.open(rel)
        defer { close(fd) }
        var h = Crypto.SHA256()
        var size: Int64 = 0
        var head: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ImageError("reading \(rel) in \(src.name)", errno: errno)
            }
            if n == 0 { break }
            if head.count < 4 { head += buf[0..<min(n, 4 - head.count)] }
            buf.withUnsafeBytes { h.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            size += Int64(n)
        }
        let type: String
        if head.starts(with: [0x1f, 0x8b]) { type = MediaType.ociLayerGzip }
        else if head.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) { type = MediaType.ociLayerZstd }
        else { type = MediaType.ociLayer }
        return (Digest(h.finalize()), size, type)
    }

    // MARK: common

    /// Verify and store one image (manifest, config, layers), unpack its layers, and point `names` at it.
    /// Returns the image and whether a re-tag left another image without tags (garbage to collect).
    func importManifest(_ mdesc: Descriptor, manifestData: Data?, from src: BlobDir, names: [ImageReference],
                        options: ImportOptions) throws -> (Image, Bool) {
        let mdata = try manifestData ?? src.readBlob(mdesc, what: "manifest")
        let manifest = try JSON.decode(OCIManifest.self, mdata, what: "manifest \(mdesc.digest)")
        let mtype = manifest.mediaType ?? mdesc.mediaType
        guard MediaType.manifests.contains(mtype) else { throw ImageError("unsupported manifest media type \(mtype)") }
        let cdata = try src.readBlob(manifest.config, what: "config")
        let config = try JSON.decode(OCIImageConfig.self, cdata, what: "image config \(manifest.config.digest)")
        if let os = config.os, let arch = config.architecture,
           os != options.platform.os || arch != options.platform.architecture {
            throw ImageError("image \(manifest.config.digest) is for \(os)/\(arch), this host runs \(options.platform)")
        }
        guard config.rootfs.type == "layers" else { throw ImageError("image config rootfs.type is \"\(config.rootfs.type)\", want \"layers\"") }
        guard config.rootfs.diff_ids.count == manifest.layers.count else {
            throw ImageError("manifest lists \(manifest.layers.count) layers but the config lists \(config.rootfs.diff_ids.count) diffIDs")
        }
        for l in manifest.layers where !MediaType.layers.contains(l.mediaType) {
            throw ImageError("layer \(l.digest) has unsupported media type \(l.mediaType) (supported: tar, tar+gzip, tar+zstd)")
        }
        for n in names {
            if let d = n.digest, d != mdesc.digest {
                throw ImageError("reference \(n) names manifest \(d), but the image's manifest is \(mdesc.digest)")
            }
        }
        let layers = zip(manifest.layers, config.rootfs.diff_ids).map { LayerRecord(blob: $0.0, diffID: $0.1) }
        for l in layers where !FS.isRegular(blobPath(l.blob.digest)) {
            let fd = try src.openBlob(l.blob.digest)
            defer { close(fd) }
            try storeBlob(from: fd, expected: l.blob, source: src.name)
        }
        for l in layers { try ensureSnapshot(layer: l, allowDevices: options.allowDevices) }
        try writeBlob(cdata)
        try writeBlob(mdata)
        let rec = ImageRecord(manifest: Descriptor(mediaType: mtype, digest: mdesc.digest, size: Int64(mdata.count)),
                              config: manifest.config, layers: layers,
                              platform: Platform(os: config.os ?? options.platform.os, architecture: config.architecture ?? options.platform.architecture, variant: config.variant),
                              imported: Int64(time(nil)))
        let (idx, dropped) = try updateIndex { idx -> (StoreIndex, Bool) in
            idx.images[mdesc.digest.description] = rec
            for n in names {
                idx.refs[n.storeKey] = mdesc.digest
                idx.autoRefs.remove(n.storeKey)
                let auto = "\(n.repository)@\(mdesc.digest)"
                if idx.refs[auto] == nil {
                    idx.refs[auto] = mdesc.digest
                    idx.autoRefs.insert(auto)
                }
            }
            let dropped = Self.pruneUntagged(&idx)
            return (idx, dropped)
        }
        logger.debug("imported \(names.map(\.description).joined(separator: ", ")) as \(manifest.config.digest)")
        return (try makeImage(rec, idx: idx), dropped)
    }

    /// Drop images that only automatic `repo@digest` references still name (a re-tag moved their last tag), with
    /// those references: `docker load` would leave such an image dangling as `<none>`; a store without a pull has
    /// no use for it. References the user gave with a digest are explicit and keep their image.
    static func pruneUntagged(_ idx: inout StoreIndex) -> Bool {
        var dropped = false
        for m in Array(idx.images.keys) {
            let refs = idx.refs.filter { $0.value.description == m }.map(\.key)
            guard refs.allSatisfy({ idx.autoRefs.contains($0) }) else { continue }
            for k in refs {
                idx.refs[k] = nil
                idx.autoRefs.remove(k)
            }
            idx.images[m] = nil
            dropped = true
        }
        return dropped
    }
}
