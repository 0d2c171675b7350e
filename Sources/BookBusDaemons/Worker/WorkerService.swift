import BusProtocol
import CoinbaseFeed
public import Logging
import OrderBook
public import ServiceLifecycle
import ZeroMQ

/// A book worker: subscribes to its products' raw topics, keeps their books, and publishes
/// top-of-book and spread events on `tob/<PRODUCT>/` and `spread/<PRODUCT>/`.
///
/// Receive, parse, apply and publish all run on one dedicated thread.
public struct WorkerService: Service {
    public let configuration: WorkerConfiguration
    private let logger: Logger

    public init(configuration: WorkerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        try await DedicatedThread.run(name: "worker") { [configuration, logger] stop in
            var loop = WorkerLoop(configuration: configuration, logger: logger)
            try loop.run(stop: stop)
        }
    }
}

/// What a worker has seen, for its closing log line.
struct WorkerCounters {
    var bookMessages = 0
    var otherMessages = 0
    var rejected = 0
    var notOwned = 0
    var absentDeletes = 0
    var crossed = 0
    var events = 0
}

/// The worker's thread.
struct WorkerLoop {
    let configuration: WorkerConfiguration
    let logger: Logger
    private let parser = FeedParser()
    private var books: [String: ProductBook] = [:]
    private var counters = WorkerCounters()

    init(configuration: WorkerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    mutating func run(stop: StopFlag) throws {
        let context = try ZMQContext()
        let publisher = try BusPublisher(
            context: context, endpoint: configuration.publish, settings: configuration.sockets,
            lossless: configuration.lossless, logger: logger)
        defer { publisher.close() }
        if configuration.waitForSubscribers > 0 {
            guard try publisher.waitForSubscribers(configuration.waitForSubscribers, stop: stop) else { return }
        }
        let subscriber = try BusSubscriber(
            context: context, endpoints: configuration.ingest, settings: configuration.sockets, logger: logger)
        defer { subscriber.close() }
        for prefix in configuration.ownership.subscriptions { try subscriber.subscribe(prefix) }
        // Subscribed last: when the ingest sees this, the product subscriptions have arrived too.
        try subscriber.subscribe(Topic.controlName)
        logger.info(
            "worker running",
            metadata: ["ownership": "\(configuration.ownership)", "emit": "\(configuration.emit.rawValue)"])

        receiving: while !stop.isRequested {
            try publisher.drainSubscriptions()
            guard let message = try subscriber.receive(timeoutMilliseconds: 100) else { continue }
            switch message.topic {
            case .raw(let product):
                try handleRaw(product: product, message: message, publisher: publisher, stop: stop)
            case .control:
                guard case .endOfStream(let upstream)? = try? ControlMessage(json: message.payload) else { continue }
                logger.info("end of stream from upstream", metadata: ["upstream": "\(upstream)"])
                let end = ControlMessage.endOfStream(publisher: configuration.name).encoded()
                try publisher.publish(
                    .control, receivedAtNanos: message.header.receivedAtNanos, payload: end, stop: stop)
                if configuration.exitOnEnd { break receiving }
            case .rawUnrouted, .topOfBook, .spread:
                counters.otherMessages += 1
            }
        }
        logger.info(
            "worker stopping",
            metadata: [
                "products": "\(books.keys.sorted().joined(separator: ","))",
                "book_messages": "\(counters.bookMessages)",
                "other_messages": "\(counters.otherMessages)", "rejected": "\(counters.rejected)",
                "absent_deletes": "\(counters.absentDeletes)", "crossed": "\(counters.crossed)",
                "events": "\(counters.events)", "missed_upstream": "\(subscriber.missed)",
                "dropped": "\(publisher.dropped)",
            ])
    }

    private mutating func handleRaw(product: String, message: BusMessage, publisher: BusPublisher, stop: StopFlag)
        throws
    {
        guard configuration.ownership.owns(product) else {
            counters.notOwned += 1
            return
        }
        let parsed: FeedMessage
        do {
            parsed = try parser.parse(message.payload)
        } catch {
            reject(product: product, error)
            return
        }
        guard case .book(let bookMessages) = parsed.kind else {
            counters.otherMessages += 1
            return
        }
        let events = applyAndCollectEvents(
            bookMessages, product: product, receivedAtNanos: message.header.receivedAtNanos)
        for event in events {
            try publisher.publish(
                event.kind.topic(product: product), receivedAtNanos: message.header.receivedAtNanos,
                payload: event.encoded(), stop: stop)
            counters.events += 1
        }
    }

    /// Applies a raw message's book messages to the product's book, in place, and returns the
    /// events the emit policy asks for (none when nothing was applied or there is no snapshot yet).
    private mutating func applyAndCollectEvents(_ messages: [BookMessage], product: String, receivedAtNanos: UInt64)
        -> [BookEvent]
    {
        var appliedCount = 0
        var absentDeletes = 0
        var exchangeTime: String?
        var failures: [any Error] = []
        var crossedTop: TopOfBook?
        let policy = configuration.emit
        let events = withBook(product) { state -> [BookEvent] in
            for bookMessage in messages where bookMessage.product == product {
                do {
                    absentDeletes += try state.apply(bookMessage).absentDeletes
                    appliedCount += 1
                    exchangeTime = bookMessage.exchangeTime ?? exchangeTime
                } catch {
                    failures.append(error)
                }
            }
            guard appliedCount > 0, state.hasSnapshot else { return [] }
            let top = state.book.topOfBook
            if top.isCrossed { crossedTop = top }
            return state.eventsToPublish(policy: policy).map { kind in
                BookEvent(
                    kind: kind, product: product, top: top, exchangeTime: exchangeTime, ingestTimeNanos: receivedAtNanos
                )
            }
        }
        counters.bookMessages += appliedCount
        counters.absentDeletes += absentDeletes
        for failure in failures { reject(product: product, failure) }
        if let crossedTop {
            counters.crossed += 1
            logger.warning(
                "crossed book",
                metadata: ["product": "\(product)", "top": "\(crossedTop)", "crossed_total": "\(counters.crossed)"])
        }
        return events
    }

    /// Runs `body` on the product's state in place (no copy of the book).
    private mutating func withBook<Result>(_ product: String, _ body: (inout ProductBook) -> Result) -> Result {
        body(&books[product, default: ProductBook(product: product)])
    }

    private mutating func reject(product: String, _ error: any Error) {
        counters.rejected += 1
        logger.warning(
            "message rejected",
            metadata: ["product": "\(product)", "error": "\(error)", "rejected_total": "\(counters.rejected)"])
    }
}
