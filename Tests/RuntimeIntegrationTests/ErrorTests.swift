import BootletRuntime
import OCISpec
import Testing

/// Bad bundles fail with a message naming the step and the path, exit non-zero, and leave nothing behind.
@Suite("Runtime errors")
struct ErrorTests {
    /// A container id no parallel test shares: the default cgroup is "<id>" below the runtime's own, so two tests
    /// using one id would create and remove each other's cgroups.
    static func uniqueID(_ prefix: String) -> String { "\(prefix)-\(UInt32.random(in: 0...UInt32.max))" }

    func failure(_ b: BundleFixture) throws -> CommandResult {
        try b.writeConfig()
        let r = try runCommand(try bootletBinary(), ["oci", "--root", b.stateRoot, "run", "-b", b.dir, Self.uniqueID("err")])
        #expect(r.code != 0)
        #expect(b.leftovers().isEmpty, "leftovers after a failed create")
        return r
    }

    @Test func missingRootfs() throws {
        let b = try BundleFixture(args: ["/bin/true"])
        b.spec.root = Root(path: "no-such-rootfs")
        let r = try failure(b)
        #expect(r.stderr.contains("resolve rootfs \(b.dir)/no-such-rootfs: No such file or directory"), "\(r.stderr)")
    }

    @Test func missingExecutableByPath() throws {
        let b = try BundleFixture(args: ["/bin/no-such-program"])
        let r = try failure(b)
        #expect(r.stderr.contains("exec /bin/no-such-program") && r.stderr.contains("No such file or directory"), "\(r.stderr)")
    }

    @Test func missingExecutableInPath() throws {
        let b = try BundleFixture(args: ["no-such-program"])
        let r = try failure(b)
        #expect(r.stderr.contains("exec: \"no-such-program\": executable file not found in $PATH"), "\(r.stderr)")
    }

    @Test func badMountSource() throws {
        let b = try BundleFixture(args: ["/bin/true"])
        b.spec.mounts!.append(Mount(destination: "/data", type: "bind", source: "/no/such/dir", options: ["rbind"]))
        let r = try failure(b)
        #expect(r.stderr.contains("check bind mount source for /data /no/such/dir: No such file or directory"), "\(r.stderr)")
    }

    @Test func mountFailureInsideTheContainerNamesTheMount() throws {
        let b = try BundleFixture(args: ["/bin/true"])
        b.spec.mounts!.append(Mount(destination: "/weird", type: "nosuchfs", source: "none"))
        let r = try failure(b)
        #expect(r.stderr.contains("mount nosuchfs on /weird") && r.stderr.contains("No such device"), "code \(r.code) stderr \(r.stderr) stdout \(r.stdout)")
    }

    @Test func unknownCapability() throws {
        let b = try BundleFixture(args: ["/bin/true"])
        b.spec.process!.capabilities!.bounding!.append("CAP_NOT_A_CAP")
        let r = try failure(b)
        #expect(r.stderr.contains("process.capabilities.bounding \"CAP_NOT_A_CAP\": unknown capability"), "\(r.stderr)")
    }

    @Test func malformedConfig() throws {
        let b = try BundleFixture(args: ["/bin/true"])
        try FileIO.writeAtomically(b.dir + "/config.json", Array("{\"ociVersion\":\"1.0.2\",\"process\":{\"user\":{\"uid\":\"zero\"}}}".utf8))
        let r = try runCommand(try bootletBinary(), ["oci", "--root", b.stateRoot, "run", "-b", b.dir, Self.uniqueID("err")])
        #expect(r.code != 0)
        #expect(r.stderr.contains("parse bundle config \(b.dir)/config.json: process.user.uid"), "\(r.stderr)")
        #expect(b.leftovers().isEmpty)
    }

    @Test func duplicateIdIsRefused() throws {
        let b = try BundleFixture(args: ["/bin/sleep", "30"])
        try b.writeConfig()
        let bin = try bootletBinary()
        let id = Self.uniqueID("dup")
        #expect(try runCommand(bin, ["oci", "--root", b.stateRoot, "create", "-b", b.dir, id]).code == 0)
        let r = try runCommand(bin, ["oci", "--root", b.stateRoot, "create", "-b", b.dir, id])
        #expect(r.code != 0 && r.stderr.contains("container with id exists"))
        #expect(try runCommand(bin, ["oci", "--root", b.stateRoot, "delete", "-f", id]).code == 0)
        #expect(b.leftovers().isEmpty)
    }
}
