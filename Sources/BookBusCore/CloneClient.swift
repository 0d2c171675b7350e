public import BusProtocol
public import CoinbaseFeed
public import OrderBook

/// One product's replica on a worker: the clone pattern's client (the ZeroMQ guide's `clone.c`)
/// as a value with no sockets, clock or logging inside.
///
/// A book is trusted only after a snapshot. A sequence gap, a new ingest epoch or a heartbeat
/// showing lost messages sends it back to resynchronising: the messages that follow are kept, a
/// snapshot ("the book as of sequence S") is asked for, what the snapshot already includes is
/// dropped and the rest applied. Inputs are the product's raw messages, snapshot replies,
/// heartbeats and clock ticks; each appends what the caller must do to `actions`.
///
/// Requests are coalesced (one outstanding per product) and repeated with a growing back-off, so
/// an upstream whose epoch keeps changing cannot make a worker flood the snapshot service.
public struct CloneClient: Sendable {
    /// How a clone client waits and asks.
    public struct Settings: Sendable, Equatable {
        /// Messages kept while waiting for a snapshot; when full, the oldest half is dropped and the
        /// snapshot must then cover them.
        public var bufferLimit: Int
        /// Whether a snapshot service answers requests; without one a book waits for a snapshot on
        /// the stream.
        public var asksForSnapshots: Bool
        /// A request unanswered this long is sent again.
        public var requestTimeout: Duration = .seconds(2)
        /// The wait before the third request in a row; it doubles with every further one, up to
        /// ``requestTimeout``. The first two go at once.
        public var retryDelay: Duration = .milliseconds(50)
        /// A crossed book resynchronises at most this often.
        public var crossedResyncInterval: Duration = .seconds(5)
        /// The book keeps size totals per page of levels, for analytics' price bands (see
        /// ``OrderBook/init(product:tracksSizeTotals:)``).
        public var tracksSizeTotals = false

        public init(bufferLimit: Int, asksForSnapshots: Bool) {
            self.bufferLimit = max(1, bufferLimit)
            self.asksForSnapshots = asksForSnapshots
        }
    }

    /// Where the book stands.
    public enum Phase: Sendable, Equatable {
        /// Complete and current: changes are published.
        case live
        /// No book yet: waiting for the first snapshot.
        case awaitingSnapshot(ResyncReason)
        /// The book was live and lost trust; waiting for a snapshot to repair it.
        case resynchronising(ResyncReason)
    }

    /// What the caller must do after an input.
    public enum Action: Sendable, Equatable {
        /// The book changed and is trusted: publish what changed, as of this message, whose book
        /// has this top.
        case publish(FrameHeader, exchangeTime: String?, top: TopOfBook)
        /// Ask the snapshot service for this product's book.
        case requestSnapshot
        /// The book is not trusted any more (or not yet).
        case resynchronise(ResyncReason)
        /// The book is trusted again, loaded from a snapshot that includes message `sequence`.
        case live(after: ResyncReason, sequence: UInt64, fromService: Bool)
        /// A snapshot reply did not join the kept messages (older than they are, another epoch, or
        /// a full buffer it does not cover); another request follows.
        case snapshotDoesNotJoin(sequence: UInt64)
        /// The buffer was full: its oldest messages were dropped.
        case droppedBuffered(Int)
        /// A book message was refused; the book is as it was.
        case rejected(BookError)
        /// The book crossed: nothing is published until it uncrosses.
        case crossed(TopOfBook)
    }

    /// A message kept while waiting for a snapshot.
    public struct BufferedMessage: Sendable, Equatable {
        public var header: FrameHeader
        /// The parsed book messages, or `nil` for a payload that was refused: it still counts in
        /// the sequence.
        public var messages: [BookMessage]?

        public init(header: FrameHeader, messages: [BookMessage]?) {
            self.header = header
            self.messages = messages
        }
    }

    /// The snapshot request in flight or due.
    public enum Request: Sendable, Equatable {
        /// Sent at this time, not answered yet.
        case sent(at: ContinuousClock.Instant)
        /// To be sent at this time (back-off).
        case due(at: ContinuousClock.Instant)
    }

