import BusProtocol
import Logging
import ZeroMQ

/// The sending side of the bus: an XPUB socket that stamps every message with the frame header
/// (epoch, per-topic sequence, ingest receive time) and watches who subscribes.
///
/// Lossless mode (`ZMQ_XPUB_NODROP`) waits for a slow subscriber instead of dropping. Otherwise
/// libzmq drops, silently and for that subscriber only, what its full queue cannot take; the
/// publisher cannot see it, the subscriber sees it as a sequence gap.
final class BusPublisher {
    private let socket: ZMQSocket
    /// Kept alive with the socket: its ZAP handler must outlive every secured socket.
    private let bus: BusContext
    private let logger: Logger
    /// Random per start (and per ``renewEpoch(_:)``), so subscribers can tell a restart from a gap.
    private(set) var epoch = UInt64.random(in: 1...UInt64.max)
    /// Every topic published on, with its last sequence.
    private var channels: [Topic: TopicChannel] = [:]
    private let name: String
    /// A wait on a full queue (lossless mode) ends with ``StopRequested`` once this is set.
    private let stop: StopFlag
    private var lastHeartbeat = ContinuousClock.now
    /// How often the `bus/` heartbeat goes out.
    static let heartbeatInterval = Duration.milliseconds(500)
    /// Live subscriptions to `bus/`: one per connected BookBus subscriber (a subscriber that
    /// disconnects unsubscribes).
    private(set) var controlSubscribers = 0
    /// Payloads published (a batch counts each of its payloads).
    private(set) var published = 0
    /// Bus messages sent (a batch counts once).
    private(set) var busMessages = 0

    init(bus: BusContext, endpoint: Endpoint, lossless: Bool, name: String, stop: StopFlag, logger: Logger) throws {
        socket = try bus.socket(.xpub)
        self.bus = bus
        try socket.set(.sendHighWaterMark(bus.settings.highWaterMark))
        if let bytes = bus.settings.kernelBufferBytes { try socket.set(.sendBufferBytes(bytes)) }
        try socket.set(.lingerMilliseconds(bus.settings.lingerMilliseconds))
        try socket.set(.xpubVerboser(true))
        try socket.set(.xpubNoDrop(lossless))
        try bus.attach(socket, to: endpoint)
        self.name = name
        self.stop = stop
        self.logger = logger
        logger.info(
            "publishing", metadata: ["endpoint": "\(endpoint)", "lossless": "\(lossless)", "epoch": "\(epoch)"])
    }

    /// Reads pending subscription notices without blocking.
    func drainSubscriptions() throws {
        while let frames = try socket.receive(wait: false) {
            guard let notice = frames.first, let kind = notice.first else { continue }
            let topic = notice.dropFirst()
            guard topic.elementsEqual(Topic.control.bytes) else { continue }
            controlSubscribers += kind == 1 ? 1 : -1
        }
    }

    /// Blocks until `count` BookBus subscribers are subscribed; throws ``StopRequested`` when
    /// stopped first.
    func waitForSubscribers(_ count: Int) throws {
        var poller = Poller()
        poller.add(socket, .readable)
        var lastReport = ContinuousClock.now
        while controlSubscribers < count {
            if stop.isRequested { throw StopRequested() }
            try poller.poll(timeoutMilliseconds: 100)
            try drainSubscriptions()
            if ContinuousClock.now - lastReport > .seconds(5) {
                logger.info("waiting for subscribers", metadata: ["have": "\(controlSubscribers)", "need": "\(count)"])
                lastReport = ContinuousClock.now
            }
        }
        logger.info("subscribers present", metadata: ["count": "\(controlSubscribers)"])
    }

    /// The channel of `topic`, made on first use; keep it to publish without a lookup.
    func channel(for topic: Topic) -> TopicChannel {
        if let channel = channels[topic] { return channel }
        let channel = TopicChannel(topic: topic)
        channels[topic] = channel
        return channel
    }

    /// Publishes one message on `topic`, numbered on the publisher's channel.
    func publish(_ topic: Topic, receivedAtNanos: UInt64, payload: [UInt8]) throws {
        let channel = channel(for: topic)
        try send(channel.frame, header(after: channel, receivedAtNanos: receivedAtNanos), payload: payload)
        channel.sequence += 1
    }

    /// Publishes consecutive messages of one topic as one bus message, numbered on the publisher's
    /// channel: the header carries the first one's sequence, each payload is a frame of its own
    /// (batches: see ``FrameHeader``).
    func publish(on channel: TopicChannel, receivedAtNanos: UInt64, payloads: PackedFrames) throws {
        try send(channel.frame, header(after: channel, receivedAtNanos: receivedAtNanos), payloads: payloads)
        channel.sequence += UInt64(payloads.count)
    }

