import BootletRuntime
import OCISpec
import Testing

typealias I = BPFInterpreter

@Suite("SeccompCompiler: OCI profile to BPF")
struct CompilerTests {
    @Test("a small profile compiles to BPF that checks the architecture and allows only what it names")
    func simpleProfile() throws {
        let p = try SeccompCompiler.compileUncached(
            Support.profile(arches: [.x86_64], [LinuxSyscall(names: ["getpid", "read"], action: .allow)]))
        #expect(p.instructionCount > 0)
        #expect(p.bytes.count == p.instructionCount * 8)
        #expect(p.flags == 0)
        #expect(p.warnings.isEmpty)
        let insns = try #require(BPFInstruction.decode(p.bytes))
        // The first instruction loads seccomp_data.arch (offset 4) and the arch is compared against x86_64.
        #expect(insns[0] == BPFInstruction(code: 0x20, k: 4))
        #expect(insns.contains { $0.code == 0x15 && $0.k == I.auditX86_64 })

        let vm = try I(p)
        #expect(try vm.run(nr: Support.nr("getpid")) == I.retAllow)
        #expect(try vm.run(nr: Support.nr("read")) == I.retAllow)
        // close (3) is below the highest named number (getpid, 39), so the -ENOSYS stub does not apply.
        #expect(try vm.run(nr: Support.nr("close")) == I.retErrno(1), "default ERRNO without errnoRet is EPERM")
    }

    @Test("a foreign architecture gets libseccomp's bad-arch action (kill); a listed one is filtered by its own numbers",
          .enabled(if: Support.isAMD64))
    func architectures() throws {
        let only64 = try I(SeccompCompiler.compileUncached(
            Support.profile(arches: [.x86_64], [LinuxSyscall(names: ["getpid"], action: .allow)])))
        #expect(try only64.run(arch: I.auditI386, nr: 20) == I.retKillThread)
        #expect(try only64.run(arch: I.auditAArch64, nr: 172) == I.retKillThread)

        let both = try I(SeccompCompiler.compileUncached(
            Support.profile(arches: [.x86_64, .x86], [LinuxSyscall(names: ["getpid"], action: .allow)])))
        #expect(Support.nr("getpid", arch: "SCMP_ARCH_X86") == 20)
        #expect(try both.run(arch: I.auditI386, nr: 20) == I.retAllow)
        #expect(try both.run(arch: I.auditI386, nr: 10) == I.retErrno(1), "x86 unlink: not allowed")
        #expect(try both.run(nr: 39) == I.retAllow)

        // No architectures: the native one is still there.
        let none = try I(SeccompCompiler.compileUncached(
            Support.profile([LinuxSyscall(names: ["getpid"], action: .allow)])))
        #expect(try none.run(nr: 39) == I.retAllow)
        #expect(try none.run(arch: I.auditI386, nr: 20) == I.retKillThread)
    }

    @Test("every action maps to the kernel return value runc gives it")
    func actions() throws {
        let rules: [(String, SeccompAction, UInt32?, UInt32)] = [
            ("getpid", .allow, nil, I.retAllow),
            ("getppid", .errno, nil, I.retErrno(1)),
            ("getuid", .errno, 42, I.retErrno(42)),
            ("getgid", .kill, nil, I.retKillThread),
            ("geteuid", .killThread, nil, I.retKillThread),
            ("getegid", .killProcess, nil, I.retKillProcess),
            ("gettid", .trap, nil, I.retTrap),
            ("getpgrp", .trace, nil, I.retTrace(1)),
            ("getsid", .trace, 7, I.retTrace(7)),
            ("sched_yield", .log, nil, I.retLog),
        ]
        let profile = Support.profile(
            .errno, errnoRet: 99, rules.map { LinuxSyscall(names: [$0.0], action: $0.1, errnoRet: $0.2) })
        let vm = try I(SeccompCompiler.compileUncached(profile))
        for (name, _, _, expected) in rules {
            #expect(try vm.run(nr: Support.nr(name)) == expected, "\(name)")
        }
        #expect(try vm.run(nr: Support.nr("read")) == I.retErrno(99), "defaultErrnoRet")
    }

