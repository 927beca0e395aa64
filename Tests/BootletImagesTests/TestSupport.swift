import BootletImages
import Foundation
import Testing

/// A minimal tar writer for tests: writes exactly the headers it is told to (including hostile names that real
/// tools refuse to produce), with pax extended headers for xattrs.
struct TarBuilder {
    private(set) var bytes: [UInt8] = []

    enum Kind: UInt8 {
        case file = 48, hardlink = 49, symlink = 50, char = 51, block = 52, dir = 53, fifo = 54, pax = 120
    }

    private static func octal(_ v: Int, _ width: Int) -> [UInt8] {
        let s = String(v, radix: 8)
        let padded = String(repeating: "0", count: max(0, width - 1 - s.count)) + s
        return Array(padded.utf8) + [0]
    }

    private mutating func header(_ name: String, _ kind: Kind, mode: Int, uid: Int, gid: Int, size: Int, mtime: Int,
                                 linkname: String, major: Int, minor: Int) {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ off: Int, _ b: [UInt8]) { for (i, c) in b.enumerated() { h[off + i] = c } }
        precondition(name.utf8.count < 100 && linkname.utf8.count < 100, "test tar names must be < 100 bytes")
        put(0, Array(name.utf8))
        put(100, Self.octal(mode, 8))
        put(108, Self.octal(uid, 8))
        put(116, Self.octal(gid, 8))
        put(124, Self.octal(size, 12))
        put(136, Self.octal(mtime, 12))
        put(148, Array("        ".utf8))
        h[156] = kind.rawValue
        put(157, Array(linkname.utf8))
        put(257, Array("ustar\0".utf8))
        put(263, Array("00".utf8))
        put(329, Self.octal(major, 8))
        put(337, Self.octal(minor, 8))
        let sum = h.reduce(0) { $0 + Int($1) }
        put(148, Self.octal(sum, 7) + [32])
        bytes += h
    }

    private mutating func body(_ content: [UInt8]) {
        bytes += content
        let pad = (512 - content.count % 512) % 512
        bytes += [UInt8](repeating: 0, count: pad)
    }

    mutating func add(_ name: String, _ kind: Kind = .file, content: [UInt8] = [], mode: Int = 0o644, uid: Int = 0,
                      gid: Int = 0, mtime: Int = 1_700_000_000, linkname: String = "", major: Int = 0, minor: Int = 0,
                      xattrs: [String: String] = [:]) {
        if !xattrs.isEmpty {
            var recs: [UInt8] = []
            for (k, v) in xattrs.sorted(by: { $0.key < $1.key }) {
                let text = " SCHILY.xattr.\(k)=\(v)\n"
                var len = text.utf8.count + 1
                while String(len).count + text.utf8.count != len { len = String(len).count + text.utf8.count }
                recs += Array("\(len)\(text)".utf8)
            }
            header("PaxHeaders/\(name.prefix(80))", .pax, mode: 0o644, uid: 0, gid: 0, size: recs.count, mtime: mtime,
                   linkname: "", major: 0, minor: 0)
            body(recs)
        }
        header(name, kind, mode: mode, uid: uid, gid: gid, size: kind == .file ? content.count : 0, mtime: mtime,
               linkname: linkname, major: major, minor: minor)
        if kind == .file { body(content) }
    }

    mutating func file(_ name: String, _ text: String, mode: Int = 0o644) { add(name, content: Array(text.utf8), mode: mode) }
    mutating func dir(_ name: String, mode: Int = 0o755) { add(name, .dir, mode: mode) }

    func finish() -> [UInt8] { bytes + [UInt8](repeating: 0, count: 1024) }
}

enum Shell {
    /// Run a command line with /bin/sh; returns (status, stdout+stderr).
    @discardableResult
    static func run(_ cmd: String, check: Bool = true) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", cmd]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        if check && p.terminationStatus != 0 {
            throw TestFailure("command failed (\(p.terminationStatus)): \(cmd)\n\(out)")
        }
        return (p.terminationStatus, out)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A scratch directory with a random name, removed (after unmounting anything under it) when the test ends.
final class Scratch {
    let path: String

    init(_ tag: String) throws {
        path = "/tmp/bootlet-images-test-\(tag)-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func sub(_ name: String) throws -> String {
        let p = "\(path)/\(name)"
        try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }

    /// Mount points under the scratch dir, deepest first.
    func mounts() -> [String] {
        guard let info = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return [] }
        return info.split(separator: "\n").compactMap { line -> String? in
            let f = line.split(separator: " ")
            guard f.count > 4 else { return nil }
            let mp = String(f[4])
            return mp.hasPrefix(path + "/") ? mp : nil
        }.sorted { $0.count > $1.count }
    }

    deinit {
        for m in mounts() { _ = umount2(m, Int32(MNT_DETACH)) }
        try? FileManager.default.removeItem(atPath: path)
    }
}