    public let settings: Settings
    public private(set) var book: ProductBook<OrderBook>
    public private(set) var phase: Phase
    /// Epoch and sequence of the last message of the product's raw topic taken into account.
    public private(set) var epoch: UInt64?
    public private(set) var lastSequence: UInt64 = 0
    /// Messages kept while not live, oldest first.
    public private(set) var buffer: [BufferedMessage] = []
    /// Messages were dropped from a full buffer since the last resynchronisation.
    public private(set) var bufferOverflowed = false
    public private(set) var request: Request?
    /// Requests sent in the current run (requests less than twice ``Settings/requestTimeout`` apart).
    private var requestsInRun = 0
    private var lastRequestAt: ContinuousClock.Instant?
    private var lastResyncAt: ContinuousClock.Instant?
    /// When the ingest received the last message the book took (nanoseconds since the epoch; 0:
    /// none yet), for how long a product has been quiet.
    public private(set) var lastAppliedNanos: UInt64 = 0
    /// A crossed book is reported once, until it uncrosses.
    private var crossedReported = false

    /// A client with no book yet, waiting for its first snapshot for `reason` (announced by
    /// ``start(now:actions:)``).
    public init(product: String, reason: ResyncReason, settings: Settings) {
        self.settings = settings
        book = ProductBook(product: product, tracksSizeTotals: settings.tracksSizeTotals)
        phase = .awaitingSnapshot(reason)
    }

    public var product: String { book.product }

    public var isLive: Bool { phase == .live }

    /// Announces the wait of a new client and asks for its first snapshot.
    public mutating func start(now: ContinuousClock.Instant, actions: inout [Action]) {
        guard case .awaitingSnapshot(let reason) = phase else { return }
        lastResyncAt = now
        actions.append(.resynchronise(reason))
        askForSnapshot(now: now, actions: &actions)
    }

    // MARK: - Inputs

    /// Takes one message of the product's raw topic: its header and its book messages (`[]` for a
    /// message with none, `nil` for a payload that was refused).
    public mutating func take(
        _ header: FrameHeader, _ messages: [BookMessage]?, now: ContinuousClock.Instant, actions: inout [Action]
    ) {
        let isSnapshot = messages?.contains { $0.isSnapshot && $0.product == product } ?? false
        if isLive, isSnapshot, epoch != header.epoch {
            // A restarted ingest's snapshot: the resynchronisation its epoch calls for is on hand.
            loseTrust(.epochChanged, now: now, actions: &actions)
        }
        if isLive {
            if epoch == header.epoch && header.sequence <= lastSequence {
                return  // already in the book: the snapshot it was loaded from came after it
            }
            if !isSnapshot && (epoch != header.epoch || header.sequence != lastSequence + 1) {
                let reason: ResyncReason =
                    epoch != header.epoch
                    ? .epochChanged : .sequenceGap(expected: lastSequence + 1, got: header.sequence)
                resynchronise(reason, now: now, actions: &actions)
                keep(BufferedMessage(header: header, messages: messages), actions: &actions)
                return
            }
            epoch = header.epoch
            lastSequence = header.sequence
            // Refused messages and messages without book data (ticker, match, …) change nothing.
            guard let messages, !messages.isEmpty else { return }
            apply(messages, of: header, actions: &actions)
            publishIfTrusted(header, exchangeTime: Self.exchangeTime(of: messages), now: now, actions: &actions)
        } else if isSnapshot, let messages {
            // A snapshot on the stream replaces everything: the book is complete from here.
            if goLive(header, snapshot: messages, fromService: false, now: now, actions: &actions) {
                publishIfTrusted(header, exchangeTime: Self.exchangeTime(of: messages), now: now, actions: &actions)
            }
        } else {
            keep(BufferedMessage(header: header, messages: messages), actions: &actions)
        }
    }

