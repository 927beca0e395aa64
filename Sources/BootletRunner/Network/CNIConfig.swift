import BootletRuntime
import FoundationEssentials
import KubeModel

#if canImport(Glibc)
import Glibc
#endif

/// One plugin entry of a network configuration list.
public struct CNIPluginConfig: Sendable, Equatable {
    /// The plugin binary name (`type`).
    public var type: String
    /// `capabilities`: which runtime capability arguments (e.g. `portMappings`) the plugin wants in `runtimeConfig`.
    public var capabilities: [String: Bool]
    /// The whole entry as written, passed on to the plugin with bootlet's injections.
    public var raw: JSONObject
}

/// A CNI network configuration list (`.conflist`, or a single-plugin `.conf`/`.json` wrapped into one).
public struct CNINetworkConfigList: Sendable, Equatable {
    public var name: String
    public var cniVersion: String
    public var disableCheck: Bool
    public var plugins: [CNIPluginConfig]
    /// The list as bytes: the file for a `.conflist`, the wrapped list for a single plugin. Cached with each
    /// attachment so DEL runs the same plugins even after the file changed or went away.
    public var bytes: [UInt8]
    /// Where it was loaded from (a file, or `cache <path>` for a cached copy); named in every error.
    public var source: String

    /// Versions of the CNI spec whose configuration and results bootlet understands.
    public static let supportedVersions = ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]

    /// Parse a configuration list (libcni `NetworkConfFromBytes` rules: `name` required, `plugins` a non-empty
    /// array of objects each with a `type`; `cniVersions` picks the highest supported entry).
    public static func parseList(_ bytes: [UInt8], source: String) throws -> CNINetworkConfigList {
        let top = try parseObject(bytes, source: source)
        guard let nameValue = top["name"] else { throw CNIError.invalidConfig(file: source, reason: "no \"name\"") }
        guard let name = nameValue.stringValue else {
            throw CNIError.invalidConfig(file: source, reason: "\"name\" must be a string, found \(nameValue.goKind)")
        }
        let version = try resolveVersion(top, source: source)
        guard let pluginsValue = top["plugins"] else {
            throw CNIError.invalidConfig(file: source, reason: "no \"plugins\" list")
        }
        guard let rawPlugins = pluginsValue.arrayValue else {
            throw CNIError.invalidConfig(file: source, reason: "\"plugins\" must be an array, found \(pluginsValue.goKind)")
        }
        if rawPlugins.isEmpty { throw CNIError.invalidConfig(file: source, reason: "no plugins in list") }
        var plugins: [CNIPluginConfig] = []
        for (i, p) in rawPlugins.enumerated() {
            guard let obj = p.objectValue else {
                throw CNIError.invalidConfig(file: source, reason: "plugin \(i) must be an object, found \(p.goKind)")
            }
            plugins.append(try plugin(obj, index: i, source: source))
        }
        let disableCheck = try readBool(top, "disableCheck", source: source)
        try CNIValidation.checkNetworkName(name, source: source)
        return CNINetworkConfigList(
            name: name, cniVersion: version, disableCheck: disableCheck, plugins: plugins, bytes: bytes, source: source)
    }

    /// Parse a single-plugin configuration and wrap it into a list (libcni `ConfListFromConf`). A file without
    /// `type` is refused like containerd does, which also catches a list saved under a `.conf` name.
    public static func parseSingle(_ bytes: [UInt8], source: String) throws -> CNINetworkConfigList {
        let top = try parseObject(bytes, source: source)
        guard top["type"] != nil else {
            let hint = top["plugins"] != nil ? " (it looks like a configuration list: name it *.conflist)" : ""
            throw CNIError.invalidConfig(file: source, reason: "network type not found: no \"type\"\(hint)")
        }
        let p = try plugin(top, index: 0, source: source)
        let name = top["name"]?.stringValue ?? ""
        if name.isEmpty { throw CNIError.invalidConfig(file: source, reason: "no \"name\"") }
        let version = try resolveVersion(top, source: source)
        // Keys in the order libcni's marshalled map has them, so the cached bytes match what it would store.
        let wrapped = JSONValue.object([
            "cniVersion": .string(version), "name": .string(name), "plugins": .array([.object(p.raw)]),
        ]).encoded()
        try CNIValidation.checkNetworkName(name, source: source)
        return CNINetworkConfigList(
            name: name, cniVersion: version, disableCheck: false, plugins: [p], bytes: wrapped, source: source)
    }

    /// Load a file by extension: `.conflist` is a list, anything else a single plugin.
    public static func load(file: String) throws -> CNINetworkConfigList {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(file, step: "read CNI config")
        } catch let e as RuntimeError {
            throw CNIError.system(e)
        }
        return file.hasSuffix(".conflist") ? try parseList(bytes, source: file) : try parseSingle(bytes, source: file)
    }

    /// The configuration a pod gets from `confDir`: the first `*.conf`, `*.conflist` or `*.json` file in byte order
    /// of the name (libcni `ConfFiles` + containerd's loader). `nil` when the directory is missing or has none.
    /// An invalid first file is an error naming it, as with containerd: bootlet does not fall through to the next
    /// file, which would silently put pods on a network nobody chose.
    public static func loadDefault(confDir: String) throws -> CNINetworkConfigList? {
        guard let file = try configFiles(in: confDir).first else { return nil }
        return try load(file: file)
    }

    /// Candidate files in `dir` in the order they are considered; directories are skipped.
    public static func configFiles(in dir: String) throws -> [String] {
        guard FileIO.isDirectory(dir) else { return [] }
        let names: [String]
        do {
            names = try FileIO.list(dir)
        } catch let e as RuntimeError {
            throw CNIError.system(e)
        }
        let exts = [".conf", ".conflist", ".json"]
        return names
            .filter { n in exts.contains { n.hasSuffix($0) && n.utf8.count > $0.utf8.count } }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .map { dir + "/" + $0 }
            .filter { !FileIO.isDirectory($0) }
    }

    // MARK: - Helpers

    static func parseObject(_ bytes: [UInt8], source: String) throws -> JSONObject {
        let v: JSONValue
        do {
            v = try JSONValue.parse(bytes)
        } catch {
            throw CNIError.invalidConfig(file: source, reason: "not valid JSON: \(CNIError.decodingText(error))")
        }
        guard let o = v.objectValue else {
            throw CNIError.invalidConfig(file: source, reason: "expected a JSON object, found \(v.goKind)")
        }
        return o
    }

    static func plugin(_ obj: JSONObject, index: Int, source: String) throws -> CNIPluginConfig {
        guard let t = obj["type"] else {
            throw CNIError.invalidConfig(file: source, reason: "plugin \(index) has no \"type\"")
        }
        guard let type = t.stringValue, !type.isEmpty else {
            throw CNIError.invalidConfig(file: source, reason: "plugin \(index): \"type\" must be a non-empty string")
        }
        guard !type.contains("/"), type != ".", type != ".." else {
            throw CNIError.invalidConfig(
                file: source, reason: "plugin \(index): \"type\" \"\(type)\" must be a binary name, not a path")
        }
        var caps: [String: Bool] = [:]
        if let c = obj["capabilities"] {
            guard let co = c.objectValue else {
                throw CNIError.invalidConfig(
                    file: source, reason: "plugin \(index) (\(type)): \"capabilities\" must be an object, found \(c.goKind)")
            }
            for (k, v) in co {
                guard let b = v.boolValue else {
                    throw CNIError.invalidConfig(
                        file: source, reason: "plugin \(index) (\(type)): capability \"\(k)\" must be true or false")
                }
                caps[k] = b
            }
        }
        return CNIPluginConfig(type: type, capabilities: caps, raw: obj)
    }

    /// `cniVersion` (a string; absent means 0.1.0 as the spec says) or the highest supported `cniVersions` entry.
    static func resolveVersion(_ top: JSONObject, source: String) throws -> String {
        var candidates: [String] = []
        if let v = top["cniVersion"] {
            guard let s = v.stringValue else {
                throw CNIError.invalidConfig(file: source, reason: "\"cniVersion\" must be a string, found \(v.goKind)")
            }
            candidates.append(s)
        }
        if let vs = top["cniVersions"] {
            guard let arr = vs.arrayValue else {
                throw CNIError.invalidConfig(file: source, reason: "\"cniVersions\" must be an array, found \(vs.goKind)")
            }
            let listed = arr.compactMap(\.stringValue).filter { supportedVersions.contains($0) }
            if let best = listed.max(by: { versionLess($0, $1) }) { return best }
        }
        let version = candidates.first ?? "0.1.0"
        guard supportedVersions.contains(version) else {
            throw CNIError.invalidConfig(
                file: source,
                reason: "cniVersion \"\(version)\" is not supported (bootlet speaks \(supportedVersions.joined(separator: ", ")))")
        }
        return version
    }

    static func readBool(_ top: JSONObject, _ key: String, source: String) throws -> Bool {
        switch top[key] {
        case nil: return false
        case .bool(let b)?: return b
        case .string(let s)? where s.lowercased() == "true": return true
        case .string(let s)? where s.lowercased() == "false": return false
        case let v?:
            let text = String(decoding: v.encoded(), as: UTF8.self)
            throw CNIError.invalidConfig(file: source, reason: "\"\(key)\" must be true or false, found \(text)")
        }
    }

    /// Semantic-version order of `a.b.c` strings (unparseable parts count as 0).
    static func versionLess(_ a: String, _ b: String) -> Bool {
        let pa = a.split(separator: ".").map { Int($0) ?? 0 }
        let pb = b.split(separator: ".").map { Int($0) ?? 0 }
        for i in 0..<max(pa.count, pb.count) {
            let x = i < pa.count ? pa[i] : 0, y = i < pb.count ? pb[i] : 0
            if x != y { return x < y }
        }
        return false
    }

    /// True when `version` is at least `minimum` (CHECK and cached prevResult on DEL need 0.4.0).
    static func atLeast(_ version: String, _ minimum: String) -> Bool { !versionLess(version, minimum) }
}

/// Identifier rules from libcni (`utils.ValidateContainerID`, `ValidateNetworkName`, `ValidateInterfaceName`).
enum CNIValidation {
    static func isValidID(_ s: String) -> Bool {
        guard let first = s.utf8.first, isAlnum(first) else { return false }
        return s.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    static func isValidInterfaceName(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 15, s != ".", s != ".." else { return false }
        return s.utf8.allSatisfy { $0 > 0x20 && $0 != 0x7f && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: ":") }
    }

    static func checkNetworkName(_ name: String, source: String) throws {
        guard isValidID(name) else {
            throw CNIError.invalidConfig(
                file: source, reason: "network name \"\(name)\" must match [A-Za-z0-9][A-Za-z0-9_.-]*")
        }
    }

    private static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
    }
}
