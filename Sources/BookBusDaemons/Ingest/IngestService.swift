import BusProtocol
import CoinbaseFeed
public import Logging
public import ServiceLifecycle
import ZeroMQ

/// The ingest daemon: takes Coinbase messages from live WebSockets or a recording and publishes
/// each one, bytes as received, on `raw/<PRODUCT>/` (or `raw/*/` when it names no product; messages
/// of one product at hand together go as one batch), keeps its own books for the snapshot service,
/// and sends a heartbeat on `bus/`.
public struct IngestService: Service {
    public let configuration: IngestConfiguration
    private let logger: Logger

    public init(configuration: IngestConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        switch configuration.source {
        case .replay(let path, let speed, let rate):
            logger.info(
                "replaying",
                metadata: [
                    "recording": "\(path)", "speed": "\(speed == 0 ? "max" : "\(speed)x")",
                    "rate": "\(rate == 0 ? "-" : "\(rate)/s")",
                ])
            try await DedicatedThread.run(name: "ingest") { [configuration, logger] stop in
                var source = try ReplaySource(path: path, speed: speed, rate: rate)
                var loop = IngestLoop(configuration: configuration, logger: logger)
                try loop.run(source: &source, stop: stop)
            }
        case .live:
            let queue = FrameQueue(capacity: configuration.queueCapacity)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for connection in configuration.connections {
                    let session = WebSocketFeedSession(
                        configuration: connection.feed, label: connection.label, logger: logger)
                    group.addTask { await session.run { event in await queue.push(event) } }
                }
                group.addTask { [configuration, logger] in
                    try await DedicatedThread.run(name: "ingest") { stop in
                        var source = LiveSource(queue: queue)
                        var loop = IngestLoop(configuration: configuration, logger: logger)
                        try loop.run(source: &source, stop: stop)
                    }
                }
                // The publisher ends on shutdown; then the WebSocket sessions are cancelled.
                try await group.next()
                group.cancelAll()
            }
        }
    }
}

/// What the ingest has seen, for its closing log line.
struct IngestCounters {
    var frames = 0
    var unroutable = 0
    var coinbaseErrors = 0
    var connections = 0
    var upstreamGaps = 0
    var recordErrors = 0
}

/// The ingest's publishing thread: route, stamp, publish, keep books, serve snapshots.
struct IngestLoop {
    let configuration: IngestConfiguration
    let logger: Logger
    private let router = FeedRouter()
    /// The ingest shows no exchange timestamps (the workers read them from the raw bytes it publishes).
    private let parser = FeedParser(keepsExchangeTimes: false)
    private var products = IngestProducts()
    private var group: GroupCoordinator
    private var counters = IngestCounters()
    private var recorder: RotatingRecordingWriter?
    private var batcher: RawBatcher

    /// Frames handled between two rounds of housekeeping.
    private static let batch = 64

    init(configuration: IngestConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        group = GroupCoordinator(expiry: configuration.groupExpiry, logger: logger)
        batcher = RawBatcher(maxBatch: configuration.maxBatch)
        if case .live(let feed, _) = configuration.source {
            for product in feed.products { group.noteProduct(product) }
        }
    }

    mutating func run(source: inout some FrameSource, stop: StopFlag) throws {
        let bus = try BusContext(settings: configuration.sockets, logger: logger)
        let publisher = try BusPublisher(
            bus: bus, endpoint: configuration.publish, lossless: configuration.lossless, name: configuration.name,
            logger: logger)
        defer { publisher.close() }
        let snapshots = try configuration.snapshots.map { try ServiceRouter(bus: bus, endpoint: $0, logger: logger) }
        defer { snapshots?.close() }
        recorder = try configuration.record.map { try RotatingRecordingWriter(rotation: $0) }
        defer { closeRecording() }
        var health = configuration.health
        if configuration.waitForSubscribers > 0 {
            guard try publisher.waitForSubscribers(configuration.waitForSubscribers, stop: stop) else { return }
        }
        var untilHousekeeping = 0
        loop: while !stop.isRequested {
            // Subscriptions, the service and the heartbeat are looked after between batches of frames.
            if untilHousekeeping <= 0 {
                untilHousekeeping = Self.batch
                try publisher.drainSubscriptions()
                try snapshots?.serve(books: products, group: &group, publisher: publisher)
                try publisher.publishHeartbeatIfDue(stop: stop)
                let now = WallClock.nanosecondsSinceEpoch()
                recorder?.flushIfDue(nowNanos: now)
                health?.beat(nowNanos: now)
            }
            switch try source.next(stop: stop) {
            case .events(let events):
                untilHousekeeping -= events.count
                for event in events {
                    guard try handle(event, publisher: publisher, stop: stop) else { break loop }
                }
                // Everything handed over at once is out before housekeeping looks at the books.
                guard try batcher.flush(publisher: publisher, stop: stop) else { break loop }
            case .idle:
                untilHousekeeping = 0
                continue
            case .end:
                try publisher.publishHeartbeatIfDue(stop: stop)
                let end = ControlMessage.endOfStream(publisher: configuration.name).encoded()
                try publisher.publish(
                    .control, receivedAtNanos: WallClock.nanosecondsSinceEpoch(), payload: end, stop: stop)
                logger.info("recording finished")
                try publisher.awaitSubscribersLeaving(stop: stop)
                break loop
            }
        }
        logger.info(
            "ingest stopping",
            metadata: [
                "frames": "\(counters.frames)", "published": "\(publisher.published)",
                "bus_messages": "\(publisher.busMessages)",
                "unroutable": "\(counters.unroutable)",
                "coinbase_errors": "\(counters.coinbaseErrors)", "connections": "\(counters.connections)",
                "upstream_gaps": "\(counters.upstreamGaps)", "snapshots_served": "\(snapshots?.served ?? 0)",
                "recorded": "\(recorder?.frames ?? 0)", "record_errors": "\(counters.recordErrors)",
            ])
    }

