import Testing

@testable import KubeModel

@Suite struct YAMLStructureTests {
    @Test func anchorsAndAliases() throws {
        let doc = try YAMLParser().parse("""
            base: &img busybox:1.36
            list: &l [1, 2]
            a: *img
            b: *l
            """)
        #expect(doc["a"] == .string("busybox:1.36"))
        #expect(doc["b"] == .array([.int(1), .int(2)]))
    }

    @Test func mergeKeysGoYAMLv2Order() throws {
        let doc = try YAMLParser().parse("""
            defaults: &d {cpu: 100m, memory: 64Mi}
            extra: &e {memory: 128Mi, pids: 10}
            one:
              <<: *d
              memory: 256Mi
            many:
              <<: [*d, *e]
            before:
              cpu: 1
              <<: *d
            """)
        #expect(doc["one"] == ["cpu": "100m", "memory": "256Mi"])
        // In a sequence earlier maps take precedence.
        #expect(doc["many"] == ["cpu": "100m", "memory": "64Mi", "pids": 10])
        // go-yaml v2 applies a merge in document order: it overrides a key written before it.
        #expect(doc["before"] == ["cpu": "100m", "memory": "64Mi"])
    }

    @Test func quotedMergeKeyIsAPlainKey() throws {
        let doc = try YAMLParser().parse("'<<': {a: 1}\n")
        #expect(doc["<<"] == ["a": 1])
    }

    @Test func mergeOfScalarIsAnError() {
        #expect(throws: YAMLError.self) { try YAMLParser().parse("a: &x 1\nb:\n  <<: *x\n") }
    }

    @Test func duplicateKeysAreRejectedWithBothLines() {
        #expect {
            try YAMLParser().parse("metadata:\n  name: a\n  labels: {}\n  name: b\n")
        } throws: { error in
            let e = error as? YAMLError
            return e?.line == 4 && e?.column == 3
                && e?.message == "key \"name\" already set in map (first set at line 2)"
        }
    }

    @Test func duplicateKeysLastWinsLikeKubelet() throws {
        let doc = try YAMLParser(duplicateKeys: .lastWins).parse("a: 1\na: 2\n")
        #expect(doc == ["a": 2])
    }

    @Test func mergedKeysAreNotDuplicates() throws {
        let doc = try YAMLParser().parse("d: &d {a: 1}\nx:\n  <<: *d\n  a: 2\n")
        #expect(doc["x"] == ["a": 2])
    }

    @Test func onlyTheFirstDocumentCounts() throws {
        let doc = try YAMLParser().parse("---\nkind: Pod\n---\nkind: Service\n---\n: : bad [\n")
        #expect(doc == ["kind": "Pod"])
    }

    @Test func emptyStreamIsNull() throws {
        #expect(try YAMLParser().parse("") == .null)
        #expect(try YAMLParser().parse("# only a comment\n") == .null)
    }

    @Test func jsonIsYAML() throws {
        let doc = try YAMLParser().parse(
            #"{"kind": "Pod", "n": 1.0, "s": "yes", "b": true, "x": null, "u": "\u00e9"}"#)
        #expect(doc == ["kind": "Pod", "n": 1.0, "s": "yes", "b": true, "x": nil, "u": "é"])
    }

    @Test func syntaxErrorsCarryLineAndColumn() {
        #expect {
            try YAMLParser().parse("a: b\nc: d: e\n")
        } throws: { error in
            let e = error as? YAMLError
            return e?.line == 2 && "\(error)".hasPrefix("yaml: line 2, column ")
                && "\(error)".contains("mapping values are not allowed")
        }
    }

    @Test func unknownAliasIsAnError() {
        #expect(throws: YAMLError.self) { try YAMLParser().parse("a: *nope\n") }
    }

    @Test func billionLaughsIsRefused() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 {
            let refs = Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ")
            text += "a\(i): &a\(i) [\(refs)]\n"
        }
        #expect {
            try YAMLParser().parse(text)
        } throws: { error in "\(error)".contains("excessive aliasing") }
    }

    @Test func deepNestingIsAValueOrAnErrorNeverACrash() {
        let depth = 5000
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        do {
            var v = try YAMLParser().parse(text)
            var seen = 0
            while case .array(let a) = v, let first = a.first { v = first; seen += 1 }
            #expect(seen == depth - 1)
        } catch {
            #expect("\(error)".hasPrefix("yaml:"))
        }
    }

    @Test func jsonTextIsGoShaped() throws {
        let v: JSONValue = [
            "a": "<&>", "n": 1.0, "f": 0.000001, "g": 1e21, "h": 1.5e-7, "i": 12345678.0, "e": [], "o": [:],
        ]
        #expect(
            try v.jsonText()
                == #"{"a":"\u003c\u0026\u003e","n":1,"f":0.000001,"g":1e+21,"h":1.5e-7,"i":12345678,"e":[],"o":{}}"#)
        #expect(try (["a": [1, 2]] as JSONValue).jsonText(indent: " ") == "{\n \"a\": [\n  1,\n  2\n ]\n}")
    }

    @Test func float32KeyFormatting() {
        #expect(goFormatFloat32G(1e36) == "1e+36")
        #expect(goFormatFloat32G(1.5) == "1.5")
        #expect(goFormatFloat32G(100_000) == "100000")
        #expect(goFormatFloat32G(1_000_000) == "1e+06")
        #expect(goFormatFloat32G(0.0001) == "0.0001")
        #expect(goFormatFloat32G(0.00001) == "1e-05")
    }
}
