import Crypto
import FoundationEssentials

/// A content digest `sha256:<64 lowercase hex>` (OCI image-spec "Digests"). Only sha256 is accepted: it is what
/// every image tool writes, and the store is addressed by it.
public struct Digest: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let hex: String

    public init(hex: String) throws {
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            throw ImageError("invalid sha256 digest hex \"\(hex)\" (want 64 lowercase hex digits)")
        }
        self.hex = hex
    }

    /// Parse `sha256:<hex>`.
    public init(parsing s: String) throws {
        guard s.hasPrefix("sha256:") else {
            throw ImageError("unsupported digest \"\(s)\" (only sha256:<hex> is supported)")
        }
        try self.init(hex: String(s.dropFirst(7)))
    }

    init(_ h: SHA256.Digest) {
        hex = h.map { b in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }

    public static func of(_ data: Data) -> Digest { Digest(SHA256.hash(data: data)) }

    public var description: String { "sha256:\(hex)" }
    /// Docker/crictl short form (first 12 hex digits).
    public var short: String { String(hex.prefix(12)) }

    public static func < (a: Digest, b: Digest) -> Bool { a.hex < b.hex }

    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: s)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// Incremental SHA-256 of the two streams the C extractor reports (stored blob bytes and uncompressed tar bytes).
final class StreamHashes {
    var stored = SHA256()
    var tar = SHA256()
    var tarBytes: Int64 = 0

    func update(which: Int32, _ buf: UnsafeRawBufferPointer) {
        if which == 0 {
            stored.update(bufferPointer: buf)
        } else {
            tar.update(bufferPointer: buf)
            tarBytes += Int64(buf.count)
        }
    }
}
