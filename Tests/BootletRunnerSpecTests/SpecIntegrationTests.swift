import BootletImages
@testable import BootletRunner
import BootletRuntime
import FoundationEssentials
import KubeModel
import OCISpec
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A busybox rootfs with an image `/etc/passwd` and `/etc/group`, the sandbox's files, and a private runtime
/// state root; the built spec is written as `config.json` and run through `OCIRuntime` for real.
final class SpecBundle {
    let fixture: SpecFixture
    var dir: String { fixture.dir }
    var stateRoot: String { dir + "/state" }
    static let applets = ["sh", "cat", "echo", "touch", "grep", "hostname", "readlink", "ls", "wc", "id", "sleep", "head"]

    init() throws {
        fixture = try SpecFixture()
        let rootfs = fixture.rootfs
        try FileIO.makeDirectories(rootfs + "/bin")
        for d in ["proc", "sys", "dev", "tmp"] { try FileIO.makeDirectories(rootfs + "/" + d) }
        try FileIO.writeAtomically(rootfs + "/bin/busybox", try FileIO.read("/bin/busybox"), mode: 0o755)
        for a in SpecBundle.applets { symlink("busybox", rootfs + "/bin/" + a) }
    }

    func runtime() throws -> OCIRuntime { try OCIRuntime(store: StateStore(root: stateRoot), warn: { _ in }) }

    /// The runtime removes each container's cgroup; the pod cgroup above them (the runner's job) goes here.
    deinit {
        if let host = try? CgroupHost.current(), let pod = try? CgroupPath("/kubepods/besteffort/pod\(podUID)") {
            try? CgroupfsManager(host: host, path: pod).remove()
        }
    }

    func write(_ spec: Spec, bundle: String) throws {
        try FileIO.makeDirectories(bundle)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileIO.writeAtomically(bundle + "/config.json", Array(try enc.encode(spec)))
    }

    /// Runs to completion; returns the exit code and stdout+stderr.
    func run(_ spec: Spec, id: String = "c\(UInt32.random(in: 0...UInt32.max))") throws -> (code: Int32, output: String) {
        let bundle = dir + "/bundle-" + id
        try write(spec, bundle: bundle)
        let outPath = bundle + "/out.txt"
        let out = open(outPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer {
            close(out)
            close(null)
        }
        var opts = OCIRuntime.LaunchOptions()
        opts.stdio = (null, out, out)
        let code = try runtime().run(id: id, bundle: bundle, options: opts)
        return (code, try FileIO.readString(outPath))
    }

    func build(_ pod: Pod, node: NodeSpecSettings = NodeSpecSettings.detect(), sandbox: SandboxInfo? = nil) throws -> Spec {
        var input = fixture.input(pod: pod, node: node)
        // Fresh namespaces unless a real sandbox is given (the fixture's /proc/4242 paths do not exist).
        input.sandbox = sandbox ?? SandboxInfo(
            id: sandboxID, hostname: "web-node1", shmPath: fixture.shmDir, etcHostsPath: fixture.etcHosts,
            resolvConfPath: fixture.resolvFile, hostnamePath: fixture.hostnameFile)
        return try ContainerSpecBuilder.build(input).spec
    }

    /// Leftover processes or mounts that mention this bundle.
    func leftovers() -> [String] {
        var found: [String] = []
        if let mi = try? FileIO.readString("/proc/self/mountinfo"), mi.contains(dir) { found.append("mount under \(dir)") }
        // The runtime keeps its compiled seccomp programs in <root>/seccomp-cache; containers must be gone.
        if let ids = try? FileIO.list(stateRoot), ids.contains(where: { $0 != "seccomp-cache" }) {
            found.append("state left: \(ids)")
        }
        return found
    }
}

/// `Key:\tvalue` of a `/proc/<pid>/status` dump.
func statusValue(_ text: String, _ key: String) -> String? {
    for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
        return String(line.dropFirst(key.count + 1).drop { $0 == " " || $0 == "\t" })
    }
    return nil
}

/// Runs a host command, returns its exit status.
func hostCommand(_ argv: [String]) -> Int32 {
    var pid: pid_t = 0
    var cargs = argv.map { strdup($0) } + [nil]
    defer { for p in cargs { free(p) } }
    guard posix_spawnp(&pid, argv[0], nil, nil, &cargs, environ) == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return Subprocess.exitCode(waitStatus: status)
}

