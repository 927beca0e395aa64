import FoundationEssentials
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Every flag the `bootlet` binary accepts is documented in docs/cli.md (DEVELOPERS rule 6).
@Suite("CLI documentation")
struct CLIDocsTests {
    static let packageRoot: String = {
        var p = #filePath
        for _ in 0..<3 { p = String(p[..<p.lastIndex(of: "/")!]) }
        return p
    }()

    func bootlet() -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, 4095)
        var dir = String(decoding: buf[0..<max(0, n)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        dir = String(dir[..<dir.lastIndex(of: "/")!])
        if dir.hasSuffix(".xctest") { dir = String(dir[..<dir.lastIndex(of: "/")!]) }
        return dir + "/bootlet"
    }

    func dumpHelp() throws -> [UInt8] {
        let out = "/tmp/bootlet-dump-\(getpid()).json"
        defer { unlink(out) }
        let rc = system("'\(bootlet())' --experimental-dump-help > \(out)")
        #expect(rc == 0)
        let fd = open(out, O_RDONLY)
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return bytes
    }

    struct Dump: Decodable { var command: Command }
    struct Command: Decodable {
        var commandName: String
        var arguments: [Argument]?
        var subcommands: [Command]?
    }
    struct Argument: Decodable {
        var kind: String
        var names: [Name]?
    }
    struct Name: Decodable {
        var kind: String
        var name: String
    }

    @Test func everyFlagIsInDocsCLI() throws {
        let dump = try JSONDecoder().decode(Dump.self, from: Data(try dumpHelp()))
        let fd = open(CLIDocsTests.packageRoot + "/docs/cli.md", O_RDONLY)
        #expect(fd >= 0, "docs/cli.md exists")
        var doc: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while fd >= 0 {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            doc += chunk[0..<n]
        }
        close(fd)
        let text = String(decoding: doc, as: UTF8.self)
        var missing: [String] = []
        func walk(_ c: Command, _ path: [String]) {
            let full = (path + [c.commandName]).joined(separator: " ")
            if c.commandName != "help" && !text.contains("`\(full)`") { missing.append("command \(full)") }
            for a in c.arguments ?? [] {
                for n in a.names ?? [] where n.kind == "long" && n.name != "help" && n.name != "version" {
                    if !text.contains("`--\(n.name)`") { missing.append("\(full) --\(n.name)") }
                }
            }
            for s in c.subcommands ?? [] { walk(s, path + [c.commandName]) }
        }
        walk(dump.command, [])
        #expect(missing.isEmpty, "not in docs/cli.md (run docs/gen-cli.py): \(missing)")
    }
}
