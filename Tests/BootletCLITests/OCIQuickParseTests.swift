import ArgumentParser
import FoundationEssentials
import Testing

@testable import BootletOCICLI

/// The quick path for the per-container `bootlet oci` verbs must never disagree with ArgumentParser: for every
/// command line it accepts, ArgumentParser yields the same invocation, and its option tables are exactly the
/// options the commands declare.
@Suite("oci quick parse")
struct OCIQuickParseTests {
    /// What ArgumentParser makes of a command line (nil when it rejects it or it is not a per-container verb).
    static func viaArgumentParser(_ args: [String]) -> OCIInvocation? {
        // `bootlet` only routes `oci ...` to OCICommand, so parsing from there is what the binary does.
        guard args.first == "oci", let cmd = try? OCICommand.parseAsRoot(Array(args.dropFirst())) else { return nil }
        switch cmd {
        case let c as OCICreateCommand: return c.invocation
        case let c as OCIRunCommand: return c.invocation
        case let c as OCIStartCommand: return c.invocation
        case let c as OCIStateCommand: return c.invocation
        case let c as OCIKillCommand: return c.invocation
        case let c as OCIDeleteCommand: return c.invocation
        default: return nil
        }
    }

    /// Plain command lines, as containerd, the benchmarks and people write them: the quick path takes each.
    static let plain: [String] = [
        "oci run c1",
        "oci --root /run/x run -b /b c1",
        "oci --root=/run/x run --bundle=/b c1",
        "oci --root /r --log /l --log-format json run --bundle /b --pid-file /p --log-path /c.log --no-pivot c1",
        "oci --debug --systemd-cgroup run -d c1",
        "oci run c1 --detach --no-new-keyring",
        "oci run --console-socket /s c1",
        "oci create -b /b --pid-file /p c2",
        "oci create --preserve-fds 0 c2",
        "oci create --preserve-fds=3 c2",
        "oci start c3",
        "oci --root /r state c4",
        "oci kill c5",
        "oci kill c5 KILL",
        "oci kill -a c5 9",
        "oci kill c5 --all SIGTERM",
        "oci delete c6",
        "oci delete -f c6",
        "oci --log=/l delete --force c6",
        "oci state \"\"",
    ]

    /// Lines the quick path must hand to ArgumentParser (help, errors, unusual spellings).
    static let deferred: [String] = [
        "", "oci", "oci --help", "oci run", "oci run --help", "oci run -h c1", "oci help run", "oci list",
        "oci run c1 c2", "oci run -db c1", "oci run -b", "oci run -b -d c1", "oci run -- c1", "oci run --bogus c1",
        "oci run --bundle /a --bundle /b c1", "oci run -b /a --bundle /b c1", "oci run --detach=yes c1",
        "oci run c1 --root /r", "oci --root run c1", "oci kill c5 -9", "oci kill c5 TERM extra",
        "oci create --preserve-fds x c2", "oci state -x c4", "oci delete c6 -f -f", "image list", "kubelet",
        "oci --version", "oci run --pid-file", "oci start",
    ]

    static func split(_ line: String) -> [String] {
        line.split(separator: " ").map { $0 == "\"\"" ? "" : String($0) }
    }

    @Test("plain command lines take the quick path and match ArgumentParser", arguments: plain)
    func plainLines(_ line: String) throws {
        let args = Self.split(line)
        let quick = try #require(OCIQuickParse.parse(args), "quick path refused: \(line)")
        let ap = try #require(Self.viaArgumentParser(args), "ArgumentParser refused: \(line)")
        #expect(quick == ap)
    }

    @Test("everything else goes to ArgumentParser", arguments: deferred)
    func deferredLines(_ line: String) {
        #expect(OCIQuickParse.parse(Self.split(line)) == nil)
    }

    @Test("values land where ArgumentParser puts them")
    func values() throws {
        let inv = try #require(
            OCIQuickParse.parse(Self.split("oci --root /r --log /l --log-format json run --bundle /b --pid-file /p --log-path /c.log --no-pivot -d c1"))
        )
        #expect(inv.globals == OCIInvocation.Globals(root: "/r", log: "/l", logFormat: "json"))
        var l = OCIInvocation.Launch(id: "c1", bundle: "/b", pidFile: "/p", noPivot: true, logPath: "/c.log")
        l.detach = true
        #expect(inv.verb == .run(l))
        #expect(OCIQuickParse.parse(["oci", "kill", "x"])?.verb == .kill(id: "x", signal: "SIGTERM", all: false))
    }

    /// The tables match the declarations: every option of `oci` and of each verb, with its arity.
    @Test("option tables equal the commands' declared options")
    func tablesMatchDeclarations() throws {
        func declared(_ type: ParsableCommand.Type) -> [String: OCIQuickParse.Kind] {
            var out: [String: OCIQuickParse.Kind] = [:]
            let info = type._dumpHelp()
            let data = Data(info.utf8)
            guard let dump = try? JSONDecoder().decode(Dump.self, from: data) else { return [:] }
            for a in dump.command.arguments ?? [] where a.kind != "positional" {
                for n in a.names ?? [] where n.name != "help" && n.name != "version" {
                    out[(n.kind == "short" ? "-" : "--") + n.name] = a.kind == "flag" ? .flag : .value
                }
            }
            return out
        }
        func same(_ a: [String: OCIQuickParse.Kind], _ b: [String: OCIQuickParse.Kind]) -> Bool {
            a.count == b.count && a.allSatisfy { k, v in b[k].map { "\($0)" } == "\(v)" }
        }
        func table(_ t: [(String, OCIQuickParse.Kind)]) -> [String: OCIQuickParse.Kind] {
            Dictionary(t, uniquingKeysWith: { a, _ in a })
        }
        #expect(same(declared(OCICommand.self).filter { $0.key != "-h" }, table(OCIQuickParse.globalOptions)))
        let verbs: [(String, ParsableCommand.Type)] = [
            ("create", OCICreateCommand.self), ("run", OCIRunCommand.self), ("start", OCIStartCommand.self),
            ("state", OCIStateCommand.self), ("kill", OCIKillCommand.self), ("delete", OCIDeleteCommand.self),
        ]
        for (name, type) in verbs {
            let d = declared(type).filter { $0.key != "-h" }
            let q = table(try #require(OCIQuickParse.verb(name)).options)
            #expect(same(d, q), "\(name): declared \(d.keys.sorted()) vs quick table \(q.keys.sorted())")
        }
    }

    struct Dump: Decodable { var command: Command }
    struct Command: Decodable { var arguments: [Argument]? }
    struct Argument: Decodable {
        var kind: String
        var names: [Name]?
    }
    struct Name: Decodable {
        var kind: String
        var name: String
    }
}
