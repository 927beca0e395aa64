import BootletRuntime

/// A plugin that exited non-zero, with what it said (CNI error JSON on stdout: `code`, `msg`, `details`).
public struct CNIPluginFailure: Sendable, Equatable {
    public var plugin: String
    public var binary: String
    public var command: String
    public var sandbox: String
    public var network: String
    public var source: String
    public var exitCode: Int32
    /// CNI error code (1–99 reserved by the spec, e.g. 7 invalid network config, 11 try again later).
    public var code: Int?
    public var msg: String?
    public var details: String?
    /// The tail of the plugin's stderr (plugins log there; the first place to look when `msg` is empty).
    public var stderr: String
}

/// Pod networking failures. Each case renders as `<step> <object>: <reason>` naming the sandbox, the network and
/// its configuration file, and the plugin.
public enum CNIError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A configuration file that cannot be used.
    case invalidConfig(file: String, reason: String)
    /// A plugin binary not found in any of the bin directories.
    case pluginNotFound(plugin: String, searched: [String], command: String, sandbox: String, network: String, source: String)
    /// A plugin that exited non-zero.
    case pluginFailed(CNIPluginFailure)
    /// A plugin killed after running longer than the configured timeout.
    case pluginTimedOut(plugin: String, binary: String, command: String, sandbox: String, network: String, source: String, seconds: Double)
    /// A plugin that exited 0 but printed something that is not a result.
    case invalidResult(plugin: String, command: String, sandbox: String, network: String, source: String, reason: String)
    /// A caller argument bootlet cannot pass to plugins (bad sandbox id, interface name, CNI_ARGS value).
    case invalidArgument(what: String, value: String, reason: String)
    /// A system call failed (spawn, cache file, namespace).
    case system(RuntimeError)
    /// Teardown of some attachments failed; the rest were torn down. Their cache entries are kept for a retry.
    case tearDownIncomplete(sandbox: String, failures: [String])
    /// setUp failed and the cleanup after it failed too.
    case setUpFailedCleanupFailed(original: String, cleanup: String)

    public var description: String {
        switch self {
        case .invalidConfig(let file, let reason):
            return "load CNI config \(file): \(reason)"
        case .pluginNotFound(let plugin, let searched, let command, let sandbox, let network, let source):
            return "CNI \(command) for sandbox \(sandbox) (network \"\(network)\" from \(source)): plugin \"\(plugin)\" not "
                + "found in \(searched.joined(separator: ":"))"
        case .pluginFailed(let f):
            var s = "CNI \(f.command) for sandbox \(f.sandbox) (network \"\(f.network)\" from \(f.source)): plugin "
                + "\"\(f.plugin)\" (\(f.binary)) exited with status \(f.exitCode)"
            if let c = f.code { s += ": CNI error code \(c)" }
            if let m = f.msg, !m.isEmpty { s += ": \(m)" }
            if let d = f.details, !d.isEmpty { s += " (details: \(d))" }
            if (f.msg ?? "").isEmpty && !f.stderr.isEmpty { s += ": stderr: \(f.stderr)" }
            return s
        case .pluginTimedOut(let plugin, let binary, let command, let sandbox, let network, let source, let seconds):
            return "CNI \(command) for sandbox \(sandbox) (network \"\(network)\" from \(source)): plugin \"\(plugin)\" "
                + "(\(binary)) timed out after \(seconds)s and was killed"
        case .invalidResult(let plugin, let command, let sandbox, let network, let source, let reason):
            return "CNI \(command) for sandbox \(sandbox) (network \"\(network)\" from \(source)): plugin \"\(plugin)\" "
                + "returned an invalid result: \(reason)"
        case .invalidArgument(let what, let value, let reason):
            return "set up pod network: \(what) \"\(value)\" \(reason)"
        case .system(let e):
            return e.description
        case .tearDownIncomplete(let sandbox, let failures):
            return "tear down network of sandbox \(sandbox): " + failures.joined(separator: "; ")
        case .setUpFailedCleanupFailed(let original, let cleanup):
            return "\(original); cleaning up after the failure also failed: \(cleanup)"
        }
    }

    /// The plugin failure, when this is one (tests and the runner's event text use it).
    public var pluginFailure: CNIPluginFailure? {
        if case .pluginFailed(let f) = self { return f }
        return nil
    }

    /// A JSONDecoder error without the Swift type dump: "line 1, column 5: unexpected character".
    static func decodingText(_ error: Error) -> String {
        if let d = error as? DecodingError {
            switch d {
            case .dataCorrupted(let c): return describe(c)
            case .keyNotFound(_, let c), .typeMismatch(_, let c), .valueNotFound(_, let c): return describe(c)
            @unknown default: return "\(error)"
            }
        }
        return "\(error)"
    }

    private static func describe(_ c: DecodingError.Context) -> String {
        if let u = c.underlyingError { return "\(c.debugDescription) (\(u))" }
        return c.debugDescription
    }
}
