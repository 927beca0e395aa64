/// Name syntax checks of `k8s.io/apimachinery/pkg/util/validation`, with its messages. Each returns the list of
/// problems (empty when valid).
public enum NameValidation {
    static let dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"

    static func isLower(_ c: UInt8) -> Bool { c >= 97 && c <= 122 }
    static func isUpper(_ c: UInt8) -> Bool { c >= 65 && c <= 90 }
    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    static func isLowerAlnum(_ c: UInt8) -> Bool { isLower(c) || isDigit(c) }
    static func isAlnum(_ c: UInt8) -> Bool { isLower(c) || isUpper(c) || isDigit(c) }

    static func matchesLabel(_ b: ArraySlice<UInt8>) -> Bool {
        guard let f = b.first, let l = b.last, isLowerAlnum(f), isLowerAlnum(l) else { return false }
        return b.allSatisfy { isLowerAlnum($0) || $0 == 45 }
    }

    /// RFC 1123 label (container, volume, port-less names; hostname): ≤ 63, `[a-z0-9]([-a-z0-9]*[a-z0-9])?`.
    public static func dns1123Label(_ s: String) -> [String] {
        var errs: [String] = []
        if s.utf8.count > 63 { errs.append("must be no more than 63 characters") }
        if !matchesLabel(ArraySlice(s.utf8)) {
            errs.append(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '\(dns1123LabelFmt)')"
            )
        }
        return errs
    }

    /// RFC 1123 subdomain (pod names, hostnames in aliases): ≤ 253, dot-separated labels.
    public static func dns1123Subdomain(_ s: String) -> [String] {
        var errs: [String] = []
        if s.utf8.count > 253 { errs.append("must be no more than 253 characters") }
        let parts = Array(s.utf8).split(separator: 46, omittingEmptySubsequences: false)
        if s.isEmpty || !parts.allSatisfy(matchesLabel) {
            errs.append(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '\(dns1123LabelFmt)(\\.\(dns1123LabelFmt))*')"
            )
        }
        return errs
    }

    static func matchesQualifiedNamePart(_ b: ArraySlice<UInt8>) -> Bool {
        guard let f = b.first, let l = b.last, isAlnum(f), isAlnum(l) else { return false }
        return b.allSatisfy { isAlnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }
    }

    /// Qualified name (label and annotation keys): optional DNS-subdomain prefix + `/` + name ≤ 63.
    public static func qualifiedName(_ s: String) -> [String] {
        var errs: [String] = []
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        var name = Substring(s)
        if parts.count == 2 {
            let prefix = String(parts[0])
            name = parts[1]
            if prefix.isEmpty {
                errs.append("prefix part must be non-empty")
            } else {
                errs += dns1123Subdomain(prefix).map { "prefix part " + $0 }
            }
        } else if parts.count > 2 {
            return [
                "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ]
        }
        if name.isEmpty {
            errs.append("name part must be non-empty")
        } else if name.utf8.count > 63 {
            errs.append("name part must be no more than 63 characters")
        }
        if !name.isEmpty, !matchesQualifiedNamePart(ArraySlice(name.utf8)) {
            errs.append(
                "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
            )
        }
        return errs
    }

    /// Label values: ≤ 63, empty or `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
    public static func labelValue(_ s: String) -> [String] {
        var errs: [String] = []
        if s.utf8.count > 63 { errs.append("must be no more than 63 characters") }
        if !s.isEmpty, !matchesQualifiedNamePart(ArraySlice(s.utf8)) {
            errs.append(
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
            )
        }
        return errs
    }

    /// IANA service name (named ports): ≤ 15, `[a-z0-9-]`, at least one letter, no leading/trailing/double `-`.
    public static func ianaServiceName(_ s: String) -> [String] {
        var errs: [String] = []
        let b = Array(s.utf8)
        if b.count > 15 { errs.append("must be no more than 15 characters") }
        if !b.allSatisfy({ isLowerAlnum($0) || $0 == 45 }) {
            errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
        }
        if s.contains("--") { errs.append("must not contain consecutive hyphens") }
        if !b.contains(where: isLower) { errs.append("must contain at least one letter (a-z)") }
        if b.first == 45 || b.last == 45 { errs.append("must not begin or end with a hyphen") }
        return errs
    }

    /// Environment variable names (RelaxedEnvironmentVariableValidation, GA): printable ASCII except `=`.
    public static func envVarName(_ s: String) -> [String] {
        if !s.utf8.allSatisfy({ $0 >= 32 && $0 <= 126 && $0 != 61 }) {
            return ["a valid environment variable name must consist only of printable ASCII characters other than '='"]
        }
        return []
    }

    /// Sysctl names: dot- or slash-separated segments `[a-z0-9]([-_a-z0-9]*[a-z0-9])?` (ValidateSysctlName).
    public static func isSysctlName(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 253 else { return false }
        for seg in Array(s.utf8).split(omittingEmptySubsequences: false, whereSeparator: { $0 == 46 || $0 == 47 }) {
            guard let f = seg.first, let l = seg.last, isLowerAlnum(f), isLowerAlnum(l),
                seg.allSatisfy({ isLowerAlnum($0) || $0 == 45 || $0 == 95 })
            else { return false }
        }
        return true
    }
}
