import BusProtocol
import CoinbaseFeed
public import Logging
public import ServiceLifecycle
import ZeroMQ

/// The ingest daemon: takes Coinbase messages from a live WebSocket or a recording and publishes
/// each one, bytes as received, on `raw/<PRODUCT>/` (or `raw/*/` when it names no product).
public struct IngestService: Service {
    public let configuration: IngestConfiguration
    private let logger: Logger

    public init(configuration: IngestConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        switch configuration.source {
        case .replay(let path, let speed):
            logger.info(
                "replaying", metadata: ["recording": "\(path)", "speed": "\(speed == 0 ? "max" : "\(speed)x")"])
            try await DedicatedThread.run(name: "ingest-publisher") { [configuration, logger] stop in
                var source = try ReplaySource(path: path, speed: speed)
                try IngestLoop(configuration: configuration, logger: logger).run(source: &source, stop: stop)
            }
        case .live(let feed):
            let queue = FrameQueue(capacity: configuration.queueCapacity)
            let session = WebSocketFeedSession(configuration: feed, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    await session.run { bytes, receivedAt in
                        await queue.push(FrameQueue.Frame(bytes: bytes, receivedAtNanos: receivedAt))
                    }
                }
                group.addTask { [configuration, logger] in
                    try await DedicatedThread.run(name: "ingest-publisher") { stop in
                        var source = LiveSource(queue: queue)
                        try IngestLoop(configuration: configuration, logger: logger).run(source: &source, stop: stop)
                    }
                }
                // The publisher ends on shutdown; then the WebSocket session is cancelled.
                try await group.next()
                group.cancelAll()
            }
        }
    }
}

/// The ingest's publishing thread: route, stamp, publish.
struct IngestLoop {
    let configuration: IngestConfiguration
    let logger: Logger
    private let router = FeedRouter()
    private let parser = FeedParser()

    init(configuration: IngestConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    func run(source: inout some FrameSource, stop: StopFlag) throws {
        let context = try ZMQContext()
        let publisher = try BusPublisher(
            context: context, endpoint: configuration.publish, settings: configuration.sockets,
            lossless: configuration.lossless, logger: logger)
        defer { publisher.close() }
        var counters = IngestCounters()
        if configuration.waitForSubscribers > 0 {
            guard try publisher.waitForSubscribers(configuration.waitForSubscribers, stop: stop) else { return }
        }
        loop: while !stop.isRequested {
            try publisher.drainSubscriptions()
            switch try source.next(stop: stop) {
            case .frames(let frames):
                for frame in frames {
                    guard try publish(frame, with: publisher, counters: &counters, stop: stop) else { break loop }
                }
            case .idle:
                continue
            case .end:
                let end = ControlMessage.endOfStream(publisher: configuration.name).encoded()
                try publisher.publish(
                    .control, receivedAtNanos: WallClock.nanosecondsSinceEpoch(), payload: end, stop: stop)
                logger.info("recording finished")
                break loop
            }
        }
        logger.info(
            "ingest stopping",
            metadata: [
                "frames": "\(counters.frames)", "published": "\(publisher.published)",
                "dropped": "\(publisher.dropped)",
                "unroutable": "\(counters.unroutable)", "coinbase_errors": "\(counters.coinbaseErrors)",
            ])
    }

    /// Routes one frame to its product topics and publishes it.
    /// - Returns: `false` when stop was requested while waiting to send.
    private func publish(
        _ frame: FrameQueue.Frame, with publisher: BusPublisher, counters: inout IngestCounters, stop: StopFlag
    ) throws -> Bool {
        counters.frames += 1
        let parts: [FeedRouter.Routed]
        do {
            parts = try router.route(frame.bytes)
        } catch {
            counters.unroutable += 1
            logger.warning(
                "unroutable coinbase message published on raw/*/",
                metadata: [
                    "error": "\(error)", "unroutable_total": "\(counters.unroutable)", "bytes": "\(frame.bytes.count)",
                ])
            parts = [FeedRouter.Routed(product: nil, payload: frame.bytes)]
        }
        for part in parts {
            if part.product == nil { reportIfError(part.payload, counters: &counters) }
            let topic: Topic = part.product.map { .raw(product: $0) } ?? .rawUnrouted
            guard
                try publisher.publish(topic, receivedAtNanos: frame.receivedAtNanos, payload: part.payload, stop: stop)
            else {
                return false
            }
        }
        return true
    }

    private func reportIfError(_ payload: [UInt8], counters: inout IngestCounters) {
        guard let message = try? parser.parse(payload), case .error(let text, let reason) = message.kind else { return }
        counters.coinbaseErrors += 1
        logger.error("coinbase error message", metadata: ["message": "\(text)", "reason": "\(reason ?? "")"])
    }
}

/// What the ingest has seen, for its closing log line.
struct IngestCounters {
    var frames = 0
    var unroutable = 0
    var coinbaseErrors = 0
}
