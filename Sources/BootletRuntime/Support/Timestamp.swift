#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock timestamps in the formats Kubernetes and the OCI tools print, without Foundation's formatters.
public enum Timestamp {
    /// Nanoseconds since the epoch.
    public static func nowNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// `2006-01-02T15:04:05.000000000Z` (kubelet's RFC3339NanoFixed, UTC) or, with `fraction: false`,
    /// `2006-01-02T15:04:05Z` (metav1.Time as served in pod status).
    public static func rfc3339(nanos: Int64, fraction: Bool = true) -> String {
        var secs = time_t(nanos / 1_000_000_000)
        let ns = Int(nanos % 1_000_000_000)
        var t = tm()
        gmtime_r(&secs, &t)
        func pad(_ v: Int32, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        var out = "\(pad(t.tm_year + 1900, 4))-\(pad(t.tm_mon + 1, 2))-\(pad(t.tm_mday, 2))T"
        out += "\(pad(t.tm_hour, 2)):\(pad(t.tm_min, 2)):\(pad(t.tm_sec, 2))"
        if fraction {
            let f = String(ns)
            out += "." + String(repeating: "0", count: 9 - f.count) + f
        }
        return out + "Z"
    }

    public static func now(fraction: Bool = true) -> String { rfc3339(nanos: nowNanos(), fraction: fraction) }
}
