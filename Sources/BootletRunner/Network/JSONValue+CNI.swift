import FoundationEssentials
import KubeModel

/// JSON bytes in and out for the CNI driver. Configurations and results are `KubeModel.JSONValue` trees, so keys
/// bootlet does not know reach the plugins unchanged while it injects `name`, `cniVersion`, `prevResult` and
/// `runtimeConfig` (libcni's `InjectConf`). Parsing lives here rather than in KubeModel, which stays free of
/// FoundationEssentials; it is only `JSONDecoder` plus KubeModel's `Codable` conformance.
extension JSONValue {
    /// Parse JSON bytes; the error text is the decoder's (callers add the file or plugin). Object keys come out
    /// sorted (see `JSONValue+Codable.swift`), the order Go's encoding/json gives libcni's maps.
    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// Compact JSON as Go's encoding/json writes it (libcni marshals plugin stdin with it); keys in the tree's order.
    func encoded() -> [UInt8] {
        // Only non-finite doubles fail, and parsing never produces them.
        Array(((try? jsonText()) ?? "null").utf8)
    }
}