    @Test("a rule whose action equals the default action is dropped, not an error (runc)")
    func redundantRule() throws {
        let p = try SeccompCompiler.compileUncached(
            Support.profile([
                LinuxSyscall(names: ["getpid"], action: .errno),
                LinuxSyscall(names: ["getppid"], action: .errno, errnoRet: 1),
                LinuxSyscall(names: ["gettid"], action: .allow),
            ]))
        let vm = try I(p)
        #expect(try vm.run(nr: Support.nr("getpid")) == I.retErrno(1))
        #expect(try vm.run(nr: Support.nr("gettid")) == I.retAllow)
    }

    @Test("conditions on distinct argument indexes are AND-ed in one rule")
    func conditionsAnd() throws {
        let vm = try I(SeccompCompiler.compileUncached(
            Support.profile(.allow, [
                LinuxSyscall(
                    names: ["dup2"], action: .errno, errnoRet: 45,
                    args: [
                        LinuxSeccompArg(index: 0, value: 1000, op: .equalTo),
                        LinuxSeccompArg(index: 1, value: 1001, op: .equalTo),
                    ])
            ])))
        let dup2 = Support.nr("dup2")
        #expect(try vm.run(nr: dup2, args: [1000, 1001]) == I.retErrno(45))
        #expect(try vm.run(nr: dup2, args: [1000, 1002]) == I.retAllow)
        #expect(try vm.run(nr: dup2, args: [999, 1001]) == I.retAllow)
    }

    @Test("several conditions on the same index become separate rules, so they OR (runc)")
    func sameIndexSplit() throws {
        let vm = try I(SeccompCompiler.compileUncached(
            Support.profile(.allow, [
                LinuxSyscall(
                    names: ["dup"], action: .errno, errnoRet: 44,
                    args: [
                        LinuxSeccompArg(index: 0, value: 1000, op: .equalTo),
                        LinuxSeccompArg(index: 0, value: 1001, op: .equalTo),
                    ])
            ])))
        let dup = Support.nr("dup")
        #expect(try vm.run(nr: dup, args: [1000]) == I.retErrno(44))
        #expect(try vm.run(nr: dup, args: [1001]) == I.retErrno(44))
        #expect(try vm.run(nr: dup, args: [1002]) == I.retAllow)
    }

