/// Encodes models to a `JSONValue` shaped like Go's `encoding/json` output of the Kubernetes types:
///
/// * keys in declaration order (models declare properties in the Go struct's order);
/// * `nil` optionals are omitted, and so are optional strings, arrays and maps that are empty — Go's
///   `omitempty` on non-pointer strings, slices and maps. Optional structs are kept even when empty
///   (`securityContext: {}` is a non-nil pointer in Go), optional numbers and booleans are kept (Go pointers);
/// * non-optional properties listed in a type's `GoOmitEmptyFields.omitEmptyKeys` (Go `omitempty` on plain
///   bools/ints such as `hostNetwork`, `tty`, `hostPort`) are omitted when zero;
/// * dictionaries are written with sorted keys, as Go sorts map keys.
public struct JSONValueEncoder: Sendable {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let e = _JSONEncoder(path: [], omitKeys: omitKeys(T.self))
        try value.encode(to: e)
        return e.storage.value
    }
}

/// Go `omitempty` on non-pointer scalar fields: such fields are omitted when false/zero/empty.
public protocol GoOmitEmptyFields {
    static var omitEmptyKeys: Set<String> { get }
}

func omitKeys(_ t: Any.Type) -> Set<String> {
    (t as? any GoOmitEmptyFields.Type)?.omitEmptyKeys ?? []
}

/// Values that Go's `omitempty` drops when empty (strings, slices, maps).
protocol GoEmptiable { var isGoEmpty: Bool { get } }
extension String: GoEmptiable { var isGoEmpty: Bool { isEmpty } }
extension Array: GoEmptiable { var isGoEmpty: Bool { isEmpty } }
extension Dictionary: GoEmptiable { var isGoEmpty: Bool { isEmpty } }

/// Mutable box for the value under construction (containers write into their parent's box).
final class EncodedBox {
    enum Kind { case unset, object, array, value }
    var kind = Kind.unset
    var object: [(String, EncodedBox)] = []
    var array: [EncodedBox] = []
    var scalar: JSONValue = .null
    var sortKeys = false

    var value: JSONValue {
        switch kind {
        case .unset: return .null
        case .value: return scalar
        case .array: return .array(array.map(\.value))
        case .object:
            var o = JSONObject()
            let pairs = sortKeys ? object.sorted { $0.0 < $1.0 } : object
            for (k, b) in pairs { o[k] = b.value }
            return .object(o)
        }
    }
}

final class _JSONEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    let storage = EncodedBox()
    let omitKeys: Set<String>

    init(path: [any CodingKey], omitKeys: Set<String>, sortKeys: Bool = false) {
        codingPath = path
        self.omitKeys = omitKeys
        storage.sortKeys = sortKeys
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        storage.kind = .object
        return KeyedEncodingContainer(KeyedEnc<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        storage.kind = .array
        return UnkeyedEnc(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleEnc(encoder: self) }

    /// Encodes a nested value into a fresh box.
    func box<T: Encodable>(_ v: T, key: any CodingKey) throws -> EncodedBox {
        switch v {
        case let s as String: return scalarBox(.string(s))
        case let b as Bool: return scalarBox(.bool(b))
        case let i as Int: return scalarBox(.int(Int64(i)))
        case let i as Int32: return scalarBox(.int(Int64(i)))
        case let i as Int64: return scalarBox(.int(i))
        case let d as Double: return scalarBox(.double(d))
        case let j as JSONValue: return scalarBox(j)
        default:
            let sub = _JSONEncoder(path: codingPath + [key], omitKeys: KubeModel.omitKeys(T.self), sortKeys: v is any GoSortedMap)
            try v.encode(to: sub)
            return sub.storage
        }
    }

    func scalarBox(_ v: JSONValue) -> EncodedBox {
        let b = EncodedBox()
        b.kind = .value
        b.scalar = v
        return b
    }
}

/// Dictionaries encode with sorted keys like Go maps.
protocol GoSortedMap {}
extension Dictionary: GoSortedMap {}

private struct KeyedEnc<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: _JSONEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    func put(_ key: Key, _ b: EncodedBox) {
        let k = key.stringValue
        if let i = encoder.storage.object.firstIndex(where: { $0.0 == k }) {
            encoder.storage.object[i].1 = b
        } else {
            encoder.storage.object.append((k, b))
        }
    }

    func isZero(_ b: EncodedBox) -> Bool {
        switch b.kind {
        case .unset: return true
        case .array: return b.array.isEmpty
        case .object: return false  // Go never omits a struct
        case .value:
            switch b.scalar {
            case .null, .bool(false), .int(0), .string(""): return true
            case .double(let d): return d == 0
            default: return false
            }
        }
    }

    func encodeNil(forKey key: Key) throws { put(key, encoder.scalarBox(.null)) }

    func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        let b = try encoder.box(value, key: key)
        if encoder.omitKeys.contains(key.stringValue) {
            if isZero(b) || (b.kind == .object && b.object.isEmpty && value is any GoSortedMap) { return }
        }
        put(key, b)
    }

    func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        guard let value else { return }
        if let e = value as? any GoEmptiable, e.isGoEmpty { return }
        try encode(value, forKey: key)
    }

    func encodeIfPresent(_ value: String?, forKey key: Key) throws {
        guard let value, !value.isEmpty else { return }
        try encode(value, forKey: key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        let sub = _JSONEncoder(path: codingPath + [key], omitKeys: [])
        put(key, sub.storage)
        return sub.container(keyedBy: keyType)
    }

    func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let sub = _JSONEncoder(path: codingPath + [key], omitKeys: [])
        put(key, sub.storage)
        return sub.unkeyedContainer()
    }

    func superEncoder() -> any Encoder { encoder }
    func superEncoder(forKey key: Key) -> any Encoder {
        let sub = _JSONEncoder(path: codingPath + [key], omitKeys: [])
        put(key, sub.storage)
        return sub
    }
}

private struct UnkeyedEnc: UnkeyedEncodingContainer {
    let encoder: _JSONEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { encoder.storage.array.count }

    func encodeNil() throws { encoder.storage.array.append(encoder.scalarBox(.null)) }

    func encode<T: Encodable>(_ value: T) throws {
        encoder.storage.array.append(try encoder.box(value, key: IndexKey(count)))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let sub = _JSONEncoder(path: codingPath + [IndexKey(count)], omitKeys: [])
        encoder.storage.array.append(sub.storage)
        return sub.container(keyedBy: keyType)
    }

    func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let sub = _JSONEncoder(path: codingPath + [IndexKey(count)], omitKeys: [])
        encoder.storage.array.append(sub.storage)
        return sub.unkeyedContainer()
    }

    func superEncoder() -> any Encoder {
        let sub = _JSONEncoder(path: codingPath + [IndexKey(count)], omitKeys: [])
        encoder.storage.array.append(sub.storage)
        return sub
    }
}

private struct SingleEnc: SingleValueEncodingContainer {
    let encoder: _JSONEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    func set(_ v: JSONValue) {
        encoder.storage.kind = .value
        encoder.storage.scalar = v
    }

    func encodeNil() throws { set(.null) }

    func encode<T: Encodable>(_ value: T) throws {
        let b = try encoder.box(value, key: IndexKey(0))
        encoder.storage.kind = b.kind
        encoder.storage.scalar = b.scalar
        encoder.storage.object = b.object
        encoder.storage.array = b.array
        encoder.storage.sortKeys = b.sortKeys
    }
}
