import OCISpec

extension CgroupPlacement {
    /// The placement for a container cgroup managed by `manager`: join every hierarchy, show the container's own
    /// directories under /sys/fs/cgroup, watch its memory cgroup for OOM kills.
    public init(manager: any CgroupManager) {
        var sources: [MountSource] = []
        let mounts = manager.mountSources()
        for m in mounts {
            if m.name.isEmpty {
                sources.append(MountSource(name: ".", source: m.hostPath))
                continue
            }
            sources.append(MountSource(name: m.name, source: m.hostPath))
            for alias in m.aliases where alias != m.name { sources.append(MountSource(name: alias, source: "=" + m.name)) }
        }
        self.init(
            v1Directories: mounts.filter { !$0.isUnified }.map(\.hostPath),
            cgroup2Directory: mounts.first { $0.isUnified }?.hostPath, mountSources: sources,
            unified: manager.host.mode == .v2, oomFile: manager.oomEventsFile())
    }
}

/// The device-cgroup rules runc always adds after the spec's own (runc's `AllowedDevices`, kubelet-static-pods.md
/// §6.5): mknod of any node, the standard character devices, ptys and tun. Without them a spec's usual
/// "deny all" rule would make /dev/null unusable.
public enum DefaultDeviceRules {
    public static let allowed: [LinuxDeviceCgroup] = [
        LinuxDeviceCgroup(allow: true, type: "c", major: nil, minor: nil, access: "m"),
        LinuxDeviceCgroup(allow: true, type: "b", major: nil, minor: nil, access: "m"),
        LinuxDeviceCgroup(allow: true, type: "c", major: 1, minor: 3, access: "rwm"),
        LinuxDeviceCgroup(allow: true, type: "c", major: 1, minor: 8, access: "rwm"),
        LinuxDeviceCgroup(allow: true, type: "c", major: 1, minor: 7, access: "rwm"),
        LinuxDeviceCgroup(allow: true, type: "c", major: 5, minor: 0, access: "rwm"),
        LinuxDeviceCgroup(allow: true, type: "c", major: 1, minor: 5, access: "rwm"),
        LinuxDeviceCgroup(allow: true, type: "c", major: 1, minor: 9, access: "rwm"),
        LinuxDeviceCgroup(allow: true, type: "c", major: 136, minor: nil, access: "rwm"),
        LinuxDeviceCgroup(allow: true, type: "c", major: 5, minor: 2, access: "rwm"),
        LinuxDeviceCgroup(allow: true, type: "c", major: 10, minor: 200, access: "rwm"),
    ]

    /// The spec's resources with the device rules runc would apply: the spec's rules, then the defaults, then an
    /// allow rule for every device node the spec creates.
    public static func resources(for spec: Spec) -> LinuxResources? {
        guard var r = spec.linux?.resources else { return nil }
        guard r.devices != nil else { return r }
        var rules = r.devices ?? []
        rules += allowed
        for d in spec.linux?.devices ?? [] {
            rules.append(LinuxDeviceCgroup(allow: true, type: d.type == "u" ? "c" : d.type, major: d.major, minor: d.minor, access: "rwm"))
        }
        r.devices = rules
        return r
    }
}
