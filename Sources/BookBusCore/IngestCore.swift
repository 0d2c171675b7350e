public import BusProtocol
import CoinbaseFeed
import Logging
import OrderBook

/// The ingest's logic without sockets, WebSockets or files: it routes each Coinbase frame to its
/// product's topic, numbers the topic's messages within the current epoch, gathers what is at hand
/// together into batches, keeps a book per product for the snapshot service, and coordinates the
/// worker group.
///
/// The caller feeds it frames and connection events, publishes ``output``'s messages in order, and
/// answers the snapshot service and the group from it.
///
/// Batches: consecutive messages of one product go out as one bus message on its `raw/` topic and
/// one on its `parsed/` topic (``IngestBatch``), both headers carrying the first one's sequence.
/// Nothing waits for a batch to fill: ``flush()`` closes every open batch, and the caller flushes
/// whenever its source has handed over what it had at once, and before it looks at anything else.
public struct IngestCore {
    public struct Configuration: Sendable {
        /// Most messages in one batch; 1 publishes every message on its own.
        public var maxBatch: Int
        /// Keep a book per product (the snapshot service is on).
        public var keepsBooks: Bool
        /// The products of each live connection, by label: a reconnect invalidates their books.
        public var connections: [String: [String]]
        /// A product of a live connection with no book message for this long, while other products
        /// of its connection have some, is stale and its subscription is renewed (`nil`: never).
        public var staleAfter: Duration?

        public init(
            maxBatch: Int, keepsBooks: Bool, connections: [String: [String]] = [:], staleAfter: Duration? = nil
        ) {
            self.maxBatch = max(1, maxBatch)
            self.keepsBooks = keepsBooks
            self.connections = connections
            self.staleAfter = staleAfter
        }
    }

    /// A batch holding this many bytes goes out at once: a snapshot (megabytes) leaves as soon as it
    /// is read, so subscribers get snapshots one by one and never queue several at once.
    public static let maxBatchBytes = 1 << 20

    /// The receive times of one batch's messages agree to this many nanoseconds (one millisecond).
    public static let batchTimeResolution: UInt64 = 1_000_000

    /// One product's topics, its book and its open batch.
    struct Product {
        let topic: [UInt8]
        let parsedTopic: [UInt8]
        /// The last sequence numbered in this epoch (0: none yet).
        var sequence: UInt64 = 0
        var book: ProductBook<SnapshotBook>
        /// Receive time of the last message the book took.
        var bookReceivedAtNanos: UInt64 = 0
        var pending = IngestBatch()
        var pendingSinceNanos: UInt64 = 0
        /// Which entry of the open list is this product's current batch.
        var openTicket = 0
        /// Receive time of the product's last book message (0: none yet).
        var lastBookNanos: UInt64 = 0
        /// Gone quiet on a connection that still delivers: since when its subscription was last
        /// renewed (nanoseconds), `nil` while it is fresh.
        var staleRenewedAtNanos: UInt64?

        init(product: String) {
            topic = Topic.raw(product: product).bytes
            parsedTopic = Topic.parsed(product: product).bytes
            book = ProductBook(SnapshotBook(product: product))
        }
    }

    public let configuration: Configuration
    public private(set) var epoch: UInt64
    public private(set) var group: GroupCoordinator
    public private(set) var stats = IngestStats()
    /// What to publish and log; clear it with ``clearOutput()`` once done.
    public private(set) var output = IngestOutput()
    private var products: [Product] = []
    private var index: [String: Int] = [:]
    /// Products with an open batch, in the order their first message arrived. A product whose full
    /// batch went out and that opened another is listed again; only its latest entry counts.
    private var open: [(product: Int, ticket: Int)] = []
    private var tickets = 0
    /// Emptied batch buffers, to take the next batches without allocating.
    private var spares: [IngestBatch] = []
    /// The last sequence of `raw/*/`.
    private var unroutedSequence: UInt64 = 0
    /// The live connections that have connected and subscribed at least once.
    private var connectedLabels: Set<String> = []
    /// The live connection carrying each product, and the receive time of the last book message
    /// any of its products got.
    private let connectionOfProduct: [String: String]
    private var connectionBookNanos: [String: UInt64] = [:]
    private let router = FeedRouter()
    /// With the exchange's timestamps: the parsed topics carry them to the workers.
    private let parser = FeedParser()

