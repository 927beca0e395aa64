#if canImport(Glibc)
import Glibc
#endif

/// A unique temporary directory, removed recursively by `remove()`.
struct TempDir {
    let path: String

    init(_ prefix: String = "bootlet-fs") {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buf -> Bool in
            guard let base = buf.baseAddress else { return false }
            return mkdtemp(base) != nil
        }
        path = made ? String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self) : "/tmp/\(prefix)-failed"
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { removeTree(path) }
}

func removeTree(_ path: String) {
    var st = stat()
    guard lstat(path, &st) == 0 else { return }
    if (st.st_mode & S_IFMT) == S_IFDIR {
        if let d = opendir(path) {
            var names: [String] = []
            while let e = readdir(d) {
                let n = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if n != "." && n != ".." { names.append(n) }
            }
            closedir(d)
            for n in names { removeTree(path + "/" + n) }
        }
        rmdir(path)
    } else {
        unlink(path)
    }
}

/// Writes `content` in place (open/truncate/write/close): inotify sees Modify/CloseWrite.
func writeFile(_ path: String, _ content: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return }
    defer { close(fd) }
    var bytes = Array(content.utf8)
    _ = write(fd, &bytes, bytes.count)
}

/// Writes to a dot-file and renames it into place (how careful tools update manifests).
func writeAtomically(_ path: String, _ content: String) {
    let slash = path.lastIndex(of: "/") ?? path.startIndex
    let tmp = String(path[..<slash]) + "/.tmp-" + String(path[path.index(after: slash)...])
    writeFile(tmp, content)
    rename(tmp, path)
}

func podManifest(name: String, args: [String] = ["sleep", "3600"], namespace: String? = nil) -> String {
    """
    apiVersion: v1
    kind: Pod
    metadata:
      name: \(name)
    \(namespace.map { "  namespace: \($0)" } ?? "")
    spec:
      containers:
      - name: main
        image: busybox:1.36
        args: [\(args.map { "\"\($0)\"" }.joined(separator: ", "))]
    """
}
