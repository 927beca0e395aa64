import BootletRuntime

/// A classic-BPF interpreter over `struct seccomp_data`, so tests can ask "what does this filter return for
/// syscall N on arch A with these arguments" for any architecture, without loading the filter.
/// Implements the instruction set seccomp accepts (linux/filter.h); anything else fails the evaluation.
struct BPFInterpreter {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let auditX86_64: UInt32 = 0xC000_003E
    static let auditI386: UInt32 = 0x4000_0003
    static let auditAArch64: UInt32 = 0xC000_00B7
    static let x32Bit: Int32 = 0x4000_0000

    static let retAllow: UInt32 = 0x7FFF_0000
    static let retKillThread: UInt32 = 0
    static let retKillProcess: UInt32 = 0x8000_0000
    static let retTrap: UInt32 = 0x0003_0000
    static let retLog: UInt32 = 0x7FFC_0000
    static func retErrno(_ e: UInt32) -> UInt32 { 0x0005_0000 | e }
    static func retTrace(_ m: UInt32) -> UInt32 { 0x7FF0_0000 | m }

    let program: [BPFInstruction]

    init(_ p: SeccompProgram) throws {
        guard let insns = BPFInstruction.decode(p.bytes) else { throw Failure(description: "bytes not a multiple of 8") }
        program = insns
    }

    /// The filter's return value for one syscall.
    func run(arch: UInt32 = auditX86_64, nr: Int32, args: [UInt64] = []) throws -> UInt32 {
        var data = [UInt8]()
        withUnsafeBytes(of: nr) { data += $0 }
        withUnsafeBytes(of: arch) { data += $0 }
        withUnsafeBytes(of: UInt64(0x1000)) { data += $0 }  // instruction_pointer
        for i in 0..<6 { withUnsafeBytes(of: i < args.count ? args[i] : 0) { data += $0 } }

        var a: UInt32 = 0
        var x: UInt32 = 0
        var mem = [UInt32](repeating: 0, count: 16)
        var pc = 0
        var steps = 0
        func word(_ off: UInt32) throws -> UInt32 {
            guard off % 4 == 0, Int(off) + 4 <= data.count else { throw Failure(description: "load out of range \(off)") }
            return data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: Int(off), as: UInt32.self) }
        }
        while true {
            guard pc >= 0, pc < program.count else { throw Failure(description: "fell off the program at \(pc)") }
            steps += 1
            guard steps < 100_000 else { throw Failure(description: "no termination") }
            let i = program[pc]
            pc += 1
            let cls = i.code & 0x07
            let src: UInt32 = (i.code & 0x08) != 0 ? x : i.k
            switch cls {
            case 0x00:  // LD
                switch i.code & 0xe0 {
                case 0x20: a = try word(i.k)  // ABS
                case 0x00: a = i.k  // IMM
                case 0x60: a = mem[Int(i.k & 15)]  // MEM
                case 0x80: a = UInt32(data.count)  // LEN
                default: throw Failure(description: "unsupported ld \(i.code)")
                }
            case 0x01:  // LDX
                switch i.code & 0xe0 {
                case 0x00: x = i.k
                case 0x60: x = mem[Int(i.k & 15)]
                case 0x80: x = UInt32(data.count)
                default: throw Failure(description: "unsupported ldx \(i.code)")
                }
            case 0x02: mem[Int(i.k & 15)] = a  // ST
            case 0x03: mem[Int(i.k & 15)] = x  // STX
            case 0x04:  // ALU
                switch i.code & 0xf0 {
                case 0x00: a = a &+ src
                case 0x10: a = a &- src
                case 0x20: a = a &* src
                case 0x30: a = src == 0 ? 0 : a / src
                case 0x40: a = a | src
                case 0x50: a = a & src
                case 0x60: a = src >= 32 ? 0 : a << src
                case 0x70: a = src >= 32 ? 0 : a >> src
                case 0x80: a = 0 &- a
                case 0x90: a = src == 0 ? 0 : a % src
                case 0xa0: a = a ^ src
                default: throw Failure(description: "unsupported alu \(i.code)")
                }
            case 0x05:  // JMP
                let op = i.code & 0xf0
                if op == 0x00 {
                    pc += Int(i.k)
                    continue
                }
                let taken: Bool
                switch op {
                case 0x10: taken = a == src
                case 0x20: taken = a > src
                case 0x30: taken = a >= src
                case 0x40: taken = (a & src) != 0
                default: throw Failure(description: "unsupported jmp \(i.code)")
                }
                pc += Int(taken ? i.jt : i.jf)
            case 0x06:  // RET
                return (i.code & 0x18) == 0x10 ? a : i.k
            case 0x07:  // MISC
                if i.code & 0xf8 == 0x00 { x = a } else { a = x }
            default: throw Failure(description: "bad class")
            }
        }
    }
}
