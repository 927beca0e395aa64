import BootletImages
import BootletRuntime
import KubeModel
import OCISpec

/// What `startContainer` launches: the OCI spec and what the runner keeps beside it.
struct BuiltContainer {
    var spec: Spec
    var stopSignal: Int32
    var terminationFile: String?
    var cgroupPath: String
}

extension Kubelet {
    /// kubelet's `generateContainerConfig` + containerd's CreateContainer: rootfs, termination-message file,
    /// environment, volumes, then the spec (ContainerSpecBuilder). Config problems throw `SpecError` (a waiting
    /// reason like CreateContainerConfigError); other failures are runtime failures.
    /// `hash` is the container's `PodLifecycle.containerHash`, computed by the caller.
    func buildContainer(_ rec: PodRecord, _ c: Container, kind: ContainerKind, id: String, image: Image, restartCount: Int,
                        logPath: String, hash: String) throws -> BuiltContainer {
        guard let sb = rec.sandbox else { throw RuntimeError("start container \(c.name)", rec.fullName, detail: "no sandbox") }
        let names = try podHostnames(rec)
        let env: [(name: String, value: String)]
        do {
            env = try Expansion.environment(for: c, in: rec.pod, context: DownwardAPI.Context(hostIPs: hostIPs, podIPs: sb.podIPs))
        } catch {
            throw SpecError(reason: ContainerReason.createContainerConfigError, message: error.description, object: c.name)
        }
        let volumes = try prepareVolumes(rec)
        let rootfs = try images.prepare(image: c.image ?? "", containerID: id)
        let terminationFile = (c.terminationMessagePath ?? "").isEmpty ? nil : try dirs.newTerminationMessageFile(rec.uid, container: c.name)
        let cgroupPath = try containerCgroupPath(rec, id: id)
        let hasPodIP = !rec.pod.spec.hostNetwork && !sb.podIPs.isEmpty
        let info = SandboxInfo.ofPauseProcess(
            id: sb.id, pausePID: sb.pid, netnsPath: sb.netnsPath, hostname: names.kernel,
            shmPath: rec.pod.spec.hostIPC ? nil : sandboxDir(sb.id) + "/shm",
            etcHostsPath: hasPodIP ? dirs.etcHosts(rec.uid) : nil, hostsPath: sandboxDir(sb.id) + "/hosts",
            resolvConfPath: sandboxDir(sb.id) + "/resolv.conf", hostnamePath: sandboxDir(sb.id) + "/hostname",
            logDirectory: dirs.podLogDir(namespace: rec.namespace, name: rec.name, uid: rec.uid))
        var result = try ContainerSpecBuilder.build(ContainerSpecInput(
            pod: rec.pod, container: c, kind: kind, restartCount: restartCount, imageReference: c.image ?? "",
            imageConfig: image.config, imageID: image.id.description, rootfs: rootfs.path, sandbox: info, volumes: volumes,
            terminationMessageHostPath: terminationFile, cgroupsPath: cgroupPath, environment: env, node: nodeSettings))
        result.warnings.forEach { event(rec, "ContainerWarning", "\(c.name): \($0)") }
        // The builder wrote the pod/container/restart/image-ID keys; these are the runner's own, read at adoption.
        var ann = result.spec.annotations ?? [:]
        ann[Annotation.kind] = kind.rawValue
        ann[Annotation.image] = image.references.first ?? (c.image ?? "")
        ann[Annotation.logPath] = logPath
        if let t = terminationFile { ann[Annotation.terminationFile] = t }
        ann[Annotation.hash] = hash
        ann[Annotation.stopSignal] = String(result.stopSignalNumber)
        result.spec.annotations = ann
        return BuiltContainer(spec: result.spec, stopSignal: result.stopSignalNumber, terminationFile: terminationFile,
                              cgroupPath: cgroupPath)
    }
}
