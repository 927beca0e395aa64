import BootletRuntime
import FoundationEssentials
import OCISpec
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A throw-away OCI bundle with a busybox-static rootfs, plus a private state root.
final class BundleFixture {
    let dir: String
    let stateRoot: String
    var spec: Spec
    var rootfs: String { dir + "/rootfs" }

    static let applets = ["sh", "true", "false", "ls", "cat", "echo", "sleep", "id", "hostname", "mount", "grep",
                          "stat", "touch", "readlink", "pwd", "wc", "head", "ulimit", "env", "kill", "tr", "unshare", "mkdir", "tail", "seq"]

    init(args: [String]) throws {
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        dir = "/tmp/bootlet-it-\(tag)"
        stateRoot = "/tmp/bootlet-it-state-\(tag)"
        spec = BundleFixture.defaultSpec(args: args)
        try FileIO.makeDirectories(rootfs + "/bin")
        for d in ["proc", "sys", "dev", "tmp", "etc", "mnt"] { try FileIO.makeDirectories(rootfs + "/" + d) }
        let bb = try FileIO.read("/bin/busybox")
        try FileIO.writeAtomically(rootfs + "/bin/busybox", bb, mode: 0o755)
        for a in BundleFixture.applets { symlink("busybox", rootfs + "/bin/" + a) }
    }

    deinit {
        try? FileIO.removeTree(dir)
        try? FileIO.removeTree(stateRoot)
    }

    /// The spec `crun spec` / `runc spec` write (non-terminal), with a unique hostname.
    static func defaultSpec(args: [String]) -> Spec {
        let caps: [Capability] = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
        return Spec(
            ociVersion: "1.0.2",
            process: Process(
                terminal: false, user: User(uid: 0, gid: 0), args: args,
                env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"], cwd: "/",
                capabilities: LinuxCapabilities(bounding: caps, effective: caps, inheritable: [], permitted: caps, ambient: caps),
                rlimits: [POSIXRlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)], noNewPrivileges: true),
            root: Root(path: "rootfs", readonly: true),
            hostname: "bootlet-it",
            mounts: [
                Mount(destination: "/proc", type: "proc", source: "proc"),
                Mount(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
                Mount(destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
                Mount(destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
                Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
                Mount(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
                Mount(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"]),
            ],
            linux: Linux(
                resources: LinuxResources(devices: [LinuxDeviceCgroup(allow: false, access: "rwm")]),
                namespaces: [.init(type: .pid), .init(type: .network), .init(type: .ipc), .init(type: .uts), .init(type: .mount)],
                maskedPaths: ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                              "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
                readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]))
    }

    /// A new user namespace mapping container root to host uid/gid 200000 (65536 ids). sysfs and the cgroup binds
    /// need the host's view, so the /sys/fs/cgroup mount is dropped.
    func useUserNamespace() {
        spec.linux!.namespaces!.append(.init(type: .user))
        spec.linux!.uidMappings = [LinuxIDMapping(containerID: 0, hostID: 200000, size: 65536)]
        spec.linux!.gidMappings = [LinuxIDMapping(containerID: 0, hostID: 200000, size: 65536)]
        spec.mounts!.removeAll { $0.destination == "/sys/fs/cgroup" }
    }

    func writeConfig() throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileIO.writeAtomically(dir + "/config.json", Array(try enc.encode(spec)))
    }

    func runtime(warnings: WarningSink = WarningSink()) throws -> OCIRuntime {
        try OCIRuntime(store: StateStore(root: stateRoot), warn: { warnings.append($0) })
    }

    /// Run the bundle to completion; returns the exit code and everything the container wrote to stdout/stderr.
    func run(id: String = "c\(UInt32.random(in: 0...UInt32.max))", warnings: WarningSink = WarningSink()) throws
        -> (code: Int32, output: String)
    {
        try writeConfig()
        let outPath = dir + "/out-\(id).txt"
        let out = open(outPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer {
            close(out)
            close(null)
        }
        var opts = OCIRuntime.LaunchOptions()
        opts.stdio = (null, out, out)
        let code = try runtime(warnings: warnings).run(id: id, bundle: dir, options: opts)
        return (code, try FileIO.readString(outPath))
    }

    /// Processes whose root or cwd is inside this bundle's rootfs, and host mounts that mention it.
    func leftovers() -> [String] {
        var found: [String] = []
        for pid in (try? FileIO.list("/proc")) ?? [] where Int(pid) != nil {
            for link in ["root", "cwd"] {
                var buf = [CChar](repeating: 0, count: 4096)
                let n = readlink("/proc/\(pid)/\(link)", &buf, 4095)
                if n > 0 {
                    let target = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    if target.hasPrefix(dir) { found.append("process \(pid) \(link) \(target)") }
                }
            }
        }
        // A monitor spawned early whose spawner failed before sending the plan must have exited, not be left
        // orphaned (parent pid 1), still holding the empty plan memfd on fd 3.
        for pid in (try? FileIO.list("/proc")) ?? [] where Int(pid) != nil {
            guard let comm = try? FileIO.readString("/proc/\(pid)/comm"), comm.hasPrefix("bootlet-monitor"),
                let stat = try? FileIO.readString("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")"),
                stat[stat.index(after: close)...].split(separator: " ").dropFirst().first == "1"
            else { continue }
            var buf = [CChar](repeating: 0, count: 256)
            let n = readlink("/proc/\(pid)/fd/3", &buf, 255)
            let target = n > 0 ? String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
            if target.contains("bootlet-plan") { found.append("orphaned monitor \(pid) still waiting for its plan") }
        }
        if let mi = try? FileIO.readString("/proc/self/mountinfo"), mi.contains(dir) {
            found.append("mount referencing \(dir)")
        }
        if let ids = try? FileIO.list(stateRoot), !ids.isEmpty { found.append("state left: \(ids)") }
        return found
    }
}

/// Collects runtime warnings across threads.
final class WarningSink: @unchecked Sendable {
    private var items: [String] = []
    private let lock = NSLockLike()
    func append(_ s: String) { lock.with { items.append(s) } }
    var all: [String] { lock.with { items } }
}

final class NSLockLike: @unchecked Sendable {
    private var m = pthread_mutex_t()
    init() { pthread_mutex_init(&m, nil) }
    deinit { pthread_mutex_destroy(&m) }
    func with<T>(_ f: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&m)
        defer { pthread_mutex_unlock(&m) }
        return try f()
    }
}

/// Field values of /proc/self/status lines printed by `cat /proc/self/status`.
func statusField(_ output: String, _ key: String) -> String? {
    for line in output.split(separator: "\n") where line.hasPrefix(key + ":") {
        return line.dropFirst(key.count + 1).trimmingPrefix(while: { $0 == " " || $0 == "\t" })
    }
    return nil
}

extension Substring {
    func trimmingPrefix(while p: (Character) -> Bool) -> String { String(drop(while: p)) }
}
