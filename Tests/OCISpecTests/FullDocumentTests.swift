import FoundationEssentials
import OCISpec
import Testing

/// Every field of every OCI object, decoded by the hand-written `init(from:)`s (one coding-key type, see
/// Sources/OCISpec/Decoding.swift) and re-encoded by the synthesized `encode(to:)`: the document must come back
/// unchanged, so a key spelled differently on the two sides, or a field the decoder forgets, fails here.
@Suite("OCI spec model: every field")
struct FullDocumentTests {
    static let document = #"""
    {"ociVersion":"1.2.0","hostname":"h","domainname":"d","annotations":{"a":"b"},
     "process":{"terminal":true,"consoleSize":{"height":24,"width":80},
       "user":{"uid":1,"gid":2,"umask":18,"additionalGids":[3,4],"username":"u"},
       "args":["sh","-c","true"],"env":["A=1"],"cwd":"/w",
       "capabilities":{"bounding":["CAP_KILL"],"effective":["CAP_CHOWN"],"inheritable":["CAP_SETUID"],
                       "permitted":["CAP_KILL"],"ambient":["CAP_NET_RAW"]},
       "rlimits":[{"type":"RLIMIT_NOFILE","hard":2048,"soft":1024}],
       "noNewPrivileges":true,"apparmorProfile":"ap","oomScoreAdj":-5,"selinuxLabel":"sl",
       "scheduler":{"policy":"SCHED_FIFO","nice":1,"priority":2,"flags":["SCHED_FLAG_RESET_ON_FORK"],
                    "runtime":3,"deadline":4,"period":5},
       "ioPriority":{"class":"IOPRIO_CLASS_RT","priority":7}},
     "root":{"path":"rootfs","readonly":true},
     "mounts":[{"destination":"/m","type":"bind","source":"/s","options":["rbind"],
                "uidMappings":[{"containerID":0,"hostID":1000,"size":1}],
                "gidMappings":[{"containerID":0,"hostID":1001,"size":2}]}],
     "hooks":{"prestart":[{"path":"/p","args":["p"],"env":["E=1"],"timeout":1}],
              "createRuntime":[{"path":"/cr","args":["cr"],"env":["E=cr"],"timeout":2}],"createContainer":[{"path":"/cc","args":["cc"],"env":["E=cc"],"timeout":2}],
              "startContainer":[{"path":"/sc","args":["sc"],"env":["E=sc"],"timeout":2}],"poststart":[{"path":"/ps","args":["ps"],"env":["E=ps"],"timeout":2}],"poststop":[{"path":"/pt","args":["pt"],"env":["E=pt"],"timeout":2}]},
     "linux":{"uidMappings":[{"containerID":0,"hostID":100000,"size":65536}],
       "gidMappings":[{"containerID":0,"hostID":100000,"size":65536}],
       "sysctl":{"net.ipv4.ip_forward":"1"},"cgroupsPath":"/a/b",
       "namespaces":[{"type":"network","path":"/proc/1/ns/net"}],
       "devices":[{"path":"/dev/x","type":"c","major":1,"minor":3,"fileMode":438,"uid":0,"gid":0}],
       "rootfsPropagation":"rslave","maskedPaths":["/proc/kcore"],"readonlyPaths":["/proc/sys"],
       "mountLabel":"ml","personality":{"domain":"LINUX32","flags":["f"]},
       "resources":{
         "devices":[{"allow":false,"type":"a","major":-1,"minor":-1,"access":"rwm"}],
         "memory":{"limit":1048576,"reservation":524288,"swap":2097152,"kernel":1,"kernelTCP":2,"swappiness":60,
                   "disableOOMKiller":false,"useHierarchy":true,"checkBeforeUpdate":true},
         "cpu":{"shares":1024,"quota":50000,"burst":10,"period":100000,"realtimeRuntime":1,"realtimePeriod":2,
                "cpus":"0-1","mems":"0","idle":0},
         "pids":{"limit":64},
         "blockIO":{"weight":500,"leafWeight":300,
                    "weightDevice":[{"major":8,"minor":0,"weight":100,"leafWeight":50}],
                    "throttleReadBpsDevice":[{"major":8,"minor":0,"rate":1}],
                    "throttleWriteBpsDevice":[{"major":8,"minor":0,"rate":2}],
                    "throttleReadIOPSDevice":[{"major":8,"minor":0,"rate":3}],
                    "throttleWriteIOPSDevice":[{"major":8,"minor":0,"rate":4}]},
         "hugepageLimits":[{"pageSize":"2MB","limit":0}],
         "network":{"classID":7,"priorities":[{"name":"eth0","priority":1}]},
         "unified":{"memory.high":"max"}},
       "seccomp":{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"architectures":["SCMP_ARCH_X86_64"],
                  "flags":["SECCOMP_FILTER_FLAG_LOG"],"listenerPath":"/l","listenerMetadata":"md",
                  "syscalls":[{"names":["clone"],"action":"SCMP_ACT_ALLOW","errnoRet":2,
                               "args":[{"index":0,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}]}]}}}
    """#

    @Test func everyFieldSurvivesDecodeAndEncode() throws {
        let spec = try JSONDecoder().decode(Spec.self, from: Data(Self.document.utf8))
        let back = try JSONEncoder().encode(spec)
        #expect(try JSONDecoder().decode(AnyJSON.self, from: back) ==
                JSONDecoder().decode(AnyJSON.self, from: Data(Self.document.utf8)))
        // The document sets every optional field: a nil anywhere means a field the decoder does not read (or a new
        // field this document lacks).
        #expect(nilFields(spec, path: "spec") == [])
    }

    @Test func aMissingRequiredFieldIsAnErrorNamingIt() {
        do {
            _ = try JSONDecoder().decode(Spec.self, from: Data(#"{"ociVersion":"1","root":{"readonly":true}}"#.utf8))
            Issue.record("decoded a root without path")
        } catch let DecodingError.keyNotFound(key, _) {
            #expect(key.stringValue == "path")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    private func nilFields(_ value: Any, path: String) -> [String] {
        let m = Mirror(reflecting: value)
        if m.displayStyle == .optional {
            guard let inner = m.children.first?.value else { return [path] }
            return nilFields(inner, path: path)
        }
        var out: [String] = []
        for (i, child) in m.children.enumerated() where m.displayStyle == .struct || m.displayStyle == .collection {
            out += nilFields(child.value, path: path + "." + (child.label ?? "\(i)"))
        }
        return out
    }
}

/// A JSON value, for comparing documents regardless of key order.
indirect enum AnyJSON: Decodable, Equatable {
    case object([String: AnyJSON]), array([AnyJSON]), string(String), number(Double), bool(Bool), null
    init(from d: any Decoder) throws {
        let c = try d.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([AnyJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: AnyJSON].self)) }
    }
}
