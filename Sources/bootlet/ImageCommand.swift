import ArgumentParser

/// `bootlet image`: the air-gapped image store (docs/images.md).
struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Manage the local image store (import, list, inspect, remove, export, mount).",
        subcommands: [
            ImageImportCommand.self, ImageListCommand.self, ImageInspectCommand.self, ImageRemoveCommand.self,
            ImageExportCommand.self, ImageMountCommand.self, ImageUnmountCommand.self,
        ]
    )
}