    /// Takes the snapshot service's reply: `snapshot` is the book as of `header`'s sequence in
    /// `header`'s epoch, or `nil` when the ingest has no book yet (the request then times out and
    /// is repeated, unless a snapshot comes on the stream first).
    public mutating func takeReply(
        _ header: FrameHeader, snapshot: BookMessage?, now: ContinuousClock.Instant, actions: inout [Action]
    ) {
        // A product that went live meanwhile (a snapshot came on the stream) needs no answer.
        guard !isLive, let snapshot else { return }
        request = nil
        // Keep what came after the snapshot: same epoch, sequence above S, contiguous from S + 1.
        let newer = buffer.filter { $0.header.epoch == header.epoch && $0.header.sequence > header.sequence }
        let sameEpoch = buffer.last.map { $0.header.epoch == header.epoch } ?? true
        let contiguous = newer.enumerated().allSatisfy {
            $0.element.header.sequence == header.sequence + 1 + UInt64($0.offset)
        }
        let covered = !bufferOverflowed || (buffer.first.map { $0.header.sequence <= header.sequence + 1 } ?? true)
        guard sameEpoch, contiguous, covered else {
            actions.append(.snapshotDoesNotJoin(sequence: header.sequence))
            askForSnapshot(now: now, actions: &actions)
            return
        }
        guard goLive(header, snapshot: [snapshot], fromService: true, now: now, actions: &actions) else { return }
        for message in newer {
            lastSequence = message.header.sequence
            if let messages = message.messages { apply(messages, of: message.header, actions: &actions) }
        }
        // One publish, as of the last message applied: actions are carried out on the book as it
        // stands after this input, so an event stamped with the snapshot's own sequence would show
        // the later messages' levels.
        if let last = newer.last {
            publishIfTrusted(
                last.header, exchangeTime: Self.exchangeTime(of: last.messages ?? []), now: now, actions: &actions)
        } else {
            publishIfTrusted(header, exchangeTime: Self.exchangeTime(of: [snapshot]), now: now, actions: &actions)
        }
    }

    /// Takes the last sequence the ingest's heartbeat lists for this product's topic: a live book
    /// that saw less, or saw another epoch, has lost messages.
    public mutating func takeHeartbeat(
        epoch heartbeatEpoch: UInt64, lastSequence last: UInt64, now: ContinuousClock.Instant,
        actions: inout [Action]
    ) {
        guard isLive else { return }
        if epoch != heartbeatEpoch {
            resynchronise(.epochChanged, now: now, actions: &actions)
        } else if last > lastSequence {
            resynchronise(.heartbeatShowsLoss(first: lastSequence + 1, last: last), now: now, actions: &actions)
        }
    }

    /// Sends a request whose back-off has passed, and repeats one that timed out.
    public mutating func tick(now: ContinuousClock.Instant, actions: inout [Action]) {
        switch request {
        case .due(let at) where now >= at:
            send(now: now, actions: &actions)
        case .sent(let at) where now - at >= settings.requestTimeout:
            send(now: now, actions: &actions)
        default:
            break
        }
    }

    // MARK: - Transitions

    /// Stops trusting a live book and asks for a snapshot; a book already waiting keeps waiting.
    private mutating func resynchronise(_ reason: ResyncReason, now: ContinuousClock.Instant, actions: inout [Action]) {
        guard isLive else { return }
        loseTrust(reason, now: now, actions: &actions)
        askForSnapshot(now: now, actions: &actions)
    }

    /// Stops trusting a live book, forgetting what was kept.
    private mutating func loseTrust(_ reason: ResyncReason, now: ContinuousClock.Instant, actions: inout [Action]) {
        phase = .resynchronising(reason)
        buffer.removeAll(keepingCapacity: true)
        bufferOverflowed = false
        lastResyncAt = now
        actions.append(.resynchronise(reason))
    }

