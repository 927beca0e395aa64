#if canImport(Glibc)
import Glibc
#endif

/// Process facts from /proc, used to tell a live container process from a recycled pid.
public enum ProcFS {
    /// Field 22 of /proc/<pid>/stat (start time in clock ticks since boot) and the state letter (field 3).
    public static func stat(_ pid: Int32) -> (startTime: UInt64, state: Character)? {
        guard let text = try? FileIO.readString("/proc/\(pid)/stat") else { return nil }
        // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let rest = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // rest[0] is field 3 (state); field 22 is rest[19].
        guard rest.count > 19, let st = rest[0].first, let start = UInt64(rest[19]) else { return nil }
        return (start, st)
    }

    /// True when `pid` exists, is not a zombie and (if given) started at `startTime`.
    public static func isAlive(_ pid: Int32, startTime: UInt64?) -> Bool {
        guard pid > 0, let s = stat(pid) else { return false }
        if s.state == "Z" || s.state == "X" { return false }
        if let t = startTime, t != 0, t != s.startTime { return false }
        return true
    }

    /// This process's oom_score_adj.
    public static func ownOOMScoreAdj() -> Int {
        guard let t = try? FileIO.readString("/proc/self/oom_score_adj") else { return 0 }
        return Int(t.bl_trimmed()) ?? 0
    }
}

extension String {
    /// Without leading and trailing ASCII whitespace (space, \n, \t, \r); compares bytes, so reading a /proc or
    /// cgroup file never goes through Character hashing and the Unicode tables behind it.
    func bl_trimmed() -> String {
        func ws(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0a || c == 0x09 || c == 0x0d }
        let u = utf8
        guard let first = u.firstIndex(where: { !ws($0) }), let last = u.lastIndex(where: { !ws($0) }) else { return "" }
        return String(decoding: u[first...last], as: UTF8.self)
    }
}
