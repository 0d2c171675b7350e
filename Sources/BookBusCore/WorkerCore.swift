public import BusProtocol
import CoinbaseFeed
public import Logging
public import OrderBook

/// A book worker's logic without sockets: which products it keeps, one ``CloneClient`` per
/// product, the events their books make, the worker group's assignments, and the statistics.
///
/// The caller feeds it bus messages, snapshot replies, assignments and clock ticks, and after each
/// input carries out ``output`` (publish the events, send the requests, change subscriptions, log)
/// and clears it. Receive, parse, apply and event making all happen in here; the caller only moves
/// bytes.
public struct WorkerCore {
    /// What the core needs to decide.
    public struct Configuration: Sendable {
        public var name: String
        public var ownership: ProductOwnership
        public var emit: EmitPolicy
        public var streams: StreamSettings
        public var clone: CloneClient.Settings
        /// How often a worker-group member reports to the coordinator.
        public var groupHeartbeat: Duration

        public init(
            name: String, ownership: ProductOwnership, emit: EmitPolicy = .onChange, streams: StreamSettings = .init(),
            clone: CloneClient.Settings, groupHeartbeat: Duration = .milliseconds(500)
        ) {
            self.name = name
            self.ownership = ownership
            self.emit = emit
            self.streams = streams
            self.clone = clone
            self.groupHeartbeat = groupHeartbeat
        }
    }

    /// One product's replica and its streams.
    struct Product {
        let name: String
        var clone: CloneClient
        var streams = BookStreams()
        var tape = TradeTape()
        var bars: [BarBuilder]
        /// When the first message of the product reached this replica (ingest receive clock; 0:
        /// none yet).
        var firstSeenNanos: UInt64 = 0

        /// Notes that a message received at `nanos` reached the replica. (A mutating method: reading
        /// the field through the dictionary would copy the whole replica.)
        mutating func noteSeen(at nanos: UInt64) {
            if firstSeenNanos == 0 { firstSeenNanos = nanos }
        }

        init(name: String, clone: CloneClient, bars: [StreamInterval]) {
            self.name = name
            self.clone = clone
            self.bars = bars.map(BarBuilder.init(interval:))
        }

        /// What carrying out an action needs besides the replica.
        struct Context {
            var now: ContinuousClock.Instant
            var plan: BookStreamPlan
            var identity: EventIdentity
            var publishesTrades: Bool
        }

        /// Runs `input` on the clone client and carries out its actions.
        mutating func run(
            _ input: (inout CloneClient, ContinuousClock.Instant, inout [CloneClient.Action]) -> Void,
            _ context: Context, actions: inout [CloneClient.Action], output: inout WorkerOutput,
            stats: inout WorkerStats
        ) {
            let before = (clone.book.updateCount, clone.book.absentDeletes)
            input(&clone, context.now, &actions)
            stats.bookMessages += clone.book.updateCount - before.0
            stats.absentDeletes += clone.book.absentDeletes - before.1
            guard !actions.isEmpty else { return }
            for action in actions { carryOut(action, context, output: &output, stats: &stats) }
            actions.removeAll(keepingCapacity: true)
        }

        /// Publishes what the intervals that ended by `time` owe (conflated book streams, bars);
        /// `force` closes them all (the stream ended).
        mutating func closeIntervals(
            by time: UInt64, force: Bool = false, _ context: Context, output: inout WorkerOutput,
            stats: inout WorkerStats
        ) {
            closeStreamIntervals(by: time, force: force, context, output: &output, stats: &stats)
            closeBars(by: time, force: force, context, output: &output, stats: &stats)
        }

        /// Publishes the conflated book streams' state as of the end of the intervals that ended
        /// by `time`.
        mutating func closeStreamIntervals(
            by time: UInt64, force: Bool = false, _ context: Context, output: inout WorkerOutput,
            stats: inout WorkerStats
        ) {
            streams.closeInterval(
                by: time, force: force, clone.book.book, isTrusted: clone.isLive, plan: context.plan,
                context.identity, output: &output, stats: &stats)
        }

