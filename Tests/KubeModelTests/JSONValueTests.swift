import FoundationEssentials
import Testing

@testable import KubeModel

@Suite struct JSONValueTests {
    @Test func typedAccessors() {
        let v: JSONValue = ["a": [1, "x"], "b": true, "i": 7, "f": 3.0, "g": 2.5, "s": "t", "n": nil]
        #expect(v["a"]?.arrayValue == [.int(1), .string("x")])
        #expect(v["b"]?.boolValue == true)
        #expect(v["i"]?.intValue == 7)
        // JSON has one number type: an integral float is an integer, a fractional one is not.
        #expect(v["f"]?.intValue == 3)
        #expect(v["g"]?.intValue == nil)
        #expect(JSONValue.double(1e19).intValue == nil)  // beyond Int64
        #expect(JSONValue.double(-9.0e15).intValue == -9_000_000_000_000_000)
        // Accessors of another kind give nil rather than converting.
        #expect(v["s"]?.arrayValue == nil && v["s"]?.boolValue == nil && v["s"]?.intValue == nil)
        #expect(v["b"]?.stringValue == nil && v["n"]?.boolValue == nil && v["a"]?.objectValue == nil)
        #expect(v.arrayValue == nil && v.objectValue?.count == 7)
    }

    @Test func objectLiteralKeepsWrittenOrder() throws {
        let o: JSONObject = ["z": 1, "a": 2, "m": ["y": 1, "b": 2]]
        #expect(o.keys == ["z", "a", "m"])
        #expect(o["m"]?.objectValue?.keys == ["y", "b"])
        #expect(try JSONValue.object(o).jsonText() == #"{"z":1,"a":2,"m":{"y":1,"b":2}}"#)
        // A repeated key keeps its first position and the last value, like assigning in order.
        let r: JSONObject = ["k": 1, "j": 2, "k": 3]
        #expect(r.keys == ["k", "j"] && r["k"] == .int(3))
    }

    /// JSON bytes decoded through FoundationEssentials' `JSONDecoder` (how the runner reads CNI configurations and
    /// plugin results): every kind of value is kept and keys come out sorted at every level, so re-encoding is
    /// byte-for-byte stable across runs.
    @Test func foreignDecoderKeepsValuesAndSortsKeys() throws {
        let text = #"{"zeta":{"y":[1,2.5,true,null,"s/t"],"b":{}},"alpha":-7,"big":12345678901,"Mid":false,"é":"u"}"#
        let v = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(v.objectValue?.keys == ["Mid", "alpha", "big", "zeta", "é"])
        #expect(v["zeta"]?.objectValue?.keys == ["b", "y"])
        #expect(v["zeta"]?["y"] == [.int(1), .double(2.5), .bool(true), .null, .string("s/t")])
        #expect(v["zeta"]?["b"] == .object([:]))
        #expect(v["big"] == .int(12_345_678_901) && v["alpha"] == .int(-7) && v["Mid"] == .bool(false))
        #expect(try v.jsonText() == #"{"Mid":false,"alpha":-7,"big":12345678901,"zeta":{"b":{},"y":[1,2.5,true,null,"s/t"]},"é":"u"}"#)
        // And back out through JSONEncoder: the same tree.
        let again = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(v))
        #expect(again == v && again.objectValue?.keys == v.objectValue?.keys)
    }
}
