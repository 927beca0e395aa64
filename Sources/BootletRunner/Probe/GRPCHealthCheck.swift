import NIOCore
import NIOHTTP1
import NIOHPACK
import NIOHTTP2
import NIOPosix

/// kubelet's grpc probe (`pkg/probe/grpc`): one `grpc.health.v1.Health/Check` call over plaintext HTTP/2 (h2c
/// with prior knowledge), success when the response status is SERVING.
///
/// The transport is SwiftNIO's HTTP/2; the two messages are tiny protobufs with one field each
/// (`HealthCheckRequest{string service = 1}`, `HealthCheckResponse{enum status = 1}`), encoded here instead of
/// pulling a protobuf code generator and a gRPC stack into the static binary for them.
public enum GRPCHealthCheck {
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// `HealthCheckRequest` in gRPC's length-prefixed framing.
    static func request(service: String) -> [UInt8] {
        var msg: [UInt8] = []
        let s = Array(service.utf8)
        if !s.isEmpty {
            msg.append(0x0a)  // field 1, wire type 2
            var n = s.count
            repeat {
                var b = UInt8(n & 0x7f)
                n >>= 7
                if n > 0 { b |= 0x80 }
                msg.append(b)
            } while n > 0
            msg += s
        }
        let len = UInt32(msg.count)
        return [0, UInt8(len >> 24), UInt8((len >> 16) & 0xff), UInt8((len >> 8) & 0xff), UInt8(len & 0xff)] + msg
    }

    /// The status field of a framed `HealthCheckResponse` (0 UNKNOWN, 1 SERVING, 2 NOT_SERVING, 3 SERVICE_UNKNOWN).
    static func status(fromFramed body: [UInt8]) -> Int? {
        guard body.count >= 5 else { return nil }
        let msg = body[5...]
        var i = msg.startIndex
        while i < msg.endIndex {
            let key = msg[i]
            i += 1
            guard key & 0x07 == 0 else { return nil }  // only varints expected
            var v = 0, shift = 0
            while i < msg.endIndex {
                let b = msg[i]
                i += 1
                v |= Int(b & 0x7f) << shift
                shift += 7
                if b & 0x80 == 0 { break }
            }
            if key >> 3 == 1 { return v }
        }
        return 0  // proto3 default: UNKNOWN
    }

    static let statusNames = [0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"]

    public static func check(host: String, port: Int, service: String, timeoutNanos: Int64) -> ProbeOutcome {
        let target = "\(host):\(port)"
        let loop = group.next()
        let done = loop.makePromise(of: (HTTPHeaders?, [UInt8], HTTPHeaders?).self)
        // The HTTP/2 handler goes in before the connection is active, so the preface is the first thing sent.
        let muxBox = MuxBox()
        let bootstrap = ClientBootstrap(group: group).connectTimeout(.nanoseconds(timeoutNanos))
            .channelInitializer { ch in
                ch.configureHTTP2Pipeline(mode: .client, connectionConfiguration: .init(), streamConfiguration: .init()) {
                    $0.eventLoop.makeSucceededVoidFuture()
                }.map { muxBox.mux = $0 }
            }
        let channel: Channel
        do {
            channel = try bootstrap.connect(host: host, port: port).wait()
        } catch {
            done.fail(error)  // never leave a promise unfulfilled
            return .failure("timeout: failed to connect service \"\(target)\" within \(timeoutNanos / 1_000_000_000)s: \(error)")
        }
        defer { channel.close(promise: nil) }
        let timeout = loop.scheduleTask(in: .nanoseconds(timeoutNanos)) {
            done.fail(HTTPGetClient.Failure(description: "timeout: health rpc did not complete within \(timeoutNanos / 1_000_000_000)s"))
        }
        defer { timeout.cancel() }
        do {
            var headers = HPACKHeaders()
            headers.add(name: ":method", value: "POST")
            headers.add(name: ":scheme", value: "http")
            headers.add(name: ":path", value: "/grpc.health.v1.Health/Check")
            headers.add(name: ":authority", value: target)
            headers.add(name: "content-type", value: "application/grpc")
            headers.add(name: "te", value: "trailers")
            headers.add(name: "user-agent", value: "kube-probe/\(Prober.userAgentVersion)")
            let requestBytes = request(service: service)
            let sendHeaders = headers
            // Pipeline, stream and request are all set up on the connection's event loop, in one go.
            guard let multiplexer = muxBox.mux else { throw HTTPGetClient.Failure(description: "no HTTP/2 multiplexer") }
            try channel.eventLoop.flatSubmit {
                multiplexer.createStreamChannel { stream in
                    stream.eventLoop.makeCompletedFuture { try stream.pipeline.syncOperations.addHandler(Collector(promise: done)) }
                }.flatMap { stream in
                    var buf = stream.allocator.buffer(capacity: requestBytes.count)
                    buf.writeBytes(requestBytes)
                    stream.write(HTTP2Frame.FramePayload.headers(.init(headers: sendHeaders)), promise: nil)
                    return stream.writeAndFlush(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(buf), endStream: true)))
                }
            }.wait()
            let (respHeaders, body, trailers) = try done.futureResult.wait()
            let grpcStatus = trailers?.first(name: "grpc-status") ?? respHeaders?.first(name: "grpc-status")
            if let gs = grpcStatus, gs != "0" {
                let msg = trailers?.first(name: "grpc-message") ?? respHeaders?.first(name: "grpc-message") ?? ""
                return .failure("health rpc failed: rpc error: code = \(gs) desc = \(msg)")
            }
            guard let st = status(fromFramed: body) else { return .failure("health rpc failed: malformed response") }
            if st == 1 { return .success }
            return .failure("service unhealthy (responded with \"\(statusNames[st] ?? String(st))\")")
        } catch {
            return .failure("health rpc failed: \(error)")
        }
    }

    final class MuxBox: @unchecked Sendable {
        var mux: NIOHTTP2Handler.StreamMultiplexer?
    }

    final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTP2Frame.FramePayload
        let promise: EventLoopPromise<(HTTPHeaders?, [UInt8], HTTPHeaders?)>
        var headers: HTTPHeaders?
        var trailers: HTTPHeaders?
        var body: [UInt8] = []
        var finished = false
        init(promise: EventLoopPromise<(HTTPHeaders?, [UInt8], HTTPHeaders?)>) { self.promise = promise }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .headers(let h):
                let converted = HTTPHeaders(h.headers.map { ($0.name, $0.value) })
                if headers == nil { headers = converted } else { trailers = converted }
                if h.endStream { finish() }
            case .data(let d):
                if case .byteBuffer(var b) = d.data, body.count < 4096 { body += b.readBytes(length: b.readableBytes) ?? [] }
                if d.endStream { finish() }
            default: break
            }
        }

        func finish() {
            guard !finished else { return }
            finished = true
            promise.succeed((headers, body, trailers))
        }

        func channelInactive(context: ChannelHandlerContext) {
            if !finished {
                finished = true
                promise.fail(HTTPGetClient.Failure(description: "stream closed"))
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            if !finished {
                finished = true
                promise.fail(error)
            }
        }
    }
}
