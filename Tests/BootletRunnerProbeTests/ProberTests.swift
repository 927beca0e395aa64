@testable import BootletRunner
import BootletRuntime
import KubeModel
import NIOCore
import NIOHPACK
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Probe handlers against real servers on loopback (kubelet's `pkg/probe/{http,tcp,grpc}` semantics).
@Suite("Probe handlers")
struct ProberTests {
    static let http = HTTPGetClient()

    func prober() throws -> Prober { Prober(runtime: try OCIRuntime(store: StateStore(root: "/tmp/bootlet-probe-state")), http: ProberTests.http) }

    func withServer(_ body: (Int) throws -> Void) throws {
        let s = ReadOnlyServer()
        try s.start(host: "127.0.0.1", port: 0) { path in
            switch path {
            case "/ok": return (.ok, "text/plain", Array("fine".utf8))
            case "/fail": return (.internalServerError, "text/plain", [])
            case "/redirect-local": return (.found, "text/plain", [])
            default: return nil
            }
        }
        defer { s.stop() }
        try body(s.port)
    }

    func probe(_ path: String, port: Int) -> Probe {
        var p = Probe()
        p.httpGet = HTTPGetAction(path: path, port: .int(Int32(port)))
        p.timeoutSeconds = 1
        return p
    }

    @Test func httpStatusCodes() throws {
        try withServer { port in
            let pr = try prober()
            #expect(pr.run(probe("/ok", port: port), containerID: "x", container: Container(name: "c"), podIP: "127.0.0.1") == .success)
            let fail = pr.run(probe("/fail", port: port), containerID: "x", container: Container(name: "c"), podIP: "127.0.0.1")
            #expect(fail == .failure("HTTP probe failed with statuscode: 500"))
            let missing = pr.run(probe("/nope", port: port), containerID: "x", container: Container(name: "c"), podIP: nil)
            #expect(missing == .failure("HTTP probe failed with statuscode: 404"), "a hostNetwork pod (no pod IP) is probed on 127.0.0.1")
        }
    }

    @Test func namedPortAndConnectionRefused() throws {
        let pr = try prober()
        try withServer { port in
            var c = Container(name: "c")
            c.ports = [ContainerPort(name: "http", containerPort: Int32(port))]
            var p = probe("/ok", port: 0)
            p.httpGet?.port = .string("http")
            #expect(pr.run(p, containerID: "x", container: c, podIP: "127.0.0.1") == .success)
        }
        let r = try prober().run(probe("/ok", port: 1), containerID: "x", container: Container(name: "c"), podIP: "127.0.0.1")
        guard case .failure(let msg) = r else { Issue.record("expected failure"); return }
        #expect(msg.hasPrefix("Get \"http://127.0.0.1:1/ok\""), "\(msg)")
    }

    @Test func redirects() {
        #expect(Prober.parseLocation("/x", host: "h", port: 80, https: false)! == ("h", 80, "/x", false))
        let other = Prober.parseLocation("https://example.test:8443/y", host: "h", port: 80, https: false)!
        #expect(other.host == "example.test" && other.port == 8443 && other.https && other.path == "/y")
    }

    @Test func tcpSocket() throws {
        let pr = try prober()
        try withServer { port in
            #expect(pr.tcp(host: "127.0.0.1", port: port, timeoutNanos: 1_000_000_000) == .success)
        }
        let r = try prober().tcp(host: "127.0.0.1", port: 1, timeoutNanos: 1_000_000_000)
        #expect(r == .failure("dial tcp 127.0.0.1:1: connect: connection refused"))
    }

    @Test func grpcHealthCheck() throws {
        for (status, expected) in [(2, ProbeOutcome.failure("service unhealthy (responded with \"NOT_SERVING\")")), (1, .success)] {
            let server = try GRPCHealthServer(status: status)
            defer { server.stop() }
            let r = GRPCHealthCheck.check(host: "127.0.0.1", port: server.port, service: "", timeoutNanos: 2_000_000_000)
            #expect(r == expected)
            #expect(server.lastPath.get() == "/grpc.health.v1.Health/Check")
        }
        let closed = GRPCHealthCheck.check(host: "127.0.0.1", port: 1, service: "", timeoutNanos: 1_000_000_000)
        #expect(!closed.succeeded)
    }

    @Test func grpcRequestEncoding() {
        #expect(GRPCHealthCheck.request(service: "") == [0, 0, 0, 0, 0])
        #expect(GRPCHealthCheck.request(service: "ab") == [0, 0, 0, 0, 4, 0x0a, 2, 0x61, 0x62])
        #expect(GRPCHealthCheck.status(fromFramed: [0, 0, 0, 0, 2, 0x08, 1]) == 1)
        #expect(GRPCHealthCheck.status(fromFramed: [0, 0, 0, 0, 0]) == 0)
    }
}

final class Box2<T>: @unchecked Sendable {
    private var v: T
    private let lock = Lock()
    init(_ v: T) { self.v = v }
    func get() -> T { lock.with { v } }
    func set(_ n: T) { lock.with { v = n } }
}

/// A minimal grpc.health.v1 server over h2c for the probe tests.
final class GRPCHealthServer: @unchecked Sendable {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    var channel: Channel!
    var port: Int { channel.localAddress!.port! }
    let lastPath = Box2<String>("")

    init(status: Int) throws {
        let path = lastPath
        channel = try ServerBootstrap(group: group)
            .childChannelInitializer { ch in
                ch.configureHTTP2Pipeline(mode: .server, connectionConfiguration: .init(), streamConfiguration: .init()) { stream in
                    stream.pipeline.addHandler(Responder(status: status, path: path))
                }.map { _ in }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    final class Responder: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTP2Frame.FramePayload
        typealias OutboundOut = HTTP2Frame.FramePayload
        let status: Int
        let path: Box2<String>
        init(status: Int, path: Box2<String>) {
            self.status = status
            self.path = path
        }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .headers(let h):
                path.set(h.headers.first(name: ":path") ?? "")
            case .data(let d) where d.endStream:
                var head = HPACKHeaders()
                head.add(name: ":status", value: "200")
                head.add(name: "content-type", value: "application/grpc")
                context.write(wrapOutboundOut(.headers(.init(headers: head))), promise: nil)
                var buf = context.channel.allocator.buffer(capacity: 8)
                buf.writeBytes([0, 0, 0, 0, 2, 0x08, UInt8(status)])
                context.write(wrapOutboundOut(.data(.init(data: .byteBuffer(buf)))), promise: nil)
                var trailers = HPACKHeaders()
                trailers.add(name: "grpc-status", value: "0")
                context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: trailers, endStream: true))), promise: nil)
            default: break
            }
        }
    }
}
