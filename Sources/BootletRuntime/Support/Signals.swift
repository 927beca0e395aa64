/// Linux signal names (moby `signal.SignalMap` for Linux).
public enum Signals {
    static let table: [(String, Int32)] = [
        ("ABRT", 6), ("ALRM", 14), ("BUS", 7), ("CHLD", 17), ("CLD", 17), ("CONT", 18), ("FPE", 8), ("HUP", 1),
        ("ILL", 4), ("INT", 2), ("IO", 29), ("IOT", 6), ("KILL", 9), ("PIPE", 13), ("POLL", 29), ("PROF", 27),
        ("PWR", 30), ("QUIT", 3), ("SEGV", 11), ("STKFLT", 16), ("STOP", 19), ("SYS", 31), ("TERM", 15), ("TRAP", 5),
        ("TSTP", 20), ("TTIN", 21), ("TTOU", 22), ("URG", 23), ("USR1", 10), ("USR2", 12), ("VTALRM", 26),
        ("WINCH", 28), ("XCPU", 24), ("XFSZ", 25), ("RTMIN", 34), ("RTMAX", 64),
    ]

    /// `SIGTERM`, `term`, `15`, `RTMIN+3` → canonical name and number.
    public static func parse(_ raw: String) -> (name: String, number: Int32)? {
        if let n = Int32(raw) {
            guard n > 0 && n <= 64 else { return nil }
            return (name(of: n), n)
        }
        var s = raw.uppercased()
        if s.hasPrefix("SIG") { s = String(s.dropFirst(3)) }
        if let plus = s.firstIndex(where: { $0 == "+" || $0 == "-" }) {
            let base = String(s[..<plus])
            guard let off = Int32(s[s.index(after: plus)...]), off >= 0 else { return nil }
            let n: Int32
            switch (base, s[plus]) {
            case ("RTMIN", "+"): n = 34 + off
            case ("RTMAX", "-"): n = 64 - off
            default: return nil
            }
            guard n >= 34 && n <= 64 else { return nil }
            return ("SIG" + s, n)
        }
        guard let hit = table.first(where: { $0.0 == s }) else { return nil }
        return ("SIG" + hit.0, hit.1)
    }

    /// The number of a signal given as runc's `kill` takes it (`KILL`, `SIGKILL`, `9`, `RTMIN+3`).
    public static func number(_ raw: String) throws(RuntimeError) -> Int32 {
        guard let n = parse(raw)?.number else {
            throw RuntimeError("parse signal", raw.debugDescription, detail: "unknown signal")
        }
        return n
    }

    static func name(of n: Int32) -> String {
        if let hit = table.first(where: { $0.1 == n && !["CLD", "IOT", "POLL"].contains($0.0) }) { return "SIG" + hit.0 }
        if n > 34 && n < 64 { return "SIGRTMIN+\(n - 34)" }
        return "SIG\(n)"
    }
}
