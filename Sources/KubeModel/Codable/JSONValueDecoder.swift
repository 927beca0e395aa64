/// Decodes `Decodable` models from a `JSONValue` with Go `encoding/json` semantics, which is what kubelet applies
/// after converting a manifest to JSON:
///
/// * a missing key or `null` leaves the Go zero value: non-optional properties become `""`, `0`, `false`, `[]`,
///   or an empty struct instead of failing;
/// * unknown keys are ignored (kubelet's file source decodes non-strictly) but collected, so callers can warn;
/// * a JSON kind that does not fit the Swift type fails with Go's wording, naming the field path:
///   `cannot unmarshal bool into Go struct field EnvVar.spec.containers[0].env[0].value of type string`
///   (Go prints the path without indices; the index is kept here because it points at the exact entry);
/// * an integral float fits an integer field (`timeoutSeconds: 1.0` works in Kubernetes because YAML → JSON
///   prints it as `1`), a fractional or out-of-range one does not.
public struct JSONValueDecoder: Sendable {
    public init() {}

    /// Decodes `type` from `value`; unknown object keys are appended to `unknownFields` as paths.
    public func decode<T: Decodable>(
        _ type: T.Type, from value: JSONValue, unknownFields: inout [String]
    ) throws(JSONDecodeError) -> T {
        let state = DecoderState()
        do {
            let d = _JSONDecoder(value: value, path: [], state: state, owner: goTypeName(T.self))
            let result = try d.decodeTracked(T.self)
            unknownFields.append(contentsOf: state.unknown)
            return result
        } catch let e as JSONDecodeError {
            throw e
        } catch let e as DecodingError {
            throw JSONDecodeError(decodingError: e)
        } catch {
            throw JSONDecodeError(path: "", message: "\(error)")
        }
    }

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws(JSONDecodeError) -> T {
        var ignored: [String] = []
        return try decode(type, from: value, unknownFields: &ignored)
    }
}

/// A decoding failure; `description` reads like Go's `json.UnmarshalTypeError` where one applies.
public struct JSONDecodeError: Swift.Error, CustomStringConvertible, Equatable, Sendable {
    /// Dotted field path with indices, e.g. `spec.containers[0].image` (empty at the root).
    public var path: String
    public var message: String
    public var description: String { message }

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    init(decodingError e: DecodingError) {
        let (ctx, what): (DecodingError.Context, String) =
            switch e {
            case .dataCorrupted(let c): (c, c.debugDescription)
            case .keyNotFound(let k, let c): (c, "missing field \(k.stringValue)")
            case .typeMismatch(_, let c): (c, c.debugDescription)
            case .valueNotFound(_, let c): (c, c.debugDescription)
            @unknown default: (DecodingError.Context(codingPath: [], debugDescription: "\(e)"), "\(e)")
            }
        let p = pathString(ctx.codingPath)
        self.init(path: p, message: p.isEmpty ? what : "\(p): \(what)")
    }
}

/// `spec.containers[0].image` from a coding path.
func pathString(_ path: [any CodingKey]) -> String {
    var s = ""
    for k in path {
        if let i = k.intValue, k.stringValue == String(i) || k.stringValue.hasPrefix("Index ") {
            s += "[\(i)]"
        } else {
            s += s.isEmpty ? k.stringValue : "." + k.stringValue
        }
    }
    return s
}

/// Go's spelling of a Swift type in error messages (`string`, `int32`, `[]Container`, `map[string]string`).
func goTypeName(_ t: Any.Type) -> String {
    switch t {
    case is String.Type: return "string"
    case is Bool.Type: return "bool"
    case is Int.Type: return "int"
    case is Int32.Type: return "int32"
    case is Int64.Type: return "int64"
    case is UInt8.Type: return "uint8"
    case is UInt16.Type: return "uint16"
    case is UInt32.Type: return "uint32"
    case is UInt64.Type: return "uint64"
    case is Double.Type: return "float64"
    case is Float.Type: return "float32"
    case let o as any GoTypeNamed.Type: return o.goTypeName
    default: return String(describing: t)
    }
}

/// Lets containers and optionals spell themselves the Go way.
protocol GoTypeNamed { static var goTypeName: String { get } }
extension Array: GoTypeNamed { static var goTypeName: String { "[]" + KubeModel.goTypeName(Element.self) } }
extension Dictionary: GoTypeNamed {
    static var goTypeName: String { "map[\(KubeModel.goTypeName(Key.self))]" + KubeModel.goTypeName(Value.self) }
}
extension Optional: GoTypeNamed { static var goTypeName: String { KubeModel.goTypeName(Wrapped.self) } }

