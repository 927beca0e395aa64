/// A pod volume: a name plus exactly one source. Sources bootlet does not run are kept as raw JSON so
/// validation can still count them and name them.
public struct Volume: Codable, Sendable, Equatable {
    public var name: String = ""
    public var hostPath: HostPathVolumeSource?
    public var emptyDir: EmptyDirVolumeSource?
    public var gcePersistentDisk: JSONValue?
    public var awsElasticBlockStore: JSONValue?
    public var gitRepo: JSONValue?
    public var secret: SecretVolumeSource?
    public var nfs: JSONValue?
    public var iscsi: JSONValue?
    public var glusterfs: JSONValue?
    public var persistentVolumeClaim: JSONValue?
    public var rbd: JSONValue?
    public var flexVolume: JSONValue?
    public var cinder: JSONValue?
    public var cephfs: JSONValue?
    public var flocker: JSONValue?
    public var downwardAPI: DownwardAPIVolumeSource?
    public var fc: JSONValue?
    public var azureFile: JSONValue?
    public var configMap: ConfigMapVolumeSource?
    public var vsphereVolume: JSONValue?
    public var quobyte: JSONValue?
    public var azureDisk: JSONValue?
    public var photonPersistentDisk: JSONValue?
    public var projected: ProjectedVolumeSource?
    public var portworxVolume: JSONValue?
    public var scaleIO: JSONValue?
    public var storageos: JSONValue?
    public var csi: JSONValue?
    public var ephemeral: JSONValue?
    public var image: JSONValue?

    public init(name: String) { self.name = name }

    /// The JSON keys of the sources that are set, in declaration order.
    public var sourceKinds: [String] {
        let raw: [(String, JSONValue?)] = [
            ("gcePersistentDisk", gcePersistentDisk), ("awsElasticBlockStore", awsElasticBlockStore), ("gitRepo", gitRepo),
            ("nfs", nfs), ("iscsi", iscsi), ("glusterfs", glusterfs), ("persistentVolumeClaim", persistentVolumeClaim),
            ("rbd", rbd), ("flexVolume", flexVolume), ("cinder", cinder), ("cephfs", cephfs), ("flocker", flocker),
            ("fc", fc), ("azureFile", azureFile), ("vsphereVolume", vsphereVolume), ("quobyte", quobyte),
            ("azureDisk", azureDisk), ("photonPersistentDisk", photonPersistentDisk), ("portworxVolume", portworxVolume),
            ("scaleIO", scaleIO), ("storageos", storageos), ("csi", csi), ("ephemeral", ephemeral), ("image", image),
        ]
        var kinds: [String] = []
        if hostPath != nil { kinds.append("hostPath") }
        if emptyDir != nil { kinds.append("emptyDir") }
        if secret != nil { kinds.append("secret") }
        if downwardAPI != nil { kinds.append("downwardAPI") }
        if configMap != nil { kinds.append("configMap") }
        if projected != nil { kinds.append("projected") }
        // A source given as `null` counts as absent, like a nil pointer in Go.
        kinds += raw.compactMap { $0.1 == nil || $0.1 == .null ? nil : $0.0 }
        return kinds
    }
}

public struct HostPathVolumeSource: Codable, Sendable, Equatable {
    public var path: String = ""
    /// `""` (no check), `DirectoryOrCreate`, `Directory`, `FileOrCreate`, `File`, `Socket`, `CharDevice`,
    /// `BlockDevice`. Defaulted to `""`, which Go writes out (`type: ""`) because it is a non-nil pointer.
    public var type: String?

    public init(path: String, type: String? = nil) {
        self.path = path
        self.type = type
    }

    enum CodingKeys: String, CodingKey { case path, type }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decode(String.self, forKey: .path)
        type = try c.decodeIfPresent(String.self, forKey: .type)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        if let type { try c.encode(type, forKey: .type) }
    }
}

public struct EmptyDirVolumeSource: Codable, Sendable, Equatable {
    /// `""` (node disk) or `Memory` (tmpfs).
    public var medium: String?
    public var sizeLimit: Quantity?

    public init(medium: String? = nil, sizeLimit: Quantity? = nil) {
        self.medium = medium
        self.sizeLimit = sizeLimit
    }
}

public struct KeyToPath: Codable, Sendable, Equatable {
    public var key: String = ""
    public var path: String = ""
    public var mode: Int32?
}

public struct SecretVolumeSource: Codable, Sendable, Equatable {
    public var secretName: String?
    public var items: [KeyToPath]?
    public var defaultMode: Int32?
    public var optional: Bool?
}

public struct ConfigMapVolumeSource: Codable, Sendable, Equatable {
    public var name: String?
    public var items: [KeyToPath]?
    public var defaultMode: Int32?
    public var optional: Bool?
}

public struct DownwardAPIVolumeFile: Codable, Sendable, Equatable {
    public var path: String = ""
    public var fieldRef: ObjectFieldSelector?
    public var resourceFieldRef: ResourceFieldSelector?
    public var mode: Int32?
}

public struct DownwardAPIVolumeSource: Codable, Sendable, Equatable {
    public var items: [DownwardAPIVolumeFile]?
    public var defaultMode: Int32?
}

public struct ProjectedVolumeSource: Codable, Sendable, Equatable {
    public var sources: [VolumeProjection]?
    public var defaultMode: Int32?
}

public struct VolumeProjection: Codable, Sendable, Equatable {
    public var secret: JSONValue?
    public var downwardAPI: DownwardAPIProjection?
    public var configMap: JSONValue?
    public var serviceAccountToken: JSONValue?
    public var clusterTrustBundle: JSONValue?
    public var podCertificate: JSONValue?
}

public struct DownwardAPIProjection: Codable, Sendable, Equatable {
    public var items: [DownwardAPIVolumeFile]?
}
