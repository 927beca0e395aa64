import FoundationEssentials
import OCISpec
import Testing

@Suite("OCI spec model")
struct SpecCodingTests {
    @Test func minimalDocumentDecodesToDefaults() throws {
        let s = try JSONDecoder().decode(Spec.self, from: Data(#"{"ociVersion":"1.0.2"}"#.utf8))
        #expect(s.ociVersion == "1.0.2")
        #expect(s.process == nil && s.root == nil && s.mounts == nil && s.linux == nil && s.hooks == nil)
        let p = try JSONDecoder().decode(Process.self, from: Data(#"{"args":["sh"]}"#.utf8))
        #expect(p.user == User(uid: 0, gid: 0) && p.cwd == "" && p.args == ["sh"] && p.capabilities == nil)
    }

    @Test func unknownFieldsAndValuesAreTolerated() throws {
        let json = #"""
        {"ociVersion":"1.3.0","futureField":{"x":1},
         "process":{"user":{"uid":1,"gid":2},"cwd":"/","args":["a"],"capabilities":{"bounding":["CAP_FUTURE"]}},
         "linux":{"namespaces":[{"type":"time"},{"type":"brandnew"}],
                  "seccomp":{"defaultAction":"SCMP_ACT_NEWTHING","architectures":["SCMP_ARCH_LOONGARCH64"],
                             "syscalls":[{"names":["x"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_NEW"}]}]}}}
        """#
        let s = try JSONDecoder().decode(Spec.self, from: Data(json.utf8))
        #expect(s.process?.capabilities?.bounding == ["CAP_FUTURE"])
        #expect(s.linux?.namespaces?.map(\.type) == [.time, "brandnew"])
        #expect(s.linux?.seccomp?.defaultAction.rawValue == "SCMP_ACT_NEWTHING")
        #expect(s.linux?.seccomp?.syscalls?.first?.args?.first?.op.rawValue == "SCMP_CMP_NEW")
    }

    @Test func wrongTypesAreErrorsNamingTheField() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Spec.self, from: Data(#"{"ociVersion":"1","process":{"user":{"uid":"0"}}}"#.utf8))
        }
    }

    @Test func roundTripKeepsEveryField() throws {
        let spec = Spec(
            process: Process(user: User(uid: 1, gid: 2, umask: 0o22, additionalGids: [3]), args: ["x"], env: ["A=1"],
                             cwd: "/w", capabilities: .all(["CAP_KILL"]),
                             rlimits: [POSIXRlimit(type: "RLIMIT_NOFILE", hard: 2, soft: 1)], noNewPrivileges: true,
                             oomScoreAdj: 5),
            root: Root(path: "rootfs", readonly: true), hostname: "h",
            mounts: [Mount(destination: "/proc", type: "proc", source: "proc", options: ["nosuid"])],
            hooks: Hooks(prestart: [Hook(path: "/bin/true", args: ["true"], timeout: 3)]),
            annotations: ["a": "b"],
            linux: Linux(uidMappings: [LinuxIDMapping(containerID: 0, hostID: 1000, size: 1)], sysctl: ["k": "v"],
                         resources: LinuxResources(memory: LinuxMemory(limit: 1 << 20), cpu: LinuxCPU(shares: 2), pids: LinuxPids(limit: 5)),
                         cgroupsPath: "a/b", namespaces: [.init(type: .network, path: "/proc/1/ns/net")],
                         devices: [LinuxDevice(path: "/dev/x", type: "c", major: 1, minor: 2)],
                         seccomp: LinuxSeccomp(defaultAction: .errno, defaultErrnoRet: 1, architectures: [.x86_64],
                                               syscalls: [LinuxSyscall(names: ["read"], action: .allow)]),
                         rootfsPropagation: "rslave", maskedPaths: ["/m"], readonlyPaths: ["/r"]))
        let data = try JSONEncoder().encode(spec)
        #expect(try JSONDecoder().decode(Spec.self, from: data) == spec)
        // Absent optionals are omitted, not written as null.
        #expect(!String(decoding: try JSONEncoder().encode(Spec()), as: UTF8.self).contains("null"))
    }

    @Test func capabilityTableHasAll41InKernelOrder() {
        #expect(Capability.allKnown.count == 41)
        #expect(Capability.allKnown[21] == .sysAdmin)
        #expect(Capability.allKnown[40] == "CAP_CHECKPOINT_RESTORE")
        #expect(Set(Capability.allKnown).count == 41)
    }

    @Test func stateEncodesOCIKeys() throws {
        let st = State(id: "c", status: .running, pid: 7, bundle: "/b")
        let text = String(decoding: try JSONEncoder().encode(st), as: UTF8.self)
        let back = try JSONDecoder().decode([String: JSONScalar].self, from: Data(text.utf8))
        #expect(back["ociVersion"] == .string(Spec.version) && back["id"] == .string("c"))
        #expect(back["status"] == .string("running") && back["pid"] == .int(7) && back["bundle"] == .string("/b"))
    }
}

enum JSONScalar: Decodable, Equatable {
    case string(String), int(Int), other
    init(from d: any Decoder) throws {
        let c = try d.singleValueContainer()
        if let i = try? c.decode(Int.self) { self = .int(i) } else if let s = try? c.decode(String.self) { self = .string(s) } else { self = .other }
    }
}