@Suite("Built specs run for real (root)", .serialized)
struct SpecIntegrationTests {
    @Test func userGroupsAndNoCapabilitiesForNonRoot() throws {
        let b = try SpecBundle()
        defer { #expect(b.leftovers().isEmpty) }
        let pod = makePod([makeContainer(command: ["/bin/cat", "/proc/self/status"])]) {
            $0.spec.securityContext?.runAsUser = 1000
            $0.spec.securityContext?.runAsGroup = 3000
            $0.spec.securityContext?.supplementalGroups = [5000, 4000]
            $0.spec.securityContext?.fsGroup = 2000
        }
        let r = try b.run(try b.build(pod))
        #expect(r.code == 0, "\(r.output)")
        #expect(statusValue(r.output, "Uid") == "1000\t1000\t1000\t1000")
        #expect(statusValue(r.output, "Gid") == "3000\t3000\t3000\t3000")
        // wheel (10) lists "app", the passwd name of uid 1000.
        #expect(statusValue(r.output, "Groups")?.split(separator: " ") == ["10", "29", "2000", "3000", "4000", "5000"])
        #expect(statusValue(r.output, "CapEff") == "0000000000000000", "no ambient capabilities for a non-root user")
        #expect(statusValue(r.output, "CapBnd") != "0000000000000000")
    }

    @Test func readOnlyRootFilesystem() throws {
        let b = try SpecBundle()
        defer { #expect(b.leftovers().isEmpty) }
        let pod = makePod([makeContainer(command: ["/bin/sh", "-c",
            "touch /x 2>&1; touch /etc/hostname 2>&1; echo bye > /dev/termination-log; echo ok > /etc/hosts && echo hosts-rw; touch /dev/shm/s && echo shm-rw"]) {
            $0.securityContext = .with { $0.readOnlyRootFilesystem = true }
        }])
        let r = try b.run(try b.build(pod))
        #expect(r.output.contains("touch: /x: Read-only file system"), "\(r.output)")
        #expect(r.output.contains("touch: /etc/hostname: Read-only file system"))
        #expect(r.output.contains("hosts-rw"), "kubelet's etc-hosts stays writable")
        #expect(r.output.contains("shm-rw"))
        #expect(try FileIO.readString(b.fixture.termLog) == "bye\n")
    }

    @Test func privilegedHasAllCapabilitiesAWritableSysAndHostDevices() throws {
        let b = try SpecBundle()
        defer { #expect(b.leftovers().isEmpty) }
        let pod = makePod([makeContainer(command: ["/bin/sh", "-c",
            "grep -E '^(CapEff|CapBnd|Seccomp):' /proc/self/status; grep ' /sys ' /proc/self/mountinfo; ls /dev | wc -l; ls /proc/sys >/dev/null && echo ok"]) {
            $0.securityContext = .with {
                $0.privileged = true
                $0.seccompProfile = SeccompProfile(type: "RuntimeDefault")
            }
        }])
        let r = try b.run(try b.build(pod))
        #expect(r.code == 0, "\(r.output)")
        let own = try FileIO.readString("/proc/self/status")
        #expect(statusValue(r.output, "CapEff") == statusValue(own, "CapEff"), "every capability the runtime has")
        #expect(statusValue(r.output, "CapBnd") == statusValue(own, "CapEff"))
        #expect(statusValue(r.output, "Seccomp") == "0", "privileged never gets seccomp")
        let sys = try #require(r.output.split(separator: "\n").first { $0.contains(" /sys ") })
        #expect(sys.split(separator: " ")[5].hasPrefix("rw"), "\(sys)")
        let devCount = r.output.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: " ")) }.first ?? 0
        #expect(devCount > 12, "host devices are created (got \(devCount) entries in /dev)")
    }