    @Test("all seven operators compare 64-bit arguments as libseccomp defines them")
    func operators() throws {
        let cases: [(String, SeccompOperator, UInt64, UInt64?, [(UInt64, Bool)])] = [
            ("dup", .notEqual, 5, nil, [(5, false), (4, true), (1 << 40 | 5, true)]),
            ("close", .lessThan, 5, nil, [(4, true), (5, false), (6, false)]),
            ("fsync", .lessEqual, 5, nil, [(5, true), (6, false), (0, true)]),
            ("fdatasync", .equalTo, 1 << 33 | 7, nil, [(1 << 33 | 7, true), (7, false)]),
            ("fchdir", .greaterEqual, 5, nil, [(5, true), (4, false), (UInt64.max, true)]),
            ("syncfs", .greaterThan, 5, nil, [(6, true), (5, false)]),
            ("umask", .maskedEqual, 0o7, 0o5, [(0o775, true), (0o777, false), (0o5, true), (0o2, false)]),
        ]
        let profile = Support.profile(
            .allow,
            cases.map { c in
                LinuxSyscall(
                    names: [c.0], action: .errno, errnoRet: 77,
                    args: [LinuxSeccompArg(index: 0, value: c.2, valueTwo: c.3, op: c.1)])
            })
        let vm = try I(SeccompCompiler.compileUncached(profile))
        for c in cases {
            for (arg, matches) in c.4 {
                #expect(
                    try vm.run(nr: Support.nr(c.0), args: [arg]) == (matches ? I.retErrno(77) : I.retAllow),
                    "\(c.0) \(c.1) \(c.2) on \(arg)")
            }
        }
    }

    @Test("SECCOMP_FILTER_FLAG_* bits come back for bl_seccomp_install")
    func flags() throws {
        let p = try SeccompCompiler.compileUncached(
            Support.profile(flags: [.tsync, .log, .specAllow], [LinuxSyscall(names: ["getpid"], action: .allow)]))
        #expect(p.flags == SeccompProgram.FilterFlag.tsync | SeccompProgram.FilterFlag.log
            | SeccompProgram.FilterFlag.specAllow)
        #expect(p.flags == 0b111)

        let w = try SeccompCompiler.compileUncached(
            Support.profile(flags: [.waitKillableRecv], [LinuxSyscall(names: ["getpid"], action: .allow)]))
        #expect(w.flags == 0)
        #expect(w.warnings.contains { $0.contains("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") })
    }

    @Test("an unknown syscall name is skipped with a warning; the rule's other names still apply")
    func unknownSyscallName() throws {
        let p = try SeccompCompiler.compileUncached(
            Support.profile([
                LinuxSyscall(names: ["getpid", "no_such_syscall_xyz"], action: .allow),
                LinuxSyscall(names: ["no_such_syscall_xyz"], action: .allow),
            ]))
        #expect(p.warnings.count == 1, "one warning per distinct name: \(p.warnings)")
        #expect(p.warnings.first?.contains("\"no_such_syscall_xyz\"") == true)
        #expect(try I(p).run(nr: Support.nr("getpid")) == I.retAllow)
    }

    @Test("errnoRet on an action that does not use it is ignored with a warning (runc ignores it)")
    func ignoredErrnoRet() throws {
        let p = try SeccompCompiler.compileUncached(
            Support.profile([LinuxSyscall(names: ["getpid"], action: .allow, errnoRet: 5)]))
        #expect(p.warnings.contains { $0.contains("errnoRet 5") && $0.contains("SCMP_ACT_ALLOW") })
        #expect(try I(p).run(nr: Support.nr("getpid")) == I.retAllow)
    }

    @Test("bad input is rejected with a message naming the bad value")
    func errors() {
        func message(_ p: LinuxSeccomp) -> String {
            do {
                _ = try SeccompCompiler.compileUncached(p)
                return "<compiled>"
            } catch {
                return "\(error)"
            }
        }
        let ok = [LinuxSyscall(names: ["getpid"], action: .allow)]
        #expect(message(Support.profile("SCMP_ACT_FOO", ok)).contains("unknown seccomp action \"SCMP_ACT_FOO\""))
        #expect(message(Support.profile([LinuxSyscall(names: ["getpid"], action: "SCMP_ACT_BAR")]))
            .contains("unknown seccomp action \"SCMP_ACT_BAR\""))
        #expect(message(Support.profile(arches: ["SCMP_ARCH_FOO"], ok))
            .contains("unknown seccomp architecture \"SCMP_ARCH_FOO\""))
        #expect(message(Support.profile(arches: ["x86_64"], ok)).contains("unknown seccomp architecture \"x86_64\""))
        #expect(message(Support.profile(arches: ["SCMP_ARCH_NATIVE"], ok)).contains("\"SCMP_ARCH_NATIVE\""))
        #expect(message(Support.profile([
            LinuxSyscall(names: ["dup"], action: .allow, args: [LinuxSeccompArg(index: 0, value: 1, op: "SCMP_CMP_FOO")])
        ])).contains("unknown seccomp operator \"SCMP_CMP_FOO\""))
        #expect(message(Support.profile([
            LinuxSyscall(names: ["dup"], action: .allow, args: [LinuxSeccompArg(index: 6, value: 1, op: .equalTo)])
        ])).contains("argument index 6 out of range"))
        #expect(message(Support.profile([LinuxSyscall(names: ["getpid"], action: .notify)]))
            .contains("\"SCMP_ACT_NOTIFY\" is not supported"))
        #expect(message(Support.profile(.notify, ok)).contains("\"SCMP_ACT_NOTIFY\" is not supported"))
        #expect(message(Support.profile(flags: ["SECCOMP_FILTER_FLAG_FOO"], ok))
            .contains("unknown seccomp flag \"SECCOMP_FILTER_FLAG_FOO\""))
        #expect(message(Support.profile([LinuxSyscall(names: ["getpid"], action: .errno, errnoRet: 70000)]))
            .contains("errnoRet 70000 out of range"))
        #expect(message(Support.profile([LinuxSyscall(names: [""], action: .allow)])).contains("empty seccomp syscall name"))
    }

    @Test("a program longer than the kernel's 4096 instructions is refused, not truncated")
    func tooLong() {
        // Same index repeated: one rule per value, a few instructions each.
        let args = (0..<3000).map { LinuxSeccompArg(index: 0, value: UInt64($0) << 32, op: .equalTo) }
        do {
            let p = try SeccompCompiler.compileUncached(
                Support.profile([LinuxSyscall(names: ["dup"], action: .allow, args: args)]))
            Issue.record("compiled to \(p.instructionCount) instructions")
        } catch {
            #expect("\(error)".contains("the kernel accepts at most 4096"), "\(error)")
        }
    }
}