        /// Publishes the bars whose intervals ended by `time`.
        mutating func closeBars(
            by time: UInt64, force: Bool = false, _ context: Context, output: inout WorkerOutput,
            stats: inout WorkerStats
        ) {
            for index in bars.indices {
                guard
                    let bar = bars[index].close(
                        by: time, force: force, product: name, worker: context.identity.worker,
                        generation: context.identity.generation)
                else { continue }
                stats.barEvents += 1
                if !bar.complete { stats.incompleteBars += 1 }
                output.barEvents.append(bar)
            }
        }

        /// Takes the trades of a payload: repeats are dropped, skipped trade ids counted, the rest
        /// published and added to the bars.
        mutating func take(
            _ trades: [Trade], header: FrameHeader, _ context: Context, output: inout WorkerOutput,
            stats: inout WorkerStats
        ) {
            for trade in trades where trade.product == name {
                let verdict = tape.take(trade)
                if verdict.missed > 0 {
                    stats.missedTrades += Int(verdict.missed)
                    for index in bars.indices { bars[index].noteLoss() }
                    output.log(
                        .warning, "trades missed: trade ids skipped",
                        [
                            "product": "\(name)", "missed": "\(verdict.missed)", "trade_id": "\(trade.tradeID)",
                            "missed_trades_total": "\(stats.missedTrades)",
                        ])
                }
                guard verdict.publishes else {
                    if trade.origin == .live { stats.repeatedTrades += 1 }
                    continue
                }
                for index in bars.indices {
                    bars[index].add(
                        trade.price, trade.size, at: header.receivedAtNanos, firstSeen: firstSeenNanos)
                }
                guard context.publishesTrades else { continue }
                output.tradeEvents.append(
                    TradeEvent(
                        product: name, tradeID: trade.tradeID, price: trade.price, size: trade.size,
                        side: trade.takerSide == .buy ? .buy : .sell, exchangeTime: trade.exchangeTime,
                        ingestTimeNanos: header.receivedAtNanos, sourceSequence: header.sequence,
                        worker: context.identity.worker, generation: context.identity.generation))
                stats.tradeEvents += 1
            }
        }

        private mutating func carryOut(
            _ action: CloneClient.Action, _ context: Context, output: inout WorkerOutput, stats: inout WorkerStats
        ) {
            switch action {
            case .publish(let header, let exchangeTime, let top):
                streams.changed(
                    clone.book.book, top: top, stamp: BookStamp(header: header, exchangeTime: exchangeTime),
                    plan: context.plan, context.identity, output: &output, stats: &stats)
            case .requestSnapshot:
                stats.snapshotRequests += 1
                output.snapshotRequests.append(name)
            case .resynchronise(let reason):
                stats.resyncsByReason[reason.label, default: 0] += 1
                streams.lostTrust()
                if reason.losesMessages {
                    for index in bars.indices { bars[index].noteLoss() }
                }
                output.log(
                    .warning, "book not trusted: resynchronising",
                    ["product": "\(name)", "reason": "\(reason)", "resyncs_total": "\(stats.resyncs)"])
            case .live(let reason, let sequence, let fromService):
                if fromService { stats.snapshotsApplied += 1 }
                output.log(.info, "book live", ["product": "\(name)", "after": "\(reason)", "sequence": "\(sequence)"])
            case .snapshotDoesNotJoin(let sequence):
                output.log(
                    .info, "snapshot does not join the buffered messages; asking again",
                    ["product": "\(name)", "snapshot_sequence": "\(sequence)"])
            case .droppedBuffered:
                stats.bufferDropped += 1
            case .rejected(let error):
                stats.rejected += 1
                stats.rejectedByReason[error.reason, default: 0] += 1
                output.log(
                    .warning, "message rejected",
                    [
                        "product": "\(name)", "error": "\(name) message rejected, book unchanged: \(error)",
                        "rejected_total": "\(stats.rejected)",
                    ])
            case .crossed(let top):
                stats.crossed += 1
                output.log(
                    .warning, "crossed book: no events until it uncrosses",
                    ["product": "\(name)", "top": "\(top)", "crossed_total": "\(stats.crossed)"])
            }
        }
    }

