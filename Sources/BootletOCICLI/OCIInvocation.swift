import BootletRuntime

/// What one `bootlet oci` call asks for, as plain values. ArgumentParser's commands (OCI*Command.swift) build it,
/// and so does `OCIQuickParse` for the per-container verbs; both then run the same `execute()`.
public struct OCIInvocation: Equatable {
    public struct Globals: Equatable {
        var root = StateStore.defaultRoot
        var log: String?
        var logFormat = "text"
        var debug = false
        var systemdCgroup = false
    }

    public struct Launch: Equatable {
        var id: String
        var bundle = "."
        var pidFile: String?
        var consoleSocket: String?
        var noPivot = false
        var logPath: String?
        var noNewKeyring = false
        var preserveFds = 0
        var detach = false
    }

    public enum Verb: Equatable {
        case create(Launch)
        case run(Launch)
        case start(id: String)
        case state(id: String)
        case kill(id: String, signal: String, all: Bool)
        case delete(id: String, force: Bool)
    }

    var globals: Globals
    var verb: Verb

    /// Runs the verb; returns the process exit status (`run` returns the container's).
    public func execute() throws -> Int32 {
        try globals.reporting {
            let rt = try globals.runtime()
            switch verb {
            case .create(let l):
                try l.refuseUnsupported("create container")
                _ = try rt.launch(id: l.id, bundle: l.bundle, mode: .create, options: l.options)
                return 0
            case .run(let l):
                try l.refuseUnsupported("run container")
                if l.detach {
                    _ = try rt.launch(id: l.id, bundle: l.bundle, mode: .runDetached, options: l.options)
                    return 0
                }
                return try rt.run(id: l.id, bundle: l.bundle, options: l.options, forwardSignals: true)
            case .start(let id):
                try rt.start(id: id)
            case .state(let id):
                try printJSON(try rt.state(id: id))
            case .kill(let id, let signal, _):
                try rt.kill(id: id, signal: try Signals.number(signal))
            case .delete(let id, let force):
                try rt.delete(id: id, force: force)
            }
            return 0
        }
    }
}

extension OCIInvocation.Globals {
    /// Build the runtime, honouring the global options.
    func runtime() throws -> OCIRuntime {
        if systemdCgroup {
            throw RuntimeError("configure runtime", "--systemd-cgroup", detail: "the systemd cgroup driver is not supported; use cgroupfs paths")
        }
        return try OCIRuntime(store: StateStore(root: root))
    }

    /// Run `body`, copying a failure to `--log` (as containerd reads runc's) before it reaches the caller.
    func reporting<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch {
            if let log {
                let msg = "\(error)"
                let line = logFormat == "json"
                    ? "{\"level\":\"error\",\"msg\":\(jsonString(msg)),\"time\":\"\(Timestamp.now())\"}\n"
                    : "time=\"\(Timestamp.now())\" level=error msg=\(jsonString(msg))\n"
                appendLine(log, line)
            }
            throw error
        }
    }
}

extension OCIInvocation.Launch {
    var options: OCIRuntime.LaunchOptions {
        var o = OCIRuntime.LaunchOptions()
        o.pidFile = pidFile
        o.noPivot = noPivot
        o.logPath = logPath
        return o
    }

    func refuseUnsupported(_ step: String) throws {
        if consoleSocket != nil {
            throw RuntimeError(step, id, detail: "--console-socket (terminal mode) is not supported")
        }
        if preserveFds != 0 { throw RuntimeError(step, id, detail: "--preserve-fds is not supported") }
    }
}
