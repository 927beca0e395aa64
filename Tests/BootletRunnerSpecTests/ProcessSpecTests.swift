import BootletImages
import BootletRuntime
import FoundationEssentials
@testable import BootletRunner
import KubeModel
import OCISpec
import Testing

@Suite("Container spec: command/args, environment, cwd, stop signal, annotations")
struct ProcessSpecTests {
    struct ArgCase: CustomStringConvertible, Sendable {
        var name: String
        var entrypoint: [String]?
        var cmd: [String]?
        var command: [String]?
        var args: [String]?
        var want: [String]?
        var description: String { name }
    }

    // Kubernetes "Define a Command and Arguments" table plus containerd's `[""]` entrypoint rule.
    static let argCases: [ArgCase] = [
        ArgCase(name: "image only", entrypoint: ["/ep"], cmd: ["a"], command: nil, args: nil, want: ["/ep", "a"]),
        ArgCase(name: "command replaces entrypoint and drops cmd", entrypoint: ["/ep"], cmd: ["a"], command: ["/c"], args: nil, want: ["/c"]),
        ArgCase(name: "args replace cmd", entrypoint: ["/ep"], cmd: ["a"], command: nil, args: ["x", "y"], want: ["/ep", "x", "y"]),
        ArgCase(name: "command and args", entrypoint: ["/ep"], cmd: ["a"], command: ["/c"], args: ["x"], want: ["/c", "x"]),
        ArgCase(name: "cmd only image", entrypoint: nil, cmd: ["/bin/sh", "-c", "true"], command: nil, args: nil, want: ["/bin/sh", "-c", "true"]),
        ArgCase(name: "empty command list counts as unset", entrypoint: ["/ep"], cmd: ["a"], command: [], args: [], want: ["/ep", "a"]),
        ArgCase(name: "entrypoint [\"\"] is no entrypoint", entrypoint: [""], cmd: ["/bin/true"], command: nil, args: nil, want: ["/bin/true"]),
        ArgCase(name: "nothing at all", entrypoint: nil, cmd: nil, command: nil, args: nil, want: nil),
    ]

    @Test(arguments: argCases) func commandAndArgs(_ c: ArgCase) {
        #expect(ContainerSpecBuilder.processArgs(command: c.command ?? [], args: c.args ?? [], image: ImageConfig(entrypoint: c.entrypoint, cmd: c.cmd)) == c.want)
    }