    public let configuration: Configuration
    public private(set) var stats = WorkerStats()
    /// What the caller must do; clear it with ``clearOutput()`` once done.
    public private(set) var output = WorkerOutput()
    private var products: [String: Product] = [:]
    private let parser = FeedParser()
    /// Group mode: the products assigned to this worker, and in which generation.
    private var assigned: Set<String> = []
    public private(set) var generation: UInt64 = 0
    /// Whether each product seen is this worker's, for shard and product-list ownership.
    private var fixedOwnership: [String: Bool] = [:]
    private var lastGroupHeartbeat: ContinuousClock.Instant?
    /// The time of the last tick: every decision uses it, so the core reads no clock.
    private var now: ContinuousClock.Instant
    /// Reused for each input's clone actions.
    private var actions: [CloneClient.Action] = []
    /// The products the ingest's last heartbeat called stale (quiet upstream; reported as such).
    private var upstreamStale: Set<String> = []
    /// The book streams' plan, from the configuration.
    private let plan: BookStreamPlan
    /// The replicas' settings: the configuration's, with size totals kept when analytics need them.
    private let cloneSettings: CloneClient.Settings
    /// The latest receive time of a raw message: the stream's clock for interval streams.
    private var latestReceiveNanos: UInt64 = 0

    /// A stream whose receive times are this close to the wall clock is live: a tick then closes
    /// its intervals without waiting for a later message.
    static let liveClockWindow: UInt64 = 60_000_000_000
    /// A tick closes an interval this long after its end, for messages still on their way.
    static let lateArrivalAllowance: UInt64 = 10_000_000

    public init(configuration: Configuration, now: ContinuousClock.Instant) {
        self.configuration = configuration
        self.now = now
        plan = BookStreamPlan(configuration.streams, emit: configuration.emit)
        var cloneSettings = configuration.clone
        cloneSettings.tracksSizeTotals = configuration.streams.analytics != nil
        self.cloneSettings = cloneSettings
        actions.reserveCapacity(8)
    }

    /// Asks for the books of the products known up front.
    public mutating func start() {
        for product in configuration.ownership.knownProducts {
            startReplica(of: product, reason: .workerStart)
        }
    }

    public mutating func clearOutput() {
        guard !output.isEmpty else { return }
        output.removeAll()
    }

    /// Each product's book.
    public var books: [String: OrderBook] { products.mapValues(\.clone.book.book) }

    /// Each product's phase.
    public var phases: [String: CloneClient.Phase] { products.mapValues(\.clone.phase) }

    /// The statistics and each product's state, for the closing line and the stats file.
    public var report: StatsReport {
        StatsReport(
            role: "worker", name: configuration.name, statistics: stats.statistics + productStatistics,
            products: productStates)
    }

    /// Each product's state, one of ``StatsReport/productStates``.
    private var productStates: [String: String] {
        products.mapValues { product in
            switch product.clone.phase {
            case .live: upstreamStale.contains(product.name) ? "stale" : "live"
            case .awaitingSnapshot: "awaiting_snapshot"
            case .resynchronising: "resynchronising"
            }
        }
    }

    /// Each product's counts, depth and last update, labelled with the product (bounded by the
    /// products this worker keeps).
    private var productStatistics: [Statistic] {
        products.sorted { $0.key < $1.key }.flatMap { product, state -> [Statistic] in
            let label = Statistic.Label("product", product)
            let book = state.clone.book
            return [
                Statistic(
                    "product_book_messages", .counter, book.updateCount,
                    help: "Book messages applied to the product's book, snapshots included.", label: label),
                Statistic(
                    "product_level_changes", .counter, book.levelChanges,
                    help: "Level changes of the updates applied to the product's book.", label: label),
                Statistic(
                    "product_tob_events", .counter, state.streams.topOfBookEvents,
                    help: "Top-of-book events made for the product.", label: label),
                Statistic(
                    "product_spread_events", .counter, state.streams.spreadEvents,
                    help: "Spread events made for the product.", label: label),
                Statistic(
                    "book_bid_levels", .gauge, book.book.levelCount(.bid), help: "Bid levels in the product's book.",
                    label: label),
                Statistic(
                    "book_ask_levels", .gauge, book.book.levelCount(.ask), help: "Ask levels in the product's book.",
                    label: label),
                Statistic(
                    "book_last_update_timestamp_seconds", .gauge, Int(state.clone.lastAppliedNanos / 1_000_000_000),
                    help:
                        "When the ingest received the last message the product's book took (Unix seconds; 0: none yet).",
                    label: label),
            ] + spreadStatistics(of: book.book.topOfBook, label: label)
        }
    }

