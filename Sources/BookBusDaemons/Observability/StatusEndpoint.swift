import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// A role's HTTP endpoint (``StatusRoutes``) on an event loop of its own, so a scrape never runs on
/// the bus thread and a slow client never holds the bus up.
final class StatusEndpoint: Sendable {
    let board: StatusBoard
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    /// Listens on `address` (`host:port`, e.g. `0.0.0.0:9100`).
    init(listen address: HostAndPort, board: StatusBoard, logger: Logger) throws {
        self.board = board
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let routes = StatusRoutes(board: board)
        do {
            channel = try ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(StatusRequestHandler(routes: routes))
                    }
                }
                .bind(host: address.host, port: address.port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw StatusEndpointError.cannotListen(address: "\(address)", reason: "\(error)")
        }
        let port = channel.localAddress?.port ?? address.port
        // The port actually bound: the system's choice when asked for port 0.
        let bound = "\(address.host):\(port)"
        logger.info(
            "status endpoint listening", metadata: ["address": "\(bound)", "paths": "/metrics /health /ready"])
    }

    func close() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

/// Why the status endpoint could not start.
enum StatusEndpointError: Error, CustomStringConvertible {
    case cannotListen(address: String, reason: String)

    var description: String {
        switch self {
        case .cannotListen(let address, let reason):
            "cannot listen for /metrics on \(address): \(reason); choose another metrics.listen (--metrics-listen)"
        }
    }
}

/// One HTTP/1 connection's requests, each answered from the routes.
private final class StatusRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: StatusRoutes
    private var head: HTTPRequestHead?

    init(routes: StatusRoutes) {
        self.routes = routes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let response = routes.respond(method: head.method.rawValue, path: head.uri)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: "\(response.body.count)")
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: response.status)
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
            promise: nil)
        if head.method != .HEAD {
            var buffer = context.channel.allocator.buffer(capacity: response.body.count)
            buffer.writeBytes(response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        if !keepAlive {
            let channel = context.channel
            written.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
