import BootletRuntime
import KubeModel

#if canImport(Glibc)
import Glibc
#endif

/// Pod volumes on the node (kubelet-static-pods.md §2.1): emptyDir (a 0777 directory, or a tmpfs with
/// `medium: Memory`), hostPath with its type checks. Sources a static pod cannot have (secrets, configMaps ...)
/// are refused earlier by validation; configMap/secret/projected served from node checkpoint directories are
/// handled by `checkpointVolume`.
extension Kubelet {
    static let emptyDirPlugin = "kubernetes.io/empty-dir"

    func prepareVolumes(_ rec: PodRecord) throws -> [String: ResolvedVolume] {
        var out: [String: ResolvedVolume] = [:]
        for v in rec.pod.spec.volumes ?? [] {
            if let ed = v.emptyDir {
                let path = dirs.volumeDir(rec.uid, plugin: Kubelet.emptyDirPlugin, name: v.name)
                try FileIO.makeDirectories(dirs.volumesDir(rec.uid) + "/kubernetes.io~empty-dir", mode: 0o750)
                if mkdir(path, 0o777) != 0 && errno != EEXIST { throw RuntimeError.errno("create emptyDir volume \(v.name)", path) }
                let memory = ed.medium == "Memory"
                if memory && !isMountPoint(path) {
                    var size = ed.sizeLimit?.value ?? 0
                    if size <= 0 { size = Int64(sysconf(Int32(_SC_PHYS_PAGES))) * Int64(sysconf(Int32(_SC_PAGESIZE))) }
                    if Glibc.mount("tmpfs", path, "tmpfs", UInt(MS_NOSUID | MS_NODEV), "mode=0777,size=\(size)") != 0 {
                        throw RuntimeError.errno("mount tmpfs for emptyDir volume \(v.name) (medium: Memory)", path)
                    }
                }
                chmod(path, 0o777)
                out[v.name] = ResolvedVolume(hostPath: path, readOnly: false, isTmpfs: memory)
            } else if let hp = v.hostPath {
                try checkHostPath(hp, volume: v.name)
                out[v.name] = ResolvedVolume(hostPath: hp.path)
            } else if v.configMap != nil || v.secret != nil || v.projected != nil {
                out[v.name] = try checkpointVolume(rec, v)
            } else if v.downwardAPI != nil {
                out[v.name] = try downwardAPIVolume(rec, v)
            } else {
                throw SpecError(reason: ContainerReason.createContainerConfigError,
                                message: "volume \"\(v.name)\": this volume type is not supported by bootlet", object: v.name)
            }
        }
        return out
    }

    func isMountPoint(_ path: String) -> Bool {
        MountInfoEntry.current().contains { $0.mountPoint == path }
    }

    /// kubelet's hostPath type checks (`DirectoryOrCreate` makes a 0755 directory, `FileOrCreate` an empty 0644
    /// file; the other types verify). `""` checks nothing; the runtime creates a missing bind source.
    func checkHostPath(_ hp: HostPathVolumeSource, volume: String) throws {
        var st = stat()
        let exists = stat(hp.path, &st) == 0
        let kind = st.st_mode & S_IFMT
        func fail(_ what: String) -> SpecError {
            SpecError(reason: ContainerReason.createContainerConfigError,
                      message: "hostPath type check failed: \(hp.path) is not a \(what)", object: volume)
        }
        switch hp.type ?? "" {
        case "DirectoryOrCreate":
            if !exists { try FileIO.makeDirectories(hp.path, mode: 0o755) } else if kind != S_IFDIR { throw fail("directory") }
        case "Directory": if !exists || kind != S_IFDIR { throw fail("directory") }
        case "FileOrCreate":
            if !exists {
                let fd = open(hp.path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
                if fd < 0 { throw RuntimeError.errno("create hostPath file for volume \(volume)", hp.path) }
                close(fd)
            } else if kind != S_IFREG { throw fail("file") }
        case "File": if !exists || kind != S_IFREG { throw fail("file") }
        case "Socket": if !exists || kind != S_IFSOCK { throw fail("socket") }
        case "CharDevice": if !exists || kind != S_IFCHR { throw fail("character device") }
        case "BlockDevice": if !exists || kind != S_IFBLK { throw fail("block device") }
        default:
            if !exists { try FileIO.makeDirectories(hp.path, mode: 0o755) }
        }
    }
}
