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
    /// The optional fields (`shared:N`, `master:N`, `propagate_from:N`, `unbindable`).
    public var optionalFields: [String] = []

    public init(
        id: Int, parentID: Int, root: String, mountPoint: String, mountOptions: [String], fsType: String,
        source: String, superOptions: [String], optionalFields: [String] = []
    ) {
        self.id = id
        self.parentID = parentID
        self.root = root
        self.mountPoint = mountPoint
        self.mountOptions = mountOptions
        self.fsType = fsType
        self.source = source
        self.superOptions = superOptions
        self.optionalFields = optionalFields
    }

    /// Parses the whole file; lines that do not have the proc(5) shape are rejected with the line number, because a
    /// silently skipped cgroup mount would put containers in the wrong place. Works on bytes: Character-wise
    /// splitting made this the largest single cost of `bootlet oci run` after the spec decode.
    public static func parse(_ text: String) throws(CgroupError) -> [MountInfoEntry] {
        let bytes = Array(text.utf8)
        var out: [MountInfoEntry] = []
        var n = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            n += 1
            guard let e = parseLine(line) else {
                throw CgroupError.invalid("parse mountinfo", "line \(n) is malformed: \(String(decoding: line, as: UTF8.self))")
            }
            out.append(e)
        }
        return out
    }

    /// The mount entries of the calling process, or none when /proc cannot be read or parsed (callers that only look
    /// something up treat that as "no such mount").
    public static func current() -> [MountInfoEntry] {
        guard let text = try? FileIO.readString("/proc/self/mountinfo") else { return [] }
        return (try? parse(text)) ?? []
    }

    /// Drops the entries matching `where` that cannot be reached through their mount point because something was
    /// mounted over them: a mount stacked on the same point (its parent is the hidden mount), or a later mount on
    /// an ancestor directory that the hidden mount does not sit below (`mount -t tmpfs none /sys/fs/cgroup/unified`
    /// in a private mount namespace hides the cgroup2 mount while mountinfo still lists it). Entries not matching
    /// `where` are dropped too; only the candidates are checked, so asking about a few cgroup mounts stays cheap.
    public static func visible(_ mounts: [MountInfoEntry], where candidate: (MountInfoEntry) -> Bool = { _ in true })
        -> [MountInfoEntry]
    {
        var parentOf: [Int: Int] = [:]
        for m in mounts { parentOf[m.id] = m.parentID }
        func isBelow(_ m: MountInfoEntry, _ ancestorID: Int) -> Bool {
            var cur = m.parentID
            var hops = 0
            while hops < mounts.count, let next = parentOf[cur] {
                if cur == ancestorID { return true }
                if next == cur { break }
                cur = next
                hops += 1
            }
            return cur == ancestorID
        }
        var out: [MountInfoEntry] = []
        for (i, m) in mounts.enumerated() where candidate(m) {
            let hidden = mounts[(i + 1)...].contains { n in
                if n.mountPoint == m.mountPoint { return n.parentID == m.id || !isBelow(n, m.id) && !isBelow(m, n.id) }
                let prefix = n.mountPoint == "/" ? "/" : n.mountPoint + "/"
                return m.mountPoint.hasPrefix(prefix) && !isBelow(m, n.id)
            }
            if !hidden { out.append(m) }
        }
        return out
    }

    static func parseLine(_ line: ArraySlice<UInt8>) -> MountInfoEntry? {
        // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
        let f = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        guard f.count >= 9, let id = Int(text(f[0])), let parent = Int(text(f[1])),
            let sep = f[6...].firstIndex(where: { $0.count == 1 && $0.first == UInt8(ascii: "-") }), sep + 2 < f.count
        else { return nil }
        return MountInfoEntry(
            id: id, parentID: parent, root: unescape(f[3]), mountPoint: unescape(f[4]), mountOptions: list(f[5]),
            fsType: text(f[sep + 1]), source: unescape(f[sep + 2]), superOptions: sep + 3 < f.count ? list(f[sep + 3]) : [],
            optionalFields: f[6..<sep].map(text)
        )
    }

    static func text(_ s: ArraySlice<UInt8>) -> String { String(decoding: s, as: UTF8.self) }
    static func list(_ s: ArraySlice<UInt8>) -> [String] { s.split(separator: UInt8(ascii: ",")).map(text) }

    /// Decodes the `\ooo` octal escapes the kernel uses for space, tab, newline and backslash.
    static func unescape(_ u: ArraySlice<UInt8>) -> String {
        guard u.contains(UInt8(ascii: "\\")) else { return text(u) }
        var bytes: [UInt8] = []
        var i = u.startIndex
        while i < u.endIndex {
            if u[i] == UInt8(ascii: "\\"), i + 3 < u.endIndex {
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
        var n = 0
        for line in Array(text.utf8).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            n += 1
            let parts = line.split(separator: UInt8(ascii: ":"), maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let id = Int(MountInfoEntry.text(parts[0])), parts[2].first == UInt8(ascii: "/") else {
                throw CgroupError.invalid("parse /proc/self/cgroup", "line \(n) is malformed: \(MountInfoEntry.text(line))")
            }
            out.append(
                ProcCgroupEntry(hierarchyID: id, controllers: MountInfoEntry.list(parts[1]), path: MountInfoEntry.text(parts[2]))
            )
        }
        return out
    }
}
