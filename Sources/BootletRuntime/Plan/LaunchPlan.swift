import CBootletRuntime

/// The launch plan: everything the C monitor and the container child need, resolved and validated in Swift and
/// encoded in the flat record format documented in `CShims/runtime/include/bootlet_runtime.h`.
///
/// The record tags are the C enum itself (`BL_T_*`), so both sides share one definition.
public struct LaunchPlan: Sendable {
    public private(set) var bytes: [UInt8]

    public init() {
        bytes = []
        bytes.reserveCapacity(4096)
        append32(BL_PLAN_MAGIC)
        append32(BL_PLAN_VERSION)
        append32(0)  // total length, patched by `finish`
        append32(0)
    }

    /// Encoded bytes with the total length patched in.
    public func finished() -> [UInt8] {
        var b = bytes
        let n = UInt32(b.count)
        withUnsafeBytes(of: n.littleEndian) { raw in
            for i in 0..<4 { b[8 + i] = raw[i] }
        }
        return b
    }

    /// Append one record; `body` fills the payload (a body that cannot throw needs no `try`).
    public mutating func record(_ tag: bl_plan_tag, flags: UInt16 = 0, _ body: (inout Payload) throws -> Void)
        rethrows
    {
        var p = Payload()
        try body(&p)
        append16(UInt16(tag.rawValue))
        append16(flags)
        append32(UInt32(p.bytes.count))
        bytes.append(contentsOf: p.bytes)
        let pad = (8 - p.bytes.count % 8) % 8
        bytes.append(contentsOf: repeatElement(0, count: pad))
    }

    /// Convenience: a record holding strings only.
    public mutating func strings(_ tag: bl_plan_tag, flags: UInt16 = 0, _ values: String...) throws {
        try record(tag, flags: flags) { p in
            for v in values { try p.string(v) }
        }
    }

    private mutating func append16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    private mutating func append32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }

    public struct Payload: Sendable {
        public var bytes: [UInt8] = []
        public mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        public mutating func i32(_ v: Int32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        public mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        public mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }
        /// A NUL-terminated string; a string containing NUL cannot be passed to the kernel and is refused.
        public mutating func string(_ s: String) throws {
            let u = Array(s.utf8)
            if u.contains(0) { throw RuntimeError("encode launch plan", "value \(s.debugDescription) contains a NUL byte") }
            bytes.append(contentsOf: u)
            bytes.append(0)
        }
    }
}
