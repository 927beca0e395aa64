import BootletRuntime
import Testing

@testable import BootletRunner

#if canImport(Glibc)
import Glibc
#endif

struct CNIConfigTests {
    func withDir(_ body: (String) throws -> Void) throws {
        let dir = "/tmp/bltnet-conf-\(randomHex(8))"
        try FileIO.makeDirectories(dir)
        defer { try? FileIO.removeTree(dir) }
        try body(dir)
    }

    @Test func picksTheFirstFileInLexicalOrderAndWrapsASingleConf() throws {
        try withDir { dir in
            #expect(try CNINetworkConfigList.loadDefault(confDir: dir + "/missing") == nil)
            #expect(try CNINetworkConfigList.loadDefault(confDir: dir) == nil)
            try write(dir + "/README.txt", "not a config")
            try FileIO.makeDirectories(dir + "/00-dir.conf")  // directories are skipped
            try write(dir + "/20-b.conflist", #"{"cniVersion":"1.0.0","name":"b","plugins":[{"type":"bridge"}]}"#)
            try write(dir + "/30-c.json", #"{"cniVersion":"0.4.0","name":"c","type":"ptp"}"#)
            try write(
                dir + "/10-a.conf",
                #"{"cniVersion":"0.3.1","name":"a","type":"bridge","bridge":"cni0","ipam":{"type":"host-local"}}"#)
            #expect(try CNINetworkConfigList.configFiles(in: dir).map { String($0.split(separator: "/").last!) }
                == ["10-a.conf", "20-b.conflist", "30-c.json"])
            let list = try #require(try CNINetworkConfigList.loadDefault(confDir: dir))
            #expect(list.name == "a" && list.cniVersion == "0.3.1" && list.source == dir + "/10-a.conf")
            #expect(list.plugins.map(\.type) == ["bridge"])
            #expect(list.plugins[0].raw["bridge"] == .string("cni0"))
            // The cached bytes are a list that parses back to the same plugins.
            let reparsed = try CNINetworkConfigList.parseList(list.bytes, source: "x")
            #expect(reparsed.plugins == list.plugins && reparsed.name == "a")
        }
    }

    @Test func conflistCapabilitiesAndVersions() throws {
        let l = try CNINetworkConfigList.parseList(
            Array(#"""
            {"cniVersions":["0.3.1","1.0.0","9.9.9"],"name":"k8s-pod-network","disableCheck":"true","plugins":[
              {"type":"bridge","bridge":"cni0"},
              {"type":"portmap","capabilities":{"portMappings":true,"bandwidth":false}}]}
            """#.utf8), source: "f")
        #expect(l.cniVersion == "1.0.0" && l.disableCheck)
        #expect(l.plugins[1].capabilities == ["portMappings": true, "bandwidth": false])
        let noVersion = try CNINetworkConfigList.parseList(Array(#"{"name":"n","plugins":[{"type":"x"}]}"#.utf8), source: "f")
        #expect(noVersion.cniVersion == "0.1.0")
    }

    @Test(arguments: [
        ("bad.conflist", "{not json", "not valid JSON"),
        ("bad.conflist", "[1,2]", "expected a JSON object, found array"),
        ("bad.conflist", #"{"cniVersion":"1.0.0","plugins":[{"type":"bridge"}]}"#, "no \"name\""),
        ("bad.conflist", #"{"cniVersion":"1.0.0","name":"n"}"#, "no \"plugins\" list"),
        ("bad.conflist", #"{"cniVersion":"1.0.0","name":"n","plugins":[]}"#, "no plugins in list"),
        ("bad.conflist", #"{"cniVersion":"1.0.0","name":"n","plugins":[{"bridge":"x"}]}"#, "plugin 0 has no \"type\""),
        ("bad.conflist", #"{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"../../bin/sh"}]}"#, "not a path"),
        ("bad.conflist", #"{"cniVersion":"7.0.0","name":"n","plugins":[{"type":"bridge"}]}"#, "cniVersion \"7.0.0\" is not supported"),
        ("bad.conflist", #"{"cniVersion":"1.0.0","name":"has space","plugins":[{"type":"bridge"}]}"#, "network name \"has space\""),
        ("bad.conflist", #"{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"p","capabilities":{"portMappings":1}}]}"#, "capability \"portMappings\" must be true or false"),
        ("bad.conf", #"{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"bridge"}]}"#, "looks like a configuration list"),
        ("bad.conf", #"{"cniVersion":"1.0.0","type":"bridge"}"#, "no \"name\""),
    ])
    func invalidFilesNameTheFile(file: String, content: String, reason: String) throws {
        try withDir { dir in
            try write(dir + "/" + file, content)
            do {
                _ = try CNINetworkConfigList.loadDefault(confDir: dir)
                Issue.record("\(content) was accepted")
            } catch let e as CNIError {
                guard case .invalidConfig(let f, let r) = e else {
                    Issue.record("unexpected \(e)")
                    return
                }
                #expect(f == dir + "/" + file)
                #expect(r.contains(reason), "\(r)")
                #expect(e.description.hasPrefix("load CNI config \(dir)/\(file): "))
            }
        }
    }

    @Test func anInvalidFirstFileIsAnErrorNotSkipped() throws {
        try withDir { dir in
            try write(dir + "/10-broken.conflist", "{")
            try write(dir + "/20-good.conflist", #"{"cniVersion":"1.0.0","name":"g","plugins":[{"type":"bridge"}]}"#)
            #expect(throws: CNIError.self) { _ = try CNINetworkConfigList.loadDefault(confDir: dir) }
        }
    }

    @Test func identifierRules() {
        #expect(CNIValidation.isValidID("0a9f_x.y-z"))
        for bad in ["", "-a", ".a", "a/b", "a b", "a;b"] { #expect(!CNIValidation.isValidID(bad)) }
        #expect(CNIValidation.isValidInterfaceName("eth0") && CNIValidation.isValidInterfaceName("123456789012345"))
        for bad in ["", ".", "..", "1234567890123456", "a/b", "a:b", "a b"] {
            #expect(!CNIValidation.isValidInterfaceName(bad))
        }
    }
}
