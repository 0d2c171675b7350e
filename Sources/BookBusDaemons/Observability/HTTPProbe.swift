import NIOCore
import NIOHTTP1
import NIOPosix

/// One `GET` against a role's status endpoint, for `bookbus health --url` (a container health
/// check that asks the role itself rather than reading a file it touches).
public enum HTTPProbe {
    /// The status code and body of `GET path` on `address`, within `timeout` in all.
    public static func get(_ address: HostAndPort, path: String, timeout: Duration) throws -> (
        status: Int, body: String
    ) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let response = loop.makePromise(of: (status: Int, body: String).self)
        let limit = TimeAmount(timeout)
        let expiry = loop.scheduleTask(in: limit) { response.fail(HTTPProbeError.timedOut(address: "\(address)")) }
        defer { expiry.cancel() }
        do {
            let channel = try ClientBootstrap(group: group)
                .connectTimeout(limit)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(ResponseReader(response: response))
                    }
                }
                .connect(host: address.host, port: address.port).wait()
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
            head.headers.add(name: "Host", value: "\(address)")
            head.headers.add(name: "Connection", value: "close")
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            defer { channel.close(promise: nil) }
            return try response.futureResult.wait()
        } catch let error as HTTPProbeError {
            throw error
        } catch {
            response.fail(error)
            throw HTTPProbeError.unreachable(address: "\(address)", reason: "\(error)")
        }
    }
}

/// Why a probe got no answer.
public enum HTTPProbeError: Error, CustomStringConvertible {
    case unreachable(address: String, reason: String)
    case timedOut(address: String)
    case closedEarly(address: String)

    public var description: String {
        switch self {
        case .unreachable(let address, let reason):
            "nothing answers on \(address) (\(reason)): is the role running with metrics.listen set?"
        case .timedOut(let address): "\(address) did not answer in time"
        case .closedEarly(let address): "\(address) closed the connection before a whole response"
        }
    }
}

/// Gathers one response, then completes the promise.
private final class ResponseReader: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let response: EventLoopPromise<(status: Int, body: String)>
    private var status = 0
    private var body: [UInt8] = []

    init(response: EventLoopPromise<(status: Int, body: String)>) {
        self.response = response
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): status = Int(head.status.code)
        case .body(var buffer): body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end: response.succeed((status, String(decoding: body, as: UTF8.self)))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let address = context.remoteAddress.map { "\($0)" } ?? "the endpoint"
        response.fail(HTTPProbeError.closedEarly(address: address))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        response.fail(error)
        context.close(promise: nil)
    }
}
