#if canImport(Glibc)
import Glibc
#endif
import BootletRuntime
import KubeModel
import CBootletArchive

/// `/etc/passwd` and `/etc/group` of an image, parsed the way containerd does (moby/sys/user `ParsePasswdFilter`,
/// `ParseGroupFilter`): lines are trimmed, empty lines skipped, fields split on `:`, numeric fields that do not
/// parse count as 0, no NSS and no comment syntax.
public struct ImageAccounts: Sendable, Equatable {
    public struct User: Sendable, Equatable {
        public var name: String
        public var uid: Int64
        public var gid: Int64
    }

    public struct Group: Sendable, Equatable {
        public var name: String
        public var gid: Int64
        public var members: [String]
    }

    /// nil when the file does not exist in the image.
    public var users: [User]?
    public var groups: [Group]?

    public init(users: [User]?, groups: [Group]?) {
        self.users = users
        self.groups = groups
    }

    public init(passwd: String?, group: String?) {
        users = passwd.map(ImageAccounts.parsePasswd)
        groups = group.map(ImageAccounts.parseGroup)
    }

    static func fields(_ text: String) -> [[Substring]] {
        // "\r\n" is one Character in Swift; Go splits at "\n" and TrimSpace drops the "\r".
        text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).compactMap { raw in
            let line = raw.trimmingCharacters(in: " \t\r\u{0B}\u{0C}")
            return line.isEmpty ? nil : line.split(separator: ":", omittingEmptySubsequences: false)
        }
    }

    static func int(_ f: [Substring], _ i: Int) -> Int64 { i < f.count ? Int64(f[i]) ?? 0 : 0 }

    public static func parsePasswd(_ text: String) -> [User] {
        fields(text).map { f in User(name: String(f[0]), uid: int(f, 2), gid: int(f, 3)) }
    }

    public static func parseGroup(_ text: String) -> [Group] {
        fields(text).map { f in
            let list = f.count > 3 && !f[3].isEmpty ? f[3].split(separator: ",", omittingEmptySubsequences: false).map(String.init) : []
            return Group(name: String(f[0]), gid: int(f, 2), members: list)
        }
    }

    /// Reads both files from a rootfs. Paths are resolved inside the rootfs (openat2 RESOLVE_IN_ROOT, like
    /// containerd's `os.OpenRoot`), so a symlinked `/etc/passwd` cannot point at the host's file.
    public static func read(rootfs: String) throws -> ImageAccounts {
        let rootfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootfd >= 0 else { throw RuntimeError.errno("open container rootfs", rootfs) }
        defer { close(rootfd) }
        func load(_ rel: String) throws -> String? {
            let fd = bl_archive_open_in_root(rootfd, rel, O_RDONLY | O_CLOEXEC)
            if fd == -ENOENT || fd == -ENOTDIR { return nil }
            guard fd >= 0 else { throw RuntimeError("read image file", "\(rootfs)/\(rel)", errno: -fd) }
            defer { close(fd) }
            var out: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw RuntimeError.errno("read image file", "\(rootfs)/\(rel)")
                }
                if n == 0 { break }
                out += buf[0..<n]
                if out.count > 16 << 20 {
                    throw RuntimeError("read image file", "\(rootfs)/\(rel)", detail: "larger than 16 MiB")
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
        return ImageAccounts(passwd: try load("etc/passwd"), group: try load("etc/group"))
    }
}

