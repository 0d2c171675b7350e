import BusProtocol
import Logging
import ZeroMQ

/// One message received from the bus (or a snapshot reply, which has the same shape), checked.
///
/// Frames: topic, header, then the payloads. Messages on data topics (`raw/`, `tob/`, `spread/`) may
/// carry several payloads, consecutive messages of the topic (a batch); `bus/` carries exactly one.
struct BusMessage {
    var topic: Topic
    /// The header of the first payload; payload `i` is ``header(ofPayload:)``.
    var header: FrameHeader
    private var frames: [[UInt8]]

    /// Checks the frames: topic, header, payloads.
    init(frames: [[UInt8]]) throws(BusProtocolError) {
        guard frames.count >= 3 else { throw .wrongFrameCount(frames.count) }
        guard let topic = Topic(bytes: frames[0]) else {
            throw .unknownTopic(String(decoding: frames[0], as: UTF8.self))
        }
        guard frames.count == 3 || topic.carriesBatches else { throw .wrongFrameCount(frames.count) }
        self.topic = topic
        header = try FrameHeader(bytes: frames[1])
        self.frames = frames
    }

    /// How many payloads the message carries (1 except for batches).
    var payloadCount: Int { frames.count - 2 }

    /// The first (for `bus/`: the only) payload.
    var payload: [UInt8] { frames[2] }

    /// Payload `index` (from 0).
    func payload(_ index: Int) -> [UInt8] { frames[2 + index] }

    /// The header of payload `index`: its sequence counts on from the first's.
    func header(ofPayload index: Int) -> FrameHeader { header.advanced(by: index) }
}

/// The receiving side of the bus: a SUB socket on one or more endpoints that checks every
/// message's frames and header. With gap tracking on, it follows each topic's sequence numbers and
/// the publishers' heartbeats, and logs and counts every message lost on the way.
final class BusSubscriber {
    let socket: ZMQSocket
    /// Kept alive with the socket: its ZAP handler must outlive every secured socket.
    private let bus: BusContext
    private let logger: Logger
    private let tracksGaps: Bool
    private var lastSequence: [Topic: (epoch: UInt64, sequence: UInt64)] = [:]
    /// Reused by every receive: once the previous message is let go, its arrays take the next.
    private var frames: [[UInt8]] = []
    /// Messages lost upstream, as seen from sequence gaps (with gap tracking on).
    private(set) var missed: UInt64 = 0
    /// Messages rejected for their shape (frame count, topic, header).
    private(set) var rejected = 0

    init(bus: BusContext, endpoints: [Endpoint], tracksGaps: Bool, logger: Logger) throws {
        socket = try bus.socket(.sub)
        self.bus = bus
        try socket.set(.receiveHighWaterMark(bus.settings.highWaterMark))
        try socket.set(.lingerMilliseconds(0))
        for endpoint in endpoints { try bus.attach(socket, to: endpoint) }
        self.tracksGaps = tracksGaps
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
                let message = try BusMessage(frames: frames)
                if tracksGaps { track(message) }
                return message
            } catch {
                rejected += 1
                logger.warning(
                    "bus message rejected", metadata: ["error": "\(error)", "rejected_total": "\(rejected)"])
            }
        }
        return nil
    }

    /// Waits up to `timeoutMilliseconds` for the next valid message; `nil` on timeout.
    func receive(timeoutMilliseconds: Int) throws -> BusMessage? {
        var poller = Poller()
        poller.add(socket, .readable)
        let deadline = ContinuousClock.now + .milliseconds(timeoutMilliseconds)
        while true {
            if let message = try nextMessage() { return message }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return nil }
            let milliseconds = Int(
                remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)
            try poller.poll(timeoutMilliseconds: max(1, milliseconds))
        }
    }

    private func track(_ message: BusMessage) {
        if message.topic == .control {
            // A heartbeat lists the last sequence of every topic: anything beyond what arrived was lost.
            guard case .heartbeat(let publisher, let epoch, let sequences)? = try? ControlMessage(json: message.payload)
            else { return }
            for (name, last) in sequences {
                guard let topic = Topic(bytes: Array(name.utf8)), let seen = lastSequence[topic], seen.epoch == epoch,
                    last > seen.sequence
                else { continue }
                recordGap(topic: topic, expected: seen.sequence + 1, got: last + 1, source: "heartbeat of \(publisher)")
                lastSequence[topic] = (epoch, last)
            }
            return
        }
        // One dictionary access: the entry is read and replaced in place. A batch's first payload
        // must follow what came before; the entry then holds its last.
        let first = message.header.sequence
        let last = (epoch: message.header.epoch, sequence: first + UInt64(message.payloadCount - 1))
        if let expected = Self.advance(&lastSequence[message.topic], to: last), first > expected {
            recordGap(topic: message.topic, expected: expected, got: first, source: "sequence")
        }
    }

    /// Stores `current` as the topic's last sequence; returns the sequence expected next from the
    /// previous one when both are of the same epoch.
    private static func advance(
        _ entry: inout (epoch: UInt64, sequence: UInt64)?, to current: (epoch: UInt64, sequence: UInt64)
    ) -> UInt64? {
        defer { entry = current }
        guard let last = entry, last.epoch == current.epoch else { return nil }
        return last.sequence + 1
    }

    private func recordGap(topic: Topic, expected: UInt64, got: UInt64, source: String) {
        missed += got - expected
        logger.warning(
            "sequence gap: messages lost",
            metadata: [
                "topic": "\(topic)", "expected": "\(expected)", "got": "\(got)", "seen_by": "\(source)",
                "missed_total": "\(missed)",
            ])
    }

    func close() {
        socket.close()
    }
}