    /// - Parameters:
    ///   - epoch: the first epoch (random per start, so subscribers can tell a restart from a gap).
    ///   - group: the worker group's coordinator.
    ///   - liveProducts: products known before any frame (live subscriptions), assigned at once.
    public init(configuration: Configuration, epoch: UInt64, group: GroupCoordinator, liveProducts: [String] = []) {
        self.configuration = configuration
        self.epoch = epoch
        self.group = group
        var connectionOfProduct: [String: String] = [:]
        for (label, products) in configuration.connections {
            for product in products { connectionOfProduct[product] = label }
        }
        self.connectionOfProduct = connectionOfProduct
        for product in liveProducts { self.group.noteProduct(product) }
    }

    public mutating func clearOutput() {
        guard !output.isEmpty else { return }
        for index in output.messages.indices {
            guard case .batch(_, let header, var payloads) = output.messages[index] else { continue }
            // The message lets go of the buffer first: emptying a buffer held twice would allocate a
            // new one of the same capacity (megabytes, for one that once carried a snapshot).
            output.messages[index] = .unrouted(header, [])
            payloads.removeAll()
            spares.append(payloads)
        }
        output.messages.removeAll(keepingCapacity: true)
        output.logs.removeAll()
        output.renewals.removeAll()
    }

    /// The `raw/` topic frame of the product a ``IngestOutput/Message/batch(product:header:payloads:)``
    /// is of.
    public func topic(of product: Int) -> [UInt8] {
        products[product].topic
    }

    /// The same product's `parsed/` topic frame.
    public func parsedTopic(of product: Int) -> [UInt8] {
        products[product].parsedTopic
    }

    /// Ready when every live connection has subscribed and no product is stale (a replay: once its
    /// first frame is in).
    public var readiness: Readiness {
        guard !configuration.connections.isEmpty else {
            return stats.frames > 0 ? .ready : .notReady("no frame received yet")
        }
        let waiting = configuration.connections.keys.filter { !connectedLabels.contains($0) }.sorted()
        guard waiting.isEmpty else { return .notReady("connecting: \(waiting.joined(separator: ", "))") }
        let stale = staleProducts
        return stale.isEmpty ? .ready : .notReady("stale: \(stale.joined(separator: ", "))")
    }

    // MARK: - Inputs

    /// Takes one frame received at `receivedAtNanos`.
    public mutating func take(_ frame: [UInt8], receivedAtNanos: UInt64) {
        stats.frames += 1
        stats.bytes += frame.count
        // One parse serves routing and the books. A book message about one product (the hot case)
        // is routed by it; anything else goes through the general router.
        let parsed = try? parser.parse(frame)
        if case .book(let messages)? = parsed?.kind, let product = messages.first?.product,
            messages.allSatisfy({ $0.product == product })
        {
            return enqueue(frame, of: product, messages: messages, receivedAtNanos: receivedAtNanos)
        }
        let parts: [FeedRouter.Routed]
        do {
            parts = try router.route(frame)
        } catch {
            stats.unroutable += 1
            log(
                .warning, "unroutable coinbase message published on raw/*/",
                [
                    "error": "\(error)", "unroutable_total": "\(stats.unroutable)", "bytes": "\(frame.count)",
                ])
            parts = [FeedRouter.Routed(product: nil, payload: frame)]
        }
        for part in parts {
            if let product = part.product {
                // A split part is a new message: parse it; otherwise reuse the parse above.
                let message = parts.count == 1 ? parsed : try? parser.parse(part.payload)
                var messages: [BookMessage] = []
                if case .book(let books)? = message?.kind { messages = books }
                enqueue(part.payload, of: product, messages: messages, receivedAtNanos: receivedAtNanos)
                continue
            }
            if case .error(let text, let reason)? = parsed?.kind {
                stats.coinbaseErrors += 1
                log(
                    .error, "coinbase error message",
                    ["message": "\(Self.bounded(text))", "reason": "\(Self.bounded(reason ?? ""))"])
            }
            unroutedSequence += 1
            output.messages.append(
                .unrouted(
                    FrameHeader(epoch: epoch, sequence: unroutedSequence, receivedAtNanos: receivedAtNanos),
                    part.payload))
        }
    }

