/// `JSONValue` as a Codable leaf: `JSONValueDecoder`/`JSONValueEncoder` pass it through unchanged (free-form
/// fields such as volume sources bootlet does not model keep their content); other coders get a best effort.
///
/// A foreign decoder's `allKeys` has no defined order (FoundationEssentials' `JSONDecoder` follows its hash table,
/// which differs from run to run), so objects decoded through one get their keys sorted: re-encoding gives the same
/// bytes every time, and the order Go's `encoding/json` writes for a map (what libcni sends to CNI plugins).
extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        if let d = decoder as? _JSONDecoder {
            self = d.value
            return
        }
        if let c = try? decoder.container(keyedBy: NameKey.self) {
            var o = JSONObject()
            let keys = c.allKeys.sorted { $0.stringValue.utf8.lexicographicallyPrecedes($1.stringValue.utf8) }
            for k in keys { o[k.stringValue] = try c.decode(JSONValue.self, forKey: k) }
            self = .object(o)
        } else if var c = try? decoder.unkeyedContainer() {
            var a: [JSONValue] = []
            while !c.isAtEnd { a.append(try c.decode(JSONValue.self)) }
            self = .array(a)
        } else {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() {
                self = .null
            } else if let b = try? c.decode(Bool.self) {
                self = .bool(b)
            } else if let i = try? c.decode(Int64.self) {
                self = .int(i)
            } else if let d = try? c.decode(Double.self) {
                self = .double(d)
            } else {
                self = .string(try c.decode(String.self))
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .int(let i):
            var c = encoder.singleValueContainer()
            try c.encode(i)
        case .double(let d):
            var c = encoder.singleValueContainer()
            try c.encode(d)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .array(let a):
            var c = encoder.unkeyedContainer()
            for e in a { try c.encode(e) }
        case .object(let o):
            var c = encoder.container(keyedBy: NameKey.self)
            for (k, v) in o { try c.encode(v, forKey: NameKey(k)) }
        }
    }
}