    @Test func noNewPrivsAndSeccomp() throws {
        let b = try SpecBundle()
        defer { #expect(b.leftovers().isEmpty) }
        func status(_ edit: @escaping (inout SecurityContext) -> Void) throws -> String {
            let pod = makePod([makeContainer(command: ["/bin/cat", "/proc/self/status"]) { $0.securityContext = .with(edit) }])
            let r = try b.run(try b.build(pod))
            #expect(r.code == 0, "\(r.output)")
            return r.output
        }
        let locked = try status {
            $0.allowPrivilegeEscalation = false
            $0.seccompProfile = SeccompProfile(type: "RuntimeDefault")
        }
        #expect(statusValue(locked, "NoNewPrivs") == "1")
        #expect(statusValue(locked, "Seccomp") == "2")
        let plain = try status { _ in }
        #expect(statusValue(plain, "NoNewPrivs") == "0")
        #expect(statusValue(plain, "Seccomp") == "0")
        // RuntimeDefault without no_new_privs still filters (loaded before the capability drop).
        let rdOnly = try status { $0.seccompProfile = SeccompProfile(type: "RuntimeDefault") }
        #expect(statusValue(rdOnly, "Seccomp") == "2")
        #expect(statusValue(rdOnly, "NoNewPrivs") == "0")
    }

    @Test func argsEnvAndHostname() throws {
        let b = try SpecBundle()
        defer { #expect(b.leftovers().isEmpty) }
        let pod = makePod([makeContainer(command: ["/bin/sh", "-c", "echo \"$1|$2|$HOSTNAME|$(hostname)|$(cat /etc/hostname)|$PWD\"", "sh"],
                                         args: ["$(GREETING)", "$$(GREETING)"]) {
            $0.env = [EnvVar(name: "GREETING", value: "hi")]
            $0.workingDir = "/tmp"
        }])
        let r = try b.run(try b.build(pod))
        #expect(r.output == "hi|$(GREETING)|web-node1|web-node1|web-node1|/tmp\n")
    }

    /// A pause sandbox from `SandboxSpecBuilder` and containers joining it through `SandboxInfo.ofPauseProcess`.
    @Test func sandboxAndContainersJoiningIt() throws {
        let b = try SpecBundle()
        defer { #expect(b.leftovers().isEmpty) }
        let pauseDir = b.dir + "/pause"
        try FileIO.makeDirectories(pauseDir + "/rootfs")
        try FileIO.writeAtomically(
            pauseDir + "/pause.c",
            Array("#include <signal.h>\n#include <unistd.h>\nstatic void h(int s){(void)s;_exit(0);}\nint main(void){signal(SIGTERM,h);signal(SIGINT,h);for(;;)pause();}\n".utf8))
        #expect(hostCommand(["cc", "-static", "-O2", "-o", pauseDir + "/bootlet-pause", pauseDir + "/pause.c"]) == 0)
        chmod(pauseDir + "/bootlet-pause", 0o755)

        let pod = makePod([makeContainer(command: ["/bin/sh", "-c",
            "hostname; for n in net uts ipc; do readlink /proc/self/ns/$n; done; id -u; touch /dev/shm/from-ctr && echo shm-ok"])])
        let shm = try #require(ShmMount.forSandbox(pod: pod, directory: pauseDir + "/shm"))
        try shm.mount()
        defer { try? shm.unmount() }
        let node = NodeSpecSettings.detect()
        let sandbox = try SandboxSpecBuilder.build(SandboxSpecInput(
            pod: pod, id: "sb\(UInt32.random(in: 0...UInt32.max))", rootfs: pauseDir + "/rootfs",
            pauseBinary: pauseDir + "/bootlet-pause", hostname: "web-node1", shmPath: shm.path,
            resolvConfPath: b.fixture.resolvFile, podCgroupPath: "/kubepods/besteffort/pod\(podUID)", node: node)).spec
        try b.write(sandbox, bundle: pauseDir)
        let rt = try b.runtime()
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(null) }
        var opts = OCIRuntime.LaunchOptions()
        opts.stdio = (null, null, null)
        let (rec, _) = try rt.launch(id: "pause", bundle: pauseDir, mode: .runDetached, options: opts)
        defer { try? rt.delete(id: "pause", force: true) }
        let pauseStatus = try FileIO.readString("/proc/\(rec.pid)/status")
        #expect(statusValue(pauseStatus, "Uid") == "65535\t65535\t65535\t65535")
        #expect(statusValue(pauseStatus, "NoNewPrivs") == "1")
        func ns(_ pid: Int32, _ kind: String) -> String {
            var buf = [CChar](repeating: 0, count: 128)
            let n = readlink("/proc/\(pid)/ns/\(kind)", &buf, 127)
            return String(decoding: buf[0..<max(0, n)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }

        let info = SandboxInfo.ofPauseProcess(
            id: "pause", pausePID: rec.pid, netnsPath: nil, hostname: "web-node1", shmPath: shm.path,
            etcHostsPath: b.fixture.etcHosts, resolvConfPath: b.fixture.resolvFile, hostnamePath: b.fixture.hostnameFile)
        let r = try b.run(try b.build(pod, node: node, sandbox: info))
        #expect(r.output.split(separator: "\n").map(String.init) == [
            "web-node1", ns(rec.pid, "net"), ns(rec.pid, "uts"), ns(rec.pid, "ipc"), "0", "shm-ok",
        ], "joins the sandbox's net/uts/ipc namespaces and its /dev/shm")
        #expect(FileIO.exists(shm.path + "/from-ctr"), "the container's /dev/shm is the sandbox tmpfs")

        // shareProcessNamespace: the container joins the sandbox's pid namespace, where pause is pid 1.
        let shared = makePod([makeContainer(command: ["/bin/sh", "-c", "cat /proc/1/cmdline"])]) { $0.spec.shareProcessNamespace = true }
        let sharedSpec = try b.build(shared, node: node, sandbox: info)
        #expect(sharedSpec.linux?.namespaces?.first == LinuxNamespace(type: .pid, path: "/proc/\(rec.pid)/ns/pid"))
        let s = try b.run(sharedSpec)
        #expect(s.output.hasPrefix("/pause"))
    }
}
