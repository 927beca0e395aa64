import ArgumentParser
import BootletImages

/// `bootlet image list`: like `crictl images` (reference, image ID, size).
struct ImageListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List images in the store.", aliases: ["ls"])

    @OptionGroup var store: ImageStoreOptions

    @Flag(name: .shortAndLong, help: "Only print image IDs.")
    var quiet = false

    func run() throws {
        let images = try store.open().list()
        if quiet {
            for i in images { print(i.id) }
            return
        }
        let rows = images.flatMap { i in
            (i.references.isEmpty ? i.repoDigests : i.references).map { ($0, i.id.short, Self.human(i.size)) }
        }
        let w = max(9, rows.map(\.0.count).max() ?? 0)
        print("REFERENCE".padding(w) + "  IMAGE ID      SIZE")
        for r in rows { print(r.0.padding(w) + "  " + r.1 + "  " + r.2) }
    }

    static func human(_ n: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var v = Double(n)
        var u = 0
        while v >= 1000 && u < units.count - 1 {
            v /= 1000
            u += 1
        }
        return u == 0 ? "\(n)B" : "\((v * 10).rounded() / 10)\(units[u])"
    }
}

extension String {
    func padding(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
