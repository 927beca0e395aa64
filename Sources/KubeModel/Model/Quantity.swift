/// A Kubernetes resource quantity (`500m`, `64Mi`, `1e3`, `0.5`), per apimachinery `resource.Quantity`.
///
/// The value is kept as a count of nano-units (10⁻⁹), which is apimachinery's precision floor: parsing rounds any
/// finer value *up* to the next nano ("if you want some resources you should get some") and caps at 2⁶³−1
/// units. `description` is the canonical form Kubernetes prints (`0.1` → `100m`, `1024Mi` → `1Gi`,
/// `1.5Gi` → `1536Mi`), which is what kubelet serves in `/pods`.
public struct Quantity: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public enum Format: String, Sendable { case decimalSI = "DecimalSI", binarySI = "BinarySI", decimalExponent = "DecimalExponent" }

    /// Value in units of 10⁻⁹.
    public private(set) var nanos: Int128
    public private(set) var format: Format

    public struct ParseError: Swift.Error, CustomStringConvertible, Equatable, Sendable {
        public var input: String
        public var description: String {
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (got \"\(input)\")"
        }
    }

    static let maxUnits = Int128(Int64.max)
    static let nano = Int128(1_000_000_000)

    public init(nanos: Int128 = 0, format: Format = .decimalSI) {
        self.nanos = nanos
        self.format = format
    }

    public init(stringLiteral s: String) {
        self = (try? Quantity(parsing: s)) ?? Quantity()
    }

    /// Parses the apimachinery syntax: sign, digits with an optional fraction, then one suffix — a binary SI
    /// suffix (Ki…Ei), a decimal SI suffix (n, u, m, "", k, M, G, T, P, E) or an exponent (`e3`, `E-2`).
    public init(parsing s: String) throws(ParseError) {
        let b = Array(s.utf8)
        var i = 0
        var negative = false
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            negative = b[i] == UInt8(ascii: "-")
            i += 1
        }
        var intDigits: [UInt8] = []
        var fracDigits: [UInt8] = []
        while i < b.count, isDigit(b[i]) { intDigits.append(b[i]); i += 1 }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.count, isDigit(b[i]) { fracDigits.append(b[i]); i += 1 }
        }
        guard !(intDigits.isEmpty && fracDigits.isEmpty) else { throw ParseError(input: s) }
        let suffix = String(decoding: b[i...], as: UTF8.self)
        var base10Exp = 0
        var binExp = 0
        var format = Format.decimalSI
        switch suffix {
        case "": break
        case "n": base10Exp = -9
        case "u": base10Exp = -6
        case "m": base10Exp = -3
        case "k": base10Exp = 3
        case "M": base10Exp = 6
        case "G": base10Exp = 9
        case "T": base10Exp = 12
        case "P": base10Exp = 15
        case "E": base10Exp = 18
        case "Ki": binExp = 10; format = .binarySI
        case "Mi": binExp = 20; format = .binarySI
        case "Gi": binExp = 30; format = .binarySI
        case "Ti": binExp = 40; format = .binarySI
        case "Pi": binExp = 50; format = .binarySI
        case "Ei": binExp = 60; format = .binarySI
        default:
            var e = Substring(suffix)
            guard e.first == "e" || e.first == "E" else { throw ParseError(input: s) }
            e = e.dropFirst()
            var expNeg = false
            if e.first == "+" || e.first == "-" { expNeg = e.first == "-"; e = e.dropFirst() }
            guard !e.isEmpty, e.utf8.allSatisfy(isDigit), e.count <= 4, let v = Int(e) else { throw ParseError(input: s) }
            base10Exp = expNeg ? -v : v
            format = .decimalExponent
        }
        // Significant digits with their decimal exponent: value = digits × 10^(exp).
        var digits = intDigits + fracDigits
        var exp = base10Exp - fracDigits.count
        while digits.count > 1, digits.first == UInt8(ascii: "0") { digits.removeFirst() }
        // Huge digit strings saturate at the cap below; drop excess low digits but remember they were non-zero.
        var lostNonZero = false
        while digits.count > 60 {
            if digits.removeLast() != UInt8(ascii: "0") { lostNonZero = true }
            exp += 1
        }
        var mantissa = Int128(0)
        for d in digits { mantissa = mantissa * 10 + Int128(d - UInt8(ascii: "0")) }
        // Into nano-units: × 10^(exp + 9) × 2^binExp, rounding up (away from zero) below a nano.
        var n: Int128
        let shift = exp + 9
        let capNanos = Quantity.maxUnits * Quantity.nano
        if mantissa == 0 {
            n = 0
        } else if shift >= 0 {
            n = mantissa
            var saturated = false
            for _ in 0..<shift {
                if n > capNanos { saturated = true; break }
                n *= 10
            }
            if saturated { n = capNanos }
        } else {
            var divisor = Int128(1)
            var tooSmall = false
            for _ in 0..<(-shift) {
                if divisor > mantissa { tooSmall = true; break }
                divisor *= 10
            }
            if tooSmall {
                n = 1
            } else {
                n = mantissa / divisor
                if mantissa % divisor != 0 || lostNonZero { n += 1 }
            }
        }
        if binExp > 0 {
            for _ in 0..<binExp {
                if n > capNanos { break }
                n *= 2
            }
        }
        if n > capNanos { n = capNanos }
        // A binary amount that is not a whole number of units is rounded up to one (apimachinery rounds binary
        // values to integers when it canonicalises them; the stored amount keeps the nanos).
        self.nanos = negative ? -n : n
        self.format = format
    }

    public var isZero: Bool { nanos == 0 }

    /// Value in whole units, rounded up (apimachinery `Value()`), e.g. `100m` → 1.
    public var value: Int64 { Quantity.clamp(Quantity.divRoundUp(nanos, Quantity.nano)) }

    /// Value in thousandths, rounded up (apimachinery `MilliValue()`), e.g. `0.1` → 100, `1` → 1000.
    public var milliValue: Int64 { Quantity.clamp(Quantity.divRoundUp(nanos, 1_000_000)) }

    /// Value scaled to 10^scale units, rounded up (apimachinery `ScaledValue`).
    public func scaledValue(_ scale: Int) -> Int64 {
        let shift = scale + 9
        if shift <= 0 {
            var v = nanos
            for _ in 0..<(-shift) {
                if abs(v) > Quantity.maxUnits { return v < 0 ? Int64.min : Int64.max }
                v *= 10
            }
            return Quantity.clamp(v)
        }
        var d = Int128(1)
        for _ in 0..<shift { d *= 10 }
        return Quantity.clamp(Quantity.divRoundUp(nanos, d))
    }

    static func divRoundUp(_ a: Int128, _ b: Int128) -> Int128 {
        let q = a / b
        return a % b == 0 ? q : (a > 0 ? q + 1 : q - 1)
    }

    static func clamp(_ v: Int128) -> Int64 {
        v > Int128(Int64.max) ? Int64.max : (v < Int128(Int64.min) ? Int64.min : Int64(v))
    }

    public static func < (a: Quantity, b: Quantity) -> Bool { a.nanos < b.nanos }

    public static func == (a: Quantity, b: Quantity) -> Bool { a.nanos == b.nanos }
    public func hash(into h: inout Hasher) { h.combine(nanos) }

    /// apimachinery's canonical string (`CanonicalizeBytes`).
    public var description: String {
        if nanos == 0 { return "0" }
        let negative = nanos < 0
        let mag = negative ? -nanos : nanos
        var fmt = format
        if fmt == .binarySI {
            if mag < 1024 * Quantity.nano || mag % Quantity.nano != 0 { fmt = .decimalSI }
        }
        var number: Int128
        var suffix: String
        if fmt == .binarySI {
            number = mag / Quantity.nano
            var e = 0
            while number % 1024 == 0, e < 60 { number /= 1024; e += 10 }
            suffix = [0: "", 10: "Ki", 20: "Mi", 30: "Gi", 40: "Ti", 50: "Pi", 60: "Ei"][e] ?? ""
        } else {
            number = mag
            var e = -9
            while number % 10 == 0 { number /= 10; e += 1 }
            switch ((e % 3) + 3) % 3 {
            case 1: number *= 10; e -= 1
            case 2: number *= 100; e -= 2
            default: break
            }
            if fmt == .decimalExponent {
                suffix = e == 0 ? "" : "e\(e)"
            } else {
                let si = [-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"]
                suffix = si[e] ?? "e\(e)"
            }
        }
        return (negative ? "-" : "") + String(number) + suffix
    }

    /// Quantities are JSON strings, but a bare JSON number (`cpu: 1`, `cpu: 0.5`) is accepted like Go's
    /// `UnmarshalJSON`, which parses the number's text.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self.init(); return }
        let v = try c.decode(JSONValue.self)
        let text: String
        switch v {
        case .string(let s): text = s.trimmingSpaces()
        case .int(let i): text = String(i)
        case .double(let d): text = goFormatFloat64(d)
        default:
            throw DecodingError.typeMismatch(
                Quantity.self,
                .init(codingPath: decoder.codingPath, debugDescription: "cannot unmarshal \(v.goKind) into a quantity"))
        }
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
}

private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

extension String {
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }
}
