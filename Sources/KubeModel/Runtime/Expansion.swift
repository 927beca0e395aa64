/// `$(VAR)` expansion exactly as Kubernetes' `third_party/forked/golang/expansion/expand.go`:
///
/// * `$$` is an escaped `$`;
/// * `$(NAME)` is replaced by NAME's value when the mapping has it, otherwise left as the literal `$(NAME)`;
/// * `$(` without a closing `)` stays literal and scanning continues after the `(`;
/// * `$` followed by anything else stays as is, and a trailing `$` stays;
/// * no recursion: substituted text is not scanned again.
public enum Expansion {
    /// Expands `input`; `mapping` returns nil for unknown names (which then stay literal).
    public static func expand(_ input: String, mapping: (String) -> String?) -> String {
        let b = Array(input.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var checkpoint = 0
        var cursor = 0
        while cursor < b.count {
            if b[cursor] == UInt8(ascii: "$"), cursor + 1 < b.count {
                out += b[checkpoint..<cursor]
                let rest = b[(cursor + 1)...]
                var advance = 1
                switch rest.first {
                case UInt8(ascii: "$"):
                    out.append(UInt8(ascii: "$"))
                case UInt8(ascii: "("):
                    if let close = rest.dropFirst().firstIndex(of: UInt8(ascii: ")")) {
                        let name = String(decoding: b[(cursor + 2)..<close], as: UTF8.self)
                        if let v = mapping(name) { out += Array(v.utf8) } else { out += Array("$(\(name))".utf8) }
                        advance = close - cursor
                    } else {
                        out += Array("$(".utf8)
                    }
                default:
                    out.append(UInt8(ascii: "$"))
                    out.append(b[cursor + 1])
                }
                cursor += advance
                checkpoint = cursor + 1
            }
            cursor += 1
        }
        if checkpoint < b.count { out += b[checkpoint...] }
        return String(decoding: out, as: UTF8.self)
    }

    /// `MappingFuncFor(context...)`: the first map that has the name wins.
    public static func expand(_ input: String, context: [[String: String]]) -> String {
        expand(input) { name in
            for vars in context { if let v = vars[name] { return v } }
            return nil
        }
    }

    /// `ExpandContainerCommandAndArgs`: command and args expanded against the container's final environment.
    public static func expandCommandAndArgs(_ container: Container, environment: [(name: String, value: String)])
        -> (command: [String], args: [String])
    {
        var env: [String: String] = [:]
        for (n, v) in environment { env[n] = v }
        return (
            (container.command ?? []).map { expand($0, context: [env]) },
            (container.args ?? []).map { expand($0, context: [env]) }
        )
    }

    /// Errors while building a container environment (kubelet reports these as CreateContainerConfigError).
    public struct EnvError: Swift.Error, CustomStringConvertible, Equatable, Sendable {
        public var description: String
    }

    /// kubelet's `makeEnvironmentVariables` for a static pod without an API server: `env` entries in order,
    /// each `value` expanded against the variables defined *before it* (later ones stay literal), `fieldRef`
    /// and `resourceFieldRef` resolved through `context`, no service variables (no service lister).
    /// ConfigMap/Secret sources cannot occur (validation rejects them) and fail here if they do.
    public static func environment(for container: Container, in pod: Pod, context: DownwardAPI.Context) throws(EnvError)
        -> [(name: String, value: String)]
    {
        var result: [(name: String, value: String)] = []
        var index: [String: Int] = [:]
        var tmp: [String: String] = [:]
        func set(_ n: String, _ v: String) {
            tmp[n] = v
            if let i = index[n] { result[i].value = v } else {
                index[n] = result.count
                result.append((n, v))
            }
        }
        for from in container.envFrom ?? [] {
            let what = from.configMapRef != nil ? "configMap" : "secret"
            throw EnvError(description: "couldn't get \(what) for envFrom of container \(container.name): static pods have no API client")
        }
        for e in container.env ?? [] {
            var value = e.value ?? ""
            if !value.isEmpty {
                value = expand(value, context: [tmp])
            } else if let src = e.valueFrom {
                if let f = src.fieldRef {
                    do { value = try DownwardAPI.fieldValue(f.fieldPath, pod: pod, context: context) } catch {
                        throw EnvError(description: "env \(e.name) of container \(container.name): \(error.description)")
                    }
                } else if let r = src.resourceFieldRef {
                    do { value = try DownwardAPI.resourceValue(r, pod: pod, container: container, context: context) } catch {
                        throw EnvError(description: "env \(e.name) of container \(container.name): \(error.description)")
                    }
                } else if src.configMapKeyRef != nil || src.secretKeyRef != nil {
                    throw EnvError(description: "env \(e.name) of container \(container.name): static pods may not reference configmaps or secrets")
                }
            }
            set(e.name, value)
        }
        return result
    }
}
