import BootletRuntime
import KubeModel

#if canImport(Glibc)
import Glibc
#endif

/// configMap, secret, projected and downwardAPI volumes.
///
/// Without an API server there is nothing to fetch ConfigMaps and Secrets from, and kubelet refuses static pods
/// that reference them. bootlet serves them from node checkpoint directories — which the bootstrap fills for the
/// control-plane pods it checkpoints (bootkube's pod-checkpointer converted them to hostPath volumes instead):
///
///     <root-dir>/checkpoints/configmaps/<namespace>/<name>/<key>
///     <root-dir>/checkpoints/secrets/<namespace>/<name>/<key>
///
/// A missing (non-optional) source is a clear container error, as kubelet's "configmap \"x\" not found". The
/// files are written with kubelet's AtomicWriter layout (`..<timestamp>/`, `..data` symlink, top-level symlinks)
/// at every container start, read-only, default mode 0644, group-owned by `fsGroup` when set.
extension Kubelet {
    var checkpointRoot: String { config.rootDir + "/checkpoints" }

    struct ProjectedFile {
        var path: String
        var bytes: [UInt8]
        var mode: Int32
    }

    func checkpointVolume(_ rec: PodRecord, _ v: Volume) throws -> ResolvedVolume {
        var files: [ProjectedFile] = []
        let plugin: String
        if let cm = v.configMap {
            plugin = "kubernetes.io/configmap"
            files = try sourceFiles(rec, kind: "configmap", name: cm.name ?? "", items: cm.items, optional: cm.optional == true,
                                    mode: cm.defaultMode ?? 0o644, volume: v.name)
        } else if let s = v.secret {
            plugin = "kubernetes.io/secret"
            files = try sourceFiles(rec, kind: "secret", name: s.secretName ?? "", items: s.items, optional: s.optional == true,
                                    mode: s.defaultMode ?? 0o644, volume: v.name)
        } else if let p = v.projected {
            plugin = "kubernetes.io/projected"
            let mode = p.defaultMode ?? 0o644
            for src in p.sources ?? [] {
                if let raw = src.configMap {
                    let cm = try JSONValueDecoder().decode(ProjectionRef.self, from: raw)
                    files += try sourceFiles(rec, kind: "configmap", name: cm.name ?? "", items: cm.items, optional: cm.optional == true,
                                             mode: mode, volume: v.name)
                } else if let raw = src.secret {
                    let s = try JSONValueDecoder().decode(ProjectionRef.self, from: raw)
                    files += try sourceFiles(rec, kind: "secret", name: s.name ?? "", items: s.items, optional: s.optional == true,
                                             mode: mode, volume: v.name)
                } else if let d = src.downwardAPI {
                    files += try downwardFiles(rec, d.items ?? [], mode: mode, volume: v.name)
                } else {
                    throw SpecError(reason: ContainerReason.createContainerConfigError,
                                    message: "volume \"\(v.name)\": projected source not available without an API server", object: v.name)
                }
            }
        } else {
            throw SpecError(reason: ContainerReason.createContainerConfigError, message: "volume \"\(v.name)\": unsupported", object: v.name)
        }
        let dir = dirs.volumeDir(rec.uid, plugin: plugin, name: v.name)
        try atomicWrite(dir: dir, files: files, fsGroup: rec.pod.spec.securityContext?.fsGroup)
        return ResolvedVolume(hostPath: dir, readOnly: true)
    }

    func downwardAPIVolume(_ rec: PodRecord, _ v: Volume) throws -> ResolvedVolume {
        let d = v.downwardAPI!
        let files = try downwardFiles(rec, d.items ?? [], mode: d.defaultMode ?? 0o644, volume: v.name)
        let dir = dirs.volumeDir(rec.uid, plugin: "kubernetes.io/downward-api", name: v.name)
        try atomicWrite(dir: dir, files: files, fsGroup: rec.pod.spec.securityContext?.fsGroup)
        return ResolvedVolume(hostPath: dir, readOnly: true)
    }

    /// `{name, items, optional}` of a projected configMap/secret source.
    struct ProjectionRef: Codable {
        var name: String?
        var items: [KeyToPath]?
        var optional: Bool?
    }

