/// A cgroup, named independently of hierarchies: the manager turns it into one directory per mounted hierarchy.
///
/// * **absolute** (`/kubepods/burstable/pod<uid>/<id>`, what kubelet/containerd pass as OCI `cgroupsPath` with the
///   cgroupfs driver): relative to the root of every hierarchy, i.e. `<mountpoint>/kubepods/...`.
/// * **relative** (`bootlet/<id>`, or the container id when `cgroupsPath` is absent): relative to the cgroup this
///   process is in, per hierarchy, as runc does (a runtime started in `memory:/process_api/x` puts the container
///   at `memory:/process_api/x/<id>` and at `/<id>` elsewhere).
/// * runc's systemd form `slice:prefix:name` is rejected: bootlet only drives cgroupfs.
///
/// `..` components are refused (they would escape the hierarchy or the runtime's own cgroup), as is a path that
/// names the root cgroup itself (removing or limiting it would affect the whole host).
public struct CgroupPath: Sendable, Hashable, CustomStringConvertible {
    public let isAbsolute: Bool
    public let components: [String]

    public init(absolute components: [String]) throws(CgroupError) {
        try self.init(isAbsolute: true, components: components, original: "/" + components.joined(separator: "/"))
    }

    public init(relative components: [String]) throws(CgroupError) {
        try self.init(isAbsolute: false, components: components, original: components.joined(separator: "/"))
    }

    /// Parses a path string: leading `/` → absolute, otherwise relative. `.` and empty components are dropped.
    public init(_ path: String) throws(CgroupError) {
        if CgroupPath.isSystemdForm(path) {
            throw CgroupError.unsupported(
                "resolve cgroup path \"\(path)\"",
                "systemd cgroup driver not supported: this is runc's slice:prefix:name form; bootlet only drives "
                    + "cgroupfs, pass a path like /kubepods/burstable/pod<uid>/<container-id>"
            )
        }
        let comps = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
        try self.init(isAbsolute: path.hasPrefix("/"), components: comps, original: path)
    }

    /// The OCI `linux.cgroupsPath` rule: absent or empty → `<containerID>` relative to the runtime's own cgroup
    /// (runc's default); otherwise parsed as above.
    public init(ociCgroupsPath: String?, containerID: String) throws(CgroupError) {
        if let p = ociCgroupsPath, !p.isEmpty {
            try self.init(p)
        } else {
            try self.init(relative: [containerID])
        }
    }

    private init(isAbsolute: Bool, components: [String], original: String) throws(CgroupError) {
        for c in components {
            if c.isEmpty || c == "." || c == ".." || c.contains("/") || c.utf8.contains(0) || c.contains("\n") {
                throw CgroupError.invalid(
                    "resolve cgroup path \"\(original)\"", "component \"\(c)\" is not a valid cgroup name"
                )
            }
        }
        if components.isEmpty {
            throw CgroupError.invalid(
                "resolve cgroup path \"\(original)\"",
                isAbsolute ? "refusing to manage the root cgroup" : "refusing to manage the runtime's own cgroup"
            )
        }
        self.isAbsolute = isAbsolute
        self.components = components
    }

    /// runc parses `cgroupsPath` as `slice:prefix:name` only with --systemd-cgroup; a cgroupfs path never looks
    /// like that in practice (three colon-separated fields, no slash), so such a value is a driver mismatch.
    static func isSystemdForm(_ path: String) -> Bool {
        !path.contains("/") && path.split(separator: ":", omittingEmptySubsequences: false).count == 3
    }

    public func appending(_ component: String) throws(CgroupError) -> CgroupPath {
        isAbsolute ? try CgroupPath(absolute: components + [component]) : try CgroupPath(relative: components + [component])
    }

    /// The parent cgroup, or nil at the top level.
    public var parent: CgroupPath? {
        guard components.count > 1 else { return nil }
        let p = Array(components.dropLast())
        return isAbsolute ? try? CgroupPath(absolute: p) : try? CgroupPath(relative: p)
    }

    public var description: String { (isAbsolute ? "/" : "") + components.joined(separator: "/") }
}
