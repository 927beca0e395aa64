#if canImport(Glibc)
import Glibc
#endif
import BootletRuntime
import KubeModel

/// `volumeMounts[].subPath` / `subPathExpr` as kubelet's `makeMounts` handles them.
enum SubPath {
    /// `ExpandContainerVolumeMounts`: `$(VAR)` against the final environment; a missing or empty variable is an
    /// error listing every such name, sorted: `missing value for A, B`.
    enum Expanded: Equatable {
        case path(String)
        case failure(String)
    }

    static func expand(_ expr: String, environment: [(name: String, value: String)]) -> Expanded {
        var env: [String: String] = [:]
        for (n, v) in environment { env[n] = v }
        var missing = Set<String>()
        let out = Expansion.expand(expr) { name in
            let v = env[name] ?? ""
            if v.isEmpty { missing.insert(name) }
            return v
        }
        if !missing.isEmpty { return .failure("missing value for \(missing.sorted().joined(separator: ", "))") }
        return .path(out)
    }

    /// kubelet's checks in order: absolute → `error SubPath `x` must not be an absolute path`; a `..` element →
    /// `unable to provision SubPath `x`: must not contain '..'`.
    static func validate(_ subPath: String) -> String? {
        if subPath.hasPrefix("/") { return "error SubPath `\(subPath)` must not be an absolute path" }
        if subPath.split(separator: "/", omittingEmptySubsequences: false).contains("..") {
            return "unable to provision SubPath `\(subPath)`: must not contain '..'"
        }
        return nil
    }

    enum Failure: Error, Equatable {
        /// kubelet hides host details: `failed to create subPath directory for volumeMount "v" of container "c"`.
        case create(detail: String)
        /// `failed to prepare subPath for volumeMount "v" of container "c"`.
        case prepare(detail: String)
    }

    /// The host path for `subPath` inside `volumePath`, creating missing directories with the volume
    /// directory's mode (kubelet `SafeMakeDir`: at least the group bits an fsGroup volume needs, not the umask's).
    /// Every existing component that is a symlink must resolve inside the volume, and so must the result
    /// (kubelet `PrepareSafeSubpath`). The result is the resolved path, as containerd binds resolved sources.
    static func prepare(volumePath: String, subPath: String) throws(Failure) -> String {
        guard let base = realPath(volumePath) else { throw .create(detail: "resolve volume \(volumePath): \(errnoText(errno))") }
        var st = stat()
        guard stat(base, &st) == 0 else { throw .create(detail: "stat volume \(base): \(errnoText(errno))") }
        let perm = st.st_mode & 0o7777
        func inside(_ p: String) -> Bool { p == base || p.hasPrefix(base == "/" ? "/" : base + "/") }
        var current = base
        for comp in subPath.split(separator: "/") where comp != "." {
            let next = (current == "/" ? "" : current) + "/" + comp
            var lst = stat()
            if lstat(next, &lst) == 0 {
                if (lst.st_mode & S_IFMT) == S_IFLNK {
                    guard let r = realPath(next) else {
                        throw .create(detail: "resolve \(next): \(errnoText(errno))")
                    }
                    guard inside(r) else { throw .prepare(detail: "\(next) resolves to \(r), outside the volume \(base)") }
                    current = r
                } else {
                    current = next
                }
                continue
            }
            guard errno == ENOENT else { throw .create(detail: "lstat \(next): \(errnoText(errno))") }
            guard mkdir(next, perm) == 0 || errno == EEXIST else { throw .create(detail: "mkdir \(next): \(errnoText(errno))") }
            guard chmod(next, perm) == 0 else { throw .create(detail: "chmod \(next): \(errnoText(errno))") }
            current = next
        }
        guard let final = realPath(current) else { throw .prepare(detail: "resolve \(current): \(errnoText(errno))") }
        guard inside(final) else { throw .prepare(detail: "\(final) is outside the volume \(base)") }
        return final
    }

    static func realPath(_ p: String) -> String? {
        guard let r = realpath(p, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }
}
