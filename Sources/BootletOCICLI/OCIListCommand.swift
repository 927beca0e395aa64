import ArgumentParser
import OCISpec

struct OCIListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List containers.")
    @ParentCommand var oci: OCICommand
    @Option(name: [.short, .long], help: "Output format: table or json.") var format: String = "table"
    @Flag(name: [.short, .long], help: "Print only container ids.") var quiet = false

    func run() throws {
        try oci.globals.reporting {
            let states = try oci.globals.runtime().list()
            if quiet {
                states.forEach { print($0.id) }
            } else if format == "json" {
                try printJSON(states)
            } else {
                let rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]]
                    + states.map { [$0.id, String($0.pid ?? 0), $0.status.rawValue, $0.bundle, $0.created ?? "", "root"] }
                let widths = (0..<6).map { c in rows.map { $0[c].count }.max() ?? 0 }
                for r in rows {
                    print(r.enumerated().map { i, v in i == 5 ? v : v + String(repeating: " ", count: widths[i] - v.count + 3) }.joined())
                }
            }
        }
    }
}
