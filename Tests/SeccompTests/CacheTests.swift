import BootletRuntime
import OCISpec
import Testing

@Suite("SeccompCache: compile once per distinct profile, in memory and on disk")
struct CacheTests {
    static let profile = Support.profile(
        arches: [.x86_64], [LinuxSyscall(names: ["getpid", "read", "write", "exit_group"], action: .allow)])

    @Test("a second compile of the same profile is a memory hit and does not run libseccomp")
    func memoryHit() throws {
        let cache = SeccompCache(directory: nil)
        let a = try SeccompCompiler.compile(Self.profile, cache: cache)
        #expect(cache.statistics.compiles == 1)
        let b = try SeccompCompiler.compile(Self.profile, cache: cache)
        #expect(a == b)
        #expect(cache.statistics.compiles == 1, "no second compile")
        #expect(cache.statistics.memoryHits == 1)

        var other = Self.profile
        other.syscalls?[0].names.append("close")
        _ = try SeccompCompiler.compile(other, cache: cache)
        #expect(cache.statistics.compiles == 2, "a different profile is a different key")
    }

    @Test("a hit never calls the compile closure")
    func hitSkipsClosure() throws {
        let cache = SeccompCache(directory: nil)
        let key = SeccompCacheKey(profile: Self.profile)
        let p = try cache.program(for: key) { try SeccompCompiler.compileUncached(Self.profile) }
        let q = try cache.program(for: key) {
            Issue.record("compile closure called on a hit")
            return SeccompProgram(bytes: [], flags: 0, warnings: [])
        }
        #expect(p == q)
    }

    @Test("the key is stable, 64 hex digits, and changes with anything that changes the BPF")
    func keys() {
        let k = SeccompCacheKey(profile: Self.profile)
        #expect(k.hex.count == 64)
        #expect(k.hex.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(k == SeccompCacheKey(profile: Self.profile))
        var a = Self.profile
        a.defaultErrnoRet = 1
        var b = Self.profile
        b.syscalls?[0].args = [LinuxSeccompArg(index: 0, value: 1, op: .equalTo)]
        var c = Self.profile
        c.architectures = [.x86_64, .x86]
        var d = Self.profile
        d.flags = [.log]
        let keys = Set([k, SeccompCacheKey(profile: a), SeccompCacheKey(profile: b), SeccompCacheKey(profile: c),
                        SeccompCacheKey(profile: d)])
        #expect(keys.count == 5)
    }

    @Test("the disk file appears, atomically, and a fresh in-memory cache re-uses it without compiling")
    func diskReuse() throws {
        let dir = try Support.temporaryDirectory()
        defer { Support.removeTree(dir) }
        let cacheDir = SeccompCache.directory(stateRoot: dir)
        let first = SeccompCache(directory: cacheDir)
        let p = try SeccompCompiler.compile(Self.profile, cache: first)
        let key = SeccompCacheKey(profile: Self.profile)
        let path = try #require(first.path(for: key))
        #expect(path == "\(dir)/seccomp-cache/\(key.hex).bpf")
        let file = try #require(Support.readFile(path))
        #expect(file.count % 8 == 0)
        #expect(Array(file.prefix(7)) == Array("BLSCBPF".utf8))
        #expect(Support.listDirectory(cacheDir) == ["\(key.hex).bpf"], "no temporary files left behind")

        let second = SeccompCache(directory: cacheDir)
        let q = try SeccompCompiler.compile(Self.profile, cache: second)
        #expect(q == p)
        #expect(second.statistics.diskHits == 1)
        #expect(second.statistics.compiles == 0)
        _ = try SeccompCompiler.compile(Self.profile, cache: second)
        #expect(second.statistics.memoryHits == 1, "after a disk hit the entry is in memory")
    }

    @Test("warnings survive the disk round trip")
    func diskWarnings() throws {
        let dir = try Support.temporaryDirectory()
        defer { Support.removeTree(dir) }
        let profile = Support.profile([LinuxSyscall(names: ["getpid", "not_a_syscall_abc"], action: .allow)])
        let p = try SeccompCompiler.compile(profile, cache: SeccompCache(directory: dir))
        #expect(p.warnings.count == 1)
        let fresh = SeccompCache(directory: dir)
        #expect(try SeccompCompiler.compile(profile, cache: fresh) == p)
        #expect(fresh.statistics.diskHits == 1)
    }

