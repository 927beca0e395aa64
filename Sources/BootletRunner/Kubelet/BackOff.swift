import BootletRuntime

/// kubelet's crash-loop back-off (client-go `flowcontrol.Backoff` as kubelet configures it): 10 s doubling to 300 s;
/// an entry not updated for 10 minutes is forgotten, so a container that ran fine for 10 minutes starts over at 10 s.
///
/// Keys are kubelet's `<pod>_<ns>_<uid>_<container>_<hash>`: a changed container definition starts fresh.
public final class BackOff: @unchecked Sendable {
    public let initial: Int64
    public let max: Int64
    public let expiry: Int64
    private let lock = Lock()
    private var entries: [String: (backoff: Int64, lastUpdate: Int64)] = [:]
    private let now: @Sendable () -> Int64

    public init(initialSeconds: Int64 = 10, maxSeconds: Int64 = 300, expirySeconds: Int64 = 600,
                now: @escaping @Sendable () -> Int64 = Timestamp.nowNanos) {
        initial = initialSeconds * 1_000_000_000
        max = maxSeconds * 1_000_000_000
        expiry = expirySeconds * 1_000_000_000
        self.now = now
    }

    /// The current delay for `key` if it is still backing off from an event at `eventTime` (ns), else nil.
    public func remaining(_ key: String, since eventTime: Int64) -> (delay: Int64, left: Int64)? {
        lock.with {
            guard let e = entries[key], eventTime - e.lastUpdate <= expiry else { return nil }
            let elapsed = now() - eventTime
            return elapsed < e.backoff ? (e.backoff, e.backoff - elapsed) : nil
        }
    }

    /// Record a restart for `key` after the event at `eventTime`: the first one (or one after expiry) gets the
    /// initial delay, each further one doubles it up to the maximum.
    public func next(_ key: String, eventTime: Int64) {
        lock.with {
            if let e = entries[key], eventTime - e.lastUpdate <= expiry {
                entries[key] = (Swift.min(e.backoff * 2, max), now())
            } else {
                entries[key] = (initial, now())
            }
        }
    }

    public func reset(_ key: String) { lock.with { _ = entries.removeValue(forKey: key) } }

    /// Forget entries of keys with `prefix` (a deleted pod).
    public func forget(prefix: String) { lock.with { entries = entries.filter { !$0.key.hasPrefix(prefix) } } }

    /// Go's `time.Duration.String()` for whole seconds: `10s`, `1m20s`, `5m0s`.
    public static func goDuration(nanos: Int64) -> String {
        let s = nanos / 1_000_000_000
        if s < 60 { return "\(s)s" }
        let m = s / 60
        if m < 60 { return "\(m)m\(s % 60)s" }
        return "\(m / 60)h\(m % 60)m\(s % 60)s"
    }
}