    /// A live connection (re)connected: what was received before may have gaps. The open batches go
    /// out under the old epoch; then a new epoch tells every subscriber to resynchronise, sequences
    /// start again at 1, and the connection's books wait for the fresh snapshots that follow.
    public mutating func connected(label: String, newEpoch: UInt64) {
        stats.connections += 1
        if !connectedLabels.insert(label).inserted { stats.reconnects += 1 }
        flush()
        epoch = newEpoch
        for index in products.indices { products[index].sequence = 0 }
        unroutedSequence = 0
        for product in configuration.connections[label] ?? [] {
            if let known = index[product] { products[known].book.invalidate() }
        }
        log(.info, "new epoch", ["epoch": "\(epoch)", "connection": "\(label)"])
    }

    /// Coinbase's own sequence skipped on a connection (the session resubscribes).
    public mutating func upstreamGap(expected: Int64, got: Int64) {
        stats.upstreamGaps += 1
        log(
            .error, "coinbase sequence gap: resubscribing for fresh snapshots",
            ["expected": "\(expected)", "got": "\(got)", "upstream_gaps_total": "\(stats.upstreamGaps)"])
    }

    /// Closes every open batch, in the order they were opened.
    public mutating func flush() {
        for entry in open where products[entry.product].openTicket == entry.ticket {
            if !products[entry.product].pending.isEmpty { close(entry.product) }
        }
        open.removeAll(keepingCapacity: true)
    }

    /// The snapshot service's answer for `product`: the book as of the sequence its header names
    /// (its open batch is closed first, so the two agree), or no book.
    public mutating func snapshot(of product: String) -> (header: FrameHeader, payload: [UInt8], hasBook: Bool) {
        guard ProductID.isValid(product), let known = index[product] else {
            return (
                FrameHeader(epoch: epoch, sequence: 0, receivedAtNanos: 0),
                SnapshotProtocol.noBookPayload(product: product), false
            )
        }
        if !products[known].pending.isEmpty { close(known) }
        let entry = products[known]
        let header = FrameHeader(epoch: epoch, sequence: entry.sequence, receivedAtNanos: entry.bookReceivedAtNanos)
        stats.snapshotsServed += 1
        guard configuration.keepsBooks, entry.book.isLoaded else {
            return (header, SnapshotProtocol.noBookPayload(product: product), false)
        }
        return (header, SnapshotProtocol.snapshotPayload(of: entry.book.book), true)
    }

    /// A worker-group member's heartbeat; its current assignment.
    public mutating func join(member: String, identity: [UInt8], now: ContinuousClock.Instant) -> Assignment {
        group.heartbeat(from: member, identity: identity, now: now)
    }

    /// Expires silent members; returns the assignments to send at once (see ``GroupCoordinator``).
    public mutating func groupNotices(now: ContinuousClock.Instant) -> [(identity: [UInt8], assignment: Assignment)] {
        group.expire(now: now)
        return group.takeNotices()
    }

    /// The group's log records since the last call.
    public mutating func takeGroupLogs() -> [LogRecord] {
        defer { group.clearLogs() }
        return group.logs
    }

