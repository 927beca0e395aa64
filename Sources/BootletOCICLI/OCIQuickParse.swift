/// The per-container runc verbs (`create`, `run`, `start`, `state`, `kill`, `delete`) are on the critical path of
/// every container start, and ArgumentParser's first parse in a process costs ~2 ms of Swift runtime metadata work
/// (reflection and protocol-conformance scans over a large static binary) — a fifth of a whole `oci run`
/// (docs/benchmarks.md). This recogniser accepts exactly the command lines those verbs' ArgumentParser
/// declarations accept in their plainest spelling and returns nil for everything else, which then goes to
/// ArgumentParser unchanged: help, version, unknown or repeated options, bundled short flags, `--`, values that
/// start with `-`, options after a positional they could be confused with, a missing id. ArgumentParser stays
/// the one definition of the command line (help, errors, docs/cli.md); Tests/BootletCLITests check that both
/// produce the same `OCIInvocation` for a corpus of command lines and that the tables below match the commands'
/// declared options.
public enum OCIQuickParse {
    enum Kind { case value, flag }

    // Small arrays searched linearly, not dictionaries: building a hashed collection is itself a measurable part of
    // a ~5 ms process (first-use metadata and the random hash seed).

    /// `oci`'s own options (they must come before the verb).
    static let globalOptions: [(String, Kind)] = [
        ("--root", .value), ("--log", .value), ("--log-format", .value), ("--debug", .flag), ("--systemd-cgroup", .flag),
    ]

    static let launchOptions: [(String, Kind)] = [
        ("-b", .value), ("--bundle", .value), ("--pid-file", .value), ("--console-socket", .value), ("--no-pivot", .flag),
        ("--log-path", .value), ("--no-new-keyring", .flag),
    ]

    /// Options per verb, and how many positionals (required, optional) it takes.
    static func verb(_ name: String) -> (options: [(String, Kind)], required: Int, optional: Int)? {
        switch name {
        case "create": (launchOptions + [("--preserve-fds", .value)], 1, 0)
        case "run": (launchOptions + [("-d", .flag), ("--detach", .flag)], 1, 0)
        case "start", "state": ([], 1, 0)
        case "kill": ([("-a", .flag), ("--all", .flag)], 1, 1)
        case "delete": ([("-f", .flag), ("--force", .flag)], 1, 0)
        default: nil
        }
    }

    /// Canonical names, so that `-b` and `--bundle` count as the same option when checking for repeats.
    static func canonical(_ name: String) -> String {
        switch name {
        case "-b": "--bundle"
        case "-d": "--detach"
        case "-a": "--all"
        case "-f": "--force"
        default: name
        }
    }

    /// `arguments` without the executable name: `oci [global options] <verb> [options] <id> [signal]`.
    public static func parse(_ arguments: [String]) -> OCIInvocation? {
        guard arguments.first == "oci" else { return nil }
        var i = 1
        guard let globals = scan(arguments, &i, options: globalOptions, stopAtPositional: true) else { return nil }
        guard i < arguments.count, let verb = verb(arguments[i]) else { return nil }
        let name = arguments[i]
        i += 1
        guard let local = scan(arguments, &i, options: verb.options, stopAtPositional: false),
            local.positionals.count >= verb.required, local.positionals.count <= verb.required + verb.optional
        else { return nil }

        var g = OCIInvocation.Globals()
        if let v = globals.value("--root") { g.root = v }
        g.log = globals.value("--log")
        if let v = globals.value("--log-format") { g.logFormat = v }
        g.debug = globals.has("--debug")
        g.systemdCgroup = globals.has("--systemd-cgroup")

        let id = local.positionals[0]
        func launch() -> OCIInvocation.Launch? {
            var l = OCIInvocation.Launch(id: id)
            if let v = local.value("--bundle") { l.bundle = v }
            l.pidFile = local.value("--pid-file")
            l.consoleSocket = local.value("--console-socket")
            l.noPivot = local.has("--no-pivot")
            l.logPath = local.value("--log-path")
            l.noNewKeyring = local.has("--no-new-keyring")
            l.detach = local.has("--detach")
            if let v = local.value("--preserve-fds") {
                guard let n = Int(v) else { return nil }  // ArgumentParser words the error
                l.preserveFds = n
            }
            return l
        }
        let v: OCIInvocation.Verb
        switch name {
        case "create": guard let l = launch() else { return nil }; v = .create(l)
        case "run": guard let l = launch() else { return nil }; v = .run(l)
        case "start": v = .start(id: id)
        case "state": v = .state(id: id)
        case "kill":
            v = .kill(id: id, signal: local.positionals.count > 1 ? local.positionals[1] : "SIGTERM", all: local.has("--all"))
        case "delete": v = .delete(id: id, force: local.has("--force"))
        default: return nil
        }
        return OCIInvocation(globals: g, verb: v)
    }

    struct Scanned {
        /// Options seen, by canonical name, with their value (nil for flags).
        var options: [(String, String?)] = []
        var positionals: [String] = []

        func value(_ name: String) -> String? { options.first { $0.0 == name }?.1 }
        func has(_ name: String) -> Bool { options.contains { $0.0 == name } }
    }

    /// Reads options (and, unless `stopAtPositional`, positionals) from `i`. Nil for anything not plainly valid.
    static func scan(_ a: [String], _ i: inout Int, options: [(String, Kind)], stopAtPositional: Bool) -> Scanned? {
        var s = Scanned()
        while i < a.count {
            let arg = a[i]
            guard arg.hasPrefix("-") else {
                if stopAtPositional { return s }
                s.positionals.append(arg)
                i += 1
                continue
            }
            var name = arg
            var inline: String?
            if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
                name = String(arg[..<eq])
                inline = String(arg[arg.index(after: eq)...])
            }
            guard let kind = options.first(where: { $0.0 == name })?.1 else { return nil }
            let key = canonical(name)
            guard !s.has(key) else { return nil }
            switch kind {
            case .flag:
                guard inline == nil else { return nil }
                s.options.append((key, nil))
                i += 1
            case .value:
                if let inline {
                    s.options.append((key, inline))
                    i += 1
                } else {
                    guard i + 1 < a.count, !a[i + 1].hasPrefix("-") else { return nil }
                    s.options.append((key, a[i + 1]))
                    i += 2
                }
            }
        }
        return s
    }
}
