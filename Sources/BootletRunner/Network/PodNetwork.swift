import BootletRuntime

/// The network of non-hostNetwork pod sandboxes: a pinned namespace plus CNI, the two calls the runner makes
/// around a sandbox (containerd's RunPodSandbox / StopPodSandbox network steps).
///
/// hostNetwork pods never come here: they keep the host namespace and report no pod IP (docs/networking.md).
public struct PodNetwork: Sendable {
    public let namespaces: NetworkNamespaces
    public let cni: CNINetwork

    public init(namespaces: NetworkNamespaces = NetworkNamespaces(), cni: CNINetwork = CNINetwork()) {
        self.namespaces = namespaces
        self.cni = cni
    }

    public struct Attachment: Sendable, Equatable {
        /// The namespace path for the sandbox container's OCI spec (`linux.namespaces` type `network`).
        public var netnsPath: String
        public var status: NetworkStatus
    }

    /// Create the sandbox's namespace (`<netns dir>/<sandbox>`) and attach it. On failure nothing is left behind:
    /// CNI attachments made so far are deleted and the namespace is removed.
    public func setUp(sandbox: String, pod: PodIdentity, portMappings: [PortMapping] = []) throws -> Attachment {
        let path = try namespaces.create(sandbox)
        do {
            let status = try cni.setUp(sandbox: sandbox, netns: path, pod: pod, portMappings: portMappings)
            return Attachment(netnsPath: path, status: status)
        } catch {
            // cni.setUp already tore down what it attached; a DEL failure there is in `error`, and the cache entry
            // it kept lets `tearDown`/`cleanUpOrphans` retry once the namespace is gone.
            try? NetworkNamespaces.remove(path: path)
            throw error
        }
    }

    /// Detach the sandbox (CNI DEL from the cache) and remove its namespace. Idempotent, and works after a runner
    /// restart. Like containerd, the namespace stays when DEL fails, so the retry sees the same state.
    public func tearDown(sandbox: String) throws {
        let path = namespaces.path(for: sandbox)
        try cni.tearDown(sandbox: sandbox, netns: NetworkNamespaces.isNamespace(path) ? path : "")
        try namespaces.remove(sandbox)
    }

    /// What a cleanup pass did.
    public struct CleanupReport: Sendable, Equatable {
        /// Sandboxes whose attachments and/or namespace were removed.
        public var removed: [String] = []
        /// Failures, one line each (retry on the next pass).
        public var failures: [String] = []
    }

    /// After a restart: tear down every cached attachment and pinned namespace of this runner whose sandbox is not
    /// in `live`. An attachment is this runner's when its namespace was pinned in `namespaces.directory`: the cache
    /// directory is shared by every runner on the host (another `--runtime-root`, a test), and one runner starting
    /// up must not detach the others' pods.
    public func cleanUpOrphans(keeping live: Set<String>) -> CleanupReport {
        var report = CleanupReport()
        var sandboxes = Set<String>()
        do {
            for a in try cni.attachments() where !live.contains(a.containerId) && owns(a) { sandboxes.insert(a.containerId) }
        } catch {
            report.failures.append("\(error)")
        }
        do {
            for e in try namespaces.list() where !live.contains(e.name) { sandboxes.insert(e.name) }
        } catch {
            report.failures.append("\(error)")
        }
        for s in sandboxes.sorted() {
            do {
                try tearDown(sandbox: s)
                report.removed.append(s)
            } catch {
                report.failures.append("\(error)")
            }
        }
        return report
    }

    /// Whether a cached attachment belongs to this runner: its namespace path is in our directory (or, for an
    /// entry without one, our directory pins a namespace of that sandbox).
    func owns(_ a: CNIAttachment) -> Bool {
        let dir = namespaces.directory.hasSuffix("/") ? String(namespaces.directory.dropLast()) : namespaces.directory
        if let ns = a.netns, !ns.isEmpty { return ns.hasPrefix(dir + "/") }
        return FileIO.exists(namespaces.path(for: a.containerId))
    }
}