    /// The product's spread, exact, and in basis points of the mid (4 digits): none while a side
    /// is empty.
    private func spreadStatistics(of top: TopOfBook, label: Statistic.Label) -> [Statistic] {
        guard let spread = top.spread, let basisPoints = top.spreadBasisPoints else { return [] }
        return [
            Statistic("book_spread", exact: spread, help: "The product's spread (best ask - best bid).", label: label),
            Statistic(
                "book_spread_bps", exact: basisPoints,
                help: "The product's spread in basis points of the mid (rounded half away from zero to 4 digits).",
                label: label),
        ]
    }

    /// Ready when every product this worker keeps is live (and it keeps at least one).
    public var readiness: Readiness {
        let states = productStates
        guard !states.isEmpty else { return .notReady("no product assigned or seen yet") }
        let waiting = states.filter { $0.value != "live" }.sorted { $0.key < $1.key }
        guard waiting.isEmpty else {
            return .notReady("not live: " + waiting.map { "\($0.key) (\($0.value))" }.joined(separator: ", "))
        }
        return .ready
    }

    // MARK: - Inputs

    /// Takes one message from the ingest's bus.
    public mutating func take(_ message: BusMessage) {
        switch message.topic {
        case .parsed(let product):
            takeProductMessage(product: product, message, parsed: true)
        case .raw(let product):
            takeProductMessage(product: product, message, parsed: false)
        case .control:
            switch try? ControlMessage(json: message.payload) {
            case .heartbeat(_, let epoch, let sequences, let stale):
                upstreamStale = Set(stale)
                takeHeartbeat(epoch: epoch, sequences: sequences)
            case .endOfStream(let upstream):
                log(.info, "end of stream from upstream", ["upstream": "\(upstream)"])
                closeIntervals(by: latestReceiveNanos, force: true)
                output.endOfStream = message.header.receivedAtNanos
            case nil:
                stats.otherMessages += 1
            }
        case .rawUnrouted, .topOfBook, .spread, .depth, .trade, .bar, .analytics:
            stats.otherMessages += 1
        }
    }

    /// Takes a reply of the snapshot service (shaped like a bus message).
    public mutating func takeReply(_ reply: BusMessage) {
        guard case .raw(let product) = reply.topic, let index = products.index(forKey: product) else {
            return rejectReply("it is for \(reply.topic), which this worker did not ask for")
        }
        guard reply.payloadCount == 1 else {
            return rejectReply("it has \(reply.payloadCount) payloads; a snapshot reply has one")
        }
        guard !products.values[index].clone.isLive else { return }
        let snapshot: BookMessage?
        do {
            switch try parser.parse(reply.payload).kind {
            case .book(let messages) where messages.count == 1 && messages[0].isSnapshot:
                guard messages[0].product == product else {
                    return rejectReply("its topic names \(product) but its book is \(messages[0].product)")
                }
                snapshot = messages[0]
            default:
                log(.debug, "ingest has no book yet; waiting for a snapshot on the stream", ["product": "\(product)"])
                snapshot = nil
            }
        } catch {
            return rejectReply("its book does not parse: \(error)")
        }
        update(at: index) { clone, now, actions in
            clone.takeReply(reply.header, snapshot: snapshot, now: now, actions: &actions)
        }
    }

    /// Counts and reports a reply of the snapshot service that is not shaped like a bus message.
    public mutating func takeMalformedReply(_ reason: String) {
        rejectReply(reason)
    }

