import FoundationEssentials
import OCISpec

#if canImport(Glibc)
import Glibc
#endif

/// OCI hooks: run in the runtime namespace with the container state JSON on stdin.
public enum HookRunner {
    /// Run `hooks` in order; the first failure throws (the caller decides whether a failure is fatal: it is for
    /// prestart/createRuntime, a warning for poststart/poststop as the runtime spec says).
    public static func run(_ hooks: [Hook], kind: String, state: State) throws {
        guard !hooks.isEmpty else { return }
        let enc = JSONEncoder()
        let stateJSON = Array(try enc.encode(state))
        for (i, h) in hooks.enumerated() {
            try runOne(h, label: "\(kind) hook #\(i) \(h.path)", input: stateJSON)
        }
    }

    static func runOne(_ h: Hook, label: String, input: [UInt8]) throws {
        let timeout: Duration? = (h.timeout ?? 0) > 0 ? .seconds(h.timeout!) : nil
        switch try Subprocess.run(
            h.path, argv: h.args?.isEmpty == false ? h.args! : [h.path], env: h.env ?? [], stdin: input,
            output: .inherit, timeout: timeout, what: label)
        {
        case .timedOut: throw RuntimeError("run", label, detail: "timed out after \(h.timeout!)s")
        case .exited(0, _, _): return
        case .exited(let code, _, _): throw RuntimeError("run", label, detail: "exited with status \(code)")
        }
    }
}
