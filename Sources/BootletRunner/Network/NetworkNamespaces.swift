import BootletRuntime
import CBootletRuntime

#if canImport(Glibc)
import Glibc
#endif

/// Pinned network namespaces for pod sandboxes, one file per sandbox under `directory`.
///
/// Like `ip netns add` and containerd's `netns.NewNetNS`, a namespace is kept alive without any process in it by
/// bind-mounting its nsfs file onto a plain file (`<directory>/<name>`). The sandbox container joins it by path
/// (OCI `linux.namespaces[{type: network, path}]`) and CNI plugins run against the same path, so the network is
/// set up before any container exists and outlives container restarts. A restarted runner finds its namespaces
/// with `list()`.
///
/// Unlike `ip netns add`, the directory is not turned into a shared bind mount of itself: containerd does not do
/// that either, the pod containers' mount namespaces drop the host tree at pivot_root, and it would leave a mount
/// behind on the host.
public struct NetworkNamespaces: Sendable {
    public static let defaultDirectory = "/run/bootlet/netns"
    public let directory: String

    public init(directory: String = NetworkNamespaces.defaultDirectory) {
        self.directory = directory
    }

    /// A namespace file found under the directory.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var path: String
        /// false for a file left behind by a crash between creating the file and mounting onto it.
        public var pinned: Bool
    }

    public func path(for name: String) -> String { directory + "/" + name }

    /// Create a new network namespace pinned at `<directory>/<name>` and return its path. Its `lo` is down (as
    /// with `ip netns add`); the CNI loopback plugin, or `bringUpLoopback`, brings it up.
    @discardableResult
    public func create(_ name: String) throws -> String {
        try Self.validateName(name)
        try FileIO.makeDirectories(directory)
        let path = path(for: name)
        let fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        if fd < 0 {
            let e = errno
            if e == EEXIST {
                throw RuntimeError(
                    "create network namespace", path, errno: e,
                    detail: Self.isNamespace(path) ? "a namespace is already pinned there" : "a stale file is in the way")
            }
            throw RuntimeError("create network namespace file", path, errno: e)
        }
        close(fd)
        var step: Int32 = 0
        let rc = bl_netns_pin(path, &step)
        if rc < 0 {
            unlink(path)
            let what = step == Int32(BL_NETNS_STEP_MOUNT.rawValue)
                ? "bind-mount new network namespace onto" : "clone into a new network namespace for"
            throw RuntimeError(what, path, errno: -rc)
        }
        return path
    }

    /// Unmount and unlink `<directory>/<name>`. Idempotent: a missing file or one that is not a mount is fine.
    public func remove(_ name: String) throws {
        try Self.validateName(name)
        try Self.remove(path: path(for: name))
    }

    /// Unmount (lazily, as containerd does) and unlink a pinned namespace file. Idempotent.
    public static func remove(path: String) throws {
        // A file pinned twice carries two mounts; unmount until it is a plain file again.
        for _ in 0..<8 {
            if umount2(path, Int32(MNT_DETACH)) == 0 { continue }
            let e = errno
            if e == EINVAL || e == ENOENT { break }
            throw RuntimeError("unmount network namespace", path, errno: e)
        }
        if unlink(path) != 0 && errno != ENOENT {
            throw RuntimeError.errno("remove network namespace file", path)
        }
    }

    /// Every file under the directory (none when it does not exist), pinned or not, sorted by name.
    public func list() throws -> [Entry] {
        guard FileIO.isDirectory(directory) else { return [] }
        return try FileIO.list(directory).map { name in
            let p = path(for: name)
            return Entry(name: name, path: p, pinned: Self.isNamespace(p))
        }
    }

    /// True when `path` is a live network namespace reference (a pinned file or a `/proc/<pid>/ns/net`).
    public static func isNamespace(_ path: String) -> Bool {
        bl_netns_is_nsfs(path) == 1
    }

    /// Bring `lo` up inside the namespace at `path`: what a pod without CNI configuration gets.
    public static func bringUpLoopback(_ path: String) throws {
        var step: Int32 = 0
        let rc = bl_netns_lo_up(path, &step)
        if rc < 0 {
            let what: String
            switch UInt32(step) {
            case BL_NETNS_STEP_OPEN.rawValue: what = "open network namespace"
            case BL_NETNS_STEP_SETNS.rawValue: what = "enter network namespace"
            case BL_NETNS_STEP_SOCKET.rawValue: what = "open a socket in network namespace"
            case BL_NETNS_STEP_GETFLAGS.rawValue, BL_NETNS_STEP_SETFLAGS.rawValue: what = "bring up lo in network namespace"
            default: what = "start a helper process for network namespace"
            }
            throw RuntimeError(what, path, errno: -rc)
        }
    }

    /// Names become file names: the CNI container-ID alphabet (`[A-Za-z0-9][A-Za-z0-9_.-]*`), so no `/`, `.`, `..`.
    static func validateName(_ name: String) throws {
        guard CNIValidation.isValidID(name), name.utf8.count <= 255 else {
            throw RuntimeError("use network namespace name", "\"\(name)\"", detail: "must match [A-Za-z0-9][A-Za-z0-9_.-]*")
        }
    }
}
