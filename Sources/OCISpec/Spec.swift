/// The OCI runtime configuration (`config.json`), runtime-spec v1.0–v1.3, Linux parts.
///
/// Every field that the spec marks optional (`omitempty` in the Go reference types) is an optional here, so a
/// minimal document decodes and re-encodes without inventing values. Unknown keys are ignored on decoding.
public struct Spec: Codable, Sendable, Equatable {
    public var ociVersion: String
    public var process: Process?
    public var root: Root?
    public var hostname: String?
    public var domainname: String?
    public var mounts: [Mount]?
    public var hooks: Hooks?
    public var annotations: [String: String]?
    public var linux: Linux?

    public init(
        ociVersion: String = Spec.version, process: Process? = nil, root: Root? = nil, hostname: String? = nil,
        domainname: String? = nil, mounts: [Mount]? = nil, hooks: Hooks? = nil,
        annotations: [String: String]? = nil, linux: Linux? = nil
    ) {
        self.ociVersion = ociVersion
        self.process = process
        self.root = root
        self.hostname = hostname
        self.domainname = domainname
        self.mounts = mounts
        self.hooks = hooks
        self.annotations = annotations
        self.linux = linux
    }

    /// The runtime-spec version bootlet writes and reports.
    public static let version = "1.2.0"

    enum CodingKeys: String, CodingKey {
        case ociVersion, process, root, hostname, domainname, mounts, hooks, annotations, linux
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        ociVersion = try c.decodeIfPresent(String.self, forKey: "ociVersion") ?? ""
        process = try c.decodeIfPresent(Process.self, forKey: "process")
        root = try c.decodeIfPresent(Root.self, forKey: "root")
        hostname = try c.decodeIfPresent(String.self, forKey: "hostname")
        domainname = try c.decodeIfPresent(String.self, forKey: "domainname")
        mounts = try c.decodeIfPresent([Mount].self, forKey: "mounts")
        hooks = try c.decodeIfPresent(Hooks.self, forKey: "hooks")
        annotations = try c.decodeIfPresent([String: String].self, forKey: "annotations")
        linux = try c.decodeIfPresent(Linux.self, forKey: "linux")
    }
}

/// `process`: the container's init process.
public struct Process: Codable, Sendable, Equatable {
    public var terminal: Bool?
    public var consoleSize: ConsoleSize?
    public var user: User
    public var args: [String]?
    public var env: [String]?
    public var cwd: String
    public var capabilities: LinuxCapabilities?
    public var rlimits: [POSIXRlimit]?
    public var noNewPrivileges: Bool?
    public var apparmorProfile: String?
    public var oomScoreAdj: Int?
    public var selinuxLabel: String?
    public var scheduler: Scheduler?
    public var ioPriority: IOPriority?

    public init(
        terminal: Bool? = nil, consoleSize: ConsoleSize? = nil, user: User = User(), args: [String]? = nil,
        env: [String]? = nil, cwd: String = "/", capabilities: LinuxCapabilities? = nil,
        rlimits: [POSIXRlimit]? = nil, noNewPrivileges: Bool? = nil, apparmorProfile: String? = nil,
        oomScoreAdj: Int? = nil, selinuxLabel: String? = nil, scheduler: Scheduler? = nil,
        ioPriority: IOPriority? = nil
    ) {
        self.terminal = terminal
        self.consoleSize = consoleSize
        self.user = user
        self.args = args
        self.env = env
        self.cwd = cwd
        self.capabilities = capabilities
        self.rlimits = rlimits
        self.noNewPrivileges = noNewPrivileges
        self.apparmorProfile = apparmorProfile
        self.oomScoreAdj = oomScoreAdj
        self.selinuxLabel = selinuxLabel
        self.scheduler = scheduler
        self.ioPriority = ioPriority
    }

    enum CodingKeys: String, CodingKey {
        case terminal, consoleSize, user, args, env, cwd, capabilities, rlimits, noNewPrivileges
        case apparmorProfile, oomScoreAdj, selinuxLabel, scheduler, ioPriority
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        terminal = try c.decodeIfPresent(Bool.self, forKey: "terminal")
        consoleSize = try c.decodeIfPresent(ConsoleSize.self, forKey: "consoleSize")
        user = try c.decodeIfPresent(User.self, forKey: "user") ?? User()
        args = try c.decodeIfPresent([String].self, forKey: "args")
        env = try c.decodeIfPresent([String].self, forKey: "env")
        cwd = try c.decodeIfPresent(String.self, forKey: "cwd") ?? ""
        capabilities = try c.decodeIfPresent(LinuxCapabilities.self, forKey: "capabilities")
        rlimits = try c.decodeIfPresent([POSIXRlimit].self, forKey: "rlimits")
        noNewPrivileges = try c.decodeIfPresent(Bool.self, forKey: "noNewPrivileges")
        apparmorProfile = try c.decodeIfPresent(String.self, forKey: "apparmorProfile")
        oomScoreAdj = try c.decodeIfPresent(Int.self, forKey: "oomScoreAdj")
        selinuxLabel = try c.decodeIfPresent(String.self, forKey: "selinuxLabel")
        scheduler = try c.decodeIfPresent(Scheduler.self, forKey: "scheduler")
        ioPriority = try c.decodeIfPresent(IOPriority.self, forKey: "ioPriority")
    }
}

