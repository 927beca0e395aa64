import CBootletYAML

/// A YAML syntax or structure error with its 1-based position, worded like go-yaml ("yaml: line N: ...").
public struct YAMLError: Swift.Error, CustomStringConvertible, Equatable, Sendable {
    public var line: Int
    public var column: Int
    public var message: String

    public var description: String {
        line > 0 ? "yaml: line \(line), column \(column): \(message)" : "yaml: \(message)"
    }
}

/// YAML → `JSONValue`, the way kubelet's `yaml.ToJSON` (sigs.k8s.io/yaml over go-yaml v2) does it.
///
/// * Only the first document of a stream is read; an empty stream is `null`.
/// * Scalars resolve with go-yaml v2's YAML 1.1 rules (`YAMLScalarResolver`).
/// * Anchors/aliases are expanded; merge keys (`<<`) copy keys from a mapping or a sequence of mappings, applied
///   in document order like go-yaml v2 (a key after `<<` overrides the merged one).
/// * Non-string keys become strings like sigs.k8s.io/yaml: ints in decimal, floats with `%g` at float32
///   precision, booleans as `true`/`false`; a null or collection key is an error.
/// * Duplicate keys: kubelet (non-strict `YAMLToJSON`) silently keeps the last value; bootlet rejects them by
///   default (`duplicateKeys: .reject`) because a repeated `env:` or `containers:` silently dropping the first
///   list is almost always a mistake. `.lastWins` restores kubelet's behaviour.
public struct YAMLParser: Sendable {
    public enum DuplicateKeys: Sendable { case reject, lastWins }

    public var duplicateKeys: DuplicateKeys
    /// Upper bound on nodes produced by alias expansion (go-yaml refuses "excessive aliasing" too).
    public var maxExpandedNodes: Int

    public init(duplicateKeys: DuplicateKeys = .reject, maxExpandedNodes: Int = 4_000_000) {
        self.duplicateKeys = duplicateKeys
        self.maxExpandedNodes = maxExpandedNodes
    }

    public func parse(_ text: String) throws(YAMLError) -> JSONValue {
        var copy = text
        return try copy.withUTF8 { buf in parseResult(bytes: UnsafeRawBufferPointer(buf)) }.get()
    }

    public func parse(_ bytes: [UInt8]) throws(YAMLError) -> JSONValue {
        try bytes.withUnsafeBytes { buf in parseResult(bytes: buf) }.get()
    }

    func parseResult(bytes: UnsafeRawBufferPointer) -> Result<JSONValue, YAMLError> {
        do throws(YAMLError) {
            return .success(try parseUnchecked(bytes: bytes))
        } catch {
            return .failure(error)
        }
    }

    private func parseUnchecked(bytes: UnsafeRawBufferPointer) throws(YAMLError) -> JSONValue {
        var result = bl_yaml_result()
        defer { bl_yaml_result_free(&result) }
        let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        var empty: UInt8 = 0
        let rc = withUnsafePointer(to: &empty) { emptyPtr in
            bl_yaml_parse_first_document(base ?? emptyPtr, bytes.count, &result)
        }
        if rc == -EINVAL_ {
            let problem = cString(result.problem)
            var message = problem
            if result.has_context != 0 {
                let context = cString(result.context)
                message += " (\(context) at line \(result.context_line + 1), column \(result.context_column + 1))"
            }
            throw YAMLError(
                line: Int(result.problem_line) + 1, column: Int(result.problem_column) + 1, message: message)
        }
        if rc != 0 {
            throw YAMLError(line: 0, column: 0, message: "parsing failed: out of memory")
        }
        var builder = TreeBuilder(result: result, options: self)
        return try builder.build()
    }
}

