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

    /// `oci`'s own options (they must come before the verb).
    static let globalOptions: [String: Kind] = [
        "--root": .value, "--log": .value, "--log-format": .value, "--debug": .flag, "--systemd-cgroup": .flag,
    ]

    static let launchOptions: [String: Kind] = [
        "-b": .value, "--bundle": .value, "--pid-file": .value, "--console-socket": .value, "--no-pivot": .flag,
        "--log-path": .value, "--no-new-keyring": .flag,
    ]

    /// Options per verb, and how many positionals (required, optional) it takes.
    static let verbs: [String: (options: [String: Kind], required: Int, optional: Int)] = [
        "create": (launchOptions.merging(["--preserve-fds": .value]) { a, _ in a }, 1, 0),
        "run": (launchOptions.merging(["-d": .flag, "--detach": .flag]) { a, _ in a }, 1, 0),
        "start": ([:], 1, 0),
        "state": ([:], 1, 0),
        "kill": (["-a": .flag, "--all": .flag], 1, 1),
        "delete": (["-f": .flag, "--force": .flag], 1, 0),
    ]

    /// Canonical names, so that `-b` and `--bundle` count as the same option when checking for repeats.
    static let canonical: [String: String] = ["-b": "--bundle", "-d": "--detach", "-a": "--all", "-f": "--force"]

    /// `arguments` without the executable name: `oci [global options] <verb> [options] <id> [signal]`.
    public static func parse(_ arguments: [String]) -> OCIInvocation? {
        guard arguments.first == "oci" else { return nil }
        var i = 1
        guard let globals = scan(arguments, &i, options: globalOptions, stopAtPositional: true) else { return nil }
        guard i < arguments.count, let verb = verbs[arguments[i]] else { return nil }
        let name = arguments[i]
        i += 1
        guard let local = scan(arguments, &i, options: verb.options, stopAtPositional: false),
            local.positionals.count >= verb.required, local.positionals.count <= verb.required + verb.optional
        else { return nil }

        var g = OCIInvocation.Globals()
        if let v = globals.values["--root"] { g.root = v }
        g.log = globals.values["--log"]
        if let v = globals.values["--log-format"] { g.logFormat = v }
        g.debug = globals.flags.contains("--debug")
        g.systemdCgroup = globals.flags.contains("--systemd-cgroup")

        let id = local.positionals[0]
        func launch() -> OCIInvocation.Launch? {
            var l = OCIInvocation.Launch(id: id)
            if let v = local.values["--bundle"] { l.bundle = v }
            l.pidFile = local.values["--pid-file"]
            l.consoleSocket = local.values["--console-socket"]
            l.noPivot = local.flags.contains("--no-pivot")
            l.logPath = local.values["--log-path"]
            l.noNewKeyring = local.flags.contains("--no-new-keyring")
            l.detach = local.flags.contains("--detach")
            if let v = local.values["--preserve-fds"] {
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
            v = .kill(id: id, signal: local.positionals.count > 1 ? local.positionals[1] : "SIGTERM", all: local.flags.contains("--all"))
        case "delete": v = .delete(id: id, force: local.flags.contains("--force"))
        default: return nil
        }
        return OCIInvocation(globals: g, verb: v)
    }

    struct Scanned {
        var values: [String: String] = [:]
        var flags: Set<String> = []
        var positionals: [String] = []
    }

    /// Reads options (and, unless `stopAtPositional`, positionals) from `i`. Nil for anything not plainly valid.
    static func scan(_ a: [String], _ i: inout Int, options: [String: Kind], stopAtPositional: Bool) -> Scanned? {
        var s = Scanned()
        var seen: Set<String> = []
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
            guard let kind = options[name] else { return nil }
            let key = canonical[name] ?? name
            guard seen.insert(key).inserted else { return nil }
            switch kind {
            case .flag:
                guard inline == nil else { return nil }
                s.flags.insert(key)
                i += 1
            case .value:
                if let inline {
                    s.values[key] = inline
                    i += 1
                } else {
                    guard i + 1 < a.count, !a[i + 1].hasPrefix("-") else { return nil }
                    s.values[key] = a[i + 1]
                    i += 2
                }
            }
        }
        return s
    }
}
