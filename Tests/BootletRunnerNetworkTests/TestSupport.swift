import BootletRuntime
import CBootletRuntime
import FoundationEssentials
import KubeModel
import Testing

@testable import BootletRunner

#if canImport(Glibc)
import Glibc
#endif

let testEnvironment: [String] = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]

/// A program's exit status and output (tests only; spawned through the runtime's posix_spawn shim).
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

@discardableResult
func run(_ path: String, _ args: [String], stdin: String? = nil) throws -> CommandResult {
    try CommandResult(Subprocess.run(path, argv: [path] + args, env: testEnvironment, stdin: Array((stdin ?? "").utf8), what: path))
}

/// Start a long-running program in the background (stdin from `stdinFile`); returns its pid.
func spawnBackground(_ path: String, _ args: [String], stdinFile: String) throws -> pid_t {
    let input = open(stdinFile, O_RDONLY | O_CLOEXEC)
    let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
    defer { close(input); close(null) }
    let argv: [UnsafeMutablePointer<CChar>?] = ([path] + args).map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = testEnvironment.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
    let fds: [Int32] = [input, null, null]
    let pid = fds.withUnsafeBufferPointer { bl_spawn(path, argv, envp, $0.baseAddress, 3, 0) }
    if pid < 0 { throw RuntimeError("spawn", path, errno: -pid) }
    return pid
}

func killAndReap(_ pid: pid_t) {
    kill(pid, SIGKILL)
    var st: Int32 = 0
    while waitpid(pid, &st, 0) < 0 && errno == EINTR {}
}

func randomHex(_ n: Int) -> String {
    String((0..<n).map { _ in "0123456789abcdef".randomElement()! })
}

func write(_ path: String, _ text: String, mode: mode_t = 0o644) throws {
    try FileIO.writeAtomically(path, Array(text.utf8), mode: mode)
}

/// `a.b.c.d` → UInt32 (tests only; inputs come from plugin results).
func ipv4(_ s: String) -> UInt32? {
    let parts = s.split(separator: ".").compactMap { UInt32($0) }
    guard parts.count == 4, parts.allSatisfy({ $0 < 256 }) else { return nil }
    return parts.reduce(0) { $0 << 8 | $1 }
}

/// Connect to ip:port over TCP (retrying refused connections until `within` seconds) and read until EOF.
func tcpFetch(_ ip: String, _ port: UInt16, within seconds: Double) -> String? {
    let deadline = Double(time(nil)) + seconds
    repeat {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        inet_pton(AF_INET, ip, &addr.sin_addr)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc == 0 {
            var data: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                data += buf[0..<n]
            }
            close(fd)
            if !data.isEmpty { return String(decoding: data, as: UTF8.self) }
        } else {
            close(fd)
        }
        usleep(100_000)
    } while Double(time(nil)) < deadline
    return nil
}

/// A private CNI world for one test: conf/bin/state/netns/IPAM directories under a temp dir, a unique bridge name
/// and /24. `cleanup()` tears down every attachment and namespace, deletes the bridge and the iptables chains the
/// plugins created, and restores `net.ipv4.ip_forward` (the bridge plugin turns it on).
final class NetFixture {
    let root: String
    let confDir: String
    let fakeBinDir: String
    let stateDir: String
    let netnsDir: String
    let ipamDir: String
    let logDir: String
    let tag: String
    let bridge: String
    let subnetPrefix: String  // "10.x.y"
    let networkName: String
    private let natChainsBefore: Set<String>
    private let filterChainsBefore: Set<String>
    private let ipForwardBefore: String?
    /// Set once this fixture writes a bridge configuration: only then does cleanup touch host-wide state
    /// (iptables chains, ip_forward), so fixtures of suites running in parallel leave each other's alone.
    private var touchesHost = false

    init() throws {
        tag = randomHex(8)
        root = "/tmp/bltnet-\(tag)"
        confDir = root + "/net.d"
        fakeBinDir = root + "/bin"
        stateDir = root + "/state"
        netnsDir = root + "/netns"
        ipamDir = root + "/ipam"
        logDir = root + "/log"
        bridge = "blt\(tag)"
        subnetPrefix = "10.\(Int.random(in: 200...249)).\(Int.random(in: 0...255))"
        networkName = "bltest-\(tag)"
        for d in [confDir, fakeBinDir, stateDir, netnsDir, ipamDir, logDir] { try FileIO.makeDirectories(d) }
        natChainsBefore = Self.chains("nat")
        filterChainsBefore = Self.chains("filter")
        ipForwardBefore = try? FileIO.readString("/proc/sys/net/ipv4/ip_forward")
    }

    var namespaces: NetworkNamespaces { NetworkNamespaces(directory: netnsDir) }

    func cni(binDirs: [String]? = nil, timeout: Duration = .seconds(30)) -> CNINetwork {
        CNINetwork(options: .init(
            confDir: confDir, binDirs: binDirs ?? ["/usr/lib/cni"], stateDir: stateDir, pluginTimeout: timeout))
    }

    var pod: PodIdentity { PodIdentity(namespace: "default", name: "web-\(tag)", uid: "uid\(tag)") }

