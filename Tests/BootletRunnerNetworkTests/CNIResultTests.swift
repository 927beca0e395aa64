import KubeModel
import Testing

@testable import BootletRunner

struct CNIResultTests {
    func parse(_ s: String) throws -> CNIResult { try CNIResult.parse(try JSONValue.parse(Array(s.utf8))) }

    @Test func currentResultPicksTheSandboxInterfaceAndOrdersFamilies() throws {
        let r = try parse(#"""
            {"cniVersion":"1.0.0",
             "interfaces":[{"name":"cni0","mac":"aa:aa:aa:aa:aa:aa"},{"name":"veth1","mac":"bb:bb:bb:bb:bb:bb"},
                           {"name":"eth0","mac":"0a:58:0a:f4:00:05","sandbox":"/run/bootlet/netns/x"},
                           {"name":"net1","mac":"cc:cc:cc:cc:cc:cc","sandbox":"/run/bootlet/netns/x"}],
             "ips":[{"address":"fd00:10::5/64","gateway":"fd00:10::1","interface":2},
                    {"address":"10.244.0.5/24","gateway":"10.244.0.1","interface":2},
                    {"address":"192.168.9.9/24","interface":3}],
             "routes":[{"dst":"0.0.0.0/0"}],"dns":{}}
            """#)
        let (mac, ips) = r.podAddresses(ifName: "eth0", preferred: .ipv4)
        #expect(mac == "0a:58:0a:f4:00:05")
        #expect(ips.map(\.address) == ["10.244.0.5", "fd00:10::5"])
        #expect(ips[0] == PodIPAddress(address: "10.244.0.5", prefixLength: 24, gateway: "10.244.0.1"))
        #expect(ips[1].family == .ipv6 && ips[1].cidr == "fd00:10::5/64")
        #expect(r.podAddresses(ifName: "eth0", preferred: .ipv6).ips.map(\.address) == ["fd00:10::5", "10.244.0.5"])
    }

    @Test func version031WithIPVersionField() throws {
        let r = try parse(#"""
            {"cniVersion":"0.3.1","interfaces":[{"name":"eth0","sandbox":"/proc/1/ns/net"}],
             "ips":[{"version":"4","address":"10.1.2.3/16","gateway":"10.1.0.1","interface":0}]}
            """#)
        #expect(r.podAddresses(ifName: "eth0", preferred: .ipv4).ips.map(\.cidr) == ["10.1.2.3/16"])
    }

    @Test func legacy020Result() throws {
        let r = try parse(#"{"cniVersion":"0.2.0","ip4":{"ip":"10.9.0.4/24","gateway":"10.9.0.1"},"ip6":{"ip":"fd00::4/64"}}"#)
        let (mac, ips) = r.podAddresses(ifName: "eth0", preferred: .ipv4)
        #expect(mac == nil)
        #expect(ips.map(\.address) == ["10.9.0.4", "fd00::4"] && ips[0].gateway == "10.9.0.1")
    }

    @Test func malformedResultsAreRejectedWithAReason() throws {
        for (json, reason) in [
            (#"[]"#, "expected a JSON object"),
            (#"{"ips":[{"gateway":"1.2.3.4"}]}"#, "ips[0] has no address"),
            (#"{"interfaces":[],"ips":[{"address":"1.2.3.4/32","interface":3}]}"#, "not an index"),
            (#"{"ip4":{"gateway":"1.1.1.1"}}"#, "ip4 has no ip"),
        ] {
            do {
                _ = try parse(json)
                Issue.record("\(json) accepted")
            } catch let e as CNIResult.ResultError {
                #expect(e.reason.contains(reason), "\(e.reason)")
            }
        }
    }

    @Test func jsonValueRoundTripsPluginSpecificKeys() throws {
        let text = #"{"a":[1,2.5,true,null,"s"],"b":{"c":-7,"d":"x/y"},"e":12345678901}"#
        let v = try JSONValue.parse(Array(text.utf8))
        #expect(v["a"] == .array([.int(1), .double(2.5), .bool(true), .null, .string("s")]))
        #expect(v["e"]?.intValue == 12_345_678_901)
        #expect(String(decoding: v.encoded(), as: UTF8.self) == text)
    }
}
