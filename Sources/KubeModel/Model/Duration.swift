/// `metav1.Duration`: a Go duration string (`20s`, `1m0s`, `1h30m`, `500ms`) as used in KubeletConfiguration.
public struct KubeDuration: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    public init(seconds: Int64) { nanoseconds = seconds * 1_000_000_000 }

    public var seconds: Double { Double(nanoseconds) / 1e9 }

    public struct ParseError: Swift.Error, CustomStringConvertible {
        public var input: String
        public var description: String { "time: invalid duration \"\(input)\"" }
    }

    /// Go's `time.ParseDuration`.
    public init(parsing s: String) throws(ParseError) {
        var rest = Substring(s)
        var negative = false
        if rest.first == "-" || rest.first == "+" {
            negative = rest.first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { nanoseconds = 0; return }
        guard !rest.isEmpty else { throw ParseError(input: s) }
        var total = 0.0
        while !rest.isEmpty {
            let numEnd = rest.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? rest.endIndex
            let numText = rest[..<numEnd]
            guard !numText.isEmpty, numText != ".", let v = Double(numText) else { throw ParseError(input: s) }
            rest = rest[numEnd...]
            let unitEnd = rest.firstIndex { $0.isASCII && ($0.isNumber || $0 == ".") } ?? rest.endIndex
            let unit = rest[..<unitEnd]
            rest = rest[unitEnd...]
            let scale: Double
            switch unit {
            case "ns": scale = 1
            case "us", "µs", "μs": scale = 1e3
            case "ms": scale = 1e6
            case "s": scale = 1e9
            case "m": scale = 60e9
            case "h": scale = 3600e9
            default: throw ParseError(input: s)
            }
            total += v * scale
        }
        guard total < 9.2e18 else { throw ParseError(input: s) }
        nanoseconds = Int64(total.rounded()) * (negative ? -1 : 1)
    }

    /// Go's `Duration.String()`.
    public var description: String {
        var n = nanoseconds
        if n == 0 { return "0s" }
        let neg = n < 0
        if neg { n = -n }
        func frac(_ v: Int64, _ unitNanos: Int64) -> String {
            let whole = v / unitNanos
            var f = v % unitNanos
            guard f != 0 else { return String(whole) }
            var digits = String(f)
            var width = String(unitNanos).count - 1
            while digits.count < width { digits = "0" + digits }
            while digits.hasSuffix("0") { digits.removeLast(); width -= 1 }
            f = 0
            return "\(whole).\(digits)"
        }
        var out: String
        if n < 1_000 {
            out = "\(n)ns"
        } else if n < 1_000_000 {
            out = frac(n, 1_000) + "µs"
        } else if n < 1_000_000_000 {
            out = frac(n, 1_000_000) + "ms"
        } else {
            let h = n / 3_600_000_000_000
            let m = (n / 60_000_000_000) % 60
            let s = n % 60_000_000_000
            out = ""
            if h > 0 { out += "\(h)h" }
            if h > 0 || m > 0 { out += "\(m)m" }
            out += frac(s, 1_000_000_000) + "s"
        }
        return (neg ? "-" : "") + out
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    public static func < (a: KubeDuration, b: KubeDuration) -> Bool { a.nanoseconds < b.nanoseconds }
}