    /// bridge + host-local (+ portmap) conflist, as kubeadm-style single-node setups ship it.
    func writeBridgeConflist(portmap: Bool = true, cniVersion: String = "1.0.0", file: String = "10-bridge.conflist") throws {
        touchesHost = true
        var plugins = """
            {"type": "bridge", "bridge": "\(bridge)", "isGateway": true, "ipMasq": false, "hairpinMode": true,
             "ipam": {"type": "host-local", "ranges": [[{"subnet": "\(subnetPrefix).0/24"}]],
                      "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "\(ipamDir)"}}
            """
        if portmap { plugins += #", {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}"# }
        try write(
            confDir + "/" + file,
            #"{"cniVersion": "\#(cniVersion)", "name": "\#(networkName)", "plugins": [\#(plugins)]}"#)
    }

    /// A shell-script plugin in the fake bin dir: logs its stdin and CNI_* environment to `logDir`, then runs `body`.
    func writeFakePlugin(_ name: String, body: String) throws {
        let script = """
            #!/bin/sh
            n=$(ls \(logDir) | wc -l)
            cat > \(logDir)/$(printf %03d $n)-\(name)-$CNI_COMMAND.stdin
            env | grep '^CNI_' | sort > \(logDir)/$(printf %03d $n)-\(name)-$CNI_COMMAND.env
            \(body)
            exit 0
            """
        try write(fakeBinDir + "/" + name, script, mode: 0o755)
    }

    /// Logged plugin calls in order: (plugin, command, stdin JSON, env lines).
    func calls() throws -> [(plugin: String, command: String, stdin: JSONValue?, env: [String])] {
        try FileIO.list(logDir).filter { $0.hasSuffix(".stdin") }.map { f in
            let base = String(f.dropLast(".stdin".count))
            let parts = base.split(separator: "-")
            let stdin = try? JSONValue.parse(try FileIO.read(logDir + "/" + f))
            let env = (try? FileIO.readString(logDir + "/" + base + ".env"))?.split(separator: "\n").map(String.init) ?? []
            return (String(parts[1..<(parts.count - 1)].joined(separator: "-")), String(parts.last!), stdin, env)
        }
    }

    func ipamFiles() -> [String] {
        (try? FileIO.list(ipamDir + "/" + networkName))?.filter { $0.hasPrefix(subnetPrefix) } ?? []
    }

    func linkExists(_ name: String, netns: String? = nil) -> Bool {
        let r: CommandResult?
        if let netns {
            r = try? run("/usr/bin/nsenter", ["--net=\(netns)", "ip", "link", "show", name])
        } else {
            r = try? run("/usr/sbin/ip", ["link", "show", name])
        }
        return r?.code == 0
    }

    static func chains(_ table: String) -> Set<String> {
        guard let r = try? run("/usr/sbin/iptables", ["-w", "-t", table, "-S"]) else { return [] }
        return Set(r.stdout.split(separator: "\n").filter { $0.hasPrefix("-N ") }.map { String($0.dropFirst(3)) })
    }

    func cleanup() {
        let c = cni(binDirs: ["/usr/lib/cni", fakeBinDir])
        for e in (try? namespaces.list()) ?? [] {
            try? c.tearDown(sandbox: e.name, netns: e.path)
            try? NetworkNamespaces.remove(path: e.path)
        }
        for a in (try? c.attachments()) ?? [] { try? c.tearDown(sandbox: a.containerId) }
        if linkExists(bridge) { _ = try? run("/usr/sbin/ip", ["link", "del", bridge]) }
        if touchesHost {
            removeNewChains("nat", before: natChainsBefore)
            removeNewChains("filter", before: filterChainsBefore)
            if let v = ipForwardBefore, (try? FileIO.readString("/proc/sys/net/ipv4/ip_forward")) != v {
                try? FileIO.writeString("/proc/sys/net/ipv4/ip_forward", v)
            }
        }
        try? FileIO.removeTree(root)
    }

    /// Delete CNI-* chains that did not exist before the test (and the rules jumping to them).
    private func removeNewChains(_ table: String, before: Set<String>) {
        let new = Self.chains(table).subtracting(before).filter { $0.hasPrefix("CNI-") }
        guard !new.isEmpty, let r = try? run("/usr/sbin/iptables", ["-w", "-t", table, "-S"]) else { return }
        for line in r.stdout.split(separator: "\n") where line.hasPrefix("-A ") {
            let words = shellSplit(String(line))
            guard let j = words.firstIndex(of: "-j"), j + 1 < words.count, new.contains(words[j + 1]) else { continue }
            _ = try? run("/usr/sbin/iptables", ["-w", "-t", table, "-D"] + words.dropFirst())
        }
        for c in new { _ = try? run("/usr/sbin/iptables", ["-w", "-t", table, "-F", c]) }
        for c in new { _ = try? run("/usr/sbin/iptables", ["-w", "-t", table, "-X", c]) }
    }
}

/// Expect `body` to throw a `CNIError` and return it.
func expectCNIError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> CNIError? {
    do {
        try body()
        Issue.record("expected a CNIError, nothing was thrown", sourceLocation: sourceLocation)
    } catch let e as CNIError {
        return e
    } catch {
        Issue.record("expected a CNIError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Split an `iptables -S` line into words, honouring double quotes.
func shellSplit(_ line: String) -> [String] {
    var words: [String] = []
    var cur = ""
    var quoted = false, started = false
    for ch in line {
        if ch == "\"" {
            quoted.toggle()
            started = true
        } else if ch == " " && !quoted {
            if started { words.append(cur) }
            cur = ""
            started = false
        } else {
            cur.append(ch)
            started = true
        }
    }
    if started { words.append(cur) }
    return words
}
