import ArgumentParser
import BootletImages

/// `bootlet image export REF DIR`: write an OCI image layout (readable by skopeo, umoci, bootlet).
struct ImageExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export an image as an OCI image layout.")

    @OptionGroup var store: ImageStoreOptions

    @Argument(help: "Reference or image ID.")
    var reference: String

    @Argument(help: "Layout directory (created, or an existing layout to add to).")
    var directory: String

    func run() throws {
        try store.open().export(reference, to: directory)
    }
}