    /// Takes the worker group's assignment: subscribes to and resynchronises the products gained,
    /// forgets the products lost (their new owner publishes them from now on).
    public mutating func take(_ assignment: Assignment) {
        guard case .group = configuration.ownership, assignment.generation != generation else { return }
        let now = Set(assignment.products)
        let gained = now.subtracting(assigned).sorted()
        let lost = assigned.subtracting(now).sorted()
        generation = assignment.generation
        assigned = now
        for product in lost {
            output.subscriptions.append(.unsubscribe(Topic.parsed(product: product).description))
            products.removeValue(forKey: product)
        }
        for product in gained {
            output.subscriptions.append(.subscribe(Topic.parsed(product: product).description))
            startReplica(of: product, reason: .assigned(generation: generation))
        }
        log(
            .info, "group assignment",
            [
                "generation": "\(generation)", "members": "\(assignment.members)",
                "products": "\(now.sorted().joined(separator: ","))",
                "gained": "\(gained.joined(separator: ","))", "lost": "\(lost.joined(separator: ","))",
            ])
    }

    /// Moves the core's clocks on: repeats due snapshot requests, closes the intervals that ended
    /// when the stream's receive times follow the wall clock (`wallNanos`, nanoseconds since the
    /// Unix epoch; a replay of recorded times closes them by its own messages), and, in a worker
    /// group, asks for the membership heartbeat when it is due.
    public mutating func tick(now: ContinuousClock.Instant, wallNanos: UInt64 = 0) {
        self.now = now
        for index in products.indices {
            update(at: index) { clone, now, actions in clone.tick(now: now, actions: &actions) }
        }
        if wallNanos > Self.lateArrivalAllowance, latestReceiveNanos + Self.liveClockWindow >= wallNanos {
            closeIntervals(by: wallNanos - Self.lateArrivalAllowance)
        }
        if case .group = configuration.ownership,
            lastGroupHeartbeat.map({ now - $0 >= configuration.groupHeartbeat }) ?? true
        {
            lastGroupHeartbeat = now
            output.sendsGroupHeartbeat = true
        }
    }

    // MARK: - The ingest's messages

    /// Takes each payload of one of the ingest's messages about `product` (a batch carries several,
    /// in sequence): as the ingest parsed them (`parsed/`, see ``ParsedPayload``), or Coinbase's JSON
    /// (`raw/`).
    private mutating func takeProductMessage(product: String, _ message: BusMessage, parsed: Bool) {
        // Every product with a replica is owned: one lookup answers both for the hot case.
        var index = products.index(forKey: product)
        guard index != nil || owns(product) else { return }
        latestReceiveNanos = max(latestReceiveNanos, message.header.receivedAtNanos)
        for payload in 0..<message.payloadCount {
            var trades: [Trade] = []
            let messages = parse(message.payload(payload), product: product, parsed: parsed, trades: &trades)
            let header = message.header(ofPayload: payload)
            let known: Dictionary<String, Product>.Index
            if let index {
                known = index
                products.values[known].noteSeen(at: header.receivedAtNanos)
                // The book streams' intervals close on the book before this message; the bars
                // after it, once a gap it reveals has marked the open bar as missing trades.
                if plan.conflationNanos > 0 {
                    let context = self.context
                    products.values[known].closeStreamIntervals(
                        by: header.receivedAtNanos, context, output: &output, stats: &stats)
                }
                update(at: known) { clone, now, actions in clone.take(header, messages, now: now, actions: &actions) }
                if !configuration.streams.barIntervals.isEmpty {
                    let context = self.context
                    products.values[known].closeBars(
                        by: header.receivedAtNanos, context, output: &output, stats: &stats)
                }
            } else {
                known = firstMessage(of: product, header: header, messages: messages)
                index = known
            }
            if !trades.isEmpty {
                let context = self.context
                products.values[known].take(trades, header: header, context, output: &output, stats: &stats)
            }
        }
    }

