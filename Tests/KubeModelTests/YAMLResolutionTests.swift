import Testing

@testable import KubeModel

/// go-yaml v2 scalar resolution, as sigs.k8s.io/yaml (kubelet's `yaml.ToJSON`) applies it.
@Suite struct YAMLResolutionTests {
    func scalar(_ text: String) throws -> JSONValue {
        let doc = try YAMLParser().parse("v: \(text)\n")
        return doc["v"] ?? .string("<missing>")
    }

    @Test(arguments: [
        ("true", JSONValue.bool(true)), ("True", .bool(true)), ("TRUE", .bool(true)),
        ("yes", .bool(true)), ("Yes", .bool(true)), ("YES", .bool(true)), ("y", .bool(true)), ("Y", .bool(true)),
        ("on", .bool(true)), ("On", .bool(true)), ("ON", .bool(true)),
        ("false", .bool(false)), ("False", .bool(false)), ("FALSE", .bool(false)),
        ("no", .bool(false)), ("No", .bool(false)), ("NO", .bool(false)), ("n", .bool(false)), ("N", .bool(false)),
        ("off", .bool(false)), ("Off", .bool(false)), ("OFF", .bool(false)),
        // Mixed case forms go-yaml does not list stay strings.
        ("tRUE", .string("tRUE")), ("yEs", .string("yEs")), ("oN", .string("oN")),
        ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null), ("", .null), ("nULL", .string("nULL")),
        ("0", .int(0)), ("42", .int(42)), ("-17", .int(-17)), ("+17", .int(17)),
        ("0x1F", .int(31)), ("0X1f", .int(31)), ("-0x10", .int(-16)), ("0o17", .int(15)), ("017", .int(15)),
        ("0b101", .int(5)), ("1_000_000", .int(1_000_000)), ("0x_ff", .int(255)),
        ("9223372036854775807", .int(Int64.max)), ("-9223372036854775808", .int(Int64.min)),
        ("08", .double(8)),  // not octal, not int: go-yaml falls through to its float pattern
        ("1.5", .double(1.5)), ("-2.5e3", .double(-2500)), ("1e5", .double(100_000)), (".5", .double(0.5)),
        ("1.", .double(1)), ("+.5", .double(0.5)),
        ("1e999", .string("1e999")), ("0x", .string("0x")), ("+", .string("+")), ("--", .string("--")),
        ("_1", .string("_1")), ("1_", .int(1)), ("12abc", .string("12abc")), ("1.2.3", .string("1.2.3")),
        ("2001-12-14", .string("2001-12-14")), ("-inf", .string("-inf")), ("Infinity", .string("Infinity")),
        ("'yes'", .string("yes")), ("\"123\"", .string("123")), ("'~'", .string("~")), ("''", .string("")),
        ("!!str 123", .string("123")), ("!!str yes", .string("yes")), ("!!float 1", .double(1)),
        ("!!int \"12\"", .int(12)), ("!!binary aGVsbG8=", .string("hello")), ("!custom yes", .string("yes")),
        ("foo bar", .string("foo bar")),
    ])
    func resolvesLikeGoYAMLv2(text: String, expected: JSONValue) throws {
        #expect(try scalar(text) == expected, "\(text)")
    }

    @Test func specialFloats() throws {
        for t in [".inf", ".Inf", ".INF", "+.inf"] { #expect(try scalar(t) == .double(.infinity), "\(t)") }
        for t in ["-.inf", "-.Inf", "-.INF"] { #expect(try scalar(t) == .double(-.infinity), "\(t)") }
        for t in [".nan", ".NaN", ".NAN"] {
            guard case .double(let d) = try scalar(t) else { Issue.record("\(t) not a float"); continue }
            #expect(d.isNaN)
        }
        #expect(try scalar(".iNf") == .string(".iNf"))
        // Kubernetes cannot turn them into JSON: json.Marshal refuses NaN/Inf.
        #expect(throws: JSONValue.WriteError.self) { try JSONValue.double(.infinity).jsonText() }
    }

    @Test func blockScalarsAreStrings() throws {
        let doc = try YAMLParser().parse("a: |\n  yes\nb: >-\n  123\n")
        #expect(doc["a"] == .string("yes\n"))
        #expect(doc["b"] == .string("123"))
    }

    @Test func tagMismatchIsAnError() {
        #expect {
            try YAMLParser().parse("a: !!int abc\n")
        } throws: { error in
            "\(error)".contains("cannot decode !!str `abc` as a !!int") && "\(error)".contains("line 1")
        }
    }

    @Test func nonStringKeysConvertLikeSigsYAML() throws {
        let doc = try YAMLParser(duplicateKeys: .lastWins).parse(
            "1: a\ntrue: b\nyes: c2\n1.5: d\n1000000000000000000000000000000000000: e\n0x10: f\n")
        guard case .object(let o) = doc else { Issue.record("not an object"); return }
        #expect(o.keys == ["1", "true", "1.5", "1e+36", "16"])
        #expect(o["true"] == .string("c2"))
    }

    @Test func keysThatBecomeEqualStringsAreDuplicates() {
        // `true` and `yes` are the same key once converted to JSON.
        #expect(throws: YAMLError.self) { try YAMLParser().parse("true: a\nyes: b\n") }
    }

    @Test func nullKeyIsAnError() {
        #expect(throws: YAMLError.self) { try YAMLParser().parse("~: a\n") }
    }

    @Test func collectionKeyIsAnError() {
        #expect(throws: YAMLError.self) { try YAMLParser().parse("? [a, b]\n: c\n") }
    }
}

/// The YAML 1.1 traps that bite Kubernetes users, end to end through pod decoding.
@Suite struct YAMLTrapTests {
    @Test func unquotedNIsFalse() {
        #expect {
            try decodePod(manifest(container: "    env: [{name: N, value: x}]\n"))
        } throws: { "\($0)".contains("cannot unmarshal bool into Go struct field EnvVar.spec.containers[0].env[0].name of type string") }
    }
}
