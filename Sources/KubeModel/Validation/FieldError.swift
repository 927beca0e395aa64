/// A validation error in Kubernetes' `field.Error` form: `<path>: <Type>: <detail>`, e.g.
/// `spec.containers[0].image: Required value` or
/// `spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`.
public struct FieldError: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case required, invalid(String), duplicate(String), notFound(String), notSupported(String, [String]),
            forbidden, tooLong(String, Int), tooMany(Int, Int)
    }

    public var path: String
    public var kind: Kind
    public var detail: String

    public init(_ path: String, _ kind: Kind, _ detail: String = "") {
        self.path = path
        self.kind = kind
        self.detail = detail
    }

    public var description: String {
        var s: String
        switch kind {
        case .required: s = "\(path): Required value"
        case .invalid(let v): s = "\(path): Invalid value: \(v)"
        case .duplicate(let v): s = "\(path): Duplicate value: \(v)"
        case .notFound(let v): s = "\(path): Not found: \(v)"
        case .notSupported(let v, let supported):
            s = "\(path): Unsupported value: \(v): supported values: " + supported.map { "\"\($0)\"" }.joined(separator: ", ")
            return s
        case .forbidden: s = "\(path): Forbidden"
        case .tooLong(let v, let max): s = "\(path): Too long: \(v): may not be more than \(max) bytes"
        case .tooMany(let n, let max): s = "\(path): Too many: \(n): must have at most \(max) items"
        }
        if !detail.isEmpty { s += ": " + detail }
        return s
    }

    /// kubelet formats the list with Go's `%v` (`fmt.Errorf("invalid pod: %v", errs)`): brackets and single
    /// spaces, also for one error — `[a b]`.
    public static func list(_ errors: [FieldError]) -> String {
        "[" + errors.map(\.description).joined(separator: " ") + "]"
    }
}

/// Go `%q`-style quoting for values in messages.
func q(_ s: String) -> String {
    var out = ""
    JSONValue.writeString(s, into: &out)
    return out
}
