import BootletImages
@testable import BootletRunner
import BootletRuntime
import KubeModel
import OCISpec
import Testing

#if canImport(Glibc)
import Glibc
#endif

let podUID = "0123456789abcdef0123456789abcdef"
let sandboxID = String(repeating: "ab", count: 32)

/// A defaulted static pod as the file source produces it.
func makePod(_ containers: [Container], hostNetwork: Bool = false, edit: (inout Pod) -> Void = { _ in }) -> Pod {
    var spec = PodSpec(containers: containers)
    spec.hostNetwork = hostNetwork
    spec.securityContext = PodSecurityContext()
    spec.restartPolicy = "Always"
    spec.terminationGracePeriodSeconds = 30
    var pod = Pod(metadata: ObjectMeta(name: "web-node1", namespace: "default", uid: podUID), spec: spec)
    for i in pod.spec.containers.indices {
        if pod.spec.containers[i].terminationMessagePath == nil { pod.spec.containers[i].terminationMessagePath = "/dev/termination-log" }
        if pod.spec.containers[i].terminationMessagePolicy == nil { pod.spec.containers[i].terminationMessagePolicy = "File" }
    }
    edit(&pod)
    return pod
}

func makeContainer(_ name: String = "app", command: [String]? = ["/bin/sh"], args: [String]? = nil,
                   edit: (inout Container) -> Void = { _ in }) -> Container {
    var c = Container(name: name, image: "busybox:1.36", command: command, args: args)
    edit(&c)
    return c
}

extension SecurityContext {
    static func with(_ edit: (inout SecurityContext) -> Void) -> SecurityContext {
        var sc = SecurityContext()
        edit(&sc)
        return sc
    }
}

/// A temporary directory holding a fake image rootfs (`etc/passwd`, `etc/group`) and the sandbox files.
final class SpecFixture {
    let dir: String
    var rootfs: String { dir + "/rootfs" }
    var hostnameFile: String { dir + "/sandbox/hostname" }
    var hostsFile: String { dir + "/sandbox/hosts" }
    var resolvFile: String { dir + "/sandbox/resolv.conf" }
    var shmDir: String { dir + "/sandbox/shm" }
    var etcHosts: String { dir + "/pod/etc-hosts" }
    var termLog: String { dir + "/pod/containers/app/0badcafe" }

    static let defaultPasswd = """
        root:x:0:0:root:/root:/bin/sh
        daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
        app:x:1000:1001:App:/home/app:/bin/sh
        nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin

        """
    static let defaultGroup = """
        root:x:0:
        wheel:x:10:root,app
        app:x:1001:app
        audio:x:29:app,daemon
        video:x:44:daemon

        """

    init(passwd: String? = SpecFixture.defaultPasswd, group: String? = SpecFixture.defaultGroup) throws {
        var template = Array("/tmp/bootlet-spec-XXXXXX".utf8CString)
        let ok = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
        guard ok else { throw RuntimeError.errno("mkdtemp", "/tmp/bootlet-spec-XXXXXX") }
        dir = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        try FileIO.makeDirectories(rootfs + "/etc")
        try FileIO.makeDirectories(dir + "/sandbox/shm")
        try FileIO.makeDirectories(dir + "/pod/containers/app")
        if let passwd { try FileIO.writeAtomically(rootfs + "/etc/passwd", Array(passwd.utf8)) }
        if let group { try FileIO.writeAtomically(rootfs + "/etc/group", Array(group.utf8)) }
        try FileIO.writeAtomically(hostnameFile, Array("web-node1\n".utf8))
        try FileIO.writeAtomically(hostsFile, Array("127.0.0.1 localhost\n".utf8))
        try FileIO.writeAtomically(resolvFile, Array("nameserver 10.0.0.10\n".utf8))
        try FileIO.writeAtomically(etcHosts, Array("# Kubernetes-managed hosts file.\n".utf8))
        try FileIO.writeAtomically(termLog, [], mode: 0o666)
    }

    deinit { try? FileIO.removeTree(dir) }

    func sandbox(etcHosts: Bool = true) -> SandboxInfo {
        SandboxInfo(
            id: sandboxID, networkNamespacePath: "/run/netns/cni-1234", ipcNamespacePath: "/proc/4242/ns/ipc",
            utsNamespacePath: "/proc/4242/ns/uts", pidNamespacePath: "/proc/4242/ns/pid", hostname: "web-node1",
            shmPath: shmDir, etcHostsPath: etcHosts ? self.etcHosts : nil, hostsPath: hostsFile,
            resolvConfPath: resolvFile, hostnamePath: hostnameFile,
            logDirectory: "/var/log/pods/default_web-node1_\(podUID)")
    }

    func input(
        pod: Pod, container: Container? = nil, kind: ContainerKind = .regular, image: ImageConfig = ImageConfig(),
        volumes: [String: ResolvedVolume] = [:], etcHosts: Bool = true, environment: [(name: String, value: String)]? = nil,
        node: NodeSpecSettings = NodeSpecSettings(memoryCapacity: 8 << 30, currentCapabilities: Capability.allKnown)
    ) -> ContainerSpecInput {
        let c = container ?? pod.spec.containers[0]
        let env = environment ?? ((try? Expansion.environment(for: c, in: pod, context: DownwardAPI.Context())) ?? [])
        return ContainerSpecInput(
            pod: pod, container: c, kind: kind, restartCount: 0, imageReference: c.image ?? "",
            imageConfig: image, imageID: "sha256:" + String(repeating: "1", count: 64), rootfs: rootfs,
            sandbox: sandbox(etcHosts: etcHosts), volumes: volumes, terminationMessageHostPath: termLog,
            cgroupsPath: "/kubepods/besteffort/pod\(podUID)/" + String(repeating: "cd", count: 32), environment: env,
            node: node)
    }

    func build(
        pod: Pod, container: Container? = nil, kind: ContainerKind = .regular, image: ImageConfig = ImageConfig(),
        volumes: [String: ResolvedVolume] = [:], etcHosts: Bool = true,
        node: NodeSpecSettings = NodeSpecSettings(memoryCapacity: 8 << 30, currentCapabilities: Capability.allKnown)
    ) throws -> ContainerSpecResult {
        try ContainerSpecBuilder.build(
            input(pod: pod, container: container, kind: kind, image: image, volumes: volumes, etcHosts: etcHosts, node: node))
    }
}

/// The error a build throws, or nil.
func specError(_ body: () throws -> Any) -> SpecError? {
    do {
        _ = try body()
        return nil
    } catch let e as SpecError {
        return e
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

func mode(of path: String) -> mode_t {
    var st = stat()
    return stat(path, &st) == 0 ? st.st_mode & 0o7777 : 0
}