    @Test("a corrupt, truncated or foreign cache file is detected, recompiled and replaced",
          arguments: ["flip", "truncate", "version", "garbage", "empty", "renamed"])
    func corruptFile(kind: String) throws {
        let dir = try Support.temporaryDirectory()
        defer { Support.removeTree(dir) }
        let original = try SeccompCompiler.compile(Self.profile, cache: SeccompCache(directory: dir))
        let key = SeccompCacheKey(profile: Self.profile)
        let path = "\(dir)/\(key.hex).bpf"
        var bytes = try #require(Support.readFile(path))
        switch kind {
        case "flip": bytes[40] ^= 0x01  // inside the program
        case "truncate": bytes.removeLast(3)
        case "version": bytes[8] = 99
        case "garbage": bytes = Array(repeating: 0xAB, count: bytes.count)
        case "empty": bytes = []
        default:
            // A valid file of another profile under this key's name.
            var other = Self.profile
            other.defaultErrnoRet = 13
            _ = try SeccompCompiler.compile(other, cache: SeccompCache(directory: dir))
            bytes = try #require(Support.readFile("\(dir)/\(SeccompCacheKey(profile: other).hex).bpf"))
        }
        Support.writeFile(path, bytes)

        let cache = SeccompCache(directory: dir)
        let p = try SeccompCompiler.compile(Self.profile, cache: cache)
        #expect(p == original)
        #expect(cache.statistics.corruptFiles == 1)
        #expect(cache.statistics.compiles == 1)
        #expect(cache.statistics.diskHits == 0)

        let again = SeccompCache(directory: dir)
        _ = try SeccompCompiler.compile(Self.profile, cache: again)
        #expect(again.statistics.diskHits == 1, "the bad file was replaced by a good one")
    }

    @Test("an unwritable cache directory does not fail the compile")
    func unwritable() throws {
        let dir = try Support.temporaryDirectory()
        defer { Support.removeTree(dir) }
        Support.writeFile("\(dir)/blocker", [1])  // a file where the cache directory should be
        let cache = SeccompCache(directory: "\(dir)/blocker/cache")
        let p = try SeccompCompiler.compile(Self.profile, cache: cache)
        #expect(p.instructionCount > 0)
        #expect(cache.statistics.diskWriteFailures == 1)
    }

    @Test("RuntimeDefault is keyed by its inputs: capabilities the profile ignores share one program")
    func runtimeDefaultKey() throws {
        let cache = SeccompCache(directory: nil)
        let base = Set(Capability.containerdDefault)
        let a = try SeccompCompiler.runtimeDefault(boundingCapabilities: base, cache: cache)
        #expect(cache.statistics.compiles == 1)
        var withIgnored = base
        withIgnored.insert("CAP_IPC_LOCK")
        withIgnored.remove("CAP_CHOWN")
        let b = try SeccompCompiler.runtimeDefault(boundingCapabilities: withIgnored, cache: cache)
        #expect(b == a)
        #expect(cache.statistics.compiles == 1)
        #expect(cache.statistics.memoryHits == 1)

        var admin = base
        admin.insert(.sysAdmin)
        let c = try SeccompCompiler.runtimeDefault(boundingCapabilities: admin, cache: cache)
        #expect(c != a)
        #expect(cache.statistics.compiles == 2)

        // Same BPF as compiling the full profile.
        let full = try SeccompCompiler.compileUncached(RuntimeDefaultProfile.profile(boundingCapabilities: base))
        #expect(full == a)
    }

    @Test("the process-wide cache is one instance per directory")
    func shared() {
        #expect(SeccompCache.shared(directory: nil) === SeccompCache.shared(directory: nil))
        #expect(SeccompCache.shared(directory: "/tmp/x-bootlet-a") !== SeccompCache.shared(directory: "/tmp/x-bootlet-b"))
    }

    @Test("concurrent compiles through one cache all get the same program")
    func concurrent() async throws {
        let cache = SeccompCache(directory: nil)
        let programs = try await withThrowingTaskGroup(of: SeccompProgram.self) { group in
            for _ in 0..<8 { group.addTask { try SeccompCompiler.compile(Self.profile, cache: cache) } }
            return try await group.reduce(into: [SeccompProgram]()) { $0.append($1) }
        }
        #expect(Set(programs).count == 1)
        let s = cache.statistics
        #expect(s.compiles + s.memoryHits == 8)
        #expect(s.compiles >= 1)
    }

    @Test("the memory cache is bounded")
    func bounded() throws {
        let cache = SeccompCache(directory: nil, memoryLimit: 2)
        for e in UInt32(1)...3 {
            var p = Self.profile
            p.defaultErrnoRet = e
            _ = try SeccompCompiler.compile(p, cache: cache)
        }
        var first = Self.profile
        first.defaultErrnoRet = 1
        _ = try SeccompCompiler.compile(first, cache: cache)
        #expect(cache.statistics.compiles == 4, "the oldest entry was evicted")
    }
}
