#if canImport(Glibc)
import Glibc
#endif
import BootletRuntime
import KubeModel
import OCISpec

/// Everything `SandboxSpecBuilder.build` needs for a pod's pause container.
public struct SandboxSpecInput: Sendable {
    public var pod: Pod
    /// The sandbox container ID (64 hex), also the last cgroup path element.
    public var id: String
    /// An empty directory the runner created for this sandbox; the spec's root (read-only). The runtime creates the
    /// mount points in it; nothing else is ever written.
    public var rootfs: String
    /// The `bootlet-pause` binary on the host, bound read-only at `/pause`.
    public var pauseBinary: String
    /// The network namespace the CNI step pinned; nil means a fresh one (loopback only). Ignored under hostNetwork.
    public var networkNamespacePath: String?
    /// The pod's kernel hostname (`PodNetworkFiles.kernelHostname`); not set under hostNetwork.
    public var hostname: String
    /// The sandbox shm directory (`ShmMount.path`, already mounted); ignored under hostIPC (the host's `/dev/shm`).
    public var shmPath: String?
    /// The sandbox's `resolv.conf`, bound read-only at `/etc/resolv.conf` as containerd does (for VM runtimes).
    public var resolvConfPath: String?
    /// The pod cgroup (`kubepods/besteffort/pod<uid>`); `linux.cgroupsPath` is `<podCgroupPath>/<id>`.
    public var podCgroupPath: String
    /// `/var/log/pods/<ns>_<name>_<uid>` for the annotation.
    public var logDirectory: String?
    public var node: NodeSpecSettings

    public init(
        pod: Pod, id: String, rootfs: String, pauseBinary: String, networkNamespacePath: String? = nil, hostname: String,
        shmPath: String? = nil, resolvConfPath: String? = nil, podCgroupPath: String, logDirectory: String? = nil,
        node: NodeSpecSettings = NodeSpecSettings()
    ) {
        self.pod = pod
        self.id = id
        self.rootfs = rootfs
        self.pauseBinary = pauseBinary
        self.networkNamespacePath = networkNamespacePath
        self.hostname = hostname
        self.shmPath = shmPath
        self.resolvConfPath = resolvConfPath
        self.podCgroupPath = podCgroupPath
        self.logDirectory = logDirectory
        self.node = node
    }
}

public struct SandboxSpecResult: Sendable, Equatable {
    public var spec: Spec
    public var warnings: [String]
}

/// The pod sandbox ("pause") container as containerd's `sandboxContainerSpec` + `sandboxContainerSpecOpts`
/// build it from kubelet's `PodSandboxConfig`: new ipc/uts/pid namespaces (per hostIPC/hostNetwork/hostPID), the
/// CNI network namespace, the pod hostname, pod sysctls plus containerd's unprivileged-port/ICMP defaults,
/// read-only root, containerd's default capabilities, no_new_privs, pod-level seccomp (RuntimeDefault with
/// seccompDefault; none when any container is privileged), oomScoreAdj −998, cpu shares 2.
public enum SandboxSpecBuilder {
    public static let pausePath = "/pause"
    public static let imageName = "bootlet-pause"

