import FoundationEssentials

/// Parses `["a","b"]` flags (docker's exec form for --entrypoint/--cmd).
enum JSONStringArray {
    static func parse(_ s: String) -> [String]? {
        try? JSONDecoder().decode([String].self, from: Data(s.utf8))
    }

    static func print<T: Encodable>(_ value: T) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        Swift.print(String(decoding: try e.encode(value), as: UTF8.self))
    }
}
