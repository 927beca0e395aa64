import BootletRuntime
import CBootletRuntime
import CBootletSeccomp
import OCISpec
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The compiled programs loaded into the kernel for real, each in a child process (Swift Testing exit tests):
/// no_new_privs, `bl_seccomp_install`, then raw syscalls whose results prove what the filter does. Every
/// expected errno differs from what the same call returns without the filter, so a filter that does not load
/// or does not match fails the test.
@Suite("Seccomp enforcement in a child process")
struct EnforcementTests {

    @Test("RuntimeDefault without CAP_SYS_ADMIN: mount/unshare/setns EPERM, clone3 ENOSYS, newer syscalls ENOSYS",
          .enabled(if: Support.isAMD64))
    func runtimeDefaultDenies() async {
        let passed = await #expect(processExitsWith: .success) { Child.runtimeDefaultDenies() }
        if passed == nil {
            // Failed: run it again to show which check failed (exit tests return no output on a mismatch).
            Child.report(await #expect(processExitsWith: .exitCode(1), observing: [\.standardErrorContent]) {
                Child.runtimeDefaultDenies()
            })
        }
    }

    @Test("RuntimeDefault argument rules: socket domains, personality values, clone namespace flags",
          .enabled(if: Support.isAMD64))
    func runtimeDefaultArguments() async {
        let passed = await #expect(processExitsWith: .success) { Child.runtimeDefaultArguments() }
        if passed == nil {
            // Failed: run it again to show which check failed (exit tests return no output on a mismatch).
            Child.report(await #expect(processExitsWith: .exitCode(1), observing: [\.standardErrorContent]) {
                Child.runtimeDefaultArguments()
            })
        }
    }

    @Test("errnoRet and AND/OR/masked argument conditions of a custom profile", .enabled(if: Support.isAMD64))
    func customProfile() async {
        let passed = await #expect(processExitsWith: .success) { Child.customProfile() }
        if passed == nil {
            // Failed: run it again to show which check failed (exit tests return no output on a mismatch).
            Child.report(await #expect(processExitsWith: .exitCode(1), observing: [\.standardErrorContent]) {
                Child.customProfile()
            })
        }
    }

    @Test("SCMP_ACT_TRAP and SCMP_ACT_KILL_PROCESS end the process with SIGSYS", arguments: ["trap", "kill"])
    func fatalActions(kind: String) async {
        if kind == "trap" {
            await #expect(processExitsWith: .signal(SIGSYS)) { Child.fatal(.trap) }
        } else {
            await #expect(processExitsWith: .signal(SIGSYS)) { Child.fatal(.killProcess) }
        }
    }
}

/// Code that runs inside the exit-test child.
enum Child {
    static func report(_ r: ExitTest.Result?) {
        guard let r else { return }
        Issue.record("child: \(String(decoding: r.standardErrorContent, as: UTF8.self))")
    }

    static func fail(_ message: String) -> Never {
        let line = "FAIL: \(message)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        exit(1)
    }

    static func sys(_ nr: Int32, _ a: Int = 0, _ b: Int = 0, _ c: Int = 0, _ d: Int = 0) -> Int {
        bl_seccomp_raw_syscall(Int(nr), a, b, c, d, 0, 0)
    }

    static func expectErrno(_ got: Int, _ errno: Int32, _ what: String) {
        if got != -Int(errno) { fail("\(what): got \(got), want -\(errno) (\(String(cString: strerror(errno))))") }
    }

    static func expectSuccess(_ got: Int, _ what: String) {
        if got < 0 { fail("\(what): got \(got) (\(String(cString: strerror(Int32(-got))))), want success") }
    }

    static func install(_ profile: LinuxSeccomp) {
        let program: SeccompProgram
        do { program = try SeccompCompiler.compileUncached(profile) } catch { fail("compile: \(error)") }
        install(program)
    }

    static func install(_ p: SeccompProgram) {
        let nnp = bl_seccomp_set_no_new_privs()
        if nnp != 0 { fail("no_new_privs: \(nnp)") }
        let rc = p.bytes.withUnsafeBytes { bl_seccomp_install($0.baseAddress, UInt16(p.instructionCount), p.flags) }
        if rc != 0 { fail("bl_seccomp_install: \(String(cString: strerror(-rc)))") }
        // The kernel confirms a filter is in place on this thread (not /proc/self: that is the main thread).
        let fd = open("/proc/thread-self/status", O_RDONLY)
        var buf = [UInt8](repeating: 0, count: 8192)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        close(fd)
        if n <= 0 || !String(decoding: buf[0..<n], as: UTF8.self).contains("Seccomp:\t2") {
            fail("/proc/thread-self/status does not show Seccomp: 2")
        }
    }

    static func runtimeDefault() -> LinuxSeccomp {
        RuntimeDefaultProfile.profile(boundingCapabilities: Set(Capability.containerdDefault))
    }

