import BootletRuntime
import CBootletRuntime

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program and captures its output (tests only; posix_spawn through the runtime's shim).
struct CommandResult {
    var code: Int32
    var stdout: String
    var stderr: String
}

extension CommandResult {
    init(_ outcome: Subprocess.Outcome) {
        guard case .exited(let code, let out, let err) = outcome else { preconditionFailure("no timeout was set") }
        self.init(code: code, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }
}

func runCommand(_ path: String, _ args: [String], env: [String] = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]) throws -> CommandResult {
    try CommandResult(Subprocess.run(path, argv: [path] + args, env: env, what: path))
}

/// The `bootlet` executable built next to the test bundle.
func bootletBinary() throws -> String {
    let exe = try FileIO.realPath("/proc/self/exe", step: "locate test binary")
    var dir = String(exe[..<exe.lastIndex(of: "/")!])
    // swift-testing runs inside `<config>/bootletPackageTests.xctest`; the products sit beside it.
    if dir.hasSuffix(".xctest") { dir = String(dir[..<dir.lastIndex(of: "/")!]) }
    let p = dir + "/bootlet"
    guard access(p, X_OK) == 0 else { throw RuntimeError("locate bootlet binary", p, errno: ENOENT) }
    return p
}