    private func header(after channel: TopicChannel, receivedAtNanos: UInt64) -> FrameHeader {
        FrameHeader(epoch: epoch, sequence: channel.sequence + 1, receivedAtNanos: receivedAtNanos)
    }

    /// Sends a message numbered by the caller (the ingest's core numbers its raw topics): topic
    /// frame, header, one payload.
    func send(_ topic: [UInt8], _ header: FrameHeader, payload: [UInt8]) throws {
        try send(count: 1) {
            try topic.withUnsafeBytes { topic in
                try header.withBytes { header in
                    try payload.withUnsafeBytes { try socket.send(topic, header, $0, wait: false) }
                }
            }
        }
    }

    /// Sends a message numbered by the caller: topic frame, header, then each payload as a frame.
    func send(_ topic: [UInt8], _ header: FrameHeader, payloads: PackedFrames) throws {
        try send(count: payloads.count) {
            try topic.withUnsafeBytes { topic in
                try header.withBytes { header in
                    try payloads.bytes.withUnsafeBytes { packed in
                        try socket.send(topic, header, packed: packed, ends: payloads.frameEnds, wait: false)
                    }
                }
            }
        }
    }

    /// Sends with `attempt`, waiting while the queue is full (``StopRequested`` when stopped
    /// meanwhile).
    private func send(count: Int, _ attempt: () throws -> Bool) throws {
        func sent() throws -> Bool {
            guard try attempt() else { return false }
            published += count
            busMessages += 1
            return true
        }
        if try sent() { return }
        var poller = Poller()
        poller.add(socket, [.writable, .readable])
        while !stop.isRequested {
            try poller.poll(timeoutMilliseconds: 100)
            try drainSubscriptions()
            if try sent() { return }
        }
        throw StopRequested()
    }

    /// Starts epoch `epoch` for the publisher's own channels: their sequences start again at 1.
    /// Subscribers treat the change as "everything before may be gone" and resynchronise.
    func renewEpoch(_ epoch: UInt64) {
        self.epoch = epoch
        for channel in channels.values { channel.sequence = 0 }
    }

    /// Publishes the `bus/` heartbeat when it is due (every ``heartbeatInterval``): the last
    /// sequence of every topic published on, the publisher's channels' and `numbered`'s (topics
    /// the caller numbers), and the products the caller reports `stale`.
    func publishHeartbeatIfDue(
        numbered: @autoclosure () -> [String: UInt64] = [:], stale: @autoclosure () -> [String] = []
    ) throws {
        let now = ContinuousClock.now
        guard now - lastHeartbeat >= Self.heartbeatInterval else { return }
        lastHeartbeat = now
        var published = numbered()
        for (topic, channel) in channels where topic != .control && channel.sequence > 0 {
            published[topic.description] = channel.sequence
        }
        let heartbeat = ControlMessage.heartbeat(publisher: name, epoch: epoch, sequences: published, stale: stale())
        try publish(.control, receivedAtNanos: WallClock.nanosecondsSinceEpoch(), payload: heartbeat.encoded())
    }

    /// After the end of stream: keeps the socket open, and read, until every BookBus subscriber has
    /// left (each leaves once it has taken the end of stream) or `bus.linger_ms` has passed.
    ///
    /// Closing at once could lose the tail: libzmq's linger ends once the messages are in the
    /// kernel, but a subscriber still catching up has a full TCP window, and closing a socket that
    /// holds an unread heartbeat from that peer resets the connection, which drops what the kernel
    /// still held for it: that subscriber would miss the tail and the end of stream.
    func awaitSubscribersLeaving() throws {
        let linger = Duration.milliseconds(bus.settings.lingerMilliseconds)
        let deadline = ContinuousClock.now + linger
        var poller = Poller()
        poller.add(socket, .readable)
        try drainSubscriptions()
        while controlSubscribers > 0, ContinuousClock.now < deadline, !stop.isRequested {
            try poller.poll(timeoutMilliseconds: 10)
            try drainSubscriptions()
        }
        if controlSubscribers > 0 {
            logger.info(
                "subscribers still connected after the end of stream; closing",
                metadata: ["subscribers": "\(controlSubscribers)", "waited": "\(linger)"])
        }
    }

    /// Closes the socket; queued messages get the configured linger to leave.
    func close() {
        socket.close()
    }
}
