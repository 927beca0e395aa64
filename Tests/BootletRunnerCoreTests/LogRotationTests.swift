@testable import BootletRunner
import BootletRuntime
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Container log rotation (kubelet's container log manager)")
struct LogRotationTests {
    @Test func rotatesCompressesAndKeepsAtMostMaxFiles() throws {
        let dir = "/tmp/bootlet-rot-\(UInt32.random(in: 0...UInt32.max))"
        try FileIO.makeDirectories(dir)
        defer { try? FileIO.removeTree(dir) }
        let log = dir + "/0.log"
        let m = ContainerLogManager(maxSize: 100, maxFiles: 3)
        var reopened = 0
        for round in 0..<5 {
            try FileIO.writeAtomically(log, Array(String(repeating: "x", count: 150).utf8))
            #expect(try m.rotateIfNeeded(log: log) {
                reopened += 1
                try FileIO.writeAtomically(log, [])
            })
            let files = try FileIO.list(dir)
            #expect(files.count <= 3, "round \(round): \(files)")
            sleep(1)  // rotated names carry a second-resolution timestamp
        }
        #expect(reopened == 5)
        let files = try FileIO.list(dir)
        #expect(files.contains("0.log"))
        #expect(files.filter { $0.hasSuffix(".gz") }.count == 1, "\(files)")
        #expect(files.filter { $0.hasPrefix("0.log.") && !$0.hasSuffix(".gz") }.count == 1, "the newest rotated file stays plain")
        // Below the size nothing happens.
        #expect(try m.rotateIfNeeded(log: log) { reopened += 1 } == false)
    }

    @Test func restartCountFromLogDirectory() throws {
        let dir = "/tmp/bootlet-rc-\(UInt32.random(in: 0...UInt32.max))"
        try FileIO.makeDirectories(dir)
        defer { try? FileIO.removeTree(dir) }
        #expect(PodDirectories.restartCountFromLogDir(dir) == 0)
        for f in ["0.log", "2.log.20240501-100000.gz", "1.log", "x.log"] { try FileIO.writeAtomically(dir + "/" + f, []) }
        #expect(PodDirectories.restartCountFromLogDir(dir) == 3)
    }

    @Test func criLogDecodingForFallbackMessages() throws {
        let path = "/tmp/bootlet-cri-\(UInt32.random(in: 0...UInt32.max)).log"
        defer { unlink(path) }
        let text = "2026-01-01T00:00:00.1Z stdout P hel\n2026-01-01T00:00:00.2Z stdout F lo\n2026-01-01T00:00:00.3Z stderr P DONE\n"
        try FileIO.writeAtomically(path, Array(text.utf8))
        #expect(CRILog.content(path: path) == "hello\nDONE")
        #expect(CRILog.tail(path: path, lines: 80, bytes: 2048) == "hello\nDONE")
        #expect(CRILog.tail(path: path, lines: 1, bytes: 2048) == "DONE")
    }
}
