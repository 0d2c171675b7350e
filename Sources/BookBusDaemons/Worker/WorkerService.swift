import BusProtocol
import CoinbaseFeed
public import Logging
import OrderBook
public import ServiceLifecycle
import ZeroMQ

/// A book worker: subscribes to its products' raw topics, keeps their books, and publishes
/// top-of-book and spread events on `tob/<PRODUCT>/` and `spread/<PRODUCT>/`.
///
/// A product's book is trusted only after a snapshot; a sequence gap, a new ingest epoch or a
/// heartbeat showing lost messages sends it back to resynchronising (the clone pattern: keep the
/// messages, ask the ingest for its book as of sequence S, drop what the book already includes,
/// apply the rest). Receive, parse, apply and publish all run on one dedicated thread.
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
    var absentDeletes = 0
    var crossed = 0
    var events = 0
    var resyncs = 0
    var snapshotsApplied = 0
    var bufferedDropped = 0
    var badSnapshotReplies = 0
}

/// The worker's thread.
struct WorkerLoop {
    let configuration: WorkerConfiguration
    let logger: Logger
    private let parser = FeedParser()
    private var products: [String: ProductState] = [:]
    private var counters = WorkerCounters()
    private var service: ServiceClient?
    /// Group mode: the products the coordinator assigned, and in which generation.
    private var assigned: Set<String> = []
    /// Whether each product seen is this worker's, for shard and product-list ownership.
    private var fixedOwnership: [String: Bool] = [:]
    /// The events made while taking the current bus message, published once it is taken.
    private var events = EventBatcher()
    private var generation: UInt64 = 0
    private var lastGroupHeartbeat: ContinuousClock.Instant?
    private var lastRetryCheck = ContinuousClock.now
    /// A snapshot request unanswered this long is sent again.
    private static let requestTimeout = Duration.seconds(2)
    /// Messages handled between two rounds of housekeeping.
    private static let batch = 64

