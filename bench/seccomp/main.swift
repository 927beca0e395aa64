// Seccomp compile vs cache-hit timing (bench/seccomp-cache.sh builds this in release mode and runs it).
//
// Measures, in one process: libseccomp compiles of RuntimeDefault (3 arches as containerd ships it, and x86_64
// only), the RuntimeDefault hot path on a memory hit (cheap key), an arbitrary-profile memory hit (canonical
// serialization + SHA-256 + lookup), and a disk hit (fresh memory cache: read + validate one file).
#if canImport(Glibc)
import Glibc
#endif
import BootletRuntime
import OCISpec

let clock = ContinuousClock()

func measure(_ label: String, iterations: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()  // warm-up
    var samples: [Double] = []
    samples.reserveCapacity(iterations)
    for _ in 0..<iterations {
        let start = clock.now
        try body()
        let d = clock.now - start
        samples.append(Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12)
    }
    samples.sort()
    let median = samples[samples.count / 2]
    let p90 = samples[samples.count * 9 / 10]
    let pad = String(repeating: " ", count: max(0, 52 - label.count))
    print("\(label)\(pad) median \(fmt(median)) us   p90 \(fmt(p90)) us   (n=\(iterations))")
    return median
}

func fmt(_ v: Double) -> String {
    let r = (v * 10).rounded() / 10
    return String(describing: r)
}

// The first cache key of a process also fingerprints libseccomp's syscall-name table (once).
let tiny = LinuxSeccomp(defaultAction: .errno, syscalls: [LinuxSyscall(names: ["getpid"], action: .allow)])
let firstStart = clock.now
_ = SeccompCacheKey(profile: tiny)
let first = clock.now - firstStart
let secondStart = clock.now
_ = SeccompCacheKey(profile: tiny)
let second = clock.now - secondStart
print("first cache key in this process (syscall-table fingerprint): \(first), next key: \(second)")

let caps = Set(Capability.containerdDefault)
let full = RuntimeDefaultProfile.profile(boundingCapabilities: caps)
var only64 = full
only64.architectures = [.x86_64]

let compiled = try SeccompCompiler.compileUncached(full)
let compiled64 = try SeccompCompiler.compileUncached(only64)
print("libseccomp \(SeccompCompiler.libseccompVersion), kernel \(KernelRelease.running.map { "\($0)" } ?? "?")")
print("RuntimeDefault (containerd default caps): \(compiled.instructionCount) instructions with x86_64+x86+x32, "
    + "\(compiled64.instructionCount) with x86_64 only; \(compiled.warnings.count) warnings")

let cold3 = try measure("compile RuntimeDefault, 3 arches (libseccomp)", iterations: 30) {
    _ = try SeccompCompiler.compileUncached(full)
}
let cold1 = try measure("compile RuntimeDefault, x86_64 only (libseccomp)", iterations: 30) {
    _ = try SeccompCompiler.compileUncached(only64)
}
let memCache = SeccompCache(directory: nil)
_ = try SeccompCompiler.runtimeDefault(boundingCapabilities: caps, cache: memCache)
let hotRD = try measure("RuntimeDefault memory hit (cheap key)", iterations: 20000) {
    _ = try SeccompCompiler.runtimeDefault(boundingCapabilities: caps, cache: memCache)
}
_ = try SeccompCompiler.compile(full, cache: memCache)
let hotFull = try measure("any-profile memory hit (build+hash 370 names)", iterations: 2000) {
    _ = try SeccompCompiler.compile(RuntimeDefaultProfile.profile(boundingCapabilities: caps), cache: memCache)
}

var template = Array("/tmp/bootlet-seccomp-bench-XXXXXX".utf8CString)
let dir = String(cString: template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }!)
_ = try SeccompCompiler.runtimeDefault(boundingCapabilities: caps, cache: SeccompCache(directory: dir))
let disk = try measure("RuntimeDefault disk hit (fresh memory cache)", iterations: 500) {
    let c = SeccompCache(directory: dir)
    _ = try SeccompCompiler.runtimeDefault(boundingCapabilities: caps, cache: c)
    precondition(c.statistics.diskHits == 1)
}
// Clean up the one cache file and the directory.
for name in (try? listFiles(dir)) ?? [] { unlink(dir + "/" + name) }
rmdir(dir)

print("ratio compile(3 arches) / memory hit (RuntimeDefault key): \(Int((cold3 / hotRD).rounded()))x")
print("ratio compile(3 arches) / disk hit:                        \(Int((cold3 / disk).rounded()))x")
print("ratio compile(3 arches) / compile(x86_64 only):            \(fmt(cold3 / cold1))x")
print("ratio any-profile hit / RuntimeDefault hit:                \(fmt(hotFull / hotRD))x")

func listFiles(_ path: String) throws -> [String] {
    guard let d = opendir(path) else { return [] }
    defer { closedir(d) }
    var out: [String] = []
    while let e = readdir(d) {
        let n = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if n != "." && n != ".." { out.append(n) }
    }
    return out
}
