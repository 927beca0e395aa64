import FoundationEssentials
import OCISpec

#if canImport(Glibc)
import Glibc
#endif

/// The state root (`/run/bootlet` by default): one directory per container holding `state.json`, the exec fifo
/// until start, and the monitor's `exit` record.
public struct StateStore: Sendable {
    public let root: String
    public static let defaultRoot = "/run/bootlet"

    public init(root: String = StateStore.defaultRoot) { self.root = root }

    public func dir(_ id: String) -> String { root + "/" + id }
    public func statePath(_ id: String) -> String { dir(id) + "/state.json" }
    public func fifoPath(_ id: String) -> String { dir(id) + "/exec.fifo" }
    public func exitPath(_ id: String) -> String { dir(id) + "/exit" }

    /// runc's rule for container ids: letters, digits and `_+-.`, not `.`/`..`, at most 1024 bytes.
    public static func validate(id: String) throws {
        let ok = !id.isEmpty && id.utf8.count <= 1024 && id != "." && id != ".."
            && id.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_+-.".unicodeScalars.contains($0)) }
        if !ok { throw RuntimeError("validate container id", id.debugDescription, detail: "invalid id format") }
    }

    /// Create the container's directory; fails if the id is taken.
    public func reserve(_ id: String) throws {
        try StateStore.validate(id: id)
        try FileIO.makeDirectories(root, mode: 0o711)
        if mkdir(dir(id), 0o711) != 0 {
            if errno == EEXIST { throw RuntimeError("create container", id, detail: "container with id exists") }
            throw RuntimeError.errno("create container state directory", dir(id))
        }
    }

    public func save(_ record: ContainerRecord) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let data = try enc.encode(record)
        try FileIO.writeAtomically(statePath(record.id), Array(data), step: "write container state", durable: false)
    }

    public func load(_ id: String) throws -> ContainerRecord {
        try StateStore.validate(id: id)
        guard FileIO.exists(statePath(id)) else {
            throw RuntimeError("load container", id, detail: "container does not exist")
        }
        let bytes = try FileIO.read(statePath(id), step: "read container state")
        do {
            return try JSONDecoder().decode(ContainerRecord.self, from: Data(bytes))
        } catch {
            throw RuntimeError("decode container state", statePath(id), detail: "\(error)")
        }
    }

    public func exitRecord(_ id: String) -> ExitRecord? {
        guard let bytes = try? FileIO.read(exitPath(id)) else { return nil }
        return try? JSONDecoder().decode(ExitRecord.self, from: Data(bytes))
    }

    /// Container ids with a state file.
    public func ids() -> [String] {
        ((try? FileIO.list(root)) ?? []).filter { FileIO.exists(statePath($0)) }
    }

    public func remove(_ id: String) throws { try FileIO.removeTree(dir(id)) }

    /// OCI status from the record, the exit file, the fifo and /proc.
    public func status(of r: ContainerRecord) -> ContainerStatus {
        if FileIO.exists(exitPath(r.id)) { return .stopped }
        guard ProcFS.isAlive(r.pid, startTime: r.pidStartTime) else { return .stopped }
        return FileIO.exists(fifoPath(r.id)) ? .created : .running
    }

    public func ociState(of r: ContainerRecord) -> State {
        let st = status(of: r)
        return State(
            id: r.id, status: st, pid: st == .stopped ? 0 : r.pid, bundle: r.bundle, annotations: r.annotations,
            rootfs: r.rootfs, created: r.created)
    }
}
