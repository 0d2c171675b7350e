import BusProtocol
import Logging
import ZeroMQ

/// The receiving side of the bus: a SUB socket on one or more endpoints that checks every
/// message's frames and header.
final class BusSubscriber {
    let socket: ZMQSocket
    /// Kept alive with the socket: its ZAP handler must outlive every secured socket.
    private let bus: BusContext
    private let logger: Logger
    /// Reused by every receive: once the previous message is let go, its arrays take the next.
    private var frames: [[UInt8]] = []
    /// Messages rejected for their shape (frame count, topic, header).
    private(set) var rejected = 0

    init(bus: BusContext, endpoints: [Endpoint], logger: Logger) throws {
        socket = try bus.socket(.sub)
        self.bus = bus
        try socket.set(.receiveHighWaterMark(bus.settings.highWaterMark))
        if let bytes = bus.settings.kernelBufferBytes { try socket.set(.receiveBufferBytes(bytes)) }
        try socket.set(.lingerMilliseconds(0))
        for endpoint in endpoints { try bus.attach(socket, to: endpoint) }
        self.logger = logger
        logger.info("subscribing", metadata: ["endpoints": "\(endpoints.map(\.description).joined(separator: ","))"])
    }

    /// Subscribes to a topic prefix, e.g. `spread/` or `raw/BTC-USD/`.
    func subscribe(_ prefix: String) throws {
        try socket.set(.subscribe(Array(prefix.utf8)))
    }

    /// Stops receiving a topic prefix.
    func unsubscribe(_ prefix: String) throws {
        try socket.set(.unsubscribe(Array(prefix.utf8)))
    }

    /// The next valid message if one is queued, without waiting. Malformed messages are logged,
    /// counted and skipped.
    func nextMessage() throws -> BusMessage? {
        while try socket.receive(into: &frames, wait: false) {
            do {
                return try BusMessage(frames: frames)
            } catch {
                rejected += 1
                logger.warning(
                    "bus message rejected", metadata: ["error": "\(error)", "rejected_total": "\(rejected)"])
            }
        }
        return nil
    }

    func close() {
        socket.close()
    }
}
