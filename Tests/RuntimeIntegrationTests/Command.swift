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

func runCommand(_ path: String, _ args: [String], env: [String] = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]) throws -> CommandResult {
    let tag = UInt32.random(in: 0...UInt32.max)
    let outPath = "/tmp/bootlet-cmd-\(tag).out", errPath = "/tmp/bootlet-cmd-\(tag).err"
    let out = open(outPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    let err = open(errPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
    defer {
        close(out); close(err); close(null)
        unlink(outPath); unlink(errPath)
    }
    let argv: [UnsafeMutablePointer<CChar>?] = ([path] + args).map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
    let fds: [Int32] = [null, out, err]
    let pid = fds.withUnsafeBufferPointer { bl_spawn(path, argv, envp, $0.baseAddress, 3, 0) }
    if pid < 0 { throw RuntimeError("spawn", path, errno: -pid) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return CommandResult(code: code, stdout: try FileIO.readString(outPath), stderr: try FileIO.readString(errPath))
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
