import KubeModel

/// kubelet's `securitycontext.DetermineEffectiveSecurityContext`: pod-level fields (runAsUser, runAsGroup,
/// runAsNonRoot, seccompProfile, seLinuxOptions, appArmorProfile) overridden field by field by the container's.
/// Fields that exist only on the container (privileged, capabilities, readOnlyRootFilesystem,
/// allowPrivilegeEscalation, procMount) come from the container alone.
public struct EffectiveSecurityContext: Sendable, Equatable {
    public var runAsUser: Int64?
    public var runAsGroup: Int64?
    public var runAsNonRoot: Bool?
    public var seccompProfile: SeccompProfile?
    public var privileged: Bool
    public var capabilities: Capabilities?
    public var readOnlyRootFilesystem: Bool
    public var allowPrivilegeEscalation: Bool?
    public var procMount: String?
    public var appArmorProfile: KubeModel.JSONValue?

    public init(pod: Pod, container: Container) {
        let p = pod.spec.securityContext
        let c = container.securityContext
        runAsUser = c?.runAsUser ?? p?.runAsUser
        runAsGroup = c?.runAsGroup ?? p?.runAsGroup
        runAsNonRoot = c?.runAsNonRoot ?? p?.runAsNonRoot
        seccompProfile = c?.seccompProfile ?? p?.seccompProfile
        appArmorProfile = c?.appArmorProfile ?? p?.appArmorProfile
        privileged = c?.privileged ?? false
        capabilities = c?.capabilities
        readOnlyRootFilesystem = c?.readOnlyRootFilesystem ?? false
        allowPrivilegeEscalation = c?.allowPrivilegeEscalation
        procMount = c?.procMount
    }

    /// `securitycontext.AddNoNewPrivileges`: only an explicit `allowPrivilegeEscalation: false` sets
    /// no_new_privs (containerd's CRI otherwise forces it off with `WithNewPrivileges`).
    public var noNewPrivileges: Bool { allowPrivilegeEscalation == false }

    /// `ConvertToRuntimeMaskedPaths` / `ConvertToRuntimeReadonlyPaths`: `procMount: Unmasked` sends empty lists.
    public var unmaskedProc: Bool { procMount == "Unmasked" }
}