    /// The book messages of a payload: `[]` for a message without book data, `nil` when refused.
    /// Trades go to `trades` when the worker reads them.
    private mutating func parse(
        _ payload: [UInt8], product: String, parsed: Bool, trades: inout [Trade]
    ) -> [BookMessage]? {
        do {
            var json = payload
            if parsed {
                switch try ParsedPayload.decode(payload, product: product) {
                case .updates(let messages): return messages
                case .verbatim(let bytes): json = bytes
                }
            }
            switch try parser.parse(json).kind {
            case .book(let messages): return messages
            case .trades(let parsed) where configuration.streams.readsTrades: trades = parsed
            case .trades, .error, .other: stats.otherMessages += 1
            }
            return []
        } catch {
            reject(product: product, error)
            return nil
        }
    }

    /// Publishes what every product's intervals that ended by `time` owe (all of them when `force`).
    private mutating func closeIntervals(by time: UInt64, force: Bool = false) {
        for index in products.indices { closeIntervals(at: index, by: time, force: force) }
    }

    private mutating func closeIntervals(
        at index: Dictionary<String, Product>.Index, by time: UInt64, force: Bool = false
    ) {
        guard plan.conflationNanos > 0 || !configuration.streams.barIntervals.isEmpty else { return }
        let context = self.context
        products.values[index].closeIntervals(by: time, force: force, context, output: &output, stats: &stats)
    }

    /// Makes the replica of a product seen for the first time: live at once from a snapshot,
    /// otherwise waiting for one.
    private mutating func firstMessage(
        of product: String, header: FrameHeader, messages: [BookMessage]?
    ) -> Dictionary<String, Product>.Index {
        let isSnapshot = messages?.contains { $0.isSnapshot && $0.product == product } ?? false
        let index: Dictionary<String, Product>.Index
        if isSnapshot {
            products[product] = Product(
                name: product,
                clone: CloneClient(product: product, reason: .firstMessage, settings: cloneSettings),
                bars: configuration.streams.barIntervals)
            index = products.index(forKey: product)!
        } else {
            index = startReplica(of: product, reason: .updateBeforeSnapshot)
        }
        products.values[index].firstSeenNanos = header.receivedAtNanos
        update(at: index) { clone, now, actions in clone.take(header, messages, now: now, actions: &actions) }
        return index
    }

    /// The ingest's heartbeat lists the last sequence of every topic: a product this worker keeps
    /// but never saw has lost messages (or never had its snapshot); the others check theirs.
    private mutating func takeHeartbeat(epoch: UInt64, sequences: [String: UInt64]) {
        for (name, last) in sequences {
            guard case .raw(let product)? = Topic(bytes: Array(name.utf8)) else { continue }
            if let index = products.index(forKey: product) {
                update(at: index) { clone, now, actions in
                    clone.takeHeartbeat(epoch: epoch, lastSequence: last, now: now, actions: &actions)
                }
            } else if owns(product) {
                startReplica(of: product, reason: .joinedLate)
            }
        }
    }

    // MARK: - Replicas

    /// Makes a product's replica, waiting for its first snapshot.
    @discardableResult
    private mutating func startReplica(of product: String, reason: ResyncReason) -> Dictionary<String, Product>.Index {
        products[product] = Product(
            name: product, clone: CloneClient(product: product, reason: reason, settings: cloneSettings),
            bars: configuration.streams.barIntervals)
        let index = products.index(forKey: product)!
        update(at: index) { clone, now, actions in clone.start(now: now, actions: &actions) }
        return index
    }

    /// Runs one input on the replica at `index`, in place (one access to the dictionary, no copy of
    /// the replica), and carries out what it asks.
    private mutating func update(
        at index: Dictionary<String, Product>.Index,
        _ input: (inout CloneClient, ContinuousClock.Instant, inout [CloneClient.Action]) -> Void
    ) {
        products.values[index].run(input, context, actions: &actions, output: &output, stats: &stats)
    }

    /// What a replica's input needs from the core.
    private var context: Product.Context {
        Product.Context(
            now: now, plan: plan, identity: EventIdentity(worker: configuration.name, generation: generation),
            publishesTrades: configuration.streams.trades)
    }

