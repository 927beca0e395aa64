/// Resolution of YAML scalars to JSON values with go-yaml v2's rules (`resolve.go`), which is what
/// sigs.k8s.io/yaml — and so kubelet's `yaml.ToJSON` — applies to every manifest.
///
/// YAML 1.1 flavour: plain `yes`/`no`/`on`/`off`/`y`/`n` are booleans, a leading `0` means octal, `_` separators are
/// allowed in numbers. Quoted and block scalars are always strings; an explicit `!!str` tag forces a string.
enum YAMLScalarResolver {
    enum Resolved: Equatable {
        case null, bool(Bool), int(Int64), double(Double), string(String)

        var tagName: String {
            switch self {
            case .null: "!!null"
            case .bool: "!!bool"
            case .int: "!!int"
            case .double: "!!float"
            case .string: "!!str"
            }
        }
    }

    static let yamlTagPrefix = "tag:yaml.org,2002:"

    /// Exact spellings go-yaml v2 maps to bool/null/special floats (its `resolveMapList`). Only these case
    /// forms count: `TRUE`, `True`, `true` are booleans, `tRUE` is a string.
    static let specials: [String: Resolved] = {
        var m: [String: Resolved] = [:]
        for s in ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"] { m[s] = .bool(true) }
        for s in ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"] { m[s] = .bool(false) }
        for s in ["", "~", "null", "Null", "NULL"] { m[s] = .null }
        for s in [".nan", ".NaN", ".NAN"] { m[s] = .double(.nan) }
        for s in [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"] { m[s] = .double(.infinity) }
        for s in ["-.inf", "-.Inf", "-.INF"] { m[s] = .double(-.infinity) }
        return m
    }()

    /// go-yaml's first-character hint table: only scalars starting with one of these can be anything but a string.
    private static func hint(_ first: UInt8?) -> Character? {
        guard let c = first else { return "N" }
        switch c {
        case UInt8(ascii: "+"), UInt8(ascii: "-"): return "S"
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return "D"
        case UInt8(ascii: "."): return "."
        default:
            return "yYnNtTfFoO~".utf8.contains(c) ? "M" : nil
        }
    }

    /// Resolves a plain (unquoted, untagged) scalar.
    static func resolvePlain(_ s: String) -> Resolved {
        guard let h = hint(s.utf8.first) else { return .string(s) }
        if let special = specials[s] { return special }
        switch h {
        case ".":
            if isDotFloat(s), let d = Double(s), d.isFinite { return .double(d) }
        case "D", "S":
            let plain = s.replacingUnderscores()
            if let i = goParseInt(plain) { return .int(i) }
            if let u = goParseUint(plain) { return .double(Double(u)) }  // > Int64.max: a JSON number either way
            if isYAMLStyleFloat(plain), let d = Double(plain), d.isFinite { return .double(d) }
            if plain.hasPrefix("0b"), let i = parseDigits(Substring(plain.dropFirst(2)), radix: 2, negative: false) {
                return .int(i)
            }
            if plain.hasPrefix("-0b"), let i = parseDigits(Substring(plain.dropFirst(3)), radix: 2, negative: true) {
                return .int(i)
            }
        default: break
        }
        return .string(s)
    }

    enum TagError: Swift.Error { case mismatch(String) }

    /// Resolves a scalar given its libyaml tag and whether it was plain. Mirrors go-yaml v2's decoder: untagged
    /// non-plain scalars are strings, `!!str`/`!!binary` force strings, `!!null/!!bool/!!int/!!float` must agree
    /// with what the value resolves to (`!!float 1` is 1.0), other tags leave the value a string.
    static func resolve(value: String, tag: String?, plain: Bool) throws(TagError) -> Resolved {
        guard let tag, tag != "!", !tag.isEmpty else {
            return plain ? resolvePlain(value) : .string(value)
        }
        guard tag.hasPrefix(yamlTagPrefix) else { return .string(value) }
        let short = String(tag.dropFirst(yamlTagPrefix.count))
        switch short {
        case "str": return .string(value)
        case "binary":
            guard let bytes = base64Decode(value) else {
                throw .mismatch("!!binary value contains invalid base64 data")
            }
            return .string(String(decoding: bytes, as: UTF8.self))
        case "null", "bool", "int", "float":
            let r = resolvePlain(value)
            switch (short, r) {
            case ("null", .null), ("bool", .bool), ("int", .int), ("float", .double): return r
            case ("float", .int(let i)): return .double(Double(i))
            default: throw .mismatch("cannot decode \(r.tagName) `\(value)` as a !!\(short)")
            }
        default:
            return .string(value)
        }
    }

    /// `^\.[0-9]+([eE][-+]?[0-9]+)?$`: what Go's ParseFloat accepts for a string starting with '.'.
    private static func isDotFloat(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count >= 2, b[0] == UInt8(ascii: ".") else { return false }
        var i = 1
        let digitsStart = i
        while i < b.count, isDigit(b[i]) { i += 1 }
        guard i > digitsStart else { return false }
        return i == b.count || exponentTail(b, i)
    }

    /// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
    static func isYAMLStyleFloat(_ s: String) -> Bool {
        let b = Array(s.utf8)
        var i = 0
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < b.count, isDigit(b[i]) { i += 1 }
            guard i > start else { return false }
        } else {
            let start = i
            while i < b.count, isDigit(b[i]) { i += 1 }
            guard i > start else { return false }
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                while i < b.count, isDigit(b[i]) { i += 1 }
            }
        }
        return i == b.count || exponentTail(b, i)
    }

    private static func exponentTail(_ b: [UInt8], _ start: Int) -> Bool {
        var i = start
        guard i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") else { return false }
        i += 1
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
        let start = i
        while i < b.count, isDigit(b[i]) { i += 1 }
        return i > start && i == b.count
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    /// Go's `strconv.ParseInt(s, 0, 64)`: optional sign, then `0x`/`0o`/`0b` prefixes or a leading `0` for octal.
    static func goParseInt(_ s: String) -> Int64? {
        var sub = Substring(s)
        var negative = false
        if sub.first == "+" || sub.first == "-" {
            negative = sub.first == "-"
            sub = sub.dropFirst()
        }
        guard let (digits, radix) = splitBasePrefix(sub) else { return nil }
        return parseDigits(digits, radix: radix, negative: negative)
    }

    /// Go's `strconv.ParseUint(s, 0, 64)` (no sign accepted).
    static func goParseUint(_ s: String) -> UInt64? {
        guard let (digits, radix) = splitBasePrefix(Substring(s)) else { return nil }
        if radix == 8 && digits.isEmpty { return 0 }
        return UInt64(digits, radix: radix).flatMap { digits.allSatisfy(\.isHexDigit) ? $0 : nil }
    }

    private static func splitBasePrefix(_ s: Substring) -> (Substring, Int)? {
        guard !s.isEmpty else { return nil }
        let b = Array(s.utf8)
        if b[0] == UInt8(ascii: "0") {
            if b.count >= 3 {
                switch b[1] | 0x20 {
                case UInt8(ascii: "b"): return (s.dropFirst(2), 2)
                case UInt8(ascii: "o"): return (s.dropFirst(2), 8)
                case UInt8(ascii: "x"): return (s.dropFirst(2), 16)
                default: break
                }
            }
            return (s.dropFirst(1), 8)
        }
        return (s, 10)
    }

    static func parseDigits(_ digits: Substring, radix: Int, negative: Bool) -> Int64? {
        if digits.isEmpty { return radix == 8 ? 0 : nil }  // "0" alone: octal prefix with no digits
        guard digits.allSatisfy({ $0.isASCII && $0.isHexDigit }), let mag = UInt64(digits, radix: radix) else {
            return nil
        }
        if negative {
            if mag == UInt64(Int64.max) + 1 { return Int64.min }
            guard mag <= UInt64(Int64.max) else { return nil }
            return -Int64(mag)
        }
        guard mag <= UInt64(Int64.max) else { return nil }
        return Int64(mag)
    }

    static func base64Decode(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        var acc: UInt32 = 0
        var bits = 0
        for c in s.utf8 {
            let v: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"): v = 62
            case UInt8(ascii: "/"): v = 63
            case UInt8(ascii: "="), UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                continue
            default: return nil
            }
            acc = (acc << 6) | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((acc >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        contains("_") ? String(filter { $0 != "_" }) : self
    }
}
