import BootletImages
import Testing

@Suite struct ReferenceTests {
    static let table: [(String, String)] = [
        ("busybox", "docker.io/library/busybox:latest"),
        ("busybox:1.36", "docker.io/library/busybox:1.36"),
        ("library/busybox", "docker.io/library/busybox:latest"),
        ("foo/bar", "docker.io/foo/bar:latest"),
        ("foo/bar/baz:v1", "docker.io/foo/bar/baz:v1"),
        ("docker.io/busybox", "docker.io/library/busybox:latest"),
        ("index.docker.io/library/busybox:1", "docker.io/library/busybox:1"),
        ("localhost/etcd:3.5", "localhost/etcd:3.5"),
        ("localhost:5000/etcd", "localhost:5000/etcd:latest"),
        ("registry.k8s.io/etcd:3.5.9-0", "registry.k8s.io/etcd:3.5.9-0"),
        ("myhost:5000/a/b:c", "myhost:5000/a/b:c"),
        ("Registry.Local/x", "Registry.Local/x:latest"),
        ("[::1]:5000/x:y", "[::1]:5000/x:y"),
        ("quay.io/coreos/etcd@sha256:" + String(repeating: "a", count: 64),
         "quay.io/coreos/etcd@sha256:" + String(repeating: "a", count: 64)),
        ("busybox:1.36@sha256:" + String(repeating: "b", count: 64),
         "docker.io/library/busybox:1.36@sha256:" + String(repeating: "b", count: 64)),
        ("a__b/c-d.e_f", "docker.io/a__b/c-d.e_f:latest"),
    ]

    @Test(arguments: table)
    func normalises(input: String, canonical: String) throws {
        #expect(try ImageReference(input).description == canonical)
    }

    @Test func storeKeyPrefersDigest() throws {
        let d = "sha256:" + String(repeating: "c", count: 64)
        #expect(try ImageReference("busybox:1@\(d)").storeKey == "docker.io/library/busybox@\(d)")
        #expect(try ImageReference("busybox").storeKey == "docker.io/library/busybox:latest")
        #expect(try ImageReference("busybox").familiar == "busybox:latest")
        #expect(try ImageReference("localhost:5000/x:y").familiar == "localhost:5000/x:y")
    }

    @Test(arguments: [
        "", "Busybox", "foo/Bar", "busybox:", ":tag", "busybox:-x", "a//b", "-a/b", "a/b-", "busybox@sha256:123",
        "busybox@md5:" + String(repeating: "a", count: 32), String(repeating: "a", count: 64),
        "host:notaport/x", "a/" + String(repeating: "b", count: 260), "busybox:" + String(repeating: "t", count: 129),
    ])
    func refusesInvalid(input: String) {
        #expect(throws: ImageReference.ParseError.self) { try ImageReference(input) }
    }

    @Test func invalidNameCarriesKubeletReason() {
        do {
            _ = try ImageReference("Bad/Name")
            Issue.record("parsed")
        } catch let e as ImageReference.ParseError {
            #expect(e.reason == "InvalidImageName")
            #expect(e.description.hasPrefix("Failed to apply default image tag \"Bad/Name\": couldn't parse image name \"Bad/Name\": "))
        } catch {
            Issue.record("wrong error \(error)")
        }
    }

    @Test func neverPullMessageMatchesKubelet() {
        let e = ImageNotPresentError(image: "etcd:3.5.9")
        #expect(e.reason == "ErrImageNeverPull")
        #expect(e.message == #"Container image "etcd:3.5.9" is not present with pull policy of Never"#)
    }
}
