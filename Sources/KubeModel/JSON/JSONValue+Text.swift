/// JSON text for a `JSONValue`, shaped like Go's `encoding/json` output (what kubelet serves on `/pods`).
extension JSONValue {
    public struct WriteError: Swift.Error, CustomStringConvertible {
        public var description: String
    }

    /// Serialises the tree. `indent` nil gives compact output; otherwise each level is indented by that string
    /// (kubelet's `/pods` uses one space). Non-finite numbers are an error, like Go's
    /// "json: unsupported value: +Inf".
    public func jsonText(indent: String? = nil) throws(WriteError) -> String {
        var out = ""
        try JSONValue.write(self, into: &out, indent: indent, level: 0)
        return out
    }

    static func write(_ v: JSONValue, into out: inout String, indent: String?, level: Int) throws(WriteError) {
        switch v {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            guard d.isFinite else {
                throw WriteError(description: "json: unsupported value: \(d.isNaN ? "NaN" : (d > 0 ? "+Inf" : "-Inf"))")
            }
            out += goFormatFloat64(d)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            out += "["
            for (i, e) in a.enumerated() {
                if i > 0 { out += "," }
                newline(&out, indent, level + 1)
                try write(e, into: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent, level)
            out += "]"
        case .object(let o):
            if o.isEmpty { out += "{}"; return }
            out += "{"
            var first = true
            for (k, e) in o {
                if !first { out += "," }
                first = false
                newline(&out, indent, level + 1)
                writeString(k, into: &out)
                out += indent == nil ? ":" : ": "
                try write(e, into: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent, level)
            out += "}"
        }
    }

    private static func newline(_ out: inout String, _ indent: String?, _ level: Int) {
        guard let indent else { return }
        out += "\n"
        for _ in 0..<level { out += indent }
    }

    /// Go's encoder escapes `<`, `>`, `&`, U+2028 and U+2029 as well as control characters.
    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}", "\u{00}"..."\u{1F}":
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}

/// Go's `encoding/json` float64 form: shortest round-trip digits, plain notation for 1e-6 ≤ |x| < 1e21,
/// otherwise exponent form with at least one exponent digit (`1e+21`, `1e-7`).
func goFormatFloat64(_ d: Double) -> String {
    if d == 0 { return d.sign == .minus ? "-0" : "0" }
    let (neg, digits, exp) = shortestDigits(d.description)
    let a = abs(d)
    if a >= 1e-6 && a < 1e21 { return (neg ? "-" : "") + plain(digits, exp) }
    return (neg ? "-" : "") + expForm(digits, exp, minExpDigits: 1)
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`: used by sigs.k8s.io/yaml to turn float map keys into strings.
func goFormatFloat32G(_ d: Double) -> String {
    let f = Float(d)
    if f.isNaN { return "NaN" }
    if f.isInfinite { return f > 0 ? "+Inf" : "-Inf" }
    if f == 0 { return f.sign == .minus ? "-0" : "0" }
    let (neg, digits, exp) = shortestDigits(f.description)
    // %g with shortest precision: exponent form when exp < -4 || exp >= 6 (eprec is 6 when shortest)...
    // ...unless there are more digits than 6 and they all fit before the point (Go: eprec = digs.nd).
    var eprec = 6
    if digits.count > eprec && digits.count >= exp + 1 { eprec = digits.count }
    if exp < -4 || exp >= eprec { return (neg ? "-" : "") + expForm(digits, exp, minExpDigits: 2) }
    return (neg ? "-" : "") + plain(digits, exp)
}

/// Splits Swift's shortest round-trip description ("1.5e-07", "100.0", "-0.25") into sign, significant digits
/// (no leading/trailing zeros) and decimal exponent of the first digit.
private func shortestDigits(_ text: String) -> (Bool, [Character], Int) {
    var s = Substring(text)
    var neg = false
    if s.first == "-" { neg = true; s = s.dropFirst() }
    var e = 0
    if let ei = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        e = Int(s[s.index(after: ei)...].replacingPlus()) ?? 0
        s = s[..<ei]
    }
    var intPart = Substring(s)
    var frac: Substring = ""
    if let dot = s.firstIndex(of: ".") {
        intPart = s[..<dot]
        frac = s[s.index(after: dot)...]
    }
    var all = Array(intPart) + Array(frac)
    var pointPos = intPart.count + e  // digits before the decimal point
    while all.first == "0" { all.removeFirst(); pointPos -= 1 }
    while all.last == "0" { all.removeLast() }
    if all.isEmpty { return (neg, ["0"], 0) }
    return (neg, all, pointPos - 1)
}

private extension Substring {
    func replacingPlus() -> Substring { first == "+" ? dropFirst() : self }
}

private func plain(_ digits: [Character], _ exp: Int) -> String {
    if exp < 0 { return "0." + String(repeating: "0", count: -exp - 1) + String(digits) }
    if digits.count <= exp + 1 { return String(digits) + String(repeating: "0", count: exp + 1 - digits.count) }
    return String(digits[...exp]) + "." + String(digits[(exp + 1)...])
}

private func expForm(_ digits: [Character], _ exp: Int, minExpDigits: Int) -> String {
    var m = String(digits[0])
    if digits.count > 1 { m += "." + String(digits[1...]) }
    var es = String(abs(exp))
    while es.count < minExpDigits { es = "0" + es }
    return m + "e" + (exp < 0 ? "-" : "+") + es
}
