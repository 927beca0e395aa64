import BootletImages
import BootletRuntime
import KubeModel
import OCISpec

/// Pod + container → OCI runtime spec, as kubelet's `generateContainerConfig` and containerd's CRI
/// `buildLinuxSpec`/`containerSpecOpts` produce it together (docs/cri-spec.md has the field table).
///
/// Pure apart from three host reads/writes containerd also does while building a spec: the image's
/// `/etc/passwd` and `/etc/group` are read, missing bind-mount sources and subPath directories are created, and
/// a Localhost seccomp profile is loaded. Privileged containers also list the host's `/dev`.
public enum ContainerSpecBuilder {
    public static func build(_ input: ContainerSpecInput) throws(SpecError) -> ContainerSpecResult {
        let pod = input.pod
        let container = input.container
        let object = "container \(goQuoted(container.name)) of pod \(goQuoted(formatPod(pod)))"
        var warnings: [String] = []
        let sc = EffectiveSecurityContext(pod: pod, container: container)

        // kubelet: image user and the runAsNonRoot policy (CreateContainerConfigError).
        let image = UserResolution.imageUser(input.imageConfig.user)
        if let msg = UserResolution.verifyRunAsNonRoot(
            sc, imageUID: image.uid, imageUsername: image.name, podDesc: formatPod(pod), container: container.name)
        {
            throw .config(msg, object)
        }

        // kubelet: mounts (subPath errors are CreateContainerConfigError); containerd adds its own and binds.
        let criMounts = try criMounts(input, sc: sc, object: object)
        let mounted = try ociMounts(criMounts, input: input, privileged: sc.privileged, object: object)

        var process = try self.process(input, sc: sc, object: object, warnings: &warnings)
        process.user = try user(input, sc: sc, imageUser: image, object: object)
        process.capabilities = capabilities(sc, node: input.node)
        if sc.noNewPrivileges { process.noNewPrivileges = true }
        process.oomScoreAdj = KubeletResources.oomScoreAdjust(
            pod: pod, container: container, isSidecar: input.kind == .sidecar, memoryCapacity: input.node.memoryCapacity)

        var linux = Linux()
        linux.namespaces = namespaces(pod: pod, sandbox: input.sandbox, privileged: sc.privileged, node: input.node)
        linux.resources = KubeletResources.containerResources(container, node: input.node, privileged: sc.privileged)
        linux.cgroupsPath = input.cgroupsPath
        linux.rootfsPropagation = mounted.rootfsPropagation
        if sc.privileged {
            linux.maskedPaths = []
            linux.readonlyPaths = []
            do {
                linux.devices = try HostDevices.scan(root: input.node.deviceRoot)
            } catch {
                throw .create("failed to list host devices for a privileged container: \(error)", object)
            }
        } else {
            linux.maskedPaths = sc.unmaskedProc ? [] : SpecDefaults.kubeletMaskedPaths
            linux.readonlyPaths = sc.unmaskedProc ? [] : SpecDefaults.kubeletReadonlyPaths
        }
        linux.seccomp = try seccomp(input, sc: sc, bounding: process.capabilities?.bounding ?? [], object: object)
        if sc.appArmorProfile.map({ $0 != .null }) == true {
            warnings.append("appArmorProfile of \(object) ignored: AppArmor is not supported by bootlet")
        }
        // containerd binds an empty host directory for each image VOLUME no CRI mount covers; bootlet does not, so
        // those paths stay part of the (possibly read-only) rootfs.
        let targets = Set(criMounts.map { cleanPath($0.containerPath) })
        for v in input.imageConfig.volumes where !targets.contains(cleanPath(v.hasPrefix("/") ? v : "/" + v)) {
            warnings.append("image VOLUME \(v) of \(object) is not mounted; it stays in the container's rootfs")
        }

        let spec = Spec(
            process: process,
            root: Root(path: input.rootfs, readonly: sc.readOnlyRootFilesystem ? true : nil),
            hostname: pod.spec.hostNetwork ? nil : input.sandbox.hostname,
            mounts: mounted.mounts,
            annotations: annotations(input),
            linux: linux)
        let stop = stopSignal(container: container, image: input.imageConfig, warnings: &warnings)
        return ContainerSpecResult(spec: spec, stopSignal: stop.name, stopSignalNumber: stop.number, warnings: warnings)
    }

    /// kubelet's container labels and annotations plus containerd's CRI annotations (sandbox id/name/namespace/uid,
    /// container name, image name, container type), and `io.bootlet.container-kind` for tooling.
    static func annotations(_ input: ContainerSpecInput) -> [String: String] {
        let pod = input.pod
        let c = input.container
        var a: [String: String] = [
            "io.kubernetes.pod.name": pod.metadata.name ?? "",
            "io.kubernetes.pod.namespace": pod.metadata.namespace ?? "",
            "io.kubernetes.pod.uid": pod.metadata.uid ?? "",
            "io.kubernetes.container.name": c.name,
            "io.kubernetes.container.restartCount": String(input.restartCount),
            "io.kubernetes.container.terminationMessagePath": c.terminationMessagePath ?? "",
            "io.kubernetes.container.terminationMessagePolicy": c.terminationMessagePolicy ?? "",
            "io.kubernetes.cri.container-type": "container",
            "io.kubernetes.cri.container-name": c.name,
            "io.kubernetes.cri.image-name": input.imageReference,
            "io.kubernetes.cri.sandbox-id": input.sandbox.id,
            "io.kubernetes.cri.sandbox-name": pod.metadata.name ?? "",
            "io.kubernetes.cri.sandbox-namespace": pod.metadata.namespace ?? "",
            "io.kubernetes.cri.sandbox-uid": pod.metadata.uid ?? "",
            "io.bootlet.container-kind": input.kind.rawValue,
            "io.bootlet.image-id": input.imageID,
        ]
        if let g = pod.spec.terminationGracePeriodSeconds { a["io.kubernetes.pod.terminationGracePeriod"] = String(g) }
        return a
    }
}