    /// Loads a snapshot and trusts the book again; `false` (still waiting) when the book refused it.
    /// The caller publishes, once it has applied what follows the snapshot.
    private mutating func goLive(
        _ header: FrameHeader, snapshot: [BookMessage], fromService: Bool, now: ContinuousClock.Instant,
        actions: inout [Action]
    ) -> Bool {
        let reason: ResyncReason
        switch phase {
        case .awaitingSnapshot(let waited), .resynchronising(let waited): reason = waited
        case .live: return true
        }
        guard apply(snapshot, of: header, actions: &actions) else {
            askForSnapshot(now: now, actions: &actions)
            return false
        }
        phase = .live
        epoch = header.epoch
        lastSequence = header.sequence
        buffer.removeAll()
        bufferOverflowed = false
        request = nil
        actions.append(.live(after: reason, sequence: header.sequence, fromService: fromService))
        return true
    }

    /// Keeps a message while waiting, dropping the older half of a full buffer first.
    private mutating func keep(_ message: BufferedMessage, actions: inout [Action]) {
        if buffer.count >= settings.bufferLimit {
            let dropped = buffer.count / 2
            buffer.removeFirst(dropped)
            bufferOverflowed = true
            actions.append(.droppedBuffered(dropped))
        }
        buffer.append(message)
        epoch = message.header.epoch
        lastSequence = message.header.sequence
    }

    /// Applies book messages received (by the ingest) at `header`'s time; `false` when any was refused.
    @discardableResult
    private mutating func apply(_ messages: [BookMessage], of header: FrameHeader, actions: inout [Action]) -> Bool {
        let outcome = book.apply(messages)
        if outcome.applied > 0 { lastAppliedNanos = header.receivedAtNanos }
        for failure in outcome.failures { actions.append(.rejected(failure)) }
        return outcome.failures.isEmpty
    }

    /// Publishes the book's change unless it is crossed; a crossed book resynchronises (at most
    /// every ``Settings/crossedResyncInterval``).
    private mutating func publishIfTrusted(
        _ header: FrameHeader, exchangeTime: String?, now: ContinuousClock.Instant, actions: inout [Action]
    ) {
        let top = book.book.topOfBook
        guard top.isCrossed else {
            crossedReported = false
            actions.append(.publish(header, exchangeTime: exchangeTime, top: top))
            return
        }
        if !crossedReported {
            crossedReported = true
            actions.append(.crossed(top))
        }
        if lastResyncAt.map({ now - $0 > settings.crossedResyncInterval }) ?? true {
            resynchronise(.crossedBook, now: now, actions: &actions)
        }
    }

    // MARK: - Requests

    /// Asks for a snapshot now, or schedules the request after the back-off; one outstanding
    /// request serves every reason to ask.
    private mutating func askForSnapshot(now: ContinuousClock.Instant, actions: inout [Action]) {
        guard settings.asksForSnapshots else { return }
        if case .sent(let at) = request, now - at < settings.requestTimeout { return }
        if case .due = request { return }
        // A quiet spell of twice the longest back-off ends the run of requests.
        if let last = lastRequestAt, now - last >= settings.requestTimeout * 2 { requestsInRun = 0 }
        let delay = backoff(afterRequests: requestsInRun)
        if let last = lastRequestAt, delay > .zero, last + delay > now {
            request = .due(at: last + delay)
        } else {
            send(now: now, actions: &actions)
        }
    }

    private mutating func send(now: ContinuousClock.Instant, actions: inout [Action]) {
        request = .sent(at: now)
        lastRequestAt = now
        requestsInRun += 1
        actions.append(.requestSnapshot)
    }

    /// The wait before another request after `count` in a row: none for the first two, then
    /// ``Settings/retryDelay`` doubling up to ``Settings/requestTimeout``.
    private func backoff(afterRequests count: Int) -> Duration {
        guard count >= 2 else { return .zero }
        let doublings = min(count - 2, 16)
        return min(settings.retryDelay * (1 << doublings), settings.requestTimeout)
    }

    /// The exchange time of the last of `messages` that has one.
    private static func exchangeTime(of messages: [BookMessage]) -> String? {
        messages.last { $0.exchangeTime != nil }?.exchangeTime
    }
}