    /// Writes one received frame to the recording; a failure is logged and counted, and the frame
    /// is still published (the bus matters more than the copy on disk).
    private mutating func record(_ bytes: [UInt8], receivedAtNanos: UInt64) {
        guard let recorder else { return }
        do {
            try recorder.append(bytes, receivedAtNanos: receivedAtNanos)
        } catch {
            counters.recordErrors += 1
            logger.error(
                "recording failed; the frame is still published",
                metadata: ["error": "\(error)", "record_errors_total": "\(counters.recordErrors)"])
        }
    }

    private mutating func closeRecording() {
        guard let recorder else { return }
        do {
            try recorder.close()
        } catch {
            logger.error("closing the recording failed", metadata: ["error": "\(error)"])
        }
        logger.info(
            "recording closed",
            metadata: [
                "frames": "\(recorder.frames)", "files": "\(recorder.completedFiles.count)",
                "not_utf8": "\(recorder.nonTextFrames)",
            ])
    }

    /// - Returns: `false` when stop was requested while waiting to send.
    private mutating func handle(_ event: FeedSessionEvent, publisher: BusPublisher, stop: StopFlag) throws -> Bool {
        switch event {
        case .frame(let bytes, let receivedAt):
            record(bytes, receivedAtNanos: receivedAt)
            return try publish(bytes, receivedAtNanos: receivedAt, with: publisher, stop: stop)
        case .connected(let label):
            counters.connections += 1
            // What came before the reconnect belongs to the old epoch.
            guard try batcher.flush(publisher: publisher, stop: stop) else { return false }
            // What was received before may have gaps: a new epoch tells every subscriber to resync,
            // and this connection's books wait for the fresh snapshots that follow.
            products.invalidate(configuration.connections.first { $0.label == label }?.feed.products ?? [])
            publisher.renewEpoch()
            return true
        case .sequenceGap(let expected, let got):
            counters.upstreamGaps += 1
            logger.error(
                "coinbase sequence gap: resubscribing for fresh snapshots",
                metadata: [
                    "expected": "\(expected)", "got": "\(got)", "upstream_gaps_total": "\(counters.upstreamGaps)",
                ])
            return true
        }
    }

    /// Routes one frame to its product topics (queued for their batches) or to `raw/*/`, and applies
    /// it to the ingest's books.
    /// - Returns: `false` when stop was requested while waiting to send.
    private mutating func publish(
        _ bytes: [UInt8], receivedAtNanos: UInt64, with publisher: BusPublisher, stop: StopFlag
    ) throws -> Bool {
        counters.frames += 1
        // One parse serves routing and the ingest's books. A book message about one product (the
        // hot case) is routed by it; anything else goes through the general router.
        let parsed = try? parser.parse(bytes)
        if case .book(let messages)? = parsed?.kind, let product = messages.first?.product,
            messages.allSatisfy({ $0.product == product })
        {
            return try enqueue(
                bytes, of: product, parsed: messages, receivedAtNanos: receivedAtNanos, with: publisher, stop: stop)
        }
        let parts: [FeedRouter.Routed]
        do {
            parts = try router.route(bytes)
        } catch {
            counters.unroutable += 1
            logger.warning(
                "unroutable coinbase message published on raw/*/",
                metadata: [
                    "error": "\(error)", "unroutable_total": "\(counters.unroutable)", "bytes": "\(bytes.count)",
                ])
            parts = [FeedRouter.Routed(product: nil, payload: bytes)]
        }
        for part in parts {
            if let product = part.product {
                // A split part is a new message: parse it; otherwise reuse the parse above.
                let message = parts.count == 1 ? parsed : try? parser.parse(part.payload)
                let messages: [BookMessage]
                if case .book(let bookMessages)? = message?.kind { messages = bookMessages } else { messages = [] }
                guard
                    try enqueue(
                        part.payload, of: product, parsed: messages, receivedAtNanos: receivedAtNanos, with: publisher,
                        stop: stop)
                else { return false }
                continue
            }
            if case .error(let text, let reason)? = parsed?.kind {
                counters.coinbaseErrors += 1
                logger.error("coinbase error message", metadata: ["message": "\(text)", "reason": "\(reason ?? "")"])
            }
            guard
                try publisher.publish(.rawUnrouted, receivedAtNanos: receivedAtNanos, payload: part.payload, stop: stop)
            else { return false }
        }
        return true
    }

    /// Queues a message about one product for its topic (see ``RawBatcher``) and applies its book
    /// messages to the ingest's book of that product.
    /// - Returns: `false` when stop was requested while waiting to send.
    private mutating func enqueue(
        _ payload: [UInt8], of product: String, parsed messages: [BookMessage], receivedAtNanos: UInt64,
        with publisher: BusPublisher, stop: StopFlag
    ) throws -> Bool {
        let (entry, isNew) = products.entry(for: product, publisher: publisher)
        if isNew { group.noteProduct(product) }
        if configuration.snapshots != nil { entry.apply(messages, receivedAtNanos: receivedAtNanos) }
        return try batcher.add(payload, to: entry, receivedAtNanos: receivedAtNanos, publisher: publisher, stop: stop)
    }
}
