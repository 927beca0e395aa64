import BootletRuntime

#if canImport(Glibc)
import Glibc
#endif

/// kubelet's on-disk layout under `--root-dir` and `--pod-logs-dir` (kubelet-static-pods.md §2).
public struct PodDirectories: Sendable {
    public let rootDir: String
    public let podLogsDir: String
    public let containerLogsDir: String

    public init(rootDir: String, podLogsDir: String, containerLogsDir: String = "/var/log/containers") {
        self.rootDir = rootDir
        self.podLogsDir = podLogsDir
        self.containerLogsDir = containerLogsDir
    }

    public func podDir(_ uid: String) -> String { "\(rootDir)/pods/\(uid)" }
    public func volumesDir(_ uid: String) -> String { podDir(uid) + "/volumes" }
    public func pluginsDir(_ uid: String) -> String { podDir(uid) + "/plugins" }
    public func containersDir(_ uid: String, _ container: String) -> String { podDir(uid) + "/containers/" + container }
    public func etcHosts(_ uid: String) -> String { podDir(uid) + "/etc-hosts" }
    /// `volumes/kubernetes.io~empty-dir/<name>`.
    public func volumeDir(_ uid: String, plugin: String, name: String) -> String {
        volumesDir(uid) + "/" + plugin.replacingAll("/", with: "~") + "/" + name
    }

    /// `makePodDataDirs`: the pod directory, volumes and plugins, mode 0750.
    public func makePodDataDirs(_ uid: String) throws {
        for d in [rootDir + "/pods", podDir(uid), volumesDir(uid), pluginsDir(uid)] {
            if mkdir(d, 0o750) != 0 && errno != EEXIST { throw RuntimeError.errno("create pod directory", d) }
        }
    }

    /// A fresh termination-message file for a container instance: `containers/<name>/<8 hex>`, mode 0666 so any
    /// container user can write it (kubelet chmods it to defeat the umask).
    public func newTerminationMessageFile(_ uid: String, container: String) throws -> String {
        let dir = containersDir(uid, container)
        try FileIO.makeDirectories(podDir(uid) + "/containers", mode: 0o750)
        if mkdir(dir, 0o750) != 0 && errno != EEXIST { throw RuntimeError.errno("create container directory", dir) }
        let hex = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let path = dir + "/" + String(repeating: "0", count: 8 - hex.count) + hex
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        if fd < 0 { throw RuntimeError.errno("create termination message file", path) }
        fchmod(fd, 0o666)
        close(fd)
        return path
    }

    // MARK: logs

    /// `/var/log/pods/<namespace>_<name>_<uid>`.
    public func podLogDir(namespace: String, name: String, uid: String) -> String {
        "\(podLogsDir)/\(namespace)_\(name)_\(uid)"
    }

    /// `<podLogDir>/<container>/<restartCount>.log`.
    public func containerLogPath(namespace: String, name: String, uid: String, container: String, restartCount: Int)
        -> String
    {
        "\(podLogDir(namespace: namespace, name: name, uid: uid))/\(container)/\(restartCount).log"
    }

    /// `/var/log/containers/<pod>_<ns>_<container>-<id>.log`, the stem cut so the name fits 255 bytes.
    public func containerLogSymlink(podName: String, namespace: String, container: String, containerID: String)
        -> String
    {
        var stem = "\(podName)_\(namespace)_\(container)-\(containerID)"
        if stem.utf8.count > 251 { stem = String(decoding: Array(stem.utf8).prefix(251), as: UTF8.self) }
        return containerLogsDir + "/" + stem + ".log"
    }

    /// The next attempt number from the log directory (kubelet's `calcRestartCountByLogDir`): one more than the
    /// highest `N` of files `N.log[.*]`, 0 if none.
    public static func restartCountFromLogDir(_ dir: String) -> Int {
        guard let names = try? FileIO.list(dir) else { return 0 }
        var highest = -1
        for n in names {
            let digits = n.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, n.dropFirst(digits.count).hasPrefix(".log"), let v = Int(digits) else { continue }
            highest = Swift.max(highest, v)
        }
        return highest + 1
    }
}


