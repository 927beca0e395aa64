/// `metav1.Time`: an instant serialised as RFC 3339 with whole seconds in UTC (`2026-11-29T12:08:15Z`),
/// which is how every timestamp in `/pods` status looks. Nanoseconds are kept for `config.seen`.
public struct KubeTime: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var seconds: Int64
    public var nanoseconds: Int32

    public init(seconds: Int64, nanoseconds: Int32 = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    public struct ParseError: Swift.Error, CustomStringConvertible {
        public var input: String
        public var description: String { "parsing time \"\(input)\" as RFC 3339 failed" }
    }

    /// RFC 3339 with whole seconds, UTC: metav1.Time's JSON form.
    public var description: String { rfc3339 }

    public var rfc3339: String {
        let (y, mo, d, h, mi, s) = KubeTime.civil(seconds)
        return "\(pad(y, 4))-\(pad(mo, 2))-\(pad(d, 2))T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2))Z"
    }

    /// kubelet's `RFC3339NanoFixed` (`2006-01-02T15:04:05.000000000Z07:00`): always nine fractional digits;
    /// `utcOffsetSeconds` is the local zone offset (`Z` when 0). Used for `kubernetes.io/config.seen`.
    public func rfc3339NanoFixed(utcOffsetSeconds: Int = 0) -> String {
        let local = seconds + Int64(utcOffsetSeconds)
        let (y, mo, d, h, mi, s) = KubeTime.civil(local)
        var out = "\(pad(y, 4))-\(pad(mo, 2))-\(pad(d, 2))T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2)).\(pad(Int64(nanoseconds), 9))"
        if utcOffsetSeconds == 0 {
            out += "Z"
        } else {
            let off = abs(utcOffsetSeconds) / 60
            out += (utcOffsetSeconds < 0 ? "-" : "+") + pad(Int64(off / 60), 2) + ":" + pad(Int64(off % 60), 2)
        }
        return out
    }

    /// Parses RFC 3339 (`Z` or `±hh:mm`, optional fraction).
    public init(rfc3339 text: String) throws(ParseError) {
        let b = Array(text.utf8)
        func num(_ from: Int, _ len: Int) -> Int64? {
            guard from + len <= b.count else { return nil }
            var v: Int64 = 0
            for c in b[from..<(from + len)] {
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            return v
        }
        guard b.count >= 20, let y = num(0, 4), b[4] == 45, let mo = num(5, 2), b[7] == 45, let d = num(8, 2),
            b[10] == 84 || b[10] == 116, let h = num(11, 2), b[13] == 58, let mi = num(14, 2), b[16] == 58,
            let s = num(17, 2), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61
        else { throw ParseError(input: text) }
        var i = 19
        var nanos: Int64 = 0
        if i < b.count, b[i] == 46 {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 9 { nanos = nanos * 10 + Int64(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { throw ParseError(input: text) }
            for _ in digits..<max(digits, 9) { nanos *= 10 }
        }
        var offset: Int64 = 0
        guard i < b.count else { throw ParseError(input: text) }
        if b[i] == 90 || b[i] == 122 {
            i += 1
        } else if b[i] == 43 || b[i] == 45, let oh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == 58, let om = num(i + 4, 2) {
            offset = (oh * 3600 + om * 60) * (b[i] == 45 ? -1 : 1)
            i += 6
        } else {
            throw ParseError(input: text)
        }
        guard i == b.count else { throw ParseError(input: text) }
        seconds = KubeTime.days(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset
        nanoseconds = Int32(nanos)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(rfc3339: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rfc3339)
    }

    public static func < (a: KubeTime, b: KubeTime) -> Bool {
        (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    static func days(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civil(_ t: Int64) -> (Int64, Int64, Int64, Int64, Int64, Int64) {
        var days = t / 86400
        var rem = t % 86400
        if rem < 0 { rem += 86400; days -= 1 }
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (y, m, d, rem / 3600, (rem % 3600) / 60, rem % 60)
    }
}

private func pad(_ v: Int64, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