public struct ConsoleSize: Codable, Sendable, Equatable {
    public var height: UInt
    public var width: UInt
    public init(height: UInt, width: UInt) {
        self.height = height
        self.width = width
    }
}

/// `process.user`.
public struct User: Codable, Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32
    public var umask: UInt32?
    public var additionalGids: [UInt32]?
    public var username: String?

    public init(uid: UInt32 = 0, gid: UInt32 = 0, umask: UInt32? = nil, additionalGids: [UInt32]? = nil) {
        self.uid = uid
        self.gid = gid
        self.umask = umask
        self.additionalGids = additionalGids
    }

    enum CodingKeys: String, CodingKey { case uid, gid, umask, additionalGids, username }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: OCIKey.self)
        uid = try c.decodeIfPresent(UInt32.self, forKey: "uid") ?? 0
        gid = try c.decodeIfPresent(UInt32.self, forKey: "gid") ?? 0
        umask = try c.decodeIfPresent(UInt32.self, forKey: "umask")
        additionalGids = try c.decodeIfPresent([UInt32].self, forKey: "additionalGids")
        username = try c.decodeIfPresent(String.self, forKey: "username")
    }
}

/// `process.capabilities`: the five capability sets.
public struct LinuxCapabilities: Codable, Sendable, Equatable {
    public var bounding: [Capability]?
    public var effective: [Capability]?
    public var inheritable: [Capability]?
    public var permitted: [Capability]?
    public var ambient: [Capability]?

    public init(
        bounding: [Capability]? = nil, effective: [Capability]? = nil, inheritable: [Capability]? = nil,
        permitted: [Capability]? = nil, ambient: [Capability]? = nil
    ) {
        self.bounding = bounding
        self.effective = effective
        self.inheritable = inheritable
        self.permitted = permitted
        self.ambient = ambient
    }

    /// The same list in all five sets, as `crun spec`/`runc spec` and Docker write it for non-root-user-less specs.
    public static func all(_ caps: [Capability]) -> LinuxCapabilities {
        LinuxCapabilities(bounding: caps, effective: caps, inheritable: nil, permitted: caps, ambient: caps)
    }
}

/// `process.rlimits[]`.
public struct POSIXRlimit: Codable, Sendable, Equatable {
    public var type: String
    public var hard: UInt64
    public var soft: UInt64
    public init(type: String, hard: UInt64, soft: UInt64) {
        self.type = type
        self.hard = hard
        self.soft = soft
    }
}

public struct Scheduler: Codable, Sendable, Equatable {
    public var policy: String
    public var nice: Int32?
    public var priority: Int32?
    public var flags: [String]?
    public var runtime: UInt64?
    public var deadline: UInt64?
    public var period: UInt64?
}

public struct IOPriority: Codable, Sendable, Equatable {
    public var `class`: String
    public var priority: Int
}

/// `root`.
public struct Root: Codable, Sendable, Equatable {
    public var path: String
    public var readonly: Bool?
    public init(path: String, readonly: Bool? = nil) {
        self.path = path
        self.readonly = readonly
    }
}

/// `mounts[]`.
public struct Mount: Codable, Sendable, Equatable {
    public var destination: String
    public var type: String?
    public var source: String?
    public var options: [String]?
    public var uidMappings: [LinuxIDMapping]?
    public var gidMappings: [LinuxIDMapping]?

    public init(
        destination: String, type: String? = nil, source: String? = nil, options: [String]? = nil
    ) {
        self.destination = destination
        self.type = type
        self.source = source
        self.options = options
    }
}

/// `hooks`.
public struct Hooks: Codable, Sendable, Equatable {
    public var prestart: [Hook]?
    public var createRuntime: [Hook]?
    public var createContainer: [Hook]?
    public var startContainer: [Hook]?
    public var poststart: [Hook]?
    public var poststop: [Hook]?

    public init(
        prestart: [Hook]? = nil, createRuntime: [Hook]? = nil, createContainer: [Hook]? = nil,
        startContainer: [Hook]? = nil, poststart: [Hook]? = nil, poststop: [Hook]? = nil
    ) {
        self.prestart = prestart
        self.createRuntime = createRuntime
        self.createContainer = createContainer
        self.startContainer = startContainer
        self.poststart = poststart
        self.poststop = poststop
    }
}

public struct Hook: Codable, Sendable, Equatable {
    public var path: String
    public var args: [String]?
    public var env: [String]?
    public var timeout: Int?
    public init(path: String, args: [String]? = nil, env: [String]? = nil, timeout: Int? = nil) {
        self.path = path
        self.args = args
        self.env = env
        self.timeout = timeout
    }
}