/// A checked downcast used after a `switch` on the requested type (never fails in practice; throws rather than
/// trapping if it ever did).
func cast<T>(_ v: Any) throws -> T {
    guard let t = v as? T else {
        throw DecodingError.typeMismatch(T.self, .init(codingPath: [], debugDescription: "internal type mismatch"))
    }
    return t
}

func isCollectionName(_ goName: String) -> Bool { goName.hasPrefix("[]") || goName.hasPrefix("map[") }

final class DecoderState {
    var unknown: [String] = []
}

struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String
    init(_ i: Int) {
        intValue = i
        stringValue = String(i)
    }
    init?(intValue: Int) { self.init(intValue) }
    init?(stringValue: String) { return nil }
}

struct NameKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

/// One decoder per JSON value. `owner` is the Go-style name of the type being decoded here, used as the
/// "Go struct field Owner.path" part of type errors raised by the keyed container it vends.
final class _JSONDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let state: DecoderState
    let owner: String
    /// The Go-style name of the nearest struct that has this value as a field, looking through slices and
    /// maps (for "Go struct field Owner.path").
    let parentOwner: String
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    /// Keys of `value` (an object) that some container asked about; the rest are unknown fields.
    var accessed: Set<String> = []
    var allAccessed = false
    var vendedKeyed = false

    init(value: JSONValue, path: [any CodingKey], state: DecoderState, owner: String, parentOwner: String = "") {
        self.value = value
        self.codingPath = path
        self.state = state
        self.owner = owner
        self.parentOwner = parentOwner
    }

    /// Decodes T here and records the object keys T did not look at.
    func decodeTracked<T: Decodable>(_ type: T.Type) throws -> T {
        let result = try T(from: self)
        if vendedKeyed, !allAccessed, case .object(let o) = value {
            let base = pathString(codingPath)
            for k in o.keys where !accessed.contains(k) {
                state.unknown.append(base.isEmpty ? k : base + "." + k)
            }
        }
        return result
    }

    /// A type error for a field of the struct decoded here (`field`), or for this value itself as a field of
    /// its parent struct (`field` nil).
    func typeError(_ goType: String, _ v: JSONValue, field: [any CodingKey]? = nil) -> JSONDecodeError {
        let at = field ?? codingPath
        let structName = field == nil || isCollectionName(owner) ? parentOwner : owner
        var what = v.goKind
        if case .double(let d) = v { what = "number " + goFormatFloat64(d) }
        if case .int(let i) = v { what = "number \(i)" }
        let p = pathString(at)
        if p.isEmpty {
            return JSONDecodeError(path: p, message: "cannot unmarshal \(what) into Go value of type \(goType)")
        }
        return JSONDecodeError(
            path: p, message: "cannot unmarshal \(what) into Go struct field \(structName).\(p) of type \(goType)")
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        vendedKeyed = true
        switch value {
        case .object(let o): return KeyedDecodingContainer(KeyedContainer<Key>(decoder: self, object: o))
        case .null: return KeyedDecodingContainer(KeyedContainer<Key>(decoder: self, object: JSONObject()))
        default: throw typeError(owner, value)
        }
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case .array(let a): return UnkeyedContainer(decoder: self, items: a)
        case .null: return UnkeyedContainer(decoder: self, items: [])
        default: throw typeError(owner, value)
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleContainer(decoder: self) }

    // MARK: scalar conversion shared by all containers

    func child(_ v: JSONValue, key: any CodingKey, type: Any.Type) -> _JSONDecoder {
        _JSONDecoder(
            value: v, path: codingPath + [key], state: state, owner: goTypeName(type),
            parentOwner: isCollectionName(owner) ? parentOwner : owner)
    }

    func unboxString(_ v: JSONValue, at path: [any CodingKey]) throws -> String {
        switch v {
        case .string(let s): return s
        case .null: return ""
        default: throw typeError("string", v, field: path)
        }
    }

    func unboxBool(_ v: JSONValue, at path: [any CodingKey]) throws -> Bool {
        switch v {
        case .bool(let b): return b
        case .null: return false
        default: throw typeError("bool", v, field: path)
        }
    }

    func unboxDouble(_ v: JSONValue, at path: [any CodingKey], goType: String = "float64") throws -> Double {
        switch v {
        case .double(let d): return d
        case .int(let i): return Double(i)
        case .null: return 0
        default: throw typeError(goType, v, field: path)
        }
    }

    func unboxInteger<T: FixedWidthInteger>(_ v: JSONValue, _ type: T.Type, at path: [any CodingKey]) throws -> T {
        switch v {
        case .int(let i):
            if let r = T(exactly: i) { return r }
        case .double(let d):
            if d.rounded() == d, abs(d) < 1e21, let r = T(exactly: d) { return r }
        case .null:
            return 0
        default:
            break
        }
        throw typeError(goTypeName(T.self), v, field: path)
    }

    func decodeValue<T: Decodable>(_ type: T.Type, _ v: JSONValue, key: any CodingKey) throws -> T {
        let path = codingPath + [key]
        switch type {
        case is String.Type: return try cast(unboxString(v, at: path))
        case is Bool.Type: return try cast(unboxBool(v, at: path))
        case is Double.Type: return try cast(unboxDouble(v, at: path))
        case is Int.Type: return try cast(unboxInteger(v, Int.self, at: path))
        case is Int32.Type: return try cast(unboxInteger(v, Int32.self, at: path))
        case is Int64.Type: return try cast(unboxInteger(v, Int64.self, at: path))
        case is UInt32.Type: return try cast(unboxInteger(v, UInt32.self, at: path))
        case is UInt64.Type: return try cast(unboxInteger(v, UInt64.self, at: path))
        case is JSONValue.Type: return try cast(v)
        default: return try child(v, key: key, type: T.self).decodeTracked(T.self)
        }
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: _JSONDecoder
    let object: JSONObject
    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] {
        decoder.allAccessed = true
        return object.keys.compactMap { Key(stringValue: $0) }
    }

    func contains(_ key: Key) -> Bool {
        decoder.accessed.insert(key.stringValue)
        return object[key.stringValue] != nil
    }

    func raw(_ key: Key) -> JSONValue {
        decoder.accessed.insert(key.stringValue)
        return object[key.stringValue] ?? .null
    }

    func decodeNil(forKey key: Key) throws -> Bool { raw(key) == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.decodeValue(type, raw(key), key: key)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        let v = raw(key)
        if v == .null { return nil }
        return try decoder.decodeValue(type, v, key: key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try decoder.child(raw(key), key: key, type: NestedKey.self).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.child(raw(key), key: key, type: [JSONValue].self).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder.child(raw(key), key: key, type: JSONValue.self)
    }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: _JSONDecoder
    let items: [JSONValue]
    var currentIndex = 0
    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(decoder: _JSONDecoder, items: [JSONValue]) {
        self.decoder = decoder
        self.items = items
    }

    mutating func next() throws -> (JSONValue, IndexKey) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                JSONValue.self, .init(codingPath: codingPath, debugDescription: "unexpected end of array"))
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], IndexKey(currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (v, k) = try next()
        return try decoder.decodeValue(type, v, key: k)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let (v, k) = try next()
        return try decoder.child(v, key: k, type: NestedKey.self).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (v, k) = try next()
        return try decoder.child(v, key: k, type: [JSONValue].self).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (v, k) = try next()
        return decoder.child(v, key: k, type: JSONValue.self)
    }
}

private struct SingleContainer: SingleValueDecodingContainer {
    let decoder: _JSONDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.value == .null }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let v = decoder.value
        let here = codingPath
        // Errors here concern this value as a field of the parent struct.
        let d0 = _JSONDecoder(value: v, path: here, state: decoder.state, owner: decoder.parentOwner)
        switch type {
        case is String.Type: return try cast(d0.unboxString(v, at: here))
        case is Bool.Type: return try cast(d0.unboxBool(v, at: here))
        case is Double.Type: return try cast(d0.unboxDouble(v, at: here))
        case is Int.Type: return try cast(d0.unboxInteger(v, Int.self, at: here))
        case is Int32.Type: return try cast(d0.unboxInteger(v, Int32.self, at: here))
        case is Int64.Type: return try cast(d0.unboxInteger(v, Int64.self, at: here))
        case is JSONValue.Type: return try cast(v)
        default:
            let d = _JSONDecoder(
                value: v, path: here, state: decoder.state, owner: goTypeName(T.self), parentOwner: decoder.parentOwner)
            return try d.decodeTracked(T.self)
        }
    }
}
