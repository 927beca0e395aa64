import BootletRuntime
import Testing

@Suite("Subprocess (hooks, CNI plugins)")
struct SubprocessTests {
    @Test func stdinStdoutStderrAndExitCode() throws {
        let r = try Subprocess.run(
            "/bin/sh", argv: ["sh", "-c", "cat; echo err >&2; exit 3"], env: [], stdin: Array("in\n".utf8), what: "sh")
        #expect(r == .exited(code: 3, stdout: Array("in\n".utf8), stderr: Array("err\n".utf8)))
    }

    @Test func aKilledProgramReports128PlusTheSignal() throws {
        let r = try Subprocess.run("/bin/sh", argv: ["sh", "-c", "kill -9 $$"], env: [], what: "sh")
        #expect(r == .exited(code: 137, stdout: [], stderr: []))
    }

    /// 1 MiB on stdin of a program that never reads it: memfd stdin cannot block the caller (a pipe would).
    @Test func unreadStdinAndTimeout() throws {
        let big = [UInt8](repeating: 0x61, count: 1 << 20)
        #expect(try Subprocess.run("/bin/true", argv: ["true"], env: [], stdin: big, what: "true")
            == .exited(code: 0, stdout: [], stderr: []))
        let t0 = ContinuousClock.now
        #expect(try Subprocess.run("/bin/sleep", argv: ["sleep", "10"], env: [], timeout: .milliseconds(200), what: "sleep")
            == .timedOut)
        #expect(ContinuousClock.now - t0 < .seconds(5))
    }

    @Test func aMissingProgramIsAnErrorNamingIt() {
        #expect(throws: RuntimeError("run", "hook /nonexistent", errno: 2)) {
            try Subprocess.run("/nonexistent", argv: ["x"], env: [], what: "hook /nonexistent")
        }
    }
}
