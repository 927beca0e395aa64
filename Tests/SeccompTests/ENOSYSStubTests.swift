import BootletRuntime
import OCISpec
import Testing

@Suite("-ENOSYS stub: syscalls newer than the profile fail with ENOSYS, not the default action")
struct ENOSYSStubTests {
    static let enosys = I.retErrno(38)

    /// Allows getpid and openat (x86_64: 39 and 257; x86: 20 and 295; x32: 0x40000000|39, |257).
    static func profile(_ action: SeccompAction = .errno, errnoRet: UInt32? = nil, arches: [SeccompArch]) -> LinuxSeccomp {
        Support.profile(
            action, errnoRet: errnoRet, arches: arches,
            [LinuxSyscall(names: ["getpid", "openat"], action: .allow)])
    }

    @Test("x86_64: above the highest named number → ENOSYS; at or below → the filter decides",
          .enabled(if: Support.isAMD64))
    func amd64() throws {
        let vm = try I(SeccompCompiler.compileUncached(Self.profile(arches: [.x86_64])))
        #expect(try vm.run(nr: 257) == I.retAllow)  // openat, the highest named
        #expect(try vm.run(nr: 258) == Self.enosys)  // mkdirat: not named, but newer than the profile
        #expect(try vm.run(nr: 1000) == Self.enosys)
        #expect(try vm.run(nr: 200) == I.retErrno(1), "older and not allowed: still the default EPERM")
        #expect(try vm.run(nr: 39) == I.retAllow)
        // x32 is not in the profile: x32 numbers go to libseccomp's filter untouched (no ENOSYS from the stub).
        #expect(try vm.run(nr: I.x32Bit | 1000) != Self.enosys)
    }

    @Test("x86_64 + x32 + x86: each ABI gets its own limit; x32 is told apart by bit 30", .enabled(if: Support.isAMD64))
    func threeArches() throws {
        let vm = try I(SeccompCompiler.compileUncached(Self.profile(arches: [.x86_64, .x86, .x32])))
        #expect(Support.nr("openat", arch: "SCMP_ARCH_X86") == 295)
        #expect(try vm.run(arch: I.auditI386, nr: 295) == I.retAllow)
        #expect(try vm.run(arch: I.auditI386, nr: 296) == Self.enosys)
        #expect(try vm.run(arch: I.auditI386, nr: 100) == I.retErrno(1))

        let x32Max = Support.nr("openat", arch: "SCMP_ARCH_X32")
        #expect(x32Max == I.x32Bit | 257)
        #expect(try vm.run(nr: x32Max) == I.retAllow)
        #expect(try vm.run(nr: x32Max + 1) == Self.enosys)
        #expect(try vm.run(nr: I.x32Bit | 100) == I.retErrno(1))
        #expect(try vm.run(nr: 258) == Self.enosys)
        #expect(try vm.run(arch: I.auditAArch64, nr: 1000) == I.retKillThread, "unlisted arch: bad-arch action")
    }

    @Test("no stub when the default action already lets unknown syscalls through or already is ENOSYS (runc)")
    func skipped() throws {
        let allow = try I(SeccompCompiler.compileUncached(Self.profile(.allow, arches: [])))
        #expect(try allow.run(nr: 1000) == I.retAllow)
        let log = try I(SeccompCompiler.compileUncached(Self.profile(.log, arches: [])))
        #expect(try log.run(nr: 1000) == I.retLog)
        let nosys = try SeccompCompiler.compileUncached(Self.profile(.errno, errnoRet: 38, arches: []))
        let insns = try #require(BPFInstruction.decode(nosys.bytes))
        // libseccomp's own program starts with the arch load too, but never with our "jeq arch → section" table
        // followed by "ja filter"; with the stub, instruction 1 would be a jeq on the native arch and
        // instruction 2 an unconditional jump.
        #expect(!(insns[1].code == 0x15 && insns[2].code == 0x05 && insns[2].k > 0 && insns[3].code == 0x20
            && insns[3].k == 0))
        #expect(try I(nosys).run(nr: 1000) == Self.enosys)
    }

    @Test("the stub also applies under a KILL default action", .enabled(if: Support.isAMD64))
    func killDefault() throws {
        let vm = try I(SeccompCompiler.compileUncached(Self.profile(.killProcess, arches: [.x86_64])))
        #expect(try vm.run(nr: 1000) == Self.enosys)
        #expect(try vm.run(nr: 200) == I.retKillProcess)
    }

    @Test("RuntimeDefault: clone3 → ENOSYS by rule, a syscall above the profile's highest → ENOSYS by the stub",
          .enabled(if: Support.isAMD64))
    func runtimeDefault() throws {
        let p = try SeccompCompiler.compileUncached(
            RuntimeDefaultProfile.profile(boundingCapabilities: Set(Capability.containerdDefault)))
        let vm = try I(p)
        #expect(try vm.run(nr: Support.nr("clone3")) == Self.enosys)
        #expect(try vm.run(nr: 1000) == Self.enosys)
        #expect(try vm.run(nr: Support.nr("unshare")) == I.retErrno(1))
        #expect(try vm.run(arch: I.auditI386, nr: 1000) == Self.enosys)
        #expect(try vm.run(nr: I.x32Bit | 1000) == Self.enosys)
    }
}
