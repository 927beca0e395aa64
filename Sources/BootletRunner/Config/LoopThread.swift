#if canImport(Glibc)
import Glibc
#endif

/// A dedicated OS thread for a blocking loop (inotify + poll), so the file source never blocks Swift's
/// cooperative pool. Joined by `join()`.
final class LoopThread {
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    private var tid = pthread_t()

    struct Error: Swift.Error, CustomStringConvertible {
        var code: Int32
        var description: String { "pthread_create for the manifest watcher: \(String(cString: strerror(code)))" }
    }

    init(_ body: @escaping () -> Void) throws(Error) {
        let box = Unmanaged.passRetained(Box(body))
        let rc = pthread_create(&tid, nil, { arg in
            guard let arg else { return nil }
            Unmanaged<Box>.fromOpaque(arg).takeRetainedValue().body()
            return nil
        }, box.toOpaque())
        if rc != 0 {
            box.release()
            throw Error(code: rc)
        }
    }

    func join() { pthread_join(tid, nil) }
}
