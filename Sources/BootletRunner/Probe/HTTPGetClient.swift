import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One HTTP(S) GET as kubelet's probes and lifecycle hooks make it (`pkg/probe/http`): HTTP/1.1, no certificate
/// verification for HTTPS, the caller's headers, a deadline for the whole exchange. The body is read up to
/// `maxBody` bytes and discarded beyond. Runs on SwiftNIO; callers block on it from worker threads.
public final class HTTPGetClient: @unchecked Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]
        public func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private let group: MultiThreadedEventLoopGroup
    private let tls: NIOSSLContext?

    public init() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var c = TLSConfiguration.makeClientConfiguration()
        c.certificateVerification = .none
        tls = try? NIOSSLContext(configuration: c)
    }

    public func shutdown() { try? group.syncShutdownGracefully() }

    public func get(host: String, port: Int, path: String, https: Bool, headers: [(String, String)],
                    timeoutNanos: Int64, maxBody: Int = 10 * 1024) throws -> Response {
        let promise = group.next().makePromise(of: Response.self)
        let collector = Collector(promise: promise, maxBody: maxBody)
        let tlsContext = tls
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(timeoutNanos))
            .channelInitializer { channel in
                do {
                    if https {
                        guard let ctx = tlsContext else { throw Failure(description: "TLS is not available") }
                        let handler = try NIOSSLClientHandler(context: ctx, serverHostname: nil)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(collector)
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        let channel: Channel
        do {
            channel = try bootstrap.connect(host: host, port: port).wait()
        } catch {
            let failure = Failure(description: "dial tcp \(hostPort(host, port)): \(error)")
            promise.fail(failure)  // never leave a promise unfulfilled
            throw failure
        }
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path.isEmpty ? "/" : path)
        head.headers.add(name: "Host", value: hostPort(host, port))
        for (k, v) in headers { head.headers.replaceOrAdd(name: k, value: v) }
        head.headers.replaceOrAdd(name: "Connection", value: "close")
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        let timeout = channel.eventLoop.scheduleTask(in: .nanoseconds(timeoutNanos)) {
            promise.fail(Failure(description: "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"))
            channel.close(promise: nil)
        }
        defer {
            timeout.cancel()
            channel.close(promise: nil)
        }
        return try promise.futureResult.wait()
    }

    func hostPort(_ host: String, _ port: Int) -> String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPClientResponsePart
        let promise: EventLoopPromise<Response>
        let maxBody: Int
        var response: Response?
        var done = false

        init(promise: EventLoopPromise<Response>, maxBody: Int) {
            self.promise = promise
            self.maxBody = maxBody
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h):
                response = Response(status: Int(h.status.code), headers: h.headers.map { ($0.name, $0.value) }, body: [])
            case .body(var buf):
                if var r = response, r.body.count < maxBody {
                    let n = min(buf.readableBytes, maxBody - r.body.count)
                    r.body += buf.readBytes(length: n) ?? []
                    response = r
                }
            case .end:
                finish(context)
            }
        }

        func finish(_ context: ChannelHandlerContext) {
            guard !done else { return }
            done = true
            if let r = response { promise.succeed(r) } else { promise.fail(Failure(description: "connection closed before a response")) }
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            if !done {
                done = true
                if let r = response { promise.succeed(r) } else { promise.fail(Failure(description: "EOF")) }
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            if !done {
                done = true
                promise.fail(error)
            }
            context.close(promise: nil)
        }
    }
}