    // MARK: - Ownership

    /// True when this worker keeps `product` now.
    private mutating func owns(_ product: String) -> Bool {
        if case .group = configuration.ownership { return assigned.contains(product) }
        // Shards and product lists never change: decide once per product. Bounded, in case a peer
        // invents endless topics.
        if let known = fixedOwnership[product] { return known }
        if fixedOwnership.count >= Self.fixedOwnershipLimit { fixedOwnership.removeAll(keepingCapacity: true) }
        let owned = configuration.ownership.owns(product)
        fixedOwnership[product] = owned
        return owned
    }

    /// Products remembered by ``owns(_:)`` before it starts over.
    private static let fixedOwnershipLimit = 10_000

    // MARK: - Reports

    private mutating func rejectReply(_ reason: String) {
        stats.badSnapshotReplies += 1
        log(
            .warning, "snapshot reply rejected",
            ["reason": "\(reason)", "bad_snapshot_replies_total": "\(stats.badSnapshotReplies)"])
    }

    private mutating func reject(product: String, _ error: FeedParseError) {
        stats.rejected += 1
        stats.rejectedByReason[error.reason, default: 0] += 1
        log(
            .warning, "message rejected",
            ["product": "\(product)", "error": "\(error)", "rejected_total": "\(stats.rejected)"])
    }

    private mutating func log(_ level: Logger.Level, _ message: Logger.Message, _ metadata: Logger.Metadata = [:]) {
        output.log(level, message, metadata)
    }
}

/// What a ``WorkerCore`` asks its caller to do after an input.
public struct WorkerOutput: Sendable {
    /// A change of the worker's subscriptions on the ingest.
    public enum SubscriptionChange: Sendable, Equatable {
        case subscribe(String)
        case unsubscribe(String)
    }

    /// Top-of-book and spread events to publish, in order.
    public var events: [BookEvent] = []
    public var depthEvents: [DepthEvent] = []
    public var analyticsEvents: [AnalyticsEvent] = []
    public var tradeEvents: [TradeEvent] = []
    public var barEvents: [BarEvent] = []
    /// Products to ask the snapshot service for.
    public var snapshotRequests: [String] = []
    public var subscriptions: [SubscriptionChange] = []
    public var logs: [LogRecord] = []
    /// The ingest announced its end of stream (received at this time): pass it on.
    public var endOfStream: UInt64?
    /// Send the worker-group membership heartbeat.
    public var sendsGroupHeartbeat = false

    public init() {}

    /// Nothing to do: the common case after a message that changed nothing at the top.
    public var isEmpty: Bool {
        !hasEvents && snapshotRequests.isEmpty && subscriptions.isEmpty && logs.isEmpty && endOfStream == nil
            && !sendsGroupHeartbeat
    }

    /// There are events to publish, of any family.
    public var hasEvents: Bool {
        !events.isEmpty || !depthEvents.isEmpty || !analyticsEvents.isEmpty || !tradeEvents.isEmpty
            || !barEvents.isEmpty
    }

    mutating func log(_ level: Logger.Level, _ message: Logger.Message, _ metadata: Logger.Metadata) {
        logs.append(LogRecord(level: level, message: message, metadata: metadata))
    }

    mutating func removeAll() {
        events.removeAll(keepingCapacity: true)
        depthEvents.removeAll(keepingCapacity: true)
        analyticsEvents.removeAll(keepingCapacity: true)
        tradeEvents.removeAll(keepingCapacity: true)
        barEvents.removeAll(keepingCapacity: true)
        snapshotRequests.removeAll(keepingCapacity: true)
        subscriptions.removeAll()
        logs.removeAll()
        endOfStream = nil
        sendsGroupHeartbeat = false
    }
}

/// A log line a core asks for; the caller writes it.
public struct LogRecord: Sendable {
    public var level: Logger.Level
    public var message: Logger.Message
    public var metadata: Logger.Metadata

    public init(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata) {
        self.level = level
        self.message = message
        self.metadata = metadata
    }
}
