#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import Synchronization

/// Compiled seccomp programs, kept in memory (thread-safe) and, when a directory is given, on disk so a restarted
/// `bootlet` does not pay libseccomp again (crun does the same under its state dir; runc and containerd do not
/// cache and pay 10-13 ms per container, runtime-anchors A.4).
///
/// Layout: `<directory>/<SeccompCacheKey.hex>.bpf` (format in `SeccompCacheFile`), directory mode 0700, files
/// 0600, written to a temporary name and renamed into place so readers never see a partial file. A file that
/// fails validation is counted, logged and recompiled (then overwritten). Disk errors never fail a compile: the
/// cache is an optimisation.
public final class SeccompCache: Sendable {
    public struct Statistics: Sendable, Equatable {
        public var memoryHits = 0
        public var diskHits = 0
        /// Cache misses that ran the compiler (libseccomp).
        public var compiles = 0
        public var corruptFiles = 0
        public var diskWriteFailures = 0
        public init() {}
    }

    private struct State {
        var programs: [SeccompCacheKey: SeccompProgram] = [:]
        var order: [SeccompCacheKey] = []
        var stats = Statistics()
    }

    /// nil: memory only.
    public let directory: String?
    /// Entries kept in memory; the oldest is dropped beyond this (distinct profiles on a node are few).
    public let memoryLimit: Int
    private let state = Mutex(State())
    private let logger: Logger

    public init(directory: String?, memoryLimit: Int = 64, logger: Logger = Logger(label: "bootlet.seccomp")) {
        self.directory = directory
        self.memoryLimit = max(1, memoryLimit)
        self.logger = logger
    }

    /// `<stateRoot>/seccomp-cache`, the conventional directory under the runtime's state root.
    public static func directory(stateRoot: String) -> String { stateRoot + "/seccomp-cache" }

    private static let registry = Mutex<[String: SeccompCache]>([:])

    /// The process-wide cache for `directory` (one instance per directory; nil is the memory-only one).
    public static func shared(directory: String?) -> SeccompCache {
        registry.withLock { r in
            let k = directory ?? ""
            if let c = r[k] { return c }
            let c = SeccompCache(directory: directory)
            r[k] = c
            return c
        }
    }

    public var statistics: Statistics { state.withLock { $0.stats } }

    /// Where `key` lives on disk (nil for a memory-only cache).
    public func path(for key: SeccompCacheKey) -> String? { directory.map { "\($0)/\(key.hex).bpf" } }

    /// The program for `key`: from memory, else from disk, else `compile()` (then stored in both).
    /// `compile` runs outside the lock; two threads missing the same key at once both compile, harmlessly.
    public func program(for key: SeccompCacheKey, compile: () throws -> SeccompProgram) rethrows -> SeccompProgram {
        let cached = state.withLock { s -> SeccompProgram? in
            guard let p = s.programs[key] else { return nil }
            s.stats.memoryHits += 1
            return p
        }
        if let cached { return cached }

        let path = path(for: key)
        if let path, let program = load(path: path, key: key) {
            remember(key, program) { $0.diskHits += 1 }
            return program
        }
        let program = try compile()
        remember(key, program) { $0.compiles += 1 }
        if let path, let directory { store(program, key: key, path: path, directory: directory) }
        return program
    }

    private func remember(_ key: SeccompCacheKey, _ program: SeccompProgram, count: (inout Statistics) -> Void) {
        state.withLock { s in
            count(&s.stats)
            if s.programs.updateValue(program, forKey: key) == nil {
                s.order.append(key)
                while s.order.count > memoryLimit { s.programs[s.order.removeFirst()] = nil }
            }
        }
    }

    // MARK: disk

    private func load(path: String, key: SeccompCacheKey) -> SeccompProgram? {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(path, step: "read", limit: SeccompCacheFile.maxFileSize)
        } catch {
            if (error as? RuntimeError)?.errno != ENOENT { logger.warning("seccomp cache: \(error)") }
            return nil
        }
        if let program = SeccompCacheFile.decode(bytes, key: key) { return program }
        state.withLock { $0.stats.corruptFiles += 1 }
        logger.warning("seccomp cache: \(path) is corrupt or from another version (\(bytes.count) bytes); recompiling")
        return nil
    }

    /// Written atomically (temp file, rename) without fsync: a torn or lost file is detected and recompiled.
    private func store(_ program: SeccompProgram, key: SeccompCacheKey, path: String, directory: String) {
        do {
            try FileIO.makeDirectories(directory, mode: 0o700)
            try FileIO.writeAtomically(path, SeccompCacheFile.encode(program, key: key), mode: 0o600, step: "store", durable: false)
        } catch {
            state.withLock { $0.stats.diskWriteFailures += 1 }
            logger.warning("seccomp cache: \(error)")
        }
    }
}
