import ArgumentParser
import BootletImages
#if canImport(Glibc)
import Glibc
#endif

/// `bootlet image mount REF ID...`: prepare container root filesystems by hand (what the runner does per container)
/// and print their paths; for labs, debugging and bench/image-rootfs. `bootlet image unmount ID` releases them.
struct ImageMountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mount", abstract: "Prepare container root filesystems and print their paths.")

    @OptionGroup var store: ImageStoreOptions

    @Argument(help: "Reference or image ID.")
    var reference: String

    @Argument(help: "Container IDs ([A-Za-z0-9_.-]); one rootfs each, prepared in this order by one process.")
    var containerIDs: [String]

    @Flag(name: .long, help: "Print the time each prepare took inside this process to stderr (\"ID prepare_ms=N\").")
    var timing = false

    func run() throws {
        let s = try store.open()
        for id in containerIDs {
            let t0 = Self.now()
            let r = try s.prepare(image: reference, containerID: id)
            let t1 = Self.now()
            print(r.path)
            if timing {
                let ms = Double(t1 - t0) / 1e6
                let line = "\(id) prepare_ms=\((ms * 100).rounded() / 100)\n"
                _ = line.withCString { write(2, $0, strlen($0)) }
            }
        }
    }

    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
