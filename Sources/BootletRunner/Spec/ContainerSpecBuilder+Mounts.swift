#if canImport(Glibc)
import Glibc
#endif
import BootletRuntime
import KubeModel
import OCISpec

/// A mount as kubelet hands it to the runtime (CRI `Mount`).
public struct CRIMount: Sendable, Equatable {
    public enum Propagation: String, Sendable, Equatable {
        case `private` = "rprivate"
        case hostToContainer = "rslave"
        case bidirectional = "rshared"
    }

    public var containerPath: String
    public var hostPath: String
    public var readOnly: Bool
    public var recursiveReadOnly: Bool
    public var propagation: Propagation

    public init(
        containerPath: String, hostPath: String, readOnly: Bool = false, recursiveReadOnly: Bool = false,
        propagation: Propagation = .private
    ) {
        self.containerPath = containerPath
        self.hostPath = hostPath
        self.readOnly = readOnly
        self.recursiveReadOnly = recursiveReadOnly
        self.propagation = propagation
    }
}

extension ContainerSpecBuilder {
    /// kubelet `makeMounts` (volumes in `volumeMounts` order, then etc-hosts unless a volume targets `/etc/hosts`)
    /// and kuberuntime `makeMounts` (termination log), then containerd's `linuxContainerMounts` (`/etc/hostname`,
    /// `/etc/hosts`, `/etc/resolv.conf`, `/dev/shm`; each only when its host file exists and no kubelet mount has
    /// that destination), stably sorted by path depth as containerd's `orderedMounts` does.
    static func criMounts(_ input: ContainerSpecInput, sc: EffectiveSecurityContext, object: String) throws(SpecError)
        -> [CRIMount]
    {
        let c = input.container
        var mounts: [CRIMount] = []
        var mountEtcHosts = input.sandbox.etcHostsPath != nil
        for vm in c.volumeMounts ?? [] {
            mountEtcHosts = mountEtcHosts && vm.mountPath != "/etc/hosts"
            guard let vol = input.volumes[vm.name] else {
                throw .config("cannot find volume \(goQuoted(vm.name)) to mount into container \(goQuoted(c.name))", object)
            }
            var hostPath = vol.hostPath
            var subPath = vm.subPath ?? ""
            if let expr = vm.subPathExpr, !expr.isEmpty {
                switch SubPath.expand(expr, environment: input.environment) {
                case .path(let s): subPath = s
                case .failure(let m): throw .config(m, object)
                }
            }
            if !subPath.isEmpty {
                if let m = SubPath.validate(subPath) { throw .config(m, object) }
                do {
                    hostPath = try SubPath.prepare(volumePath: vol.hostPath, subPath: subPath)
                } catch {
                    switch error {
                    case .create:
                        throw .config(
                            "failed to create subPath directory for volumeMount \(goQuoted(vm.name)) of container \(goQuoted(c.name))",
                            object)
                    case .prepare:
                        throw .config(
                            "failed to prepare subPath for volumeMount \(goQuoted(vm.name)) of container \(goQuoted(c.name))",
                            object)
                    }
                }
            }
            let propagation: CRIMount.Propagation
            switch vm.mountPropagation {
            case nil, "None": propagation = .private
            case "HostToContainer": propagation = .hostToContainer
            case "Bidirectional": propagation = .bidirectional
            case let other?: throw .config("invalid MountPropagation mode: \(goQuoted(other))", object)
            }
            let readOnly = vm.readOnly || vol.readOnly
            let rro = readOnly && (vm.recursiveReadOnly == "Enabled" || vm.recursiveReadOnly == "IfPossible")
            mounts.append(
                CRIMount(
                    containerPath: vm.mountPath, hostPath: hostPath, readOnly: readOnly, recursiveReadOnly: rro,
                    propagation: propagation))
        }
        if mountEtcHosts, let hosts = input.sandbox.etcHostsPath {
            mounts.append(CRIMount(containerPath: "/etc/hosts", hostPath: hosts))
        }
        if let path = c.terminationMessagePath, !path.isEmpty, let host = input.terminationMessageHostPath, !host.isEmpty {
            mounts.append(CRIMount(containerPath: path, hostPath: host))
        }

        // containerd's own files, skipped when kubelet already mounts that path or the host file is missing.
        let ro = sc.readOnlyRootFilesystem
        var extras: [CRIMount] = []
        func add(_ dest: String, _ source: String?, readOnly: Bool) {
            guard let source, FileIO.exists(source) else { return }
            guard !mounts.contains(where: { cleanPath($0.containerPath) == dest }) else { return }
            extras.append(CRIMount(containerPath: dest, hostPath: source, readOnly: readOnly))
        }
        add("/etc/hostname", input.sandbox.hostnamePath, readOnly: ro)
        add("/etc/hosts", input.sandbox.hostsPath, readOnly: ro)
        add("/etc/resolv.conf", input.sandbox.resolvConfPath, readOnly: ro)
        add("/dev/shm", input.pod.spec.hostIPC ? "/dev/shm" : input.sandbox.shmPath, readOnly: false)
        return stableSortByDepth(mounts + extras)
    }

