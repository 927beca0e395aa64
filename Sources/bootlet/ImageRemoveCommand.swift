import ArgumentParser
import BootletImages

/// `bootlet image remove REF...`: untag, and delete what no image or container uses any more.
struct ImageRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove image references.", aliases: ["rm"])

    @OptionGroup var store: ImageStoreOptions

    @Argument(help: "References or image IDs.")
    var references: [String]

    func run() throws {
        let s = try store.open()
        for r in references {
            let result = try s.remove(r)
            for u in result.untagged { print("Untagged: \(u)") }
            for d in result.deleted { print("Deleted: \(d)") }
        }
    }
}
