/// One classic-BPF instruction (`struct sock_filter`): what seccomp(2) loads.
///
/// Only the handful of opcodes the -ENOSYS stub needs are named; the bulk of every program comes from libseccomp
/// as raw bytes and is never decoded here.
public struct BPFInstruction: Hashable, Sendable {
    public var code: UInt16
    public var jt: UInt8
    public var jf: UInt8
    public var k: UInt32

    public init(code: UInt16, jt: UInt8 = 0, jf: UInt8 = 0, k: UInt32) {
        self.code = code
        self.jt = jt
        self.jf = jf
        self.k = k
    }

    /// Size of `struct sock_filter`.
    public static let size = 8
    /// BPF_MAXINSNS: the kernel refuses longer seccomp programs.
    public static let maxProgramLength = 4096

    // Opcodes (linux/bpf_common.h).
    static let ldWordAbs: UInt16 = 0x20  // BPF_LD | BPF_W | BPF_ABS
    static let ja: UInt16 = 0x05  // BPF_JMP | BPF_JA
    static let jeqK: UInt16 = 0x15  // BPF_JMP | BPF_JEQ | BPF_K
    static let jgtK: UInt16 = 0x25  // BPF_JMP | BPF_JGT | BPF_K
    static let jsetK: UInt16 = 0x45  // BPF_JMP | BPF_JSET | BPF_K
    static let retK: UInt16 = 0x06  // BPF_RET | BPF_K

    // struct seccomp_data offsets.
    static let offsetNr: UInt32 = 0
    static let offsetArch: UInt32 = 4

    /// Native-endian bytes, as seccomp(2) reads them.
    func append(to bytes: inout [UInt8]) {
        withUnsafeBytes(of: code) { bytes.append(contentsOf: $0) }
        bytes.append(jt)
        bytes.append(jf)
        withUnsafeBytes(of: k) { bytes.append(contentsOf: $0) }
    }

    /// Decodes native-endian `sock_filter` records; nil unless `bytes.count` is a multiple of 8.
    public static func decode(_ bytes: [UInt8]) -> [BPFInstruction]? {
        guard bytes.count % size == 0 else { return nil }
        var out: [BPFInstruction] = []
        out.reserveCapacity(bytes.count / size)
        bytes.withUnsafeBytes { raw in
            for i in stride(from: 0, to: raw.count, by: size) {
                out.append(
                    BPFInstruction(
                        code: raw.loadUnaligned(fromByteOffset: i, as: UInt16.self),
                        jt: raw[i + 2], jf: raw[i + 3],
                        k: raw.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self)))
            }
        }
        return out
    }
}
