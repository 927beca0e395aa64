import BootletRuntime
import FoundationEssentials
import OCISpec

#if canImport(Glibc)
import Glibc
#endif

/// Helpers shared by the `bootlet oci` commands (not a command); `printJSON` is also used by other commands.

func jsonString(_ s: String) -> String {
    (try? String(decoding: JSONEncoder().encode(s), as: UTF8.self)) ?? "\"\""
}

func appendLine(_ path: String, _ line: String) {
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return }
    line.utf8CString.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count - 1) }
    close(fd)
}

public func printJSON<T: Encodable>(_ value: T) throws {
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted]
    print(String(decoding: try enc.encode(value), as: UTF8.self))
}

/// Signal names as runc accepts them: `KILL`, `SIGKILL`, `9`.
enum Signals {
    static let table: [String: Int32] = [
        "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "IOT": 6, "BUS": 7, "FPE": 8, "KILL": 9,
        "USR1": 10, "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15, "STKFLT": 16, "CHLD": 17,
        "CONT": 18, "STOP": 19, "TSTP": 20, "TTIN": 21, "TTOU": 22, "URG": 23, "XCPU": 24, "XFSZ": 25,
        "VTALRM": 26, "PROF": 27, "WINCH": 28, "IO": 29, "POLL": 29, "PWR": 30, "SYS": 31,
    ]

    static func parse(_ s: String) throws -> Int32 {
        if let n = Int32(s), n > 0, n < 65 { return n }
        var name = s.uppercased()
        if name.hasPrefix("SIG") { name = String(name.dropFirst(3)) }
        if let n = table[name] { return n }
        if name.hasPrefix("RTMIN"), let off = Int32(name.dropFirst(5).drop { $0 == "+" }.description.isEmpty ? "0" : String(name.dropFirst(6))) {
            return 34 + off
        }
        throw RuntimeError("parse signal", s.debugDescription, detail: "unknown signal")
    }
}
