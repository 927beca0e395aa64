import KubeModel
import OCISpec

extension ContainerSpecBuilder {
    /// Namespaces in containerd's default order (pid, ipc, uts, mount, network, then cgroup):
    /// * network and uts: the sandbox's; none (the node's) under hostNetwork;
    /// * ipc: the sandbox's; none under hostIPC;
    /// * pid: a new one per container; the sandbox's with `shareProcessNamespace: true`; none under hostPID;
    /// * mount: always new;
    /// * cgroup: new on a cgroup v2 host unless privileged (containerd; v1 hosts never get one).
    static func namespaces(pod: Pod, sandbox: SandboxInfo, privileged: Bool, node: NodeSpecSettings) -> [LinuxNamespace] {
        let spec = pod.spec
        var ns: [LinuxNamespace] = []
        if !spec.hostPID {
            if spec.shareProcessNamespace == true, let p = sandbox.pidNamespacePath {
                ns.append(LinuxNamespace(type: .pid, path: p))
            } else {
                ns.append(LinuxNamespace(type: .pid))
            }
        }
        if !spec.hostIPC { ns.append(LinuxNamespace(type: .ipc, path: sandbox.ipcNamespacePath)) }
        if !spec.hostNetwork { ns.append(LinuxNamespace(type: .uts, path: sandbox.utsNamespacePath)) }
        ns.append(LinuxNamespace(type: .mount))
        if !spec.hostNetwork { ns.append(LinuxNamespace(type: .network, path: sandbox.networkNamespacePath)) }
        if node.cgroupV2 && !privileged { ns.append(LinuxNamespace(type: .cgroup)) }
        return ns
    }

    /// kubelet's profile choice (container, pod, seccompDefault) applied by containerd: never for privileged,
    /// RuntimeDefault computed for the final bounding set.
    static func seccomp(_ input: ContainerSpecInput, sc: EffectiveSecurityContext, bounding: [Capability], object: String)
        throws(SpecError) -> LinuxSeccomp?
    {
        do {
            let choice = try SeccompChoice.select(
                container: input.container.securityContext?.seccompProfile,
                pod: input.pod.spec.securityContext?.seccompProfile, seccompDefault: input.node.seccompDefault,
                profileRoot: input.node.seccompProfileRoot)
            return try choice.profile(boundingCapabilities: bounding, privileged: sc.privileged)
        } catch {
            throw error.runtime ? .create(error.message, object) : .config(error.message, object)
        }
    }
}
