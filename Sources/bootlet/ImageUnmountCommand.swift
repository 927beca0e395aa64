import ArgumentParser
import BootletImages

/// `bootlet image unmount ID`: release a rootfs made by `bootlet image mount` (unmount and delete).
struct ImageUnmountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unmount", abstract: "Release a prepared container root filesystem.")

    @OptionGroup var store: ImageStoreOptions

    @Argument(help: "Container IDs.")
    var containerIDs: [String]

    func run() throws {
        let s = try store.open()
        for id in containerIDs { try s.release(containerID: id) }
    }
}