func write(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func read(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
}

func sha(_ bytes: [UInt8]) -> Digest { Digest.of(Data(bytes)) }

/// Writes OCI image layouts by hand (blobs, config, manifest, index) so tests control every byte.
struct LayoutWriter {
    let dir: String

    init(_ dir: String) throws {
        self.dir = dir
        try FileManager.default.createDirectory(atPath: dir + "/blobs/sha256", withIntermediateDirectories: true)
        try write(dir + "/oci-layout", Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
    }

    @discardableResult
    func blob(_ bytes: [UInt8]) throws -> Digest {
        let d = sha(bytes)
        try write("\(dir)/blobs/sha256/\(d.hex)", bytes)
        return d
    }

    enum Compression: String { case none, gzip, zstd }

    /// Add an image from uncompressed layer tars; returns (manifest digest, config digest, layer blob digests).
    @discardableResult
    func image(layers: [[UInt8]], compress: [Compression]? = nil, name: String?, arch: String = "amd64",
               cmd: [String]? = nil, entrypoint: [String]? = nil) throws -> (Digest, Digest, [Digest]) {
        var descs: [String] = []
        var blobs: [Digest] = []
        for (i, tar) in layers.enumerated() {
            let c = compress?[i] ?? Compression.none
            var stored = tar
            var type = "application/vnd.oci.image.layer.v1.tar"
            if c != .none {
                let tmp = "\(dir)/.tmp-layer"
                try write(tmp, tar)
                try Shell.run(c == .gzip ? "gzip -n -c \(tmp) > \(tmp).c" : "zstd -q -c \(tmp) > \(tmp).c")
                stored = Array(try Data(contentsOf: URL(fileURLWithPath: tmp + ".c")))
                try FileManager.default.removeItem(atPath: tmp)
                try FileManager.default.removeItem(atPath: tmp + ".c")
                type += c == .gzip ? "+gzip" : "+zstd"
            }
            let d = try blob(stored)
            blobs.append(d)
            descs.append(#"{"mediaType":"\#(type)","digest":"\#(d)","size":\#(stored.count)}"#)
        }
        let diffs = layers.map { "\"\(sha($0))\"" }.joined(separator: ",")
        func arr(_ a: [String]?) -> String { a.map { "[" + $0.map { "\"\($0)\"" }.joined(separator: ",") + "]" } ?? "null" }
        let config = Array(#"{"architecture":"\#(arch)","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":\#(arr(cmd)),"Entrypoint":\#(arr(entrypoint)),"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":[\#(diffs)]}}"#.utf8)
        let c = try blob(config)
        let manifest = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(c)","size":\#(config.count)},"layers":[\#(descs.joined(separator: ","))]}"#.utf8)
        let m = try blob(manifest)
        var index: [String] = []
        if let existing = try? read(dir + "/index.json"),
           let r = existing.range(of: #""manifests":["#), let end = existing.range(of: "]}", options: .backwards) {
            let inner = String(existing[r.upperBound..<end.lowerBound])
            if !inner.isEmpty { index.append(inner) }
        }
        let ann = name.map { #","annotations":{"org.opencontainers.image.ref.name":"\#($0)"}"# } ?? ""
        index.append(#"{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(m)","size":\#(manifest.count),"platform":{"architecture":"\#(arch)","os":"linux"}\#(ann)}"#)
        try write(dir + "/index.json", Array(#"{"schemaVersion":2,"manifests":[\#(index.joined(separator: ","))]}"#.utf8))
        return (m, c, blobs)
    }
}

/// A layer tar holding a static busybox as /bin/busybox with /bin/sh, /bin/cat, /bin/ls links.
func busyboxLayer(extra: (inout TarBuilder) -> Void = { _ in }) throws -> [UInt8] {
    var t = TarBuilder()
    t.dir("bin/")
    t.add("bin/busybox", content: Array(try Data(contentsOf: URL(fileURLWithPath: "/bin/busybox"))), mode: 0o755)
    for tool in ["sh", "cat", "ls", "stat"] { t.add("bin/\(tool)", .symlink, linkname: "busybox") }
    extra(&t)
    return t.finish()
}

/// Runs a shell command as a container on a prepared rootfs with `bootlet oci run` (new pid, mount, ipc and uts
/// namespaces, /proc mounted) and returns what it printed. The bundle and the runtime state are removed afterwards.
func inRootfs(_ rootfs: String, _ cmd: String) throws -> String {
    let bundle = NSTemporaryDirectory() + "bl-img-run-" + UUID().uuidString.prefix(8)
    try FileManager.default.createDirectory(atPath: bundle, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: bundle) }
    let config: [String: Any] = [
        "ociVersion": "1.0.2",
        "process": [
            "args": ["/bin/sh", "-c", cmd], "cwd": "/", "env": ["PATH=/bin:/usr/bin"],
            "user": ["uid": 0, "gid": 0],
        ],
        "root": ["path": rootfs],
        "hostname": "img-test",
        "mounts": [["destination": "/proc", "type": "proc", "source": "proc"]],
        "linux": ["namespaces": [["type": "pid"], ["type": "mount"], ["type": "ipc"], ["type": "uts"]]],
    ]
    try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: bundle + "/config.json"))
    let id = "img-" + bundle.suffix(8)
    let (status, out) = try Shell.run(
        "'\(try bootletBinary())' oci --root '\(bundle)/state' run --bundle '\(bundle)' \(id)", check: false
    )
    if status != 0 { throw TestFailure("bootlet oci run on \(rootfs) failed (\(status)): \(cmd)\n\(out)") }
    return out
}

/// The `bootlet` executable built next to the test bundle.
func bootletBinary() throws -> String {
    var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
    // swift-testing runs inside `<config>/bootletPackageTests.xctest`; the products sit beside it.
    if dir.hasSuffix(".xctest") { dir = URL(fileURLWithPath: dir).deletingLastPathComponent().path }
    let p = dir + "/bootlet"
    guard FileManager.default.isExecutableFile(atPath: p) else { throw TestFailure("bootlet binary not built at \(p)") }
    return p
}
