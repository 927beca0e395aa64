/// `intstr.IntOrString`: a JSON number (int32) or a string — ports (`8080` or `http`), `maxUnavailable: 25%`.
///
/// Like Go's `UnmarshalJSON`, a quoted value is always the string form (`"8080"` is the *name* "8080", which port
/// validation then rejects) and an unquoted one must be an integer.
public enum IntOrString: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral
{
    case int(Int32)
    case string(String)

    public init(integerLiteral v: Int32) { self = .int(v) }
    public init(stringLiteral v: String) { self = .string(v) }

    public var description: String {
        switch self {
        case .int(let i): String(i)
        case .string(let s): s
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .int(0); return }
        if case .string(let s) = try c.decode(JSONValue.self) {
            self = .string(s)
        } else {
            self = .int(try c.decode(Int32.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let i): try c.encode(i)
        case .string(let s): try c.encode(s)
        }
    }
}
