import BootletImages
@testable import BootletRunner
import BootletRuntime
import KubeModel
import OCISpec
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Container spec: users, groups, runAsNonRoot")
struct UserSpecTests {
    struct Case: CustomStringConvertible {
        var name: String
        var imageUser: String?
        var podUser: Int64? = nil
        var podGroup: Int64? = nil
        var ctrUser: Int64? = nil
        var ctrGroup: Int64? = nil
        var supplemental: [Int64]? = nil
        var fsGroup: Int64? = nil
        var policy: String? = nil
        var want: User
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "no USER: root, groups of root in /etc/group", imageUser: nil, want: User(uid: 0, gid: 0, additionalGids: [0, 10])),
        Case(name: "numeric USER with a passwd entry takes its gid and memberships", imageUser: "1000",
             want: User(uid: 1000, gid: 1001, additionalGids: [10, 29, 1001])),
        Case(name: "USER uid:gid keeps only the uid (kubelet sends runAsUser)", imageUser: "1000:5555",
             want: User(uid: 1000, gid: 1001, additionalGids: [10, 29, 1001])),
        Case(name: "unknown uid: gid 0, no memberships", imageUser: "4242:4242", want: User(uid: 4242, gid: 0, additionalGids: [0])),
        Case(name: "USER name resolves through passwd", imageUser: "app", want: User(uid: 1000, gid: 1001, additionalGids: [10, 29, 1001])),
        Case(name: "USER name:group drops the group part", imageUser: "app:video", want: User(uid: 1000, gid: 1001, additionalGids: [10, 29, 1001])),
        Case(name: "pod runAsUser overrides the image", imageUser: "app", podUser: 1, want: User(uid: 1, gid: 1, additionalGids: [1, 29, 44])),
        Case(name: "container runAsUser overrides the pod", imageUser: nil, podUser: 1, ctrUser: 1000,
             want: User(uid: 1000, gid: 1001, additionalGids: [10, 29, 1001])),
        Case(name: "runAsGroup replaces the passwd gid", imageUser: "1000", podGroup: 3000,
             want: User(uid: 1000, gid: 3000, additionalGids: [10, 29, 3000])),
        Case(name: "container runAsGroup over pod", imageUser: nil, podUser: 1000, podGroup: 3000, ctrGroup: 4000,
             want: User(uid: 1000, gid: 4000, additionalGids: [10, 29, 4000])),
        Case(name: "runAsGroup with an image user name", imageUser: "app", podGroup: 7,
             want: User(uid: 1000, gid: 7, additionalGids: [7, 10, 29])),
        Case(name: "fsGroup and supplementalGroups merged, sorted, unique", imageUser: nil, podUser: 1000, podGroup: 3000,
             supplemental: [5000, 4000, 3000], fsGroup: 2000,
             want: User(uid: 1000, gid: 3000, additionalGids: [10, 29, 2000, 3000, 4000, 5000])),
        Case(name: "Strict policy leaves out the image's groups", imageUser: "1000", supplemental: [5000], policy: "Strict",
             want: User(uid: 1000, gid: 1001, additionalGids: [1001, 5000])),
    ]

    @Test(arguments: cases) func resolves(_ c: Case) throws {
        let f = try SpecFixture()
        let pod = makePod([makeContainer {
            if c.ctrUser != nil || c.ctrGroup != nil {
                $0.securityContext = .with {
                    $0.runAsUser = c.ctrUser
                    $0.runAsGroup = c.ctrGroup
                }
            }
        }]) {
            $0.spec.securityContext?.runAsUser = c.podUser
            $0.spec.securityContext?.runAsGroup = c.podGroup
            $0.spec.securityContext?.supplementalGroups = c.supplemental
            $0.spec.securityContext?.fsGroup = c.fsGroup
            $0.spec.securityContext?.supplementalGroupsPolicy = c.policy
        }
        let spec = try f.build(pod: pod, image: ImageConfig(user: c.imageUser)).spec
        #expect(spec.process?.user == c.want)
    }

    @Test func noPasswdFile() throws {
        let f = try SpecFixture(passwd: nil, group: nil)
        let pod = makePod([makeContainer()])
        #expect(try f.build(pod: pod, image: ImageConfig(user: "1234")).spec.process?.user == User(uid: 1234, gid: 0, additionalGids: [0]))
        let e = specError { try f.build(pod: pod, image: ImageConfig(user: "app")) }
        #expect(e?.reason == "CreateContainerError")
        #expect(e?.message == "unable to find user \"app\": open /etc/passwd: no such file or directory")
    }

    @Test func unknownImageUserNameIsACreateError() throws {
        let f = try SpecFixture()
        let e = specError { try f.build(pod: makePod([makeContainer()]), image: ImageConfig(user: "ghost")) }
        #expect(e?.reason == "CreateContainerError")
        #expect(e?.message == "unable to find user \"ghost\" in the image's /etc/passwd: no users found")
    }

    @Test func passwdIsReadInsideTheRootfs() throws {
        let f = try SpecFixture(passwd: nil, group: nil)
        // A symlink to an absolute path must resolve inside the rootfs, never to the host's /etc/passwd.
        try FileIO.makeDirectories(f.rootfs + "/usr/lib")
        try FileIO.writeAtomically(f.rootfs + "/usr/lib/passwd", Array("svc:x:77:88::/:/bin/sh\n".utf8))
        #expect(symlink("/usr/lib/passwd", f.rootfs + "/etc/passwd") == 0)
        let spec = try f.build(pod: makePod([makeContainer()]), image: ImageConfig(user: "svc")).spec
        #expect(spec.process?.user == User(uid: 77, gid: 88, additionalGids: [88]))
    }

    @Test func parsesPasswdAndGroupLikeMoby() {
        let users = ImageAccounts.parsePasswd("  root:x:0:0::/root:/bin/sh  \n\nbad:x:notanumber:5\nshort:x:9\n")
        #expect(users.map(\.name) == ["root", "bad", "short"])
        #expect(users[1].uid == 0 && users[1].gid == 5)
        #expect(users[2].uid == 9 && users[2].gid == 0)
        let groups = ImageAccounts.parseGroup("g1:x:5:\ng2:x:6:a,b\r\ng3:x:7\n")
        #expect(groups.map(\.members) == [[], ["a", "b"], []])
    }

    // MARK: runAsNonRoot (kubelet verifyRunAsNonRoot)

    static let podDesc = "\"web-node1_default(\(podUID))\""

    @Test func runAsNonRootMessages() throws {
        let f = try SpecFixture()
        let cases: [(String?, Int64?, Int64?, String?)] = [
            (nil, nil, nil, "container has runAsNonRoot and image will run as root (pod: \(Self.podDesc), container: app)"),
            ("0:0", nil, nil, "container has runAsNonRoot and image will run as root (pod: \(Self.podDesc), container: app)"),
            ("app", nil, nil,
             "container has runAsNonRoot and image has non-numeric user (app), cannot verify user is non-root (pod: \(Self.podDesc), container: app)"),
            ("1000", 0, nil, "container's runAsUser breaks non-root policy (pod: \(Self.podDesc), container: app)"),
            ("1000", nil, 0, "container's runAsUser breaks non-root policy (pod: \(Self.podDesc), container: app)"),
            ("9999999999", nil, nil,
             "container has runAsNonRoot and image has an invalid user id (9999999999). (Must be 1-(2147483647)): must be between 0 and 2147483647, inclusive (pod: \(Self.podDesc), container: app)"),
            ("1000", nil, nil, nil),
            ("app", 1000, nil, nil),
            (nil, nil, 65534, nil),
        ]
        for (imageUser, podUser, ctrUser, want) in cases {
            let pod = makePod([makeContainer {
                $0.securityContext = .with {
                    $0.runAsNonRoot = true
                    $0.runAsUser = ctrUser
                }
            }]) { $0.spec.securityContext?.runAsUser = podUser }
            let e = specError { try f.build(pod: pod, image: ImageConfig(user: imageUser)) }
            #expect(e?.message == want, "image user \(imageUser ?? "<none>"), pod \(String(describing: podUser)), ctr \(String(describing: ctrUser))")
            if want != nil { #expect(e?.reason == "CreateContainerConfigError") }
        }
    }

    @Test func podLevelRunAsNonRootAppliesAndContainerCanTurnItOff() throws {
        let f = try SpecFixture()
        let pod = makePod([makeContainer()]) { $0.spec.securityContext?.runAsNonRoot = true }
        #expect(specError { try f.build(pod: pod) }?.reason == "CreateContainerConfigError")
        let off = makePod([makeContainer { $0.securityContext = .with { $0.runAsNonRoot = false } }]) {
            $0.spec.securityContext?.runAsNonRoot = true
        }
        #expect(specError { try f.build(pod: off) } == nil)
    }
}