    static func runtimeDefaultDenies() {
        let profile = runtimeDefault()
        let highest = (profile.syscalls ?? []).flatMap(\.names).map { Support.nr($0) }.max() ?? 0
        let (unshare, mount, setns, clone3, getpid) =
            (Support.nr("unshare"), Support.nr("mount"), Support.nr("setns"), Support.nr("clone3"), Support.nr("getpid"))
        let mseal: Int32 = 462  // Linux 6.10, newer than anything the profile names
        if mseal <= highest { fail("profile names syscall \(highest), pick a newer one than \(mseal)") }
        install(profile)

        expectErrno(sys(unshare, 0x0400_0000), EPERM, "unshare(CLONE_NEWUTS)")  // unfiltered: 0 (we are root)
        expectErrno(sys(mount), EPERM, "mount(NULL...)")  // unfiltered: EFAULT
        expectErrno(sys(setns, -1, 0), EPERM, "setns(-1)")  // unfiltered: EBADF
        expectErrno(sys(clone3), ENOSYS, "clone3(NULL, 0)")  // unfiltered: EINVAL or EFAULT
        expectErrno(sys(mseal), ENOSYS, "mseal (above the profile, real on this kernel)")  // unfiltered: 0/EINVAL
        expectErrno(sys(1000), ENOSYS, "syscall 1000")  // unfiltered default action: EPERM
        expectErrno(sys(0x4000_0000 | 1000), ENOSYS, "x32 syscall 1000")
        expectErrno(sys(Support.nr("kcmp"), 0, 0, 0), EPERM, "kcmp without CAP_SYS_PTRACE")
        expectSuccess(sys(getpid), "getpid")
    }

    static func runtimeDefaultArguments() {
        let (socket, personality, clone, wait4, close) = (
            Support.nr("socket"), Support.nr("personality"), Support.nr("clone"), Support.nr("wait4"),
            Support.nr("close")
        )
        install(runtimeDefault())

        expectErrno(sys(socket, 40, 1, 0), EPERM, "socket(AF_VSOCK)")  // unfiltered: fd or EAFNOSUPPORT
        expectErrno(sys(socket, 38, 5, 0), EPERM, "socket(AF_ALG)")
        let inet = sys(socket, 2, 1, 0)
        expectSuccess(inet, "socket(AF_INET, SOCK_STREAM)")
        _ = sys(close, inet)
        let unix = sys(socket, 1, 1, 0)
        expectSuccess(unix, "socket(AF_UNIX, SOCK_STREAM)")
        _ = sys(close, unix)
        expectErrno(sys(socket, 41, 1, 0), EAFNOSUPPORT, "socket(41): allowed by the filter, refused by the kernel")

        expectSuccess(sys(personality, 0xffff_ffff), "personality(query)")
        expectSuccess(sys(personality, 0x20008), "personality(0x20008)")
        expectSuccess(sys(personality, 0), "personality(PER_LINUX)")
        expectErrno(sys(personality, 0x0040000), EPERM, "personality(ADDR_NO_RANDOMIZE)")

        // clone with a namespace flag is refused; a plain fork-like clone works.
        let ns = sys(clone, 0x0400_0000 | Int(SIGCHLD))
        if ns == 0 { _exit(0) }
        expectErrno(ns, EPERM, "clone(CLONE_NEWUTS)")
        let pid = sys(clone, Int(SIGCHLD))
        if pid == 0 { _exit(0) }
        expectSuccess(pid, "clone(SIGCHLD)")
        var status: Int32 = 0
        _ = withUnsafeMutablePointer(to: &status) { sys(wait4, pid, Int(bitPattern: $0), 0, 0) }
    }

    static func customProfile() {
        let p = Support.profile(
            .allow,
            [
                LinuxSyscall(names: ["getpgid"], action: .errno, errnoRet: 42),
                LinuxSyscall(
                    names: ["dup2"], action: .errno, errnoRet: 45,
                    args: [
                        LinuxSeccompArg(index: 0, value: 1000, op: .equalTo),
                        LinuxSeccompArg(index: 1, value: 1001, op: .equalTo),
                    ]),
                LinuxSyscall(
                    names: ["dup"], action: .errno, errnoRet: 44,
                    args: [
                        LinuxSeccompArg(index: 0, value: 1000, op: .equalTo),
                        LinuxSeccompArg(index: 0, value: 1001, op: .equalTo),
                    ]),
                LinuxSyscall(
                    names: ["umask"], action: .errno, errnoRet: 46,
                    args: [LinuxSeccompArg(index: 0, value: 0o7, valueTwo: 0o7, op: .maskedEqual)]),
                LinuxSyscall(
                    names: ["fchdir"], action: .errno, errnoRet: 47,
                    args: [LinuxSeccompArg(index: 0, value: 5000, op: .greaterEqual)]),
            ])
        let (getpgid, dup2, dup, umask, fchdir) = (
            Support.nr("getpgid"), Support.nr("dup2"), Support.nr("dup"), Support.nr("umask"), Support.nr("fchdir")
        )
        install(p)
        expectErrno(sys(getpgid, 0), 42, "getpgid errnoRet")
        expectErrno(sys(dup2, 1000, 1001), 45, "dup2(1000, 1001): both conditions")
        expectErrno(sys(dup2, 1000, 1002), EBADF, "dup2(1000, 1002): second condition false")
        expectErrno(sys(dup, 1000), 44, "dup(1000)")
        expectErrno(sys(dup, 1001), 44, "dup(1001): same index ORs")
        expectErrno(sys(dup, 1002), EBADF, "dup(1002)")
        expectErrno(sys(umask, 0o777), 46, "umask(0777) & 07 == 07")
        expectSuccess(sys(umask, 0o022), "umask(022)")
        expectErrno(sys(fchdir, 5000), 47, "fchdir(5000) >= 5000")
        expectErrno(sys(fchdir, 4999), EBADF, "fchdir(4999)")
    }

    static func fatal(_ action: SeccompAction) {
        let getppid = Support.nr("getppid")
        install(Support.profile(.allow, [LinuxSyscall(names: ["getppid"], action: action)]))
        _ = sys(getppid)
        fail("still alive after \(action)")
    }
}
