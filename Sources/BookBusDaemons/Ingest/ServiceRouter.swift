import BusProtocol
import CoinbaseFeed
import Logging
import ZeroMQ

/// The ingest's service endpoint: a ROUTER socket answering ``SnapshotProtocol`` requests from the
/// ingest's own books and ``GroupProtocol`` heartbeats of the worker group, served on the
/// publishing thread between messages.
final class ServiceRouter {
    private let socket: ZMQSocket
    /// Kept alive with the socket: its ZAP handler must outlive every secured socket.
    private let bus: BusContext
    private let logger: Logger
    private(set) var served = 0
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

    /// Answers every pending request without blocking.
    func serve(books: IngestProducts, group: inout GroupCoordinator, publisher: BusPublisher) throws {
        group.expire()
        while let frames = try socket.receive(wait: false) {
            if frames.count == 3, frames[1] == GroupProtocol.joinCommand {
                let member = String(decoding: frames[2], as: UTF8.self)
                _ = try socket.send([frames[0]] + group.heartbeat(from: member).frames, wait: false)
                continue
            }
            guard frames.count == 3, frames[1] == SnapshotProtocol.requestCommand else {
                badRequests += 1
                logger.warning(
                    "bad request ignored: expected frames SNAPSHOT or GROUP, then a product or member id",
                    metadata: ["frames": "\(frames.count - 1)", "bad_requests_total": "\(badRequests)"])
                continue
            }
            let product = String(decoding: frames[2], as: UTF8.self)
            let topic = Topic.raw(product: product)
            let snapshot = ProductID.isValid(product) ? books.snapshot(of: product) : nil
            let header = FrameHeader(
                epoch: publisher.epoch, sequence: publisher.lastSequence(of: topic),
                receivedAtNanos: snapshot?.receivedAtNanos ?? 0)
            let payload = snapshot?.payload ?? SnapshotProtocol.noBookPayload(product: product)
            if try socket.send([frames[0], topic.bytes, header.bytes, payload], wait: false) {
                served += 1
                logger.debug(
                    "snapshot served",
                    metadata: ["product": "\(product)", "sequence": "\(header.sequence)", "book": "\(snapshot != nil)"])
            } else {
                logger.warning("snapshot reply dropped: requester's queue is full", metadata: ["product": "\(product)"])
            }
        }
    }

    func close() {
        socket.close()
    }
}
