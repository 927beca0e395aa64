import Crypto

/// On-disk form of a cached program: `<cache dir>/<key hex>.bpf`.
///
///     0   8  magic "BLSCBPF\0"
///     8   4  format version (SeccompCacheKey.formatVersion), little endian
///     12  4  SECCOMP_FILTER_FLAG_* bits
///     16  4  instruction count N (1...4096)
///     20  4  warnings length W in bytes
///     24  8  first 8 bytes of SHA-256(key hex || program || warnings)
///     32  8N program (struct sock_filter[N], native endian)
///     ..  W  warnings: per warning a 4-byte little-endian length and UTF-8 text; zero-padded to a multiple of 8
///
/// Anything that does not check out (size, magic, version, count, checksum, a file renamed to another key) is
/// treated as a miss and recompiled: a torn write after a crash or a flipped bit can never be loaded into a
/// container.
enum SeccompCacheFile {
    static let magic: [UInt8] = Array("BLSCBPF".utf8) + [0]
    static let headerSize = 32
    static let maxFileSize = 1 << 20

    static func encode(_ p: SeccompProgram, key: SeccompCacheKey) -> [UInt8] {
        var warnings: [UInt8] = []
        for w in p.warnings {
            le32(UInt32(w.utf8.count), into: &warnings)
            warnings.append(contentsOf: w.utf8)
        }
        var out = magic
        le32(SeccompCacheKey.formatVersion, into: &out)
        le32(p.flags, into: &out)
        le32(UInt32(p.instructionCount), into: &out)
        le32(UInt32(warnings.count), into: &out)
        out.append(contentsOf: checksum(key: key, program: p.bytes[...], warnings: warnings[...]))
        out.append(contentsOf: p.bytes)
        out.append(contentsOf: warnings)
        while out.count % 8 != 0 { out.append(0) }
        return out
    }

    /// The program, or nil if `bytes` is not a valid file for `key`.
    static func decode(_ bytes: [UInt8], key: SeccompCacheKey) -> SeccompProgram? {
        guard bytes.count >= headerSize, bytes.count % 8 == 0, bytes.count <= maxFileSize,
            Array(bytes[0..<8]) == magic, readLE32(bytes, 8) == SeccompCacheKey.formatVersion
        else { return nil }
        let flags = readLE32(bytes, 12)
        let count = Int(readLE32(bytes, 16))
        let warnLen = Int(readLE32(bytes, 20))
        guard (1...BPFInstruction.maxProgramLength).contains(count), warnLen <= maxFileSize else { return nil }
        let programEnd = headerSize + count * BPFInstruction.size
        let unpadded = programEnd + warnLen
        guard bytes.count == (unpadded + 7) / 8 * 8, bytes[unpadded...].allSatisfy({ $0 == 0 }) else { return nil }
        let program = bytes[headerSize..<programEnd]
        let warningBytes = bytes[programEnd..<unpadded]
        guard Array(bytes[24..<32]) == checksum(key: key, program: program, warnings: warningBytes) else {
            return nil
        }
        var warnings: [String] = []
        var i = programEnd
        while i < unpadded {
            guard i + 4 <= unpadded else { return nil }
            let n = Int(readLE32(bytes, i))
            guard n <= unpadded - i - 4 else { return nil }
            warnings.append(String(decoding: bytes[(i + 4)..<(i + 4 + n)], as: UTF8.self))
            i += 4 + n
        }
        return SeccompProgram(bytes: Array(program), flags: flags, warnings: warnings)
    }

    static func checksum(key: SeccompCacheKey, program: ArraySlice<UInt8>, warnings: ArraySlice<UInt8>) -> [UInt8] {
        var h = SHA256()
        h.update(data: Array(key.hex.utf8))
        h.update(data: program)
        h.update(data: warnings)
        return Array(h.finalize().prefix(8))
    }

    private static func le32(_ v: UInt32, into out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func readLE32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }
}
