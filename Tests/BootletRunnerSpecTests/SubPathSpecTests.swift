@testable import BootletRunner
import BootletRuntime
import KubeModel
import OCISpec
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Container spec: subPath and subPathExpr")
struct SubPathSpecTests {
    func pod(_ vm: VolumeMount, env: [EnvVar] = []) -> Pod {
        makePod([makeContainer {
            $0.volumeMounts = [vm]
            $0.env = env
        }])
    }

    func vm(subPath: String? = nil, expr: String? = nil) -> VolumeMount {
        var m = VolumeMount(name: "data", mountPath: "/data")
        m.subPath = subPath
        m.subPathExpr = expr
        return m
    }

    @Test func subPathIsCreatedWithTheVolumeModeAndBound() throws {
        let f = try SpecFixture()
        let vol = f.dir + "/vol"
        try FileIO.makeDirectories(vol)
        chmod(vol, 0o2775)  // an fsGroup volume: setgid + group-writable, which the umask would strip
        let spec = try f.build(pod: pod(vm(subPath: "a/b")), volumes: ["data": ResolvedVolume(hostPath: vol)]).spec
        #expect(FileIO.isDirectory(vol + "/a/b"))
        #expect(mode(of: vol + "/a") == 0o2775)
        #expect(mode(of: vol + "/a/b") == 0o2775)
        #expect(spec.mounts?.first { $0.destination == "/data" }?.source == vol + "/a/b")
    }

    @Test func subPathExprExpandsAgainstTheEnvironment() throws {
        let f = try SpecFixture()
        let vol = f.dir + "/vol"
        try FileIO.makeDirectories(vol)
        let p = pod(vm(expr: "logs/$(POD_NAME)/$$x"), env: [EnvVar(name: "POD_NAME", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "metadata.name")))])
        let spec = try f.build(pod: p, volumes: ["data": ResolvedVolume(hostPath: vol)]).spec
        #expect(spec.mounts?.first { $0.destination == "/data" }?.source == vol + "/logs/web-node1/$x")
    }

    @Test func kubeletErrorMessages() throws {
        let f = try SpecFixture()
        let vol = f.dir + "/vol"
        try FileIO.makeDirectories(vol)
        let volumes = ["data": ResolvedVolume(hostPath: vol)]
        let cases: [(VolumeMount, [EnvVar], String)] = [
            (vm(subPath: "/etc"), [], "error SubPath `/etc` must not be an absolute path"),
            (vm(subPath: "a/../../etc"), [], "unable to provision SubPath `a/../../etc`: must not contain '..'"),
            (vm(expr: "$(B)/$(A)/$(SET)"), [EnvVar(name: "SET", value: "x"), EnvVar(name: "A", value: "")], "missing value for A, B"),
            (vm(expr: "$(UP)"), [EnvVar(name: "UP", value: "..")], "unable to provision SubPath `..`: must not contain '..'"),
            (vm(expr: "$(ABS)"), [EnvVar(name: "ABS", value: "/root")], "error SubPath `/root` must not be an absolute path"),
        ]
        for (m, env, msg) in cases {
            let e = specError { try f.build(pod: pod(m, env: env), volumes: volumes) }
            #expect(e?.reason == "CreateContainerConfigError", "\(msg)")
            #expect(e?.message == msg)
        }
    }

    @Test func symlinkOutOfTheVolumeIsRefused() throws {
        let f = try SpecFixture()
        let vol = f.dir + "/vol"
        try FileIO.makeDirectories(vol)
        try FileIO.makeDirectories(f.dir + "/outside")
        symlink(f.dir + "/outside", vol + "/escape")
        symlink("inner", vol + "/ok")
        try FileIO.makeDirectories(vol + "/inner")
        let volumes = ["data": ResolvedVolume(hostPath: vol)]
        let e = specError { try f.build(pod: pod(vm(subPath: "escape/x")), volumes: volumes) }
        #expect(e?.reason == "CreateContainerConfigError")
        #expect(e?.message == "failed to prepare subPath for volumeMount \"data\" of container \"app\"")
        #expect(!FileIO.exists(f.dir + "/outside/x"), "nothing may be created outside the volume")

        let spec = try f.build(pod: pod(vm(subPath: "ok/y")), volumes: volumes).spec
        #expect(spec.mounts?.first { $0.destination == "/data" }?.source == vol + "/inner/y")
    }

    @Test func existingFileSubPathIsBoundAsIs() throws {
        let f = try SpecFixture()
        let vol = f.dir + "/vol"
        try FileIO.makeDirectories(vol)
        try FileIO.writeAtomically(vol + "/app.conf", Array("x=1\n".utf8))
        var m = vm(subPath: "app.conf")
        m.mountPath = "/etc/app.conf"
        let spec = try f.build(pod: pod(m), volumes: ["data": ResolvedVolume(hostPath: vol)]).spec
        #expect(spec.mounts?.first { $0.destination == "/etc/app.conf" }?.source == vol + "/app.conf")
    }
}
