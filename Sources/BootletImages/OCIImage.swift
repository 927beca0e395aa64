import FoundationEssentials

/// OCI image-spec (and Docker schema 2) JSON documents, as far as the store reads or writes them. Unknown fields
/// are ignored when reading; stored blobs keep their original bytes, so nothing is lost on export.
public enum MediaType {
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"

    static let indexes: Set<String> = [ociIndex, dockerManifestList]
    static let manifests: Set<String> = [ociManifest, dockerManifest]
    /// Layer types bootlet unpacks: tar, gzip and zstd. Foreign/non-distributable layers (which name URLs to fetch
    /// from) and other compressions are refused with a clear error.
    static let layers: Set<String> = [
        ociLayer, ociLayerGzip, ociLayerZstd, dockerLayerGzip, "application/vnd.docker.image.rootfs.diff.tar",
    ]
}

public enum Annotation {
    public static let refName = "org.opencontainers.image.ref.name"
    /// containerd's full image name on `ctr export` descriptors; bootlet writes it too so exports round-trip.
    public static let containerdName = "io.containerd.image.name"
}

public struct Platform: Codable, Hashable, Sendable, CustomStringConvertible {
    public var architecture: String
    public var os: String
    public var variant: String?

    enum CodingKeys: String, CodingKey { case architecture, os, variant }

    public init(os: String, architecture: String, variant: String? = nil) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
    }

    /// The platform this binary runs on (Go's GOARCH names, as in image indexes).
    public static var host: Platform {
        #if arch(x86_64)
        return Platform(os: "linux", architecture: "amd64")
        #elseif arch(arm64)
        return Platform(os: "linux", architecture: "arm64", variant: "v8")
        #else
        return Platform(os: "linux", architecture: "unknown")
        #endif
    }

    public var description: String { "\(os)/\(architecture)" + (variant.map { "/\($0)" } ?? "") }
}

public struct Descriptor: Codable, Hashable, Sendable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var annotations: [String: String]?
    public var platform: Platform?
    public var urls: [String]?

    public init(mediaType: String, digest: Digest, size: Int64, annotations: [String: String]? = nil, platform: Platform? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
        self.platform = platform
    }
}

struct OCIIndex: Codable {
    var schemaVersion: Int
    var mediaType: String?
    var manifests: [Descriptor]
    var annotations: [String: String]?
}

struct OCIManifest: Codable {
    var schemaVersion: Int
    var mediaType: String?
    var config: Descriptor
    var layers: [Descriptor]
    var annotations: [String: String]?
}

struct EmptyObject: Codable, Hashable {}

/// The image configuration (`application/vnd.oci.image.config.v1+json`, same keys as Docker's).
struct OCIImageConfig: Codable {
    struct Exec: Codable {
        var User: String?
        var ExposedPorts: [String: EmptyObject]?
        var Env: [String]?
        var Entrypoint: [String]?
        var Cmd: [String]?
        var Volumes: [String: EmptyObject]?
        var WorkingDir: String?
        var Labels: [String: String]?
        var StopSignal: String?
    }
    struct RootFS: Codable {
        var type: String
        var diff_ids: [Digest]
    }
    struct History: Codable {
        var created: String?
        var created_by: String?
        var comment: String?
        var empty_layer: Bool?
    }
    var created: String?
    var author: String?
    var architecture: String?
    var os: String?
    var variant: String?
    var config: Exec?
    var rootfs: RootFS
    var history: [History]?
}

/// `docker save`'s manifest.json entry.
struct DockerSaveManifest: Codable {
    var Config: String
    var RepoTags: [String]?
    var Layers: [String]
}

enum JSON {
    static func decode<T: Decodable>(_ type: T.Type, _ data: Data, what: @autoclosure () -> String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw ImageError("parsing \(what()): \(error)")
        }
    }

    /// Deterministic bytes (sorted keys, no escaped slashes): the digest of what bootlet writes is reproducible.
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try e.encode(value)
        } catch {
            throw ImageError("encoding JSON: \(error)")
        }
    }

    static func encodePretty<T: Encodable>(_ value: T) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        do {
            return try e.encode(value)
        } catch {
            throw ImageError("encoding JSON: \(error)")
        }
    }
}