    /// Checks every product of a live connection for staleness (see
    /// ``Configuration/staleAfter``): one that has gone quiet is marked stale, logged, and asked to
    /// be renewed in ``IngestOutput/renewals``, again every `staleAfter` while it stays quiet.
    public mutating func checkStaleness(nowNanos: UInt64) {
        guard let staleAfter = configuration.staleAfter else { return }
        let limit = staleAfter.nanoseconds
        for index in products.indices {
            let product = products[index]
            guard let connection = connectionOfProduct[product.book.product], product.lastBookNanos > 0,
                nowNanos &- product.lastBookNanos > limit,
                let traffic = connectionBookNanos[connection], nowNanos &- traffic <= limit
            else { continue }
            if let renewed = product.staleRenewedAtNanos, nowNanos &- renewed <= limit { continue }
            if product.staleRenewedAtNanos == nil {
                stats.staleMarks += 1
                log(
                    .warning,
                    "product stale: no book update while its connection delivers others; renewing its subscription",
                    [
                        "product": "\(product.book.product)", "connection": "\(connection)",
                        "quiet_seconds": "\((nowNanos &- product.lastBookNanos) / 1_000_000_000)",
                        "stale_total": "\(stats.staleMarks)",
                    ])
            }
            products[index].staleRenewedAtNanos = nowNanos
            stats.subscriptionRenewals += 1
            output.renewals.append(IngestOutput.Renewal(connection: connection, product: product.book.product))
        }
    }

    /// The products stale now, sorted (for the heartbeat and the report).
    public var staleProducts: [String] {
        products.filter { $0.staleRenewedAtNanos != nil }.map(\.book.product).sorted()
    }

    /// Each product's state: `live` (its book loaded, or no books kept), `stale`, or
    /// `awaiting_snapshot`.
    public var productStates: [String: String] {
        var states: [String: String] = [:]
        for product in products {
            states[product.book.product] =
                product.staleRenewedAtNanos != nil
                ? "stale" : (!configuration.keepsBooks || product.book.isLoaded ? "live" : "awaiting_snapshot")
        }
        return states
    }

    /// The last sequence of every topic published on in this epoch, for the heartbeat.
    public var sequences: [String: UInt64] {
        var result: [String: UInt64] = [:]
        for product in products where product.sequence > 0 {
            result[String(decoding: product.topic, as: UTF8.self)] = product.sequence
        }
        if unroutedSequence > 0 { result[Topic.rawUnrouted.description] = unroutedSequence }
        return result
    }

    // MARK: - Batches

    /// Queues a message about one product on its topic and applies its book messages.
    private mutating func enqueue(
        _ payload: [UInt8], of product: String, messages: [BookMessage], receivedAtNanos: UInt64
    ) {
        let known: Int
        if let existing = index[product] {
            known = existing
        } else {
            known = products.count
            products.append(Product(product: product))
            index[product] = known
            group.noteProduct(product)
        }
        if configuration.keepsBooks, !messages.isEmpty, products[known].book.apply(messages).applied > 0 {
            products[known].bookReceivedAtNanos = receivedAtNanos
        }
        if !messages.isEmpty { tookBookMessage(of: known, receivedAtNanos: receivedAtNanos) }
        // A batch carries one receive time, its first message's: it never spans a millisecond
        // boundary, so a subscriber's intervals (whole milliseconds, aligned) hold each message
        // where its own receive time puts it.
        if !products[known].pending.isEmpty,
            receivedAtNanos / Self.batchTimeResolution != products[known].pendingSinceNanos / Self.batchTimeResolution
        {
            close(known)
        }
        if products[known].pending.isEmpty {
            products[known].pendingSinceNanos = receivedAtNanos
            tickets += 1
            products[known].openTicket = tickets
            open.append((known, tickets))
        }
        products[known].pending.append(payload, messages: messages, product: product)
        if products[known].pending.count >= configuration.maxBatch
            || products[known].pending.raw.bytes.count >= Self.maxBatchBytes
        {
            close(known)
        }
    }