    func sourceFiles(_ rec: PodRecord, kind: String, name: String, items: [KeyToPath]?, optional: Bool, mode: Int32,
                     volume: String) throws -> [ProjectedFile] {
        let dir = "\(checkpointRoot)/\(kind)s/\(rec.namespace)/\(name)"
        guard FileIO.isDirectory(dir) else {
            if optional { return [] }
            throw SpecError(reason: ContainerReason.createContainerConfigError,
                            message: "MountVolume.SetUp failed for volume \"\(volume)\" : \(kind) \"\(name)\" not found (no checkpoint at \(dir))",
                            object: volume)
        }
        let keys = try FileIO.list(dir).filter { !$0.hasPrefix(".") }
        var out: [ProjectedFile] = []
        if let items {
            for it in items {
                guard keys.contains(it.key) else {
                    if optional { continue }
                    throw SpecError(reason: ContainerReason.createContainerConfigError,
                                    message: "configuration for volume \"\(volume)\": key \"\(it.key)\" not found in \(kind) \"\(name)\"", object: volume)
                }
                out.append(ProjectedFile(path: it.path, bytes: try FileIO.read(dir + "/" + it.key), mode: it.mode ?? mode))
            }
        } else {
            for k in keys { out.append(ProjectedFile(path: k, bytes: try FileIO.read(dir + "/" + k), mode: mode)) }
        }
        return out
    }

    func downwardFiles(_ rec: PodRecord, _ items: [DownwardAPIVolumeFile], mode: Int32, volume: String) throws -> [ProjectedFile] {
        let ctx = DownwardAPI.Context(hostIPs: hostIPs, podIPs: rec.sandbox?.podIPs ?? [])
        var out: [ProjectedFile] = []
        for it in items {
            var value = ""
            do {
                if let f = it.fieldRef {
                    value = try DownwardAPI.fieldValue(f.fieldPath, pod: rec.pod, context: ctx)
                } else if let r = it.resourceFieldRef, let c = rec.pod.spec.containers.first {
                    value = try DownwardAPI.resourceValue(r, pod: rec.pod, container: c, context: ctx)
                }
            } catch {
                throw SpecError(reason: ContainerReason.createContainerConfigError, message: "volume \"\(volume)\": \(error)", object: volume)
            }
            out.append(ProjectedFile(path: it.path, bytes: Array(value.utf8), mode: it.mode ?? mode))
        }
        return out
    }

    /// kubelet's AtomicWriter: write a fresh timestamped directory, swap `..data` to it, link the top-level names.
    func atomicWrite(dir: String, files: [ProjectedFile], fsGroup: Int64?) throws {
        try FileIO.makeDirectories(dir, mode: 0o755)
        let stamp = "..\(Timestamp.now().replacingAll(":", with: "_"))"
        let ts = dir + "/" + stamp
        try FileIO.makeDirectories(ts, mode: 0o755)
        for f in files {
            let comps = f.path.split(separator: "/")
            guard !f.path.hasPrefix("/"), !comps.contains(".."), !comps.isEmpty, !f.path.hasPrefix("..") else {
                throw SpecError(reason: ContainerReason.createContainerConfigError, message: "invalid volume file path \"\(f.path)\"", object: f.path)
            }
            let full = ts + "/" + f.path
            if comps.count > 1 { try FileIO.makeDirectories(String(full[..<full.lastIndex(of: "/")!]), mode: 0o755) }
            try FileIO.writeAtomically(full, f.bytes, mode: mode_t(f.mode & 0o777))
            var m = mode_t(f.mode & 0o777)
            if let g = fsGroup {
                chown(full, UInt32.max, UInt32(truncatingIfNeeded: g))
                m |= 0o040
            }
            chmod(full, m)
        }
        let tmp = dir + "/..data_tmp"
        unlink(tmp)
        if symlink(stamp, tmp) != 0 { throw RuntimeError.errno("link volume data", tmp) }
        if rename(tmp, dir + "/..data") != 0 { throw RuntimeError.errno("switch volume data", dir + "/..data") }
        for top in Set(files.compactMap { $0.path.split(separator: "/").first.map(String.init) }) {
            let link = dir + "/" + top
            if !FileIO.exists(link) { symlink("..data/" + top, link) }
        }
        for old in try FileIO.list(dir) where old.hasPrefix("..") && old != stamp && old != "..data" {
            try? FileIO.removeTree(dir + "/" + old)
        }
    }
}
