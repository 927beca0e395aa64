/// FNV-1a, 128-bit: the hash kubelet uses for static-pod UIDs (`hash/fnv.New128a` in `common.go`
/// applyDefaults). It is tiny, so it lives here rather than pulling a crypto dependency into KubeModel.
public struct FNV128a: Sendable {
    static let offsetBasis: UInt128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d
    static let prime: UInt128 = 0x0000_0000_0100_0000_0000_0000_0000_013b

    public private(set) var state: UInt128 = FNV128a.offsetBasis

    public init() {}

    public mutating func update<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        for b in bytes {
            state ^= UInt128(b)
            state = state &* FNV128a.prime
        }
    }

    public mutating func update(_ s: String) { update(s.utf8) }

    /// The digest as Go's `hex.EncodeToString(h.Sum(nil))`: 32 lowercase hex digits, big-endian.
    public var hexDigest: String {
        let hex = String(state, radix: 16)
        return String(repeating: "0", count: 32 - hex.count) + hex
    }
}
