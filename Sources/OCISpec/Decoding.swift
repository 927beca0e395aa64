// Decoding of every OCI object through one CodingKey type.
//
// Why not the synthesized init(from:): each synthesized conformance decodes through its own `CodingKeys` enum, and
// FoundationEssentials' JSONDecoder is not specialized for our types, so the first use of every
// `KeyedDecodingContainer<X.CodingKeys>` makes the Swift runtime build generic metadata from mangled names and look
// up `X.CodingKeys: CodingKey` by scanning every protocol conformance record of the binary (about 7 000 in the
// static `bootlet`, ~30 µs each). For a config.json with a seccomp profile that was 17 such instantiations and about
// 1 ms of a 10 ms `bootlet oci run`. With one key type the work is done once per process.
//
// Semantics are those of the synthesized code: a non-optional property is required (`keyNotFound` names it), an
// optional one may be absent or null, unknown keys are ignored. Encoding stays synthesized. Spec, Process and User
// (which default some required fields) have their own init(from:) in Spec.swift, also keyed by `OCIKey`.

/// The one coding key of the OCI model: any string.
struct OCIKey: CodingKey, ExpressibleByStringLiteral {
    let stringValue: String
    init(stringValue: String) { self.stringValue = stringValue }
    init(stringLiteral value: String) { self.stringValue = value }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
}

extension ConsoleSize {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        height = try c.decode(UInt.self, forKey: "height")
        width = try c.decode(UInt.self, forKey: "width")
    }
}

extension LinuxCapabilities {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        bounding = try c.decodeIfPresent([Capability].self, forKey: "bounding")
        effective = try c.decodeIfPresent([Capability].self, forKey: "effective")
        inheritable = try c.decodeIfPresent([Capability].self, forKey: "inheritable")
        permitted = try c.decodeIfPresent([Capability].self, forKey: "permitted")
        ambient = try c.decodeIfPresent([Capability].self, forKey: "ambient")
    }
}

extension POSIXRlimit {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        type = try c.decode(String.self, forKey: "type")
        hard = try c.decode(UInt64.self, forKey: "hard")
        soft = try c.decode(UInt64.self, forKey: "soft")
    }
}

extension Scheduler {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        policy = try c.decode(String.self, forKey: "policy")
        nice = try c.decodeIfPresent(Int32.self, forKey: "nice")
        priority = try c.decodeIfPresent(Int32.self, forKey: "priority")
        flags = try c.decodeIfPresent([String].self, forKey: "flags")
        runtime = try c.decodeIfPresent(UInt64.self, forKey: "runtime")
        deadline = try c.decodeIfPresent(UInt64.self, forKey: "deadline")
        period = try c.decodeIfPresent(UInt64.self, forKey: "period")
    }
}

extension IOPriority {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        `class` = try c.decode(String.self, forKey: "class")
        priority = try c.decode(Int.self, forKey: "priority")
    }
}

extension Root {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        path = try c.decode(String.self, forKey: "path")
        readonly = try c.decodeIfPresent(Bool.self, forKey: "readonly")
    }
}

extension Mount {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        destination = try c.decode(String.self, forKey: "destination")
        type = try c.decodeIfPresent(String.self, forKey: "type")
        source = try c.decodeIfPresent(String.self, forKey: "source")
        options = try c.decodeIfPresent([String].self, forKey: "options")
        uidMappings = try c.decodeIfPresent([LinuxIDMapping].self, forKey: "uidMappings")
        gidMappings = try c.decodeIfPresent([LinuxIDMapping].self, forKey: "gidMappings")
    }
}

extension Hooks {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        prestart = try c.decodeIfPresent([Hook].self, forKey: "prestart")
        createRuntime = try c.decodeIfPresent([Hook].self, forKey: "createRuntime")
        createContainer = try c.decodeIfPresent([Hook].self, forKey: "createContainer")
        startContainer = try c.decodeIfPresent([Hook].self, forKey: "startContainer")
        poststart = try c.decodeIfPresent([Hook].self, forKey: "poststart")
        poststop = try c.decodeIfPresent([Hook].self, forKey: "poststop")
    }
}

extension Hook {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        path = try c.decode(String.self, forKey: "path")
        args = try c.decodeIfPresent([String].self, forKey: "args")
        env = try c.decodeIfPresent([String].self, forKey: "env")
        timeout = try c.decodeIfPresent(Int.self, forKey: "timeout")
    }
}