    @Test func expansionOfCommandAndArgs() throws {
        let f = try SpecFixture()
        let pod = makePod([makeContainer(command: ["/bin/echo", "$(GREETING)"], args: ["$$(GREETING)", "$(MISSING)", "$(POD)", "a$$b", "$(", "$"]) {
            $0.env = [
                EnvVar(name: "GREETING", value: "hello"),
                EnvVar(name: "POD", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "metadata.name"))),
            ]
        }])
        let spec = try f.build(pod: pod).spec
        #expect(spec.process?.args == ["/bin/echo", "hello", "$(GREETING)", "$(MISSING)", "web-node1", "a$b", "$(", "$"])
    }

    @Test func noCommandIsACreateError() throws {
        let f = try SpecFixture()
        let e = specError { try f.build(pod: makePod([makeContainer(command: nil)])) }
        #expect(e?.reason == "CreateContainerError")
        #expect(e?.message == "no command specified")
    }

    @Test func environmentOrderAndPrecedence() {
        let env = ContainerSpecBuilder.environment(
            hostname: "web-node1", image: ["LANG=C", "FOO=image", "EMPTY="],
            container: [(name: "FOO", value: "pod"), (name: "BAR", value: "x=y"), (name: "HOSTNAME", value: "override")])
        #expect(env == [SpecDefaults.defaultPath, "HOSTNAME=override", "LANG=C", "FOO=pod", "EMPTY=", "BAR=x=y"])
        let imagePath = ContainerSpecBuilder.environment(hostname: "h", image: ["PATH=/opt/bin", "UNSET"], container: [])
        #expect(imagePath == ["PATH=/opt/bin", "HOSTNAME=h"])
    }

    @Test func environmentInTheSpec() throws {
        let f = try SpecFixture()
        let pod = makePod([makeContainer { $0.env = [EnvVar(name: "A", value: "1"), EnvVar(name: "B", value: "$(A)2")] }])
        let spec = try f.build(pod: pod, image: ImageConfig(env: ["PATH=/usr/bin:/bin", "A=image"])).spec
        #expect(spec.process?.env == ["PATH=/usr/bin:/bin", "HOSTNAME=web-node1", "A=1", "B=12"])
    }

    @Test func workingDirectory() throws {
        let f = try SpecFixture()
        #expect(try f.build(pod: makePod([makeContainer()])).spec.process?.cwd == "/")
        #expect(try f.build(pod: makePod([makeContainer()]), image: ImageConfig(workingDir: "/srv")).spec.process?.cwd == "/srv")
        let pod = makePod([makeContainer { $0.workingDir = "/work" }])
        #expect(try f.build(pod: pod, image: ImageConfig(workingDir: "/srv")).spec.process?.cwd == "/work")
    }

    @Test func stopSignal() throws {
        let f = try SpecFixture()
        let pod = makePod([makeContainer()])
        let def = try f.build(pod: pod)
        #expect(def.stopSignal == "SIGTERM" && def.stopSignalNumber == 15)
        let quit = try f.build(pod: pod, image: ImageConfig(stopSignal: "SIGQUIT"))
        #expect(quit.stopSignal == "SIGQUIT" && quit.stopSignalNumber == 3)
        let lifecycle = makePod([makeContainer {
            // Lifecycle has no public memberwise init; decode it as a manifest would.
            $0.lifecycle = try? JSONDecoder().decode(Lifecycle.self, from: Data(#"{"stopSignal":"SIGUSR1"}"#.utf8))
        }])
        #expect(try f.build(pod: lifecycle, image: ImageConfig(stopSignal: "SIGQUIT")).stopSignalNumber == 10)
        let bogus = try f.build(pod: pod, image: ImageConfig(stopSignal: "SIGNOPE"))
        #expect(bogus.stopSignal == "SIGTERM" && bogus.warnings.contains { $0.contains("unknown stop signal") })
        #expect(Signals.parse("term")! == ("SIGTERM", 15))
        #expect(Signals.parse("9")! == ("SIGKILL", 9))
        #expect(Signals.parse("SIGRTMIN+3")! == ("SIGRTMIN+3", 37))
        #expect(Signals.parse("RTMAX-1")! == ("SIGRTMAX-1", 63))
        #expect(Signals.parse("65") == nil)
        // `bootlet oci kill` uses the same table (runc: names with or without SIG, numbers).
        #expect(try Signals.number("KILL") == 9 && Signals.number("sigusr1") == 10)
        #expect(throws: RuntimeError.self) { try Signals.number("RTMIN-1") }
    }

    @Test func annotationsAndNoRlimits() throws {
        let f = try SpecFixture()
        let spec = try f.build(pod: makePod([makeContainer()]), kind: .sidecar).spec
        let a = try #require(spec.annotations)
        #expect(a["io.kubernetes.pod.name"] == "web-node1")
        #expect(a["io.kubernetes.pod.namespace"] == "default")
        #expect(a["io.kubernetes.pod.uid"] == podUID)
        #expect(a["io.kubernetes.container.name"] == "app")
        #expect(a["io.kubernetes.container.restartCount"] == "0")
        #expect(a["io.kubernetes.container.terminationMessagePath"] == "/dev/termination-log")
        #expect(a["io.kubernetes.pod.terminationGracePeriod"] == "30")
        #expect(a["io.kubernetes.cri.container-type"] == "container")
        #expect(a["io.kubernetes.cri.sandbox-id"] == sandboxID)
        #expect(a["io.kubernetes.cri.image-name"] == "busybox:1.36")
        #expect(a["io.bootlet.container-kind"] == "sidecar")
        #expect(spec.process?.rlimits == nil)
        #expect(spec.process?.terminal == nil)
        #expect(spec.process?.apparmorProfile == nil)
    }

    @Test func uncoveredImageVolumesAreWarnings() throws {
        let f = try SpecFixture()
        try FileIO.makeDirectories(f.dir + "/v")
        let pod = makePod([makeContainer { $0.volumeMounts = [VolumeMount(name: "v", mountPath: "/var/lib/data/")] }])
        let r = try f.build(pod: pod, image: ImageConfig(volumes: ["/var/lib/data", "/cache"]), volumes: ["v": ResolvedVolume(hostPath: f.dir + "/v")])
        #expect(r.warnings == ["image VOLUME /cache of container \"app\" of pod \"web-node1_default(\(podUID))\" is not mounted; it stays in the container's rootfs"])
    }

    @Test func ttyIsAWarning() throws {
        let f = try SpecFixture()
        let r = try f.build(pod: makePod([makeContainer { $0.tty = true }]))
        #expect(r.spec.process?.terminal == nil)
        #expect(r.warnings.contains { $0.hasPrefix("tty of container \"app\"") })
    }
}
