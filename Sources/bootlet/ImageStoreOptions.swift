import ArgumentParser
import BootletImages

/// Options shared by the `bootlet image` commands.
struct ImageStoreOptions: ParsableArguments {
    @Option(name: .long, help: "Image store directory.")
    var root: String = ImageStore.defaultRoot

    @Flag(name: .long, help: "Never use overlayfs: unpack layers for the copy fallback and copy root filesystems.")
    var copyRootfs = false

    func open() throws -> ImageStore {
        try ImageStore(root: root, rootfsMode: copyRootfs ? .copy : .auto)
    }
}
