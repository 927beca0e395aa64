/// Linux mount flag values (`<sys/mount.h>`), spelled out so the option table below reads like runc's.
public enum MountFlag {
    public static let rdonly: UInt64 = 1
    public static let nosuid: UInt64 = 2
    public static let nodev: UInt64 = 4
    public static let noexec: UInt64 = 8
    public static let synchronous: UInt64 = 16
    public static let remount: UInt64 = 32
    public static let mandlock: UInt64 = 64
    public static let dirsync: UInt64 = 128
    public static let nosymfollow: UInt64 = 256
    public static let noatime: UInt64 = 1024
    public static let nodiratime: UInt64 = 2048
    public static let bind: UInt64 = 4096
    public static let move: UInt64 = 8192
    public static let rec: UInt64 = 16384
    public static let silent: UInt64 = 32768
    public static let unbindable: UInt64 = 1 << 17
    public static let `private`: UInt64 = 1 << 18
    public static let slave: UInt64 = 1 << 19
    public static let shared: UInt64 = 1 << 20
    public static let relatime: UInt64 = 1 << 21
    public static let iversion: UInt64 = 1 << 23
    public static let strictatime: UInt64 = 1 << 24
    public static let lazytime: UInt64 = 1 << 25
}

/// Parsed `mounts[].options`: mount(2) flags, propagation flags, extensions and the remaining fs-specific data.
public struct MountOptions: Equatable, Sendable {
    public var flags: UInt64 = 0
    public var propagation: UInt64 = 0
    public var recursiveReadOnly = false
    public var data: [String] = []

    /// Parse options the way runc's specconv does: known flag names set or clear mount(2) flags (later entries
    /// win), propagation names become a separate propagation mount call, everything else is passed to the
    /// filesystem as data (`mode=755,size=65536k`).
    public init(_ options: [String]) throws {
        typealias F = MountFlag
        for opt in options {
            switch opt {
            case "defaults": break
            case "ro": flags |= F.rdonly
            case "rw": flags &= ~F.rdonly
            case "suid": flags &= ~F.nosuid
            case "nosuid": flags |= F.nosuid
            case "dev": flags &= ~F.nodev
            case "nodev": flags |= F.nodev
            case "exec": flags &= ~F.noexec
            case "noexec": flags |= F.noexec
            case "sync": flags |= F.synchronous
            case "async": flags &= ~F.synchronous
            case "dirsync": flags |= F.dirsync
            case "remount": flags |= F.remount
            case "mand": flags |= F.mandlock
            case "nomand": flags &= ~F.mandlock
            case "atime": flags &= ~F.noatime
            case "noatime": flags |= F.noatime
            case "diratime": flags &= ~F.nodiratime
            case "nodiratime": flags |= F.nodiratime
            case "bind": flags |= F.bind
            case "rbind": flags |= F.bind | F.rec
            case "relatime": flags |= F.relatime
            case "norelatime": flags &= ~F.relatime
            case "strictatime": flags |= F.strictatime
            case "nostrictatime": flags &= ~F.strictatime
            case "lazytime": flags |= F.lazytime
            case "nolazytime": flags &= ~F.lazytime
            case "iversion": flags |= F.iversion
            case "noiversion": flags &= ~F.iversion
            case "silent": flags |= F.silent
            case "loud": flags &= ~F.silent
            case "symfollow": flags &= ~F.nosymfollow
            case "nosymfollow": flags |= F.nosymfollow
            case "private": propagation = F.private
            case "rprivate": propagation = F.private | F.rec
            case "shared": propagation = F.shared
            case "rshared": propagation = F.shared | F.rec
            case "slave": propagation = F.slave
            case "rslave": propagation = F.slave | F.rec
            case "unbindable": propagation = F.unbindable
            case "runbindable": propagation = F.unbindable | F.rec
            case "rro": recursiveReadOnly = true
            case "rrw": recursiveReadOnly = false
            case "idmap", "ridmap":
                throw RuntimeError("parse mount options", "\"\(opt)\"", detail: "id-mapped mounts are not supported")
            case "tmpcopyup":
                throw RuntimeError("parse mount options", "\"\(opt)\"", detail: "tmpcopyup is not supported")
            default: data.append(opt)
            }
        }
    }

    /// Parse a `rootfsPropagation` value.
    public static func rootPropagation(_ value: String) throws -> UInt64 {
        typealias F = MountFlag
        switch value {
        case "": return 0
        case "private": return F.private
        case "rprivate": return F.private | F.rec
        case "slave": return F.slave
        case "rslave": return F.slave | F.rec
        case "shared": return F.shared
        case "rshared": return F.shared | F.rec
        case "unbindable": return F.unbindable
        case "runbindable": return F.unbindable | F.rec
        default: throw RuntimeError("parse linux.rootfsPropagation", "\"\(value)\"", detail: "unknown propagation")
        }
    }
}