extension Linux {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        uidMappings = try c.decodeIfPresent([LinuxIDMapping].self, forKey: "uidMappings")
        gidMappings = try c.decodeIfPresent([LinuxIDMapping].self, forKey: "gidMappings")
        sysctl = try c.decodeIfPresent([String: String].self, forKey: "sysctl")
        resources = try c.decodeIfPresent(LinuxResources.self, forKey: "resources")
        cgroupsPath = try c.decodeIfPresent(String.self, forKey: "cgroupsPath")
        namespaces = try c.decodeIfPresent([LinuxNamespace].self, forKey: "namespaces")
        devices = try c.decodeIfPresent([LinuxDevice].self, forKey: "devices")
        seccomp = try c.decodeIfPresent(LinuxSeccomp.self, forKey: "seccomp")
        rootfsPropagation = try c.decodeIfPresent(String.self, forKey: "rootfsPropagation")
        maskedPaths = try c.decodeIfPresent([String].self, forKey: "maskedPaths")
        readonlyPaths = try c.decodeIfPresent([String].self, forKey: "readonlyPaths")
        mountLabel = try c.decodeIfPresent(String.self, forKey: "mountLabel")
        personality = try c.decodeIfPresent(LinuxPersonality.self, forKey: "personality")
    }
}

extension LinuxIDMapping {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        containerID = try c.decode(UInt32.self, forKey: "containerID")
        hostID = try c.decode(UInt32.self, forKey: "hostID")
        size = try c.decode(UInt32.self, forKey: "size")
    }
}

extension LinuxNamespace {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        type = try c.decode(NamespaceType.self, forKey: "type")
        path = try c.decodeIfPresent(String.self, forKey: "path")
    }
}

extension LinuxDevice {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        path = try c.decode(String.self, forKey: "path")
        type = try c.decode(String.self, forKey: "type")
        major = try c.decodeIfPresent(Int64.self, forKey: "major")
        minor = try c.decodeIfPresent(Int64.self, forKey: "minor")
        fileMode = try c.decodeIfPresent(UInt32.self, forKey: "fileMode")
        uid = try c.decodeIfPresent(UInt32.self, forKey: "uid")
        gid = try c.decodeIfPresent(UInt32.self, forKey: "gid")
    }
}

extension LinuxPersonality {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        domain = try c.decode(String.self, forKey: "domain")
        flags = try c.decodeIfPresent([String].self, forKey: "flags")
    }
}

extension LinuxResources {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        devices = try c.decodeIfPresent([LinuxDeviceCgroup].self, forKey: "devices")
        memory = try c.decodeIfPresent(LinuxMemory.self, forKey: "memory")
        cpu = try c.decodeIfPresent(LinuxCPU.self, forKey: "cpu")
        pids = try c.decodeIfPresent(LinuxPids.self, forKey: "pids")
        blockIO = try c.decodeIfPresent(LinuxBlockIO.self, forKey: "blockIO")
        hugepageLimits = try c.decodeIfPresent([LinuxHugepageLimit].self, forKey: "hugepageLimits")
        network = try c.decodeIfPresent(LinuxNetwork.self, forKey: "network")
        unified = try c.decodeIfPresent([String: String].self, forKey: "unified")
    }
}

extension LinuxDeviceCgroup {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        allow = try c.decode(Bool.self, forKey: "allow")
        type = try c.decodeIfPresent(String.self, forKey: "type")
        major = try c.decodeIfPresent(Int64.self, forKey: "major")
        minor = try c.decodeIfPresent(Int64.self, forKey: "minor")
        access = try c.decodeIfPresent(String.self, forKey: "access")
    }
}

extension LinuxMemory {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        limit = try c.decodeIfPresent(Int64.self, forKey: "limit")
        reservation = try c.decodeIfPresent(Int64.self, forKey: "reservation")
        swap = try c.decodeIfPresent(Int64.self, forKey: "swap")
        kernel = try c.decodeIfPresent(Int64.self, forKey: "kernel")
        kernelTCP = try c.decodeIfPresent(Int64.self, forKey: "kernelTCP")
        swappiness = try c.decodeIfPresent(UInt64.self, forKey: "swappiness")
        disableOOMKiller = try c.decodeIfPresent(Bool.self, forKey: "disableOOMKiller")
        useHierarchy = try c.decodeIfPresent(Bool.self, forKey: "useHierarchy")
        checkBeforeUpdate = try c.decodeIfPresent(Bool.self, forKey: "checkBeforeUpdate")
    }
}

