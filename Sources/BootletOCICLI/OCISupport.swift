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
