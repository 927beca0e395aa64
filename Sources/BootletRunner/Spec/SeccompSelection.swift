#if canImport(Glibc)
import Glibc
#endif
import BootletRuntime
import FoundationEssentials
import KubeModel
import OCISpec

/// Which seccomp profile a container or sandbox gets.
public enum SeccompChoice: Sendable, Equatable {
    case unconfined
    case runtimeDefault
    /// The absolute profile path (`<root>/seccomp/<localhostProfile>`).
    case localhost(String)

    /// kubelet `getSeccompProfile`: the container's `seccompProfile`, else the pod's, else RuntimeDefault with
    /// `seccompDefault` and Unconfined without. `Localhost` needs a `localhostProfile` (kubelet's message).
    public static func select(
        container: SeccompProfile?, pod: SeccompProfile?, seccompDefault: Bool, profileRoot: String
    ) throws(SeccompChoiceError) -> SeccompChoice {
        guard let p = container ?? pod else { return seccompDefault ? .runtimeDefault : .unconfined }
        switch p.type {
        case "RuntimeDefault": return .runtimeDefault
        case "Localhost":
            guard let name = p.localhostProfile, !name.isEmpty else {
                throw SeccompChoiceError(message: "localhostProfile must be set if seccompProfile type is Localhost.")
            }
            return .localhost(joinClean(profileRoot, name))
        default: return .unconfined
        }
    }

    /// Go's `filepath.Join`: joined and cleaned (`a/./b` → `a/b`, `a/b/../c` → `a/c`).
    static func joinClean(_ a: String, _ b: String) -> String {
        var out: [Substring] = []
        for part in (a + "/" + b).split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                if !out.isEmpty { out.removeLast() }
                continue
            }
            out.append(part)
        }
        return (a.hasPrefix("/") ? "/" : "") + out.joined(separator: "/")
    }

    /// The `linux.seccomp` to write: nil for Unconfined or a privileged container (containerd never sets one for
    /// privileged), containerd's RuntimeDefault for the bounding set, or the Localhost file.
    /// A missing or malformed Localhost file fails like containerd (`CreateContainerError`).
    func profile(boundingCapabilities: [Capability], privileged: Bool) throws(SeccompChoiceError) -> LinuxSeccomp? {
        if privileged { return nil }
        switch self {
        case .unconfined: return nil
        case .runtimeDefault: return RuntimeDefaultProfile.profile(boundingCapabilities: Set(boundingCapabilities))
        case .localhost(let path):
            let bytes: [UInt8]
            do {
                bytes = try FileIO.read(path, step: "load seccomp profile")
            } catch let e as RuntimeError {
                throw SeccompChoiceError(
                    message: "cannot load seccomp profile \(goQuoted(path)): open \(path): \(goErrnoText(e.errno ?? EIO))",
                    runtime: true)
            } catch {
                throw SeccompChoiceError(message: "cannot load seccomp profile \(goQuoted(path)): \(error)", runtime: true)
            }
            do {
                return try JSONDecoder().decode(LinuxSeccomp.self, from: Data(bytes))
            } catch {
                throw SeccompChoiceError(
                    message: "decoding seccomp profile failed \(goQuoted(path)): \(Self.describe(error))", runtime: true)
            }
        }
    }

    static func describe(_ error: any Error) -> String {
        guard let d = error as? DecodingError else { return "\(error)" }
        switch d {
        case .dataCorrupted(let c): return "invalid JSON: \(c.debugDescription)"
        case .keyNotFound(let k, _): return "missing field \(k.stringValue)"
        case .typeMismatch(_, let c), .valueNotFound(_, let c):
            let path = c.codingPath.map(\.stringValue).joined(separator: ".")
            return "\(path): \(c.debugDescription)"
        @unknown default: return "\(d)"
        }
    }
}

public struct SeccompChoiceError: Error, Equatable, Sendable {
    public var message: String
    /// true: the runtime (containerd) fails (CreateContainerError); false: kubelet does (CreateContainerConfigError).
    public var runtime: Bool = false
}
