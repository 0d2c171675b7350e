import BusProtocol
import Logging
import ZeroMQ

/// One message received from the bus, checked for shape.
struct BusMessage {
    var topic: Topic
    var header: FrameHeader
    var payload: [UInt8]
}

/// The receiving side of the bus: a SUB socket on one or more endpoints that checks every
/// message's frames and header and tracks per-topic sequence numbers to detect lost messages.
final class BusSubscriber {
    let socket: ZMQSocket
    private let logger: Logger
    private var lastSequence: [Topic: (epoch: UInt64, sequence: UInt64)] = [:]
    /// Messages lost upstream, as seen from sequence gaps.
    private(set) var missed: UInt64 = 0
    /// Messages rejected for their shape (frame count, topic, header).
    private(set) var rejected = 0

    init(context: ZMQContext, endpoints: [Endpoint], settings: SocketSettings, logger: Logger) throws {
        socket = try context.socket(.sub)
        try socket.set(.receiveHighWaterMark(settings.highWaterMark))
        try socket.set(.lingerMilliseconds(0))
        try socket.set(.maxMessageSize(settings.maxMessageBytes))
        try socket.set(.reconnectIntervalMilliseconds(settings.reconnectIntervalMilliseconds))
        try socket.set(.reconnectIntervalMaxMilliseconds(settings.reconnectIntervalMaxMilliseconds))
        try socket.set(.heartbeatIntervalMilliseconds(settings.heartbeatIntervalMilliseconds))
        try socket.set(.heartbeatTimeoutMilliseconds(settings.heartbeatTimeoutMilliseconds))
        for endpoint in endpoints {
            switch endpoint.mode {
            case .bind: try socket.bind(endpoint.address)
            case .connect: try socket.connect(endpoint.address)
            }
        }
        self.logger = logger
        logger.info("subscribing", metadata: ["endpoints": "\(endpoints.map(\.description).joined(separator: ","))"])
    }

    /// Subscribes to a topic prefix, e.g. `spread/` or `raw/BTC-USD/`.
    func subscribe(_ prefix: String) throws {
        try socket.set(.subscribe(Array(prefix.utf8)))
    }

    /// Waits up to `timeoutMilliseconds` for the next valid message; `nil` on timeout. Malformed
    /// messages are logged, counted and skipped.
    func receive(timeoutMilliseconds: Int) throws -> BusMessage? {
        var poller = Poller()
        poller.add(socket, .readable)
        let deadline = ContinuousClock.now + .milliseconds(timeoutMilliseconds)
        while true {
            if let frames = try socket.receive(wait: false) {
                if let message = check(frames) { return message }
                continue
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return nil }
            let milliseconds = Int(
                remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)
            try poller.poll(timeoutMilliseconds: max(1, milliseconds))
        }
    }

    private func check(_ frames: [[UInt8]]) -> BusMessage? {
        do throws(BusProtocolError) {
            guard frames.count == 3 else { throw .wrongFrameCount(frames.count) }
            guard let topic = Topic(bytes: frames[0]) else {
                throw .unknownTopic(String(decoding: frames[0], as: UTF8.self))
            }
            let header = try FrameHeader(bytes: frames[1])
            track(topic, header)
            return BusMessage(topic: topic, header: header, payload: frames[2])
        } catch {
            rejected += 1
            logger.warning("bus message rejected", metadata: ["error": "\(error)", "rejected_total": "\(rejected)"])
            return nil
        }
    }

    private func track(_ topic: Topic, _ header: FrameHeader) {
        defer { lastSequence[topic] = (header.epoch, header.sequence) }
        guard let last = lastSequence[topic], last.epoch == header.epoch else { return }
        if header.sequence > last.sequence + 1 {
            let gap = header.sequence - last.sequence - 1
            missed += gap
            logger.warning(
                "sequence gap: messages lost",
                metadata: [
                    "topic": "\(topic)", "expected": "\(last.sequence + 1)", "got": "\(header.sequence)",
                    "missed_total": "\(missed)",
                ])
        }
    }

    func close() {
        socket.close()
    }
}
