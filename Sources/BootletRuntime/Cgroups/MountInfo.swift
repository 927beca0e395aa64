/// One line of `/proc/<pid>/mountinfo` (proc(5)), with the octal escapes (`\040` space, `\011` tab, `\012`
/// newline, `\134` backslash) in root and mount point decoded.
public struct MountInfoEntry: Sendable, Equatable {
    public var id: Int
    public var parentID: Int
    public var root: String
    public var mountPoint: String
    public var mountOptions: [String]
    public var fsType: String
    public var source: String
    public var superOptions: [String]

    /// Parses the whole file; lines that do not have the proc(5) shape are rejected with the line number, because a
    /// silently skipped cgroup mount would put containers in the wrong place.
    public static func parse(_ text: String) throws(CgroupError) -> [MountInfoEntry] {
        var out: [MountInfoEntry] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            guard let e = parseLine(line) else {
                throw CgroupError.invalid("parse mountinfo", "line \(n + 1) is malformed: \(line)")
            }
            out.append(e)
        }
        return out
    }

    /// Drops the entries that cannot be reached through their mount point because something was mounted over them:
    /// a mount stacked on the same point (its parent is the hidden mount), or a later mount on an ancestor directory
    /// that the hidden mount does not sit below (`mount -t tmpfs none /sys/fs/cgroup/unified` in a private mount
    /// namespace hides the cgroup2 mount while mountinfo still lists it).
    public static func visible(_ mounts: [MountInfoEntry]) -> [MountInfoEntry] {
        var byID: [Int: MountInfoEntry] = [:]
        for m in mounts { byID[m.id] = m }
        func isBelow(_ m: MountInfoEntry, _ ancestorID: Int) -> Bool {
            var cur = m.parentID
            var hops = 0
            while let p = byID[cur], hops < mounts.count {
                if p.id == ancestorID { return true }
                if p.parentID == p.id { break }
                cur = p.parentID
                hops += 1
            }
            return false
        }
        return mounts.enumerated().filter { i, m in
            !mounts[(i + 1)...].contains { n in
                if n.mountPoint == m.mountPoint { return n.parentID == m.id || !isBelow(n, m.id) && !isBelow(m, n.id) }
                let prefix = n.mountPoint == "/" ? "/" : n.mountPoint + "/"
                return m.mountPoint.hasPrefix(prefix) && !isBelow(m, n.id)
            }
        }.map(\.1)
    }

    static func parseLine(_ line: Substring) -> MountInfoEntry? {
        let f = line.split(separator: " ", omittingEmptySubsequences: true)
        // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
        guard f.count >= 9, let id = Int(f[0]), let parent = Int(f[1]),
            let sep = f[6...].firstIndex(of: "-"), sep + 2 < f.count
        else { return nil }
        let fsType = f[sep + 1]
        let source = f[sep + 2]
        let superOpts = sep + 3 < f.count ? f[sep + 3] : ""
        return MountInfoEntry(
            id: id, parentID: parent, root: unescape(f[3]), mountPoint: unescape(f[4]),
            mountOptions: f[5].split(separator: ",").map(String.init), fsType: String(fsType),
            source: unescape(source), superOptions: superOpts.split(separator: ",").map(String.init)
        )
    }

    /// Decodes the `\ooo` octal escapes the kernel uses for space, tab, newline and backslash.
    static func unescape(_ s: Substring) -> String {
        guard s.contains("\\") else { return String(s) }
        var bytes: [UInt8] = []
        let u = Array(s.utf8)
        var i = 0
        while i < u.count {
            if u[i] == UInt8(ascii: "\\"), i + 3 < u.count {
                let digits = u[(i + 1)...(i + 3)]
                if digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }) {
                    let v = digits.reduce(0) { $0 * 8 + Int($1 - UInt8(ascii: "0")) }
                    if v < 256 {
                        bytes.append(UInt8(v))
                        i += 4
                        continue
                    }
                }
            }
            bytes.append(u[i])
            i += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// One line of `/proc/<pid>/cgroup`: `hierarchy-ID:controller-list:path` (cgroups(7)). The v2 line is `0::/path`.
public struct ProcCgroupEntry: Sendable, Equatable {
    public var hierarchyID: Int
    /// Controllers of the v1 hierarchy, including named ones like `name=systemd`; empty for the v2 line.
    public var controllers: [String]
    public var path: String

    public static func parse(_ text: String) throws(CgroupError) -> [ProcCgroupEntry] {
        var out: [ProcCgroupEntry] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let id = Int(parts[0]), parts[2].hasPrefix("/") else {
                throw CgroupError.invalid("parse /proc/self/cgroup", "line \(n + 1) is malformed: \(line)")
            }
            out.append(
                ProcCgroupEntry(
                    hierarchyID: id, controllers: parts[1].split(separator: ",").map(String.init), path: String(parts[2])
                )
            )
        }
        return out
    }
}
