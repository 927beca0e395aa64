/// IPv4 dotted quad or IPv6 text form.
func isIP(_ s: String) -> Bool { isIPv4(s) || isIPv6(s) }

func isIPv4(_ s: String) -> Bool {
    let parts = s.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 4 else { return false }
    return parts.allSatisfy { p in
        !p.isEmpty && p.count <= 3 && p.allSatisfy { $0.isASCII && $0.isNumber } && (Int(p) ?? 256) <= 255
            && !(p.count > 1 && p.first == "0")
    }
}

func isIPv6(_ s: String) -> Bool {
    guard s.contains(":"), !s.contains(":::") else { return false }
    var text = Substring(s)
    var groupsNeeded = 8
    if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
        guard isIPv4(String(text[text.index(after: lastColon)...])) else { return false }
        text = text[...lastColon] + "0"
        groupsNeeded = 7
    }
    let doubles = text.components(separatedByDoubleColon: ())
    if doubles.count > 2 { return false }
    let groups = doubles.flatMap { $0.isEmpty ? [] : $0.split(separator: ":", omittingEmptySubsequences: false) }
    guard groups.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isHexDigit) }) else { return false }
    return doubles.count == 2 ? groups.count < groupsNeeded : groups.count == groupsNeeded
}

extension Substring {
    fileprivate func components(separatedByDoubleColon _: ()) -> [Substring] {
        guard let r = range(of: "::") else { return [self] }
        let rest = self[r.upperBound...]
        if rest.contains("::") { return [self[..<r.lowerBound], rest, ""] }
        return [self[..<r.lowerBound], rest]
    }

    fileprivate func range(of needle: String) -> Range<Index>? {
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(needle) { return i..<index(i, offsetBy: needle.count) }
            i = index(after: i)
        }
        return nil
    }
}