    /// containerd `orderedMounts`: fewer `/` in the cleaned destination first, equal depths keep their order.
    public static func stableSortByDepth(_ mounts: [CRIMount]) -> [CRIMount] {
        mounts.enumerated().sorted { a, b in
            let da = cleanPath(a.element.containerPath).filter { $0 == "/" }.count
            let db = cleanPath(b.element.containerPath).filter { $0 == "/" }.count
            return da != db ? da < db : a.offset < b.offset
        }.map(\.element)
    }

    /// Go's `filepath.Clean` for absolute and relative paths.
    static func cleanPath(_ p: String) -> String {
        var out: [Substring] = []
        let abs = p.hasPrefix("/")
        for part in p.split(separator: "/") where part != "." {
            if part == ".." {
                if let l = out.last, l != ".." { out.removeLast() } else if !abs { out.append(part) }
                continue
            }
            out.append(part)
        }
        let joined = out.joined(separator: "/")
        if abs { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// containerd `withMounts`: the default system mounts plus the cgroup view (writable and `/sys` writable for
    /// privileged containers), minus those a CRI mount replaces (everything under `/dev` when `/dev` itself is
    /// mounted), then one `bind` per CRI mount with `rbind`, the propagation and `ro`/`rw`/`rro`. Missing sources
    /// are created as 0755 directories and symlinked sources resolved, as containerd does.
    static func ociMounts(_ cri: [CRIMount], input: ContainerSpecInput, privileged: Bool, object: String) throws(SpecError)
        -> (mounts: [Mount], rootfsPropagation: String?)
    {
        var defaults = SpecDefaults.systemMounts + [SpecDefaults.cgroupMount(writable: privileged)]
        if privileged {
            for i in defaults.indices where defaults[i].type == "sysfs" {
                defaults[i].options = defaults[i].options?.map { $0 == "ro" ? "rw" : $0 }
            }
        }
        let targets = Set(cri.map { cleanPath($0.containerPath) })
        var out = defaults.filter { m in
            let d = cleanPath(m.destination)
            return !targets.contains(d) && !(targets.contains("/dev") && d.hasPrefix("/dev/"))
        }
        var rootProp: String?
        for m in cri {
            var src = m.hostPath
            if !FileIO.exists(src) {
                do { try FileIO.makeDirectories(src, mode: 0o755) } catch {
                    throw .create("failed to mkdir \(goQuoted(src)): \(error)", object)
                }
            }
            guard let resolved = SubPath.realPath(src) else {
                throw .create("failed to resolve symlink \(goQuoted(src)): \(goErrnoText(errno))", object)
            }
            src = resolved
            var options = ["rbind", m.propagation.rawValue]
            switch m.propagation {
            case .private: break
            case .bidirectional:
                if let msg = MountPropagationCheck.ensure(src, allowSlave: false) { throw .create(msg, object) }
                rootProp = "rshared"
            case .hostToContainer:
                if let msg = MountPropagationCheck.ensure(src, allowSlave: true) { throw .create(msg, object) }
                if rootProp != "rshared" { rootProp = "rslave" }
            }
            if m.readOnly {
                if m.recursiveReadOnly && m.propagation != .private {
                    throw .create(
                        "recursive read-only mount needs private propagation, got \(goQuoted(m.propagation.rawValue)) (hostPath=\(goQuoted(m.hostPath)))",
                        object)
                }
                options.append(m.recursiveReadOnly ? "rro" : "ro")
            } else {
                options.append("rw")
            }
            out.append(Mount(destination: m.containerPath, type: "bind", source: src, options: options))
        }
        return (out, rootProp)
    }
}

/// containerd `ensureShared` / `ensureSharedOrSlave`: the mount a bind source lives on must propagate.
enum MountPropagationCheck {
    /// nil when fine, else containerd's message.
    static func ensure(_ path: String, allowSlave: Bool, mountinfo: String? = nil) -> String? {
        let mounts = mountinfo.map { (try? MountInfoEntry.parse($0)) ?? [] } ?? MountInfoEntry.current()
        var best: (point: String, optional: [String])?
        for m in mounts {
            let point = m.mountPoint
            let under = point == "/" || path == point || path.hasPrefix(point + "/")
            guard under, point.count >= (best?.point.count ?? -1) else { continue }
            best = (point, m.optionalFields)
        }
        let point = best?.point ?? "/"
        let opts = best?.optional ?? []
        if opts.contains(where: { $0.hasPrefix("shared:") }) { return nil }
        if allowSlave && opts.contains(where: { $0.hasPrefix("master:") }) { return nil }
        return allowSlave
            ? "path \(goQuoted(path)) is mounted on \(goQuoted(point)) but it is not a shared or slave mount"
            : "path \(goQuoted(path)) is mounted on \(goQuoted(point)) but it is not a shared mount"
    }
}
