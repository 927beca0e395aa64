import ArgumentParser
import BootletImages

/// `bootlet image inspect REF`: the image record and the config the runner uses, as JSON.
struct ImageInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Show an image as JSON.")

    @OptionGroup var store: ImageStoreOptions

    @Argument(help: "Reference or image ID (sha256:...).")
    var reference: String

    func run() throws {
        try JSONStringArray.print(try store.open().image(reference))
    }
}
