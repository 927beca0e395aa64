import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// kubelet's read-only HTTP port: `GET /pods` (a `v1.PodList`), `GET /healthz`. Nothing can be changed through
/// it. Served by SwiftNIO on one event-loop thread; the body is produced by the runner on each request.
public final class ReadOnlyServer: @unchecked Sendable {
    public typealias Route = @Sendable (_ path: String) -> (status: HTTPResponseStatus, contentType: String, body: [UInt8])?

    private let group: MultiThreadedEventLoopGroup
    private var channel: Channel?
    public private(set) var port: Int = 0

    public init() { group = MultiThreadedEventLoopGroup(numberOfThreads: 1) }

    /// Bind `host:port` (port 0 picks a free one) and serve `route`.
    public func start(host: String, port: Int, route: @escaping Route) throws {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(Handler(route: route))
                }
            }
        do {
            let ch = try bootstrap.bind(host: host, port: port).wait()
            channel = ch
            self.port = ch.localAddress?.port ?? port
        } catch {
            throw ServerError(step: "listen on \(host):\(port)", underlying: "\(error)")
        }
    }

    public func stop() {
        try? channel?.close().wait()
        try? group.syncShutdownGracefully()
    }

    public struct ServerError: Error, CustomStringConvertible {
        public var step: String
        public var underlying: String
        public var description: String { "\(step): \(underlying)" }
    }

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let route: Route
        var head: HTTPRequestHead?

        init(route: @escaping Route) { self.route = route }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h): head = h
            case .body: break
            case .end:
                guard let h = head else { return }
                head = nil
                respond(context: context, head: h)
            }
        }

        func respond(context: ChannelHandlerContext, head: HTTPRequestHead) {
            let path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "")
            var status = HTTPResponseStatus.notFound
            var type = "text/plain; charset=utf-8"
            var body = Array("404 page not found\n".utf8)
            if head.method != .GET && head.method != .HEAD {
                status = .methodNotAllowed
                body = Array("405 method not allowed\n".utf8)
            } else if let r = route(path) {
                (status, type, body) = r
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: type)
            headers.add(name: "Content-Length", value: String(body.count))
            if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            if head.method != .HEAD {
                var buf = context.channel.allocator.buffer(capacity: body.count)
                buf.writeBytes(body)
                context.write(wrapOutboundOut(.body(.byteBuffer(buf))), promise: nil)
            }
            let keepAlive = head.isKeepAlive
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keepAlive { context.close(promise: nil) }
            }
        }
    }
}
