import BusProtocol
import Logging
import ZeroMQ

/// A request to the ingest's service endpoint.
enum ServiceRequest {
    /// ``SnapshotProtocol``: the book of `product`.
    case snapshot(identity: [UInt8], product: String)
    /// ``GroupProtocol``: the heartbeat of worker-group member `member`.
    case join(identity: [UInt8], member: String)
}

/// The ingest's service endpoint: a ROUTER socket taking ``SnapshotProtocol`` requests and
/// ``GroupProtocol`` heartbeats, and sending the answers the ingest's core gives.
final class ServiceRouter {
    let socket: ZMQSocket
    /// Kept alive with the socket: its ZAP handler must outlive every secured socket.
    private let bus: BusContext
    private let logger: Logger
    private(set) var badRequests = 0

    init(bus: BusContext, endpoint: Endpoint, logger: Logger) throws {
        socket = try bus.socket(.router)
        self.bus = bus
        try socket.set(.lingerMilliseconds(0))
        try socket.set(.sendHighWaterMark(bus.settings.highWaterMark))
        // Requests are a few bytes: anything large is not one.
        try socket.set(.maxMessageSize(64 * 1024))
        try bus.attach(socket, to: endpoint)
        self.logger = logger
        logger.info("snapshot and group service listening", metadata: ["endpoint": "\(endpoint)"])
    }

    /// The next well-formed request, if one is queued; bad ones are logged, counted and skipped.
    func nextRequest() throws -> ServiceRequest? {
        while let frames = try socket.receive(wait: false) {
            if frames.count == 3, frames[1] == GroupProtocol.joinCommand {
                return .join(identity: frames[0], member: String(decoding: frames[2], as: UTF8.self))
            }
            if frames.count == 3, frames[1] == SnapshotProtocol.requestCommand {
                return .snapshot(identity: frames[0], product: String(decoding: frames[2], as: UTF8.self))
            }
            badRequests += 1
            logger.warning(
                "bad request ignored: expected frames SNAPSHOT or GROUP, then a product or member id",
                metadata: ["frames": "\(frames.count - 1)", "bad_requests_total": "\(badRequests)"])
        }
        return nil
    }

    /// Sends `frames` to the peer `identity`; `false` when its queue is full (the reply is dropped,
    /// and the peer asks again).
    @discardableResult
    func send(to identity: [UInt8], _ frames: [[UInt8]]) throws -> Bool {
        try socket.send([identity] + frames, wait: false)
    }

    func close() {
        socket.close()
    }
}
