#if canImport(Glibc)
import Glibc
#endif
import BootletRuntime
import OCISpec

/// The host's device nodes, for privileged containers: containerd `oci.HostDevices` (runc's `HostDevices`).
///
/// Walks `/dev` recursively without following symlinks; skips the `pts`, `shm`, `fd`, `mqueue`, `.lxc`,
/// `.lxd-mounts` and `.udev` directories, `/dev/console`, FIFOs and non-device files. Each node keeps its type,
/// major/minor, permission bits, uid and gid; paths stay as on the host (`/dev/...`).
public enum HostDevices {
    static let skippedDirectories: Set<String> = ["pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev"]

    /// `root` is where to look (normally `/dev`); `containerRoot` replaces it in the returned paths.
    public static func scan(root: String = "/dev", containerRoot: String = "/dev") throws -> [LinuxDevice] {
        var out: [LinuxDevice] = []
        try walk(root, containerRoot, into: &out)
        return out
    }

    static func walk(_ dir: String, _ cdir: String, into out: inout [LinuxDevice]) throws {
        for name in try FileIO.list(dir) {
            let path = dir + "/" + name
            var st = stat()
            if lstat(path, &st) != 0 {
                if errno == ENOENT { continue }
                throw RuntimeError.errno("list host devices", path)
            }
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                if skippedDirectories.contains(name) { continue }
                try walk(path, cdir + "/" + name, into: &out)
            case S_IFCHR, S_IFBLK:
                if name == "console" { continue }  // containerd skips any node named console
                let dev = UInt64(st.st_rdev)
                out.append(
                    LinuxDevice(
                        path: cdir + "/" + name, type: (st.st_mode & S_IFMT) == S_IFBLK ? "b" : "c",
                        major: Int64(major(dev)), minor: Int64(minor(dev)), fileMode: UInt32(st.st_mode & 0o7777),
                        uid: st.st_uid, gid: st.st_gid))
            default:
                continue
            }
        }
    }

    /// glibc's `gnu_dev_major`/`gnu_dev_minor` (macros in C).
    static func major(_ dev: UInt64) -> UInt64 { ((dev >> 32) & 0xffff_f000) | ((dev >> 8) & 0x0000_0fff) }
    static func minor(_ dev: UInt64) -> UInt64 { ((dev >> 12) & 0xffff_ff00) | (dev & 0x0000_00ff) }
}