    public static func build(_ input: SandboxSpecInput) throws(SpecError) -> SandboxSpecResult {
        let pod = input.pod
        let spec = pod.spec
        let object = "sandbox of pod \(goQuoted(formatPod(pod)))"
        var warnings: [String] = []

        // kubelet admission (SysctlForbidden) and the sysctls containerd writes.
        if let msg = SysctlPolicy.admissionError(for: pod, allowedUnsafe: input.node.allowedUnsafeSysctls) {
            throw SpecError(reason: PodReason.sysctlForbidden, message: msg, object: object)
        }
        var sysctls: [String: String] = [:]
        for s in spec.securityContext?.sysctls ?? [] { sysctls[SysctlPolicy.normalize(s.name)] = s.value }
        if !spec.hostNetwork {
            if sysctls["net.ipv4.ip_unprivileged_port_start"] == nil { sysctls["net.ipv4.ip_unprivileged_port_start"] = "0" }
            if sysctls["net.ipv4.ping_group_range"] == nil { sysctls["net.ipv4.ping_group_range"] = "0 2147483647" }
        }

        // User: the pod's runAsUser[:runAsGroup], else the pause image's 65535:65535. The rootfs has no
        // /etc/passwd, so a uid alone gets gid 0 (containerd WithUserID); WithUser resets the supplementary groups
        // to the primary gid.
        let psc = spec.securityContext
        var userstr = SpecDefaults.pauseUser
        if let u = psc?.runAsUser {
            userstr = String(u)
            if let g = psc?.runAsGroup { userstr += ":\(g)" }
        }
        let ids: (uid: UInt32, gid: UInt32)
        do {
            ids = try UserResolution.withUser(userstr, accounts: ImageAccounts(users: nil, groups: nil))
        } catch {
            switch error { case .message(let m): throw .create(m, object) }
        }

        let caps = Capability.containerdDefault
        let privileged = (spec.containers + (spec.initContainers ?? [])).contains { $0.securityContext?.privileged == true }
        let seccomp: LinuxSeccomp?
        do {
            let choice = try SeccompChoice.select(
                container: nil, pod: psc?.seccompProfile, seccompDefault: input.node.seccompDefault,
                profileRoot: input.node.seccompProfileRoot)
            seccomp = try choice.profile(boundingCapabilities: caps, privileged: privileged)
        } catch {
            throw error.runtime ? .create(error.message, object) : .config(error.message, object)
        }
        if psc?.appArmorProfile.map({ $0 != .null }) == true {
            warnings.append("appArmorProfile of \(object) ignored: AppArmor is not supported by bootlet")
        }

        var ns: [LinuxNamespace] = []
        if !spec.hostPID { ns.append(LinuxNamespace(type: .pid)) }
        if !spec.hostIPC { ns.append(LinuxNamespace(type: .ipc)) }
        if !spec.hostNetwork { ns.append(LinuxNamespace(type: .uts)) }
        ns.append(LinuxNamespace(type: .mount))
        if !spec.hostNetwork { ns.append(LinuxNamespace(type: .network, path: input.networkNamespacePath)) }

        var mounts = SpecDefaults.systemMounts.filter { $0.destination != "/dev/shm" }
        let shm = spec.hostIPC ? "/dev/shm" : input.shmPath
        if let shm {
            mounts.append(Mount(destination: "/dev/shm", type: "bind", source: shm, options: ["rbind", "ro", "nosuid", "nodev", "noexec"]))
        } else {
            warnings.append("\(object) has no shm directory; /dev/shm stays the runtime default tmpfs")
            mounts.append(SpecDefaults.defaultShmMount)
        }
        if let r = input.resolvConfPath {
            mounts.append(
                Mount(destination: "/etc/resolv.conf", type: "bind", source: r, options: ["rbind", "ro", "nosuid", "nodev", "noexec"]))
        }
        mounts.append(Mount(destination: pausePath, type: "bind", source: input.pauseBinary, options: ["rbind", "ro", "nosuid", "nodev"]))

        var annotations: [String: String] = [
            "io.kubernetes.pod.name": pod.metadata.name ?? "",
            "io.kubernetes.pod.namespace": pod.metadata.namespace ?? "",
            "io.kubernetes.pod.uid": pod.metadata.uid ?? "",
            "io.kubernetes.cri.container-type": "sandbox",
            "io.kubernetes.cri.sandbox-id": input.id,
            "io.kubernetes.cri.sandbox-name": pod.metadata.name ?? "",
            "io.kubernetes.cri.sandbox-namespace": pod.metadata.namespace ?? "",
            "io.kubernetes.cri.sandbox-uid": pod.metadata.uid ?? "",
            "io.kubernetes.cri.podsandbox.image-name": imageName,
        ]
        if let l = input.logDirectory { annotations["io.kubernetes.cri.sandbox-log-directory"] = l }

        let process = Process(
            user: User(uid: ids.uid, gid: ids.gid, additionalGids: [ids.gid]), args: [pausePath],
            env: [SpecDefaults.defaultPath], cwd: "/",
            capabilities: LinuxCapabilities(bounding: caps, effective: caps, inheritable: nil, permitted: caps, ambient: nil),
            noNewPrivileges: true, oomScoreAdj: SpecDefaults.sandboxOOMScoreAdj)
        let linux = Linux(
            sysctl: sysctls,
            resources: LinuxResources(
                devices: [LinuxDeviceCgroup(allow: false, access: "rwm")], cpu: LinuxCPU(shares: SpecDefaults.sandboxCPUShares)),
            cgroupsPath: input.podCgroupPath + "/" + input.id, namespaces: ns, seccomp: seccomp,
            maskedPaths: SpecDefaults.containerdMaskedPaths, readonlyPaths: SpecDefaults.containerdReadonlyPaths)
        let result = Spec(
            process: process, root: Root(path: input.rootfs, readonly: true),
            hostname: spec.hostNetwork ? nil : input.hostname, mounts: mounts, annotations: annotations, linux: linux)
        return SandboxSpecResult(spec: result, warnings: warnings)
    }
}

/// The per-pod `/dev/shm`: containerd mounts a tmpfs (`shm`, `nosuid,nodev,noexec`, `mode=1777,size=65536k`) at
/// `<sandbox dir>/shm` on the host, and every container of the pod binds that directory at `/dev/shm`, so they
/// share POSIX shared memory. hostIPC pods use the host's `/dev/shm` and get no tmpfs.
public struct ShmMount: Sendable, Equatable {
    public var path: String
    public var source = "shm"
    public var fstype = "tmpfs"
    /// `MS_NOSUID | MS_NODEV | MS_NOEXEC`.
    public var flags: UInt = UInt(MS_NOSUID | MS_NODEV | MS_NOEXEC)
    public var data = "mode=1777," + SpecDefaults.shmSizeOption

    /// nil for a hostIPC pod.
    public static func forSandbox(pod: Pod, directory: String) -> ShmMount? {
        pod.spec.hostIPC ? nil : ShmMount(path: directory)
    }

    public init(path: String) { self.path = path }

    /// Creates the directory (0700, as containerd) and mounts the tmpfs.
    public func mount() throws {
        try FileIO.makeDirectories(path, mode: 0o700)
        guard Glibc.mount(source, path, fstype, flags, data) == 0 else {
            throw RuntimeError.errno("mount sandbox shm tmpfs (\(data)) on", path)
        }
    }

    /// Detaches the tmpfs; an already unmounted or missing directory is not an error.
    public func unmount() throws {
        if umount2(path, Int32(MNT_DETACH)) != 0 && errno != EINVAL && errno != ENOENT {
            throw RuntimeError.errno("unmount sandbox shm", path)
        }
    }
}
