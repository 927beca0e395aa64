import ArgumentParser
import BootletImages

/// `bootlet image mount REF ID`: prepare a container rootfs by hand (what the runner does per container) and print
/// its path; for labs, debugging and bench/image-rootfs. `bootlet image unmount ID` releases it.
struct ImageMountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mount", abstract: "Prepare a container root filesystem and print its path.")

    @OptionGroup var store: ImageStoreOptions

    @Argument(help: "Reference or image ID.")
    var reference: String

    @Argument(help: "Container ID ([A-Za-z0-9_.-]).")
    var containerID: String

    func run() throws {
        let r = try store.open().prepare(image: reference, containerID: containerID)
        print(r.path)
    }
}
