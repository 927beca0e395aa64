import BootletRuntime
import FoundationEssentials
import KubeModel

#if canImport(Glibc)
import Glibc
#endif

/// One cached network attachment: what DEL needs after a runner crash, when the configuration directory has
/// changed, or once the namespace is gone.
///
/// The file format is libcni's `cniCacheV1` (`/var/lib/cni/results/<network>-<container>-<ifname>`), so
/// `cnitool`-style tooling can read it, plus `configSource` (ignored by libcni). bootlet writes the entry *before*
/// the first plugin runs, without `result`, and again with the result after the last one: a crash in between
/// still leaves enough to run DEL (without prevResult, which libcni also does when the result is unreadable).
public struct CNIAttachment: Sendable, Equatable, Codable {
    public var kind: String
    /// The sandbox id (`CNI_CONTAINERID`).
    public var containerId: String
    /// The configuration list used for ADD, as libcni stores it: the raw bytes, base64 (Go `[]byte`).
    public var config: String
    public var ifName: String
    public var networkName: String
    public var netns: String?
    public var cniArgs: [[String]]?
    public var capabilityArgs: [String: JSONValue]?
    /// The final result of the list; nil while ADD is in progress (or when it crashed).
    public var result: JSONValue?
    /// The file the configuration came from (bootlet extension, for error messages).
    public var configSource: String?

    static let kindV1 = "cniCacheV1"

    /// The cached configuration list.
    func configList(cachePath: String) throws -> CNINetworkConfigList {
        guard let data = Data(base64Encoded: config) else {
            throw CNIError.invalidConfig(file: "cache \(cachePath)", reason: "\"config\" is not base64")
        }
        var list = try CNINetworkConfigList.parseList(Array(data), source: "cache \(cachePath)")
        if let s = configSource { list.source = "\(s) (cached in \(cachePath))" }
        return list
    }
}

/// The directory of cached attachments: `<stateDir>/results/`.
struct CNIResultCache: Sendable {
    let directory: String

    func path(network: String, sandbox: String, ifName: String) -> String {
        "\(directory)/\(network)-\(sandbox)-\(ifName)"
    }

    func write(_ a: CNIAttachment) throws {
        let p = path(network: a.networkName, sandbox: a.containerId, ifName: a.ifName)
        do {
            try FileIO.makeDirectories(directory, mode: 0o700)
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let bytes = Array(try e.encode(a))
            try FileIO.writeAtomically(p, bytes, mode: 0o600, step: "write CNI result cache")
        } catch let e as RuntimeError {
            throw CNIError.system(e)
        } catch {
            throw CNIError.system(RuntimeError("encode CNI result cache", p, detail: "\(error)"))
        }
    }

    /// The entry at `path`; nil when missing. A corrupt file is an error naming it.
    func read(_ path: String) throws -> CNIAttachment? {
        guard FileIO.exists(path) else { return nil }
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(path, step: "read CNI result cache")
        } catch let e as RuntimeError {
            if e.errno == ENOENT { return nil }
            throw CNIError.system(e)
        }
        do {
            let a = try JSONDecoder().decode(CNIAttachment.self, from: Data(bytes))
            guard a.kind == CNIAttachment.kindV1 else {
                throw CNIError.invalidConfig(file: "cache \(path)", reason: "unknown kind \"\(a.kind)\"")
            }
            return a
        } catch let e as CNIError {
            throw e
        } catch {
            throw CNIError.invalidConfig(file: "cache \(path)", reason: CNIError.decodingText(error))
        }
    }

    func remove(network: String, sandbox: String, ifName: String) throws {
        let p = path(network: network, sandbox: sandbox, ifName: ifName)
        if unlink(p) != 0 && errno != ENOENT {
            throw CNIError.system(RuntimeError.errno("remove CNI result cache", p))
        }
    }

    /// Every readable entry (optionally of one sandbox) with its path, sorted by file name. Unreadable files are
    /// returned as failures so a cleanup pass can report them without stopping.
    func list(sandbox: String? = nil) throws -> (entries: [(path: String, attachment: CNIAttachment)], errors: [String]) {
        guard FileIO.isDirectory(directory) else { return ([], []) }
        let names: [String]
        do {
            names = try FileIO.list(directory)
        } catch let e as RuntimeError {
            throw CNIError.system(e)
        }
        var entries: [(String, CNIAttachment)] = []
        var errors: [String] = []
        for n in names where !n.contains(".tmp.") {
            if let s = sandbox, !n.contains("-\(s)-") { continue }
            let p = directory + "/" + n
            do {
                if let a = try read(p), sandbox == nil || a.containerId == sandbox { entries.append((p, a)) }
            } catch {
                errors.append("\(error)")
            }
        }
        return (entries, errors)
    }
}