extension LinuxCPU {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        shares = try c.decodeIfPresent(UInt64.self, forKey: "shares")
        quota = try c.decodeIfPresent(Int64.self, forKey: "quota")
        burst = try c.decodeIfPresent(UInt64.self, forKey: "burst")
        period = try c.decodeIfPresent(UInt64.self, forKey: "period")
        realtimeRuntime = try c.decodeIfPresent(Int64.self, forKey: "realtimeRuntime")
        realtimePeriod = try c.decodeIfPresent(UInt64.self, forKey: "realtimePeriod")
        cpus = try c.decodeIfPresent(String.self, forKey: "cpus")
        mems = try c.decodeIfPresent(String.self, forKey: "mems")
        idle = try c.decodeIfPresent(Int64.self, forKey: "idle")
    }
}

extension LinuxPids {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        limit = try c.decodeIfPresent(Int64.self, forKey: "limit")
    }
}

extension LinuxBlockIO {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        weight = try c.decodeIfPresent(UInt16.self, forKey: "weight")
        leafWeight = try c.decodeIfPresent(UInt16.self, forKey: "leafWeight")
        weightDevice = try c.decodeIfPresent([LinuxWeightDevice].self, forKey: "weightDevice")
        throttleReadBpsDevice = try c.decodeIfPresent([LinuxThrottleDevice].self, forKey: "throttleReadBpsDevice")
        throttleWriteBpsDevice = try c.decodeIfPresent([LinuxThrottleDevice].self, forKey: "throttleWriteBpsDevice")
        throttleReadIOPSDevice = try c.decodeIfPresent([LinuxThrottleDevice].self, forKey: "throttleReadIOPSDevice")
        throttleWriteIOPSDevice = try c.decodeIfPresent([LinuxThrottleDevice].self, forKey: "throttleWriteIOPSDevice")
    }
}

extension LinuxWeightDevice {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        major = try c.decode(Int64.self, forKey: "major")
        minor = try c.decode(Int64.self, forKey: "minor")
        weight = try c.decodeIfPresent(UInt16.self, forKey: "weight")
        leafWeight = try c.decodeIfPresent(UInt16.self, forKey: "leafWeight")
    }
}

extension LinuxThrottleDevice {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        major = try c.decode(Int64.self, forKey: "major")
        minor = try c.decode(Int64.self, forKey: "minor")
        rate = try c.decode(UInt64.self, forKey: "rate")
    }
}

extension LinuxHugepageLimit {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        pageSize = try c.decode(String.self, forKey: "pageSize")
        limit = try c.decode(UInt64.self, forKey: "limit")
    }
}

extension LinuxNetwork {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        classID = try c.decodeIfPresent(UInt32.self, forKey: "classID")
        priorities = try c.decodeIfPresent([LinuxInterfacePriority].self, forKey: "priorities")
    }
}

extension LinuxInterfacePriority {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        name = try c.decode(String.self, forKey: "name")
        priority = try c.decode(UInt32.self, forKey: "priority")
    }
}

extension LinuxSeccomp {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        defaultAction = try c.decode(SeccompAction.self, forKey: "defaultAction")
        defaultErrnoRet = try c.decodeIfPresent(UInt32.self, forKey: "defaultErrnoRet")
        architectures = try c.decodeIfPresent([SeccompArch].self, forKey: "architectures")
        flags = try c.decodeIfPresent([SeccompFlag].self, forKey: "flags")
        listenerPath = try c.decodeIfPresent(String.self, forKey: "listenerPath")
        listenerMetadata = try c.decodeIfPresent(String.self, forKey: "listenerMetadata")
        syscalls = try c.decodeIfPresent([LinuxSyscall].self, forKey: "syscalls")
    }
}

extension LinuxSyscall {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        names = try c.decode([String].self, forKey: "names")
        action = try c.decode(SeccompAction.self, forKey: "action")
        errnoRet = try c.decodeIfPresent(UInt32.self, forKey: "errnoRet")
        args = try c.decodeIfPresent([LinuxSeccompArg].self, forKey: "args")
    }
}

extension LinuxSeccompArg {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        index = try c.decode(UInt.self, forKey: "index")
        value = try c.decode(UInt64.self, forKey: "value")
        valueTwo = try c.decodeIfPresent(UInt64.self, forKey: "valueTwo")
        op = try c.decode(SeccompOperator.self, forKey: "op")
    }
}