/// A fixed C char array (imported as a tuple) as a String, up to its NUL.
private func cString<T>(_ tuple: T) -> String {
    withUnsafeBytes(of: tuple) { raw in
        let bytes = raw.prefix { $0 != 0 }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// errno value for EINVAL without importing Glibc into this file's public surface.
private let EINVAL_: Int32 = 22

/// Builds the tree iteratively (no recursion: a deeply nested document cannot overflow the stack).
private struct TreeBuilder {
    let events: UnsafeBufferPointer<bl_yaml_event>
    let arena: UnsafePointer<CChar>?
    let options: YAMLParser
    var anchors: [String: Anchored] = [:]
    var expanded = 0

    struct Anchored {
        var value: JSONValue
        var isMapping: Bool
        var weight: Int
    }

    /// A collection being built.
    struct Frame {
        var isMapping: Bool
        var anchor: String?
        var array: [JSONValue] = []
        var object = JSONObject()
        var keyLines: [String: Int] = [:]
        var explicitKeys: Set<String> = []
        var pendingKey: Key?
        var weight = 1
        var line: Int
        var column: Int
    }

    enum Key {
        case string(String, line: Int, column: Int)
        case merge(line: Int, column: Int)
    }

    init(result: bl_yaml_result, options: YAMLParser) {
        events = UnsafeBufferPointer(start: result.events, count: result.count)
        arena = UnsafePointer(result.arena)
        self.options = options
    }

    func text(_ off: Int64, _ len: Int64) -> String? {
        guard off >= 0, let arena else { return nil }
        let p = UnsafeRawPointer(arena + Int(off)).assumingMemoryBound(to: UInt8.self)
        return String(decoding: UnsafeBufferPointer(start: p, count: Int(len)), as: UTF8.self)
    }

    func err(_ e: bl_yaml_event, _ message: String) -> YAMLError {
        YAMLError(line: Int(e.line) + 1, column: Int(e.column) + 1, message: message)
    }

    mutating func build() throws(YAMLError) -> JSONValue {
        var stack: [Frame] = []
        var root: JSONValue = .null
        for e in events {
            // A completed node: (value, isMapping, weight, position); nil while a collection is open.
            var completed: (JSONValue, Bool, Int, bl_yaml_event)?
            switch e.type {
            case Int32(BL_YAML_DOCUMENT_START), Int32(BL_YAML_DOCUMENT_END):
                continue
            case Int32(BL_YAML_MAPPING_START), Int32(BL_YAML_SEQUENCE_START):
                if let top = stack.last, top.isMapping, top.pendingKey == nil {
                    throw err(e, "invalid map key: a mapping or sequence cannot be a key")
                }
                stack.append(
                    Frame(
                        isMapping: e.type == Int32(BL_YAML_MAPPING_START), anchor: text(e.anchor_off, e.anchor_len),
                        line: Int(e.line) + 1, column: Int(e.column) + 1))
                continue
            case Int32(BL_YAML_MAPPING_END), Int32(BL_YAML_SEQUENCE_END):
                guard let f = stack.popLast() else { continue }
                let v: JSONValue = f.isMapping ? .object(f.object) : .array(f.array)
                if let a = f.anchor { anchors[a] = Anchored(value: v, isMapping: f.isMapping, weight: f.weight) }
                completed = (v, f.isMapping, f.weight, e)
            case Int32(BL_YAML_SCALAR):
                let value = text(e.value_off, e.value_len) ?? ""
                let tag = text(e.tag_off, e.tag_len)
                let plain = e.style == Int32(BL_YAML_STYLE_PLAIN) && e.plain_implicit != 0
                // A mapping key slot: remember the key (merge keys are recognised before resolution).
                if let top = stack.last, top.isMapping, top.pendingKey == nil {
                    let isMerge = value == "<<" && (plain || tag == YAMLScalarResolver.yamlTagPrefix + "merge")
                    if isMerge {
                        stack[stack.count - 1].pendingKey = .merge(line: Int(e.line) + 1, column: Int(e.column) + 1)
                    } else {
                        let key = try keyString(try resolve(e, value: value, tag: tag, plain: plain), e)
                        stack[stack.count - 1].pendingKey = .string(key, line: Int(e.line) + 1, column: Int(e.column) + 1)
                    }
                    if let a = text(e.anchor_off, e.anchor_len) {
                        anchors[a] = Anchored(value: jsonScalar(try resolve(e, value: value, tag: tag, plain: plain)), isMapping: false, weight: 1)
                    }
                    continue
                }
                let v = jsonScalar(try resolve(e, value: value, tag: tag, plain: plain))
                if let a = text(e.anchor_off, e.anchor_len) { anchors[a] = Anchored(value: v, isMapping: false, weight: 1) }
                completed = (v, false, 1, e)
            case Int32(BL_YAML_ALIAS):
                let name = text(e.anchor_off, e.anchor_len) ?? ""
                guard let a = anchors[name] else {
                    if stack.contains(where: { $0.anchor == name }) {
                        throw err(e, "anchor '\(name)' value contains itself")
                    }
                    throw err(e, "unknown anchor '\(name)' referenced")
                }
                expanded += a.weight
                if expanded > options.maxExpandedNodes { throw err(e, "document contains excessive aliasing") }
                if let top = stack.last, top.isMapping, top.pendingKey == nil {
                    guard !isCollection(a.value) else { throw err(e, "invalid map key: a mapping or sequence cannot be a key") }
                    let key = try keyString(scalarOf(a.value), e)
                    stack[stack.count - 1].pendingKey = .string(key, line: Int(e.line) + 1, column: Int(e.column) + 1)
                    continue
                }
                completed = (a.value, a.isMapping, a.weight, e)
            default:
                continue
            }
            guard let (value, isMapping, weight, at) = completed else { continue }
            if stack.isEmpty {
                root = value
                continue
            }
            try attach(value, isMapping: isMapping, weight: weight, at: at, to: &stack[stack.count - 1])
        }
        return root
    }

    mutating func attach(_ v: JSONValue, isMapping: Bool, weight: Int, at e: bl_yaml_event, to f: inout Frame) throws(YAMLError) {
        f.weight += weight
        guard f.isMapping else {
            f.array.append(v)
            return
        }
        switch f.pendingKey {
        case .merge:
            try merge(v, isMapping: isMapping, at: e, into: &f)
        case .string(let k, let line, let column):
            if f.explicitKeys.contains(k), options.duplicateKeys == .reject {
                let first = f.keyLines[k].map { " (first set at line \($0))" } ?? ""
                throw YAMLError(line: line, column: column, message: "key \(quoted(k)) already set in map\(first)")
            }
            f.explicitKeys.insert(k)
            f.keyLines[k] = line
            f.object[k] = v
        case nil:
            break
        }
        f.pendingKey = nil
    }

    /// go-yaml v2 `merge`: a mapping, an alias of one, or a sequence of those (earlier entries take precedence).
    func merge(_ v: JSONValue, isMapping: Bool, at e: bl_yaml_event, into f: inout Frame) throws(YAMLError) {
        let wantMap = "map merge requires map or sequence of maps as the value"
        switch v {
        case .object(let o):
            for (k, x) in o { f.object[k] = x }
        case .array(let items):
            for item in items.reversed() {
                guard case .object(let o) = item else { throw err(e, wantMap) }
                for (k, x) in o { f.object[k] = x }
            }
        default:
            throw err(e, wantMap)
        }
    }

    func resolve(_ e: bl_yaml_event, value: String, tag: String?, plain: Bool) throws(YAMLError) -> YAMLScalarResolver.Resolved {
        do {
            return try YAMLScalarResolver.resolve(value: value, tag: tag, plain: plain)
        } catch {
            switch error { case .mismatch(let m): throw err(e, m) }
        }
    }

    func jsonScalar(_ r: YAMLScalarResolver.Resolved) -> JSONValue {
        switch r {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .double(let d): .double(d)
        case .string(let s): .string(s)
        }
    }

    func scalarOf(_ v: JSONValue) -> YAMLScalarResolver.Resolved {
        switch v {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .double(let d): .double(d)
        case .string(let s): .string(s)
        case .array, .object: .null
        }
    }

    func isCollection(_ v: JSONValue) -> Bool {
        switch v { case .array, .object: true; default: false }
    }

    /// sigs.k8s.io/yaml's conversion of non-string keys.
    func keyString(_ r: YAMLScalarResolver.Resolved, _ e: bl_yaml_event) throws(YAMLError) -> String {
        switch r {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .double(let d):
            let s = goFormatFloat32G(d)
            switch s {
            case "+Inf": return ".inf"
            case "-Inf": return "-.inf"
            case "NaN": return ".nan"
            default: return s
            }
        case .null: throw err(e, "unsupported map key of type: <nil> (a null key cannot become a JSON key)")
        }
    }

    func quoted(_ s: String) -> String {
        var out = ""
        JSONValue.writeString(s, into: &out)
        return out
    }
}
