/// A Docker/OCI image reference normalised the way kubelet's CRI runtimes (containerd, CRI-O) and docker do it
/// (docker/distribution `reference.ParseNormalizedNamed` + `TagNameOnly`):
///
/// * `busybox` → `docker.io/library/busybox:latest`, `foo/bar` → `docker.io/foo/bar:latest`;
/// * the first path component is a registry host only if it contains `.` or `:`, is `localhost`, or has upper-case
///   letters (`localhost:5000/x`, `registry.local/x`); `index.docker.io` becomes `docker.io`;
/// * `name@sha256:…` keeps the digest and gets no default tag; `name:tag@sha256:…` keeps both, the digest wins
///   when resolving;
/// * repository paths must be lower case, tags match `[\w][\w.-]{0,127}`, names are at most 255 characters, and a
///   bare 64-hex string is refused as a name (it would be ambiguous with an image ID).
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    public let domain: String
    /// Repository path without the domain (`library/busybox`).
    public let path: String
    public let tag: String?
    public let digest: Digest?

    /// kubelet's waiting reason for a container whose image name does not parse.
    public static let invalidReason = "InvalidImageName"

    public struct ParseError: Swift.Error, CustomStringConvertible, Equatable {
        public let input: String
        public let problem: String
        public var reason: String { ImageReference.invalidReason }
        /// kubelet: `Failed to apply default image tag "X": couldn't parse image name "X": invalid reference format`.
        public var description: String {
            "Failed to apply default image tag \"\(input)\": couldn't parse image name \"\(input)\": \(problem)"
        }
    }

    public init(_ input: String) throws {
        func fail(_ p: String) -> ParseError { ParseError(input: input, problem: p) }
        guard !input.isEmpty else { throw fail("invalid reference format") }
        if input.count == 64, input.utf8.allSatisfy({ Self.isHex($0) }) {
            throw fail("invalid repository name (\(input)), cannot specify 64-byte hexadecimal strings")
        }
        var rest = Substring(input)
        var digest: Digest?
        if let at = rest.firstIndex(of: "@") {
            let d = String(rest[rest.index(after: at)...])
            guard let parsed = try? Digest(parsing: d) else { throw fail("invalid reference format: bad digest \"\(d)\"") }
            digest = parsed
            rest = rest[..<at]
        }
        var tag: String?
        // A tag follows the last ':' that comes after the last '/' (a ':' before it is a registry port).
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            let t = String(rest[rest.index(after: colon)...])
            guard Self.isValidTag(t) else { throw fail("invalid reference format") }
            tag = t
            rest = rest[..<colon]
        }
        let name = String(rest)
        guard !name.isEmpty, name.count <= 255 else { throw fail("invalid reference format") }

        var domain = "docker.io"
        var remainder = name
        if let slash = name.firstIndex(of: "/") {
            let first = String(name[..<slash])
            if first.contains(".") || first.contains(":") || first == "localhost" || first.lowercased() != first {
                domain = first
                remainder = String(name[name.index(after: slash)...])
            }
        }
        if domain == "index.docker.io" { domain = "docker.io" }
        guard Self.isValidDomain(domain) else { throw fail("invalid reference format") }
        if remainder.lowercased() != remainder {
            throw fail("invalid reference format: repository name must be lowercase")
        }
        if domain == "docker.io" && !remainder.contains("/") { remainder = "library/" + remainder }
        let components = remainder.split(separator: "/", omittingEmptySubsequences: false)
        guard !components.isEmpty, components.allSatisfy({ Self.isValidPathComponent($0) }) else {
            throw fail("invalid reference format")
        }
        guard domain.count + 1 + remainder.count <= 255 else { throw fail("invalid reference format: repository name too long") }
        self.domain = domain
        self.path = remainder
        self.tag = tag ?? (digest == nil ? "latest" : nil)
        self.digest = digest
    }

    /// `docker.io/library/busybox`.
    public var repository: String { "\(domain)/\(path)" }

    /// Canonical string: `repository[:tag][@digest]`.
    public var description: String {
        var s = repository
        if let tag { s += ":\(tag)" }
        if let digest { s += "@\(digest)" }
        return s
    }

    /// The key the store resolves: `repository@digest` when a digest is given (the digest wins), else `repository:tag`.
    public var storeKey: String {
        if let digest { return "\(repository)@\(digest)" }
        return "\(repository):\(tag ?? "latest")"
    }

    /// Docker's short form (`busybox:latest`, `foo/bar:1`, `registry.local:5000/x:y`), as `docker images` shows it.
    public var familiar: String {
        var p = domain == "docker.io" ? (path.hasPrefix("library/") ? String(path.dropFirst(8)) : path) : repository
        if let tag { p += ":\(tag)" }
        if let digest { p += "@\(digest)" }
        return p
    }

    static func isHex(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 97 && c <= 102) }

    static func isValidTag(_ t: String) -> Bool {
        let u = Array(t.utf8)
        guard !u.isEmpty, u.count <= 128 else { return false }
        func word(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 }
        return word(u[0]) && u.dropFirst().allSatisfy { word($0) || $0 == 46 || $0 == 45 }
    }

    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
    static func isValidPathComponent(_ s: Substring) -> Bool {
        let u = Array(s.utf8)
        func alnum(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 97 && c <= 122) }
        guard let f = u.first, let l = u.last, alnum(f), alnum(l) else { return false }
        var i = 0
        while i < u.count {
            if alnum(u[i]) { i += 1; continue }
            var j = i
            while j < u.count && !alnum(u[j]) { j += 1 }
            let sep = u[i..<j]
            let ok = sep.elementsEqual([46]) || sep.elementsEqual([95]) || sep.elementsEqual([95, 95]) || sep.allSatisfy { $0 == 45 }
            if !ok { return false }
            i = j
        }
        return true
    }

    /// Host labels `[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?` joined by '.', optional `:port`; or `[ipv6]:port`.
    static func isValidDomain(_ d: String) -> Bool {
        var host = Substring(d)
        if let colon = d.lastIndex(of: ":"), !d[colon...].contains("]") {
            let port = d[d.index(after: colon)...]
            guard !port.isEmpty, port.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return false }
            host = d[..<colon]
        }
        if host.hasPrefix("[") && host.hasSuffix("]") {
            return host.dropFirst().dropLast().utf8.allSatisfy { isHex($0) || ($0 >= 65 && $0 <= 70) || $0 == 58 }
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        return !labels.isEmpty && labels.allSatisfy { l in
            let u = Array(l.utf8)
            func an(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) }
            guard let f = u.first, let e = u.last, an(f), an(e) else { return false }
            return u.allSatisfy { an($0) || $0 == 45 }
        }
    }
}
