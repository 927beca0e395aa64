import BootletRuntime
import CBootletSeccomp
import OCISpec
import Testing

enum Support {
    static let isAMD64 = RuntimeDefaultProfile.HostArch.native == .amd64

    /// libseccomp's number for `name` on `arch` (an OCI arch name, nil for native).
    static func nr(_ name: String, arch: String? = nil) -> Int32 {
        let n = arch.map { a in a.withCString { bl_seccomp_syscall_number($0, name) } }
            ?? bl_seccomp_syscall_number(nil, name)
        return n
    }

    static func profile(
        errnoRet: UInt32? = nil, arches: [SeccompArch]? = nil, flags: [SeccompFlag]? = nil, _ syscalls: [LinuxSyscall]
    ) -> LinuxSeccomp {
        profile(.errno, errnoRet: errnoRet, arches: arches, flags: flags, syscalls)
    }

    static func profile(
        _ defaultAction: SeccompAction, errnoRet: UInt32? = nil, arches: [SeccompArch]? = nil,
        flags: [SeccompFlag]? = nil, _ syscalls: [LinuxSyscall]
    ) -> LinuxSeccomp {
        LinuxSeccomp(
            defaultAction: defaultAction, defaultErrnoRet: errnoRet, architectures: arches, flags: flags,
            syscalls: syscalls)
    }

    /// The syscalls a Swift test process needs to keep running and exit after a restrictive filter.
    static let survival = [
        "read", "write", "close", "exit", "exit_group", "futex", "mmap", "munmap", "mprotect", "brk", "rt_sigaction",
        "rt_sigprocmask", "rt_sigreturn", "madvise", "getpid", "gettid", "tgkill", "fstat", "newfstatat",
        "sched_yield", "clock_gettime", "nanosleep", "clock_nanosleep",
    ]

    /// A fresh directory under /tmp; remove it with `removeTree`.
    static func temporaryDirectory() throws -> String {
        var template = Array("/tmp/bootlet-seccomp-test-XXXXXX".utf8CString)
        guard let p = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SeccompTestError("mkdtemp failed")
        }
        return String(cString: p)
    }

    static func removeTree(_ path: String) {
        guard path.hasPrefix("/tmp/bootlet-seccomp-test-") else { return }
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let child = path + "/" + name
                var st = stat()
                if lstat(child, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
                    removeTree(child)
                } else {
                    unlink(child)
                }
            }
            closedir(dir)
        }
        rmdir(path)
    }

    static func listDirectory(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return out
    }

    static func writeFile(_ path: String, _ bytes: [UInt8]) {
        let fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0o600)
        guard fd >= 0 else { return }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}

struct SeccompTestError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

#if canImport(Glibc)
import Glibc
#endif