    /// A book message of the product arrived: its connection delivers, and the product is fresh.
    private mutating func tookBookMessage(of index: Int, receivedAtNanos: UInt64) {
        products[index].lastBookNanos = receivedAtNanos
        let product = products[index].book.product
        if let connection = connectionOfProduct[product] { connectionBookNanos[connection] = receivedAtNanos }
        guard products[index].staleRenewedAtNanos != nil else { return }
        products[index].staleRenewedAtNanos = nil
        log(.info, "product fresh again", ["product": "\(product)"])
    }

    /// Numbers the product's open batch and hands it to the caller.
    private mutating func close(_ product: Int) {
        let header = FrameHeader(
            epoch: epoch, sequence: products[product].sequence + 1, receivedAtNanos: products[product].pendingSinceNanos
        )
        products[product].sequence += UInt64(products[product].pending.count)
        var payloads = spares.popLast() ?? IngestBatch()
        swap(&payloads, &products[product].pending)
        output.messages.append(.batch(product: product, header: header, payloads: payloads))
    }

    private mutating func log(_ level: Logger.Level, _ message: Logger.Message, _ metadata: Logger.Metadata) {
        output.logs.append(LogRecord(level: level, message: message, metadata: metadata))
    }

    /// Text from Coinbase, cut to a length a log line can carry.
    static func bounded(_ text: String) -> String {
        text.count <= 200 ? text : String(text.prefix(200)) + "… (\(text.utf8.count) bytes)"
    }
}

/// What an ``IngestCore`` asks its caller to do after an input.
public struct IngestOutput: Sendable {
    public enum Message: Sendable, Equatable {
        /// A product's batch; its topic frames are ``IngestCore/topic(of:)`` and
        /// ``IngestCore/parsedTopic(of:)``.
        case batch(product: Int, header: FrameHeader, payloads: IngestBatch)
        /// A message about no product, for `raw/*/`.
        case unrouted(FrameHeader, [UInt8])
    }

    /// A product whose subscription its connection should renew (unsubscribe, subscribe: Coinbase
    /// then sends a fresh snapshot).
    public struct Renewal: Sendable, Equatable {
        public var connection: String
        public var product: String

        public init(connection: String, product: String) {
            self.connection = connection
            self.product = product
        }
    }

    /// To publish, in order.
    public var messages: [Message] = []
    public var logs: [LogRecord] = []
    public var renewals: [Renewal] = []

    /// Nothing to do: the common case while a batch fills.
    public var isEmpty: Bool { messages.isEmpty && logs.isEmpty && renewals.isEmpty }
}

/// What the ingest's core has counted.
public struct IngestStats: Sendable, Equatable {
    public var frames = 0
    public var bytes = 0
    public var unroutable = 0
    public var coinbaseErrors = 0
    public var connections = 0
    public var reconnects = 0
    public var upstreamGaps = 0
    public var snapshotsServed = 0
    public var staleMarks = 0
    public var subscriptionRenewals = 0

    public var statistics: [Statistic] {
        [
            Statistic("frames", .counter, frames, help: "Coinbase frames received."),
            Statistic("received_bytes", .counter, bytes, help: "Bytes of the Coinbase frames received."),
            Statistic(
                "unroutable", .counter, unroutable, help: "Frames no product could be read from (sent on raw/*/)."),
            Statistic("coinbase_errors", .counter, coinbaseErrors, help: "Coinbase error messages."),
            Statistic("connections", .counter, connections, help: "WebSocket connections made (reconnects included)."),
            Statistic(
                "reconnects", .counter, reconnects,
                help: "WebSocket connections made again after one of the same connection ended."),
            Statistic("upstream_gaps", .counter, upstreamGaps, help: "Gaps in Coinbase's own sequence numbers."),
            Statistic("snapshots_served", .counter, snapshotsServed, help: "Snapshot requests answered."),
            Statistic(
                "stale_products", .counter, staleMarks,
                help: "Times a product went quiet while its connection delivered other products (marked stale)."),
            Statistic(
                "subscription_renewals", .counter, subscriptionRenewals,
                help: "Subscriptions of stale products renewed (unsubscribe, subscribe: a fresh snapshot follows)."),
        ]
    }
}
