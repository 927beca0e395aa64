#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The running kernel's "major.minor", for RuntimeDefault's kernel-gated rules (containerd's
/// `kernelversion.GreaterEqualThan`, which also reads `uname` and parses the leading "%d.%d").
public struct KernelRelease: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Parses the leading "major.minor" of a release string such as "6.18.44-fc-v595"; nil if there is none.
    public init?(parsing release: String) {
        var numbers: [Int] = []
        var current: Int? = nil
        for ch in release.utf8 {
            if ch >= UInt8(ascii: "0") && ch <= UInt8(ascii: "9") {
                let (v, o1) = (current ?? 0).multipliedReportingOverflow(by: 10)
                let (w, o2) = v.addingReportingOverflow(Int(ch - UInt8(ascii: "0")))
                guard !o1, !o2 else { return nil }
                current = w
            } else {
                guard let c = current else { break }
                numbers.append(c)
                current = nil
                if numbers.count == 2 || ch != UInt8(ascii: ".") { break }
            }
        }
        if let current, numbers.count < 2 { numbers.append(current) }
        guard numbers.count == 2 else { return nil }
        self.init(major: numbers[0], minor: numbers[1])
    }

    /// `uname -r` of this machine, parsed once; nil if unparsable (kernel-gated rules are then left out).
    public static let running: KernelRelease? = {
        var u = utsname()
        guard uname(&u) == 0 else { return nil }
        let release = withUnsafeBytes(of: u.release) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return KernelRelease(parsing: release)
    }()

    public static func < (a: Self, b: Self) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
    public var description: String { "\(major).\(minor)" }
}