enum UserResolution {
    /// containerd `getUserFromImage` (what CRI ImageStatus reports) and kubelet `getImageUser`: the part before
    /// `:` is a uid if numeric, else a user name; an empty USER means uid 0. The image's group part is dropped
    /// (kubernetes#61967, containerd#11607: kubelet passes only the uid, so `USER 1000:1000` runs with the gid of
    /// uid 1000 in `/etc/passwd`, or 0).
    static func imageUser(_ user: String?) -> (uid: Int64?, name: String) {
        guard let user, !user.isEmpty else { return (0, "") }
        let head = String(user.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        if let uid = Int64(head) { return (uid, "") }
        return (nil, head)
    }

    /// kubelet `verifyRunAsNonRoot` with its exact messages.
    static func verifyRunAsNonRoot(
        _ sc: EffectiveSecurityContext, imageUID: Int64?, imageUsername: String, podDesc: String, container: String
    ) -> String? {
        guard sc.runAsNonRoot == true else { return nil }
        if let u = sc.runAsUser {
            if u == 0 {
                return "container's runAsUser breaks non-root policy (pod: \(goQuoted(podDesc)), container: \(container))"
            }
            return nil
        }
        if imageUID == nil && !imageUsername.isEmpty {
            return "container has runAsNonRoot and image has non-numeric user (\(imageUsername)), cannot verify user is non-root (pod: \(goQuoted(podDesc)), container: \(container))"
        }
        if let uid = imageUID {
            if uid == 0 {
                return "container has runAsNonRoot and image will run as root (pod: \(goQuoted(podDesc)), container: \(container))"
            }
            if uid < 0 || uid > Int64(Int32.max) {
                return "container has runAsNonRoot and image has an invalid user id (\(uid)). (Must be 1-(\(Int32.max))): must be between 0 and \(Int32.max), inclusive (pod: \(goQuoted(podDesc)), container: \(container))"
            }
        }
        return nil
    }

    enum Failure: Error { case message(String) }

    /// containerd `WithUser(userstr)`: `uid`, `name`, `uid:gid`, `name:group`, ... against the image accounts.
    static func withUser(_ userstr: String, accounts: ImageAccounts) throws(Failure) -> (uid: UInt32, gid: UInt32) {
        let parts = userstr.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func numeric(_ s: String, _ what: String) throws(Failure) -> UInt32? {
            guard let v = Int64(s) else {
                // Go's Atoi: digits that overflow are a range error, not a name.
                if !s.isEmpty, s.drop(while: { $0 == "+" || $0 == "-" }).allSatisfy(\.isNumber) {
                    throw .message("invalid USER value \(goQuoted(userstr)): \(what) out of range")
                }
                return nil
            }
            guard v >= 0 && v <= Int64(Int32.max) else {
                throw .message("invalid USER value \(goQuoted(userstr)): \(what) out of range")
            }
            return UInt32(v)
        }
        func user(named name: String) throws(Failure) -> ImageAccounts.User {
            guard let users = accounts.users else {
                throw .message("unable to find user \(goQuoted(name)): open /etc/passwd: no such file or directory")
            }
            guard let u = users.first(where: { $0.name == name }) else {
                throw .message("unable to find user \(goQuoted(name)) in the image's /etc/passwd: no users found")
            }
            return u
        }
        switch parts.count {
        case 1:
            if let uid = try numeric(parts[0], "uid") {
                // WithUserID: the gid from /etc/passwd, or 0 when the file or the entry is missing.
                let entry = accounts.users?.first { $0.uid == Int64(uid) }
                return (uid, UInt32(truncatingIfNeeded: entry?.gid ?? 0))
            }
            let u = try user(named: parts[0])
            return (UInt32(truncatingIfNeeded: u.uid), UInt32(truncatingIfNeeded: u.gid))
        case 2:
            var uid = try numeric(parts[0], "uid")
            var gid = try numeric(parts[1], "gid")
            if uid == nil { uid = UInt32(truncatingIfNeeded: try user(named: parts[0]).uid) }
            if gid == nil {
                let name = parts[1]
                guard let groups = accounts.groups else {
                    throw .message("unable to find group \(goQuoted(name)): open /etc/group: no such file or directory")
                }
                guard let g = groups.first(where: { $0.name == name }) else {
                    throw .message("unable to find group \(goQuoted(name)) in the image's /etc/group: no groups found")
                }
                gid = UInt32(truncatingIfNeeded: g.gid)
            }
            return (uid ?? 0, gid ?? 0)
        default:
            throw .message("invalid USER value \(userstr)")
        }
    }

    /// containerd `WithAdditionalGIDs(userstr)`: the groups of `/etc/group` that list the user as a member
    /// (except a group named like the user). A numeric user is first mapped to its name through `/etc/passwd`;
    /// an unknown uid or a missing file gives no groups.
    static func imageGroups(of userstr: String, accounts: ImageAccounts) -> [UInt32] {
        var name = userstr
        if let uid = Int64(userstr) {
            guard let u = accounts.users?.first(where: { $0.uid == uid }) else { return [] }
            name = u.name
        }
        return (accounts.groups ?? []).filter { $0.name != name && $0.members.contains(name) }
            .map { UInt32(truncatingIfNeeded: $0.gid) }
    }

    /// Sorted and unique, as containerd's `mergeGids`.
    static func merge(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] { Array(Set(a).union(b)).sorted() }
}

extension Substring {
    func trimmingCharacters(in set: String) -> Substring {
        let chars = Set(set)
        var s = self
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return s
    }
}
