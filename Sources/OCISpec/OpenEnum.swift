/// A string-valued enumeration that tolerates values this build does not know.
///
/// The OCI runtime spec keeps adding values (namespace types, seccomp actions, architectures, ...).
/// A closed Swift enum would make one unknown value fail the decoding of the whole document, so every
/// such field is a struct around the raw string with well-known values as static constants. Whether an
/// unknown value is an error is decided where it is used (with a message that names it), not here.
public protocol OpenStringEnum: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible
where RawValue == String {
    init(rawValue: String)
}

extension OpenStringEnum {
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
    public var description: String { rawValue }
}