    init(configuration: WorkerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    mutating func run(stop: StopFlag) throws {
        let bus = try BusContext(settings: configuration.sockets, logger: logger)
        let publisher = try BusPublisher(
            bus: bus, endpoint: configuration.publish, lossless: configuration.lossless, name: configuration.name,
            logger: logger)
        defer { publisher.close() }
        if configuration.waitForSubscribers > 0 {
            guard try publisher.waitForSubscribers(configuration.waitForSubscribers, stop: stop) else { return }
        }
        let subscriber = try BusSubscriber(bus: bus, endpoints: configuration.ingest, tracksGaps: false, logger: logger)
        defer { subscriber.close() }
        if !configuration.snapshots.isEmpty {
            service = try ServiceClient(bus: bus, endpoints: configuration.snapshots, logger: logger)
        }
        defer { service?.close() }
        for prefix in configuration.ownership.subscriptions { try subscriber.subscribe(prefix) }
        // Subscribed last: when the ingest sees this, the product subscriptions have arrived too.
        try subscriber.subscribe(Topic.controlName)
        logger.info(
            "worker running",
            metadata: [
                "ownership": "\(configuration.ownership)", "emit": "\(configuration.emit.rawValue)",
                "snapshots": "\(configuration.snapshots.map(\.description).joined(separator: ","))",
            ])
        for product in configuration.ownership.knownProducts {
            try startResync(product, reason: "worker start")
        }

        var poller = Poller()
        poller.add(subscriber.socket, .readable)
        if let service { poller.add(service.socket, .readable) }
        var untilHousekeeping = 0
        var health = configuration.health
        receiving: while !stop.isRequested {
            // Subscriptions, heartbeats and the service are looked after between batches of messages.
            if untilHousekeeping == 0 {
                untilHousekeeping = Self.batch
                try publisher.drainSubscriptions()
                try publisher.publishHeartbeatIfDue(stop: stop)
                while let reply = try service?.nextReply() {
                    switch reply {
                    case .snapshot(let message): try handleSnapshotReply(message, publisher: publisher, stop: stop)
                    case .assignment(let assignment): try apply(assignment, subscriber: subscriber)
                    }
                }
                try events.flush(publisher: publisher, stop: stop)
                try sendGroupHeartbeatIfDue()
                try retryStaleRequests()
                health?.beat()
            }
            untilHousekeeping -= 1
            guard let message = try subscriber.nextMessage() else {
                untilHousekeeping = 0
                try poller.poll(timeoutMilliseconds: 50)
                continue
            }
            switch message.topic {
            case .raw(let product):
                // Every product with a state is owned: one lookup answers both for the hot case.
                let state = products[product]
                guard state != nil || owns(product) else { continue }
                try handleRaw(product: product, state: state, message: message, publisher: publisher, stop: stop)
            case .control:
                switch try? ControlMessage(json: message.payload) {
                case .heartbeat(_, let epoch, let sequences):
                    try handleIngestHeartbeat(epoch: epoch, sequences: sequences)
                case .endOfStream(let upstream):
                    logger.info("end of stream from upstream", metadata: ["upstream": "\(upstream)"])
                    let end = ControlMessage.endOfStream(publisher: configuration.name).encoded()
                    try publisher.publish(
                        .control, receivedAtNanos: message.header.receivedAtNanos, payload: end, stop: stop)
                    if configuration.exitOnEnd {
                        try publisher.awaitSubscribersLeaving(stop: stop)
                        break receiving
                    }
                case nil:
                    counters.otherMessages += 1
                }
            case .rawUnrouted, .topOfBook, .spread:
                counters.otherMessages += 1
            }
            try events.flush(publisher: publisher, stop: stop)
        }
        let waiting = products.filter { !$0.value.isLive }.keys.sorted()
        logger.info(
            "worker stopping",
            metadata: [
                "products": "\(products.keys.sorted().joined(separator: ","))",
                "not_live": "\(waiting.joined(separator: ","))", "book_messages": "\(counters.bookMessages)",
                "other_messages": "\(counters.otherMessages)", "rejected": "\(counters.rejected)",
                "absent_deletes": "\(counters.absentDeletes)", "crossed": "\(counters.crossed)",
                "events": "\(counters.events)", "bus_messages": "\(publisher.busMessages)",
                "resyncs": "\(counters.resyncs)",
                "snapshots_applied": "\(counters.snapshotsApplied)", "buffer_dropped": "\(counters.bufferedDropped)",
                "bad_snapshot_replies": "\(counters.badSnapshotReplies + (service?.malformedReplies ?? 0))",
            ])
    }

    // MARK: - Worker group

    /// True when this worker keeps `product` now.
    private mutating func owns(_ product: String) -> Bool {
        if case .group = configuration.ownership { return assigned.contains(product) }
        // Shards and product lists never change: decide once per product (the shard hash showed
        // up in profiles at 5% of the worker). Bounded, in case a peer invents endless topics.
        if let known = fixedOwnership[product] { return known }
        if fixedOwnership.count >= Self.fixedOwnershipLimit { fixedOwnership.removeAll(keepingCapacity: true) }
        let owned = configuration.ownership.owns(product)
        fixedOwnership[product] = owned
        return owned
    }

    /// Products remembered by ``owns(_:)`` before it starts over.
    private static let fixedOwnershipLimit = 10_000

    private mutating func sendGroupHeartbeatIfDue() throws {
        guard case .group = configuration.ownership, let service else { return }
        let now = ContinuousClock.now
        guard lastGroupHeartbeat.map({ now - $0 >= configuration.groupHeartbeat }) ?? true else { return }
        lastGroupHeartbeat = now
        try service.join(member: configuration.name)
    }

    /// Takes a new assignment: subscribes to and resynchronises the products gained, forgets the
    /// products lost (their new owner publishes them from now on).
    private mutating func apply(_ assignment: Assignment, subscriber: BusSubscriber) throws {
        guard case .group = configuration.ownership, assignment.generation != generation else { return }
        let now = Set(assignment.products)
        let gained = now.subtracting(assigned).sorted()
        let lost = assigned.subtracting(now).sorted()
        generation = assignment.generation
        assigned = now
        for product in lost {
            try subscriber.unsubscribe(Topic.raw(product: product).description)
            products.removeValue(forKey: product)
        }
        for product in gained {
            try subscriber.subscribe(Topic.raw(product: product).description)
            try startResync(product, reason: "assigned in generation \(generation)")
        }
        logger.info(
            "group assignment",
            metadata: [
                "generation": "\(generation)", "members": "\(assignment.members)",
                "products": "\(now.sorted().joined(separator: ","))",
                "gained": "\(gained.joined(separator: ","))", "lost": "\(lost.joined(separator: ","))",
            ])
    }

    // MARK: - Raw messages

    /// Takes each payload of a raw message (a batch carries several, in sequence) into the product.
    private mutating func handleRaw(
        product: String, state: ProductState?, message: BusMessage, publisher: BusPublisher, stop: StopFlag
    ) throws {
        var state = state
        for index in 0..<message.payloadCount {
            let messages: [BookMessage]?
            do {
                if case .book(let books) = try parser.parse(message.payload(index)).kind {
                    messages = books
                } else {
                    counters.otherMessages += 1
                    messages = []
                }
            } catch {
                reject(product: product, error)
                messages = nil
            }
            try account(
                product: product, state: state, header: message.header(ofPayload: index), messages: messages,
                publisher: publisher, stop: stop)
            // The first message of a product makes its state.
            state = state ?? products[product]
        }
    }

    /// Takes one raw message (parsed, or `nil` when refused) into the product's state (`nil`: none
    /// yet; it is made here).
    private mutating func account(
        product: String, state existing: ProductState?, header: FrameHeader, messages: [BookMessage]?,
        publisher: BusPublisher, stop: StopFlag
    ) throws {
        let isSnapshot = messages?.contains { $0.product == product && $0.isSnapshot } ?? false
        let state: ProductState
        if let existing {
            state = existing
        } else if isSnapshot {
            state = ProductState(product: product, reason: "first message seen")
            products[product] = state
        } else {
            state = try startResync(product, reason: "update before any snapshot")
        }
        if state.isLive {
            if state.epoch == header.epoch && header.sequence <= state.lastSequence {
                // Already in the book: the snapshot it was loaded from came after this message.
                return
            }
            if state.epoch != header.epoch || header.sequence != state.lastSequence + 1, !isSnapshot {
                let reason =
                    state.epoch != header.epoch
                    ? "ingest epoch changed"
                    : "sequence gap: expected \(state.lastSequence + 1), got \(header.sequence)"
                try startResync(product, reason: reason)
                return try account(
                    product: product, state: state, header: header, messages: messages, publisher: publisher,
                    stop: stop)
            }
            state.epoch = header.epoch
            state.lastSequence = header.sequence
            // Refused messages and non-book messages (ticker, match, …) change nothing.
            guard let messages, !messages.isEmpty else { return }
            applyLive(state, messages)
            try publishEvents(
                state, header: header, exchangeTime: exchangeTime(messages), publisher: publisher, stop: stop)
        } else if isSnapshot {
            // A snapshot on the stream replaces everything: the book is complete from here.
            try goLive(state, header: header, applying: messages ?? [], publisher: publisher, stop: stop)
        } else {
            if state.keep(BufferedMessage(header: header, messages: messages), limit: configuration.resyncBufferLimit) {
                counters.bufferedDropped += 1
            }
            state.epoch = header.epoch
            state.lastSequence = header.sequence
        }
    }

    private mutating func applyLive(_ state: ProductState, _ messages: [BookMessage]) {
        let outcome = state.apply(messages)
        counters.bookMessages += messages.count - outcome.failures.count
        counters.absentDeletes += outcome.absentDeletes
        for failure in outcome.failures { reject(product: state.product, failure) }
    }

    // MARK: - Resynchronisation

    /// Stops trusting the product's book and asks for a snapshot.
    /// - Returns: the product's state (made here if it had none).
    @discardableResult
    private mutating func startResync(_ product: String, reason: String) throws -> ProductState {
        counters.resyncs += 1
        let state: ProductState
        if let existing = products[product] {
            state = existing
            state.phase = .syncing(SyncWait(reason: reason))
        } else {
            state = ProductState(product: product, reason: reason)
            products[product] = state
        }
        state.lastResyncAt = .now
        logger.warning(
            "book not trusted: resynchronising",
            metadata: [
                "product": "\(product)", "reason": "\(reason)",
                "resyncs_total": "\(counters.resyncs)",
            ])
        try requestSnapshot(product)
        return state
    }

    private mutating func requestSnapshot(_ product: String) throws {
        guard case .syncing(var wait) = products[product]?.phase else { return }
        wait.requestedAt = .now
        products[product]!.phase = .syncing(wait)
        try service?.request(product)
    }

    private mutating func retryStaleRequests() throws {
        let now = ContinuousClock.now
        guard service != nil, now - lastRetryCheck > .milliseconds(250) else { return }
        lastRetryCheck = now
        for (product, state) in products {
            guard case .syncing(let wait) = state.phase else { continue }
            if wait.requestedAt.map({ now - $0 > Self.requestTimeout }) ?? true { try requestSnapshot(product) }
        }
    }

    private mutating func handleSnapshotReply(_ reply: BusMessage, publisher: BusPublisher, stop: StopFlag) throws {
        guard case .raw(let product) = reply.topic, let state = products[product] else {
            return rejectReply("it is for \(reply.topic), which this worker did not ask for")
        }
        guard reply.payloadCount == 1 else {
            return rejectReply("it has \(reply.payloadCount) payloads; a snapshot reply has one")
        }
        // A product that went live meanwhile (a snapshot came on the stream) needs no answer.
        guard case .syncing(let wait) = state.phase else { return }
        let snapshot: [BookMessage]
        do {
            switch try parser.parse(reply.payload).kind {
            case .book(let messages) where messages.count == 1 && messages[0].isSnapshot:
                guard messages[0].product == product else {
                    return rejectReply("its topic names \(product) but its book is \(messages[0].product)")
                }
                snapshot = messages
            default:
                logger.debug(
                    "ingest has no book yet; waiting for a snapshot on the stream", metadata: ["product": "\(product)"])
                return
            }
        } catch {
            return rejectReply("its book does not parse: \(error)")
        }
        // Keep what came after the snapshot: same epoch, sequence above S, contiguous from S + 1.
        let newer = wait.buffer.filter {
            $0.header.epoch == reply.header.epoch && $0.header.sequence > reply.header.sequence
        }
        let sameEpoch = wait.buffer.last.map { $0.header.epoch == reply.header.epoch } ?? true
        let contiguous = newer.enumerated().allSatisfy {
            $0.element.header.sequence == reply.header.sequence + 1 + UInt64($0.offset)
        }
        let covered =
            !wait.overflowed || (wait.buffer.first.map { $0.header.sequence <= reply.header.sequence + 1 } ?? true)
        guard sameEpoch, contiguous, covered else {
            logger.info(
                "snapshot does not join the buffered messages; asking again",
                metadata: ["product": "\(product)", "snapshot_sequence": "\(reply.header.sequence)"])
            return try requestSnapshot(product)
        }
        counters.snapshotsApplied += 1
        try goLive(state, header: reply.header, applying: snapshot, publisher: publisher, stop: stop)
        for message in newer {
            state.lastSequence = message.header.sequence
            if let messages = message.messages { applyLive(state, messages) }
        }
        if let last = newer.last {
            try publishEvents(
                state, header: last.header, exchangeTime: exchangeTime(last.messages ?? []), publisher: publisher,
                stop: stop)
        }
    }

    /// Loads a snapshot (from the stream or the service) and trusts the book again.
    private mutating func goLive(
        _ state: ProductState, header: FrameHeader, applying snapshot: [BookMessage], publisher: BusPublisher,
        stop: StopFlag
    ) throws {
        let reason: String
        if case .syncing(let wait) = state.phase { reason = wait.reason } else { reason = "" }
        state.phase = .live
        state.epoch = header.epoch
        state.lastSequence = header.sequence
        applyLive(state, snapshot)
        logger.info(
            "book live",
            metadata: ["product": "\(state.product)", "after": "\(reason)", "sequence": "\(header.sequence)"])
        try publishEvents(
            state, header: header, exchangeTime: exchangeTime(snapshot), publisher: publisher, stop: stop)
    }

    /// The ingest's heartbeat lists the last sequence of every topic: a product this worker keeps
    /// but never saw, or saw less of, has lost messages (or never had its snapshot).
    private mutating func handleIngestHeartbeat(epoch: UInt64, sequences: [String: UInt64]) throws {
        for (name, last) in sequences {
            guard case .raw(let product)? = Topic(bytes: Array(name.utf8)), owns(product) else {
                continue
            }
            guard let state = products[product] else {
                try startResync(product, reason: "joined late: no snapshot seen")
                continue
            }
            guard state.isLive else { continue }
            if state.epoch != epoch {
                try startResync(product, reason: "ingest epoch changed")
            } else if last > state.lastSequence {
                try startResync(product, reason: "heartbeat shows messages \(state.lastSequence + 1)...\(last) lost")
            }
        }
    }

    // MARK: - Events

    /// The exchange time of the last of `messages` that has one.
    private func exchangeTime(_ messages: [BookMessage]) -> String? {
        messages.last { $0.exchangeTime != nil }?.exchangeTime
    }

    private mutating func publishEvents(
        _ state: ProductState, header: FrameHeader, exchangeTime: String?, publisher: BusPublisher, stop: StopFlag
    ) throws {
        let product = state.product
        let top = state.book.topOfBook
        if top.isCrossed {
            if !state.crossedReported {
                state.crossedReported = true
                counters.crossed += 1
                logger.warning(
                    "crossed book: no events until it uncrosses",
                    metadata: ["product": "\(product)", "top": "\(top)", "crossed_total": "\(counters.crossed)"])
            }
            if state.lastResyncAt.map({ ContinuousClock.now - $0 > .seconds(5) }) ?? true {
                try startResync(product, reason: "crossed book")
            }
            return
        }
        state.crossedReported = false
        let due = state.eventsToPublish(policy: configuration.emit)
        for kind in [BookEvent.Kind.topOfBook, .spread] where kind == .topOfBook ? due.topOfBook : due.spread {
            let event = BookEvent(
                kind: kind, product: product, top: top, exchangeTime: exchangeTime,
                ingestTimeNanos: header.receivedAtNanos, sourceSequence: header.sequence, worker: configuration.name,
                generation: generation)
            try events.add(event, of: state, publisher: publisher, stop: stop)
            counters.events += 1
        }
    }

    private mutating func rejectReply(_ reason: String) {
        counters.badSnapshotReplies += 1
        logger.warning(
            "snapshot reply rejected",
            metadata: ["reason": "\(reason)", "bad_snapshot_replies_total": "\(counters.badSnapshotReplies)"])
    }

    private mutating func reject(product: String, _ error: any Error) {
        counters.rejected += 1
        logger.warning(
            "message rejected",
            metadata: ["product": "\(product)", "error": "\(error)", "rejected_total": "\(counters.rejected)"])
    }
}
