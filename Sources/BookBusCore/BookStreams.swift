import BusProtocol
import OrderBook

/// What the book streams of a worker publish (the worker passes it with every input).
struct BookStreamPlan: Sendable {
    var topOfBook: Bool
    var spread: Bool
    /// Levels a side in depth events; 0: no depth events.
    var depthLevels: Int
    /// The conflation interval in nanoseconds; 0: on change.
    var conflationNanos: UInt64
    var repeatsUnchanged: Bool
    /// Every book message makes events, changed or not (``EmitPolicy/everyMessage``).
    var everyMessage: Bool
    /// Analytics events; none when `nil`.
    var analyzer: BookAnalyzer?

    init(_ streams: StreamSettings, emit: EmitPolicy) {
        topOfBook = streams.topOfBook
        spread = streams.spread
        depthLevels = streams.depthLevels ?? 0
        conflationNanos = streams.conflation?.interval.nanoseconds ?? 0
        repeatsUnchanged = streams.conflation?.repeatsUnchanged ?? false
        everyMessage = emit == .everyMessage
        analyzer = streams.analytics.map(BookAnalyzer.init)
    }

    /// The end of the conflation interval that holds `time`.
    func intervalEnd(containing time: UInt64) -> UInt64 {
        time - time % conflationNanos + conflationNanos
    }
}

/// The message a book's state is as of: its bus header and the exchange's timestamp.
struct BookStamp: Sendable {
    var header: FrameHeader
    var exchangeTime: String?
}

/// One product's book streams: what its last events showed, and under conflation the interval
/// open and the message the book last changed with.
///
/// On change, a trusted book's change makes a top-of-book event when the best bid or ask (price
/// or size) changed, a spread event when the spread changed, a depth event when any of the best N
/// levels changed, an analytics event when any of its values changed. Conflated, the same
/// comparisons run once per interval, on the book as it stood at the interval's end, and nothing
/// is published for an interval the book ended untrusted.
struct BookStreams: Sendable {
    private var lastTop: TopOfBook?
    private var lastSpread: ExactDecimal??
    private var lastDepth: (bids: [PriceLevel], asks: [PriceLevel])?
    private var lastAnalytics: AnalyticsEvent.Values?
    /// Conflation: the end of the interval open, and the message of the book's last change in it.
    private var openEnd: UInt64?
    private var stamp: BookStamp?
    private(set) var topOfBookEvents = 0
    private(set) var spreadEvents = 0
    private(set) var depthEvents = 0

    /// Intervals of unchanged books published at most in one go (a replay that jumps ahead).
    static let maxRepeatedIntervals = 10_000

    /// A trusted book changed with `stamp`: publish, or under conflation note it for the interval.
    mutating func changed(
        _ book: OrderBook, top: TopOfBook, stamp: BookStamp, plan: BookStreamPlan, _ identity: EventIdentity,
        output: inout WorkerOutput, stats: inout WorkerStats
    ) {
        guard plan.conflationNanos == 0 else {
            self.stamp = stamp
            if openEnd == nil { openEnd = plan.intervalEnd(containing: stamp.header.receivedAtNanos) }
            return
        }
        publish(
            book, top: top, stamp: stamp, intervalEnd: nil, repeats: plan.everyMessage, plan: plan, identity,
            output: &output, stats: &stats)
    }

    /// Under conflation, publishes the interval open if it ended by `time` (or at once when
    /// `force`: the stream ended), and with ``StreamSettings/Conflation/repeatsUnchanged`` every
    /// further interval that ended since.
    mutating func closeInterval(
        by time: UInt64, force: Bool = false, _ book: OrderBook, isTrusted: Bool, plan: BookStreamPlan,
        _ identity: EventIdentity, output: inout WorkerOutput, stats: inout WorkerStats
    ) {
        guard plan.conflationNanos > 0, let end = openEnd, force || time >= end else { return }
        guard isTrusted, !book.isCrossed, let stamp else {
            openEnd = nil
            stamp = nil
            return
        }
        let top = book.topOfBook
        publish(
            book, top: top, stamp: stamp, intervalEnd: end, repeats: plan.repeatsUnchanged, plan: plan, identity,
            output: &output, stats: &stats)
        guard plan.repeatsUnchanged, !force else {
            openEnd = nil
            return
        }
        var next = end + plan.conflationNanos
        var repeated = 0
        while next <= time && repeated < Self.maxRepeatedIntervals {
            publish(
                book, top: top, stamp: stamp, intervalEnd: next, repeats: true, plan: plan, identity,
                output: &output, stats: &stats)
            next += plan.conflationNanos
            repeated += 1
        }
        openEnd = plan.intervalEnd(containing: max(time, next - plan.conflationNanos))
    }

    /// The book is not trusted any more: under conflation, the interval's state is forgotten.
    mutating func lostTrust() {
        stamp = nil
        openEnd = nil
    }

    /// Makes the events of the streams whose content changed since their last event (all of them
    /// when `repeats`).
    private mutating func publish(
        _ book: OrderBook, top: TopOfBook, stamp: BookStamp, intervalEnd: UInt64?, repeats: Bool,
        plan: BookStreamPlan, _ identity: EventIdentity, output: inout WorkerOutput, stats: inout WorkerStats
    ) {
        let header = stamp.header
        if plan.topOfBook || plan.spread {
            let spread = top.spread
            let topDue = plan.topOfBook && (repeats || lastTop != top)
            let spreadDue = plan.spread && (repeats || lastSpread != .some(spread))
            lastTop = top
            lastSpread = .some(spread)
            for kind in BookEvent.Kind.allCases where kind == .topOfBook ? topDue : spreadDue {
                output.events.append(
                    BookEvent(
                        kind: kind, product: book.product, top: top, exchangeTime: stamp.exchangeTime,
                        ingestTimeNanos: header.receivedAtNanos, sourceSequence: header.sequence,
                        worker: identity.worker, generation: identity.generation, intervalEndNanos: intervalEnd))
                stats.events += 1
                if kind == .topOfBook { topOfBookEvents += 1 } else { spreadEvents += 1 }
            }
        }
        if plan.depthLevels > 0 {
            publishDepth(
                book, stamp: stamp, intervalEnd: intervalEnd, repeats: repeats, levels: plan.depthLevels, identity,
                output: &output, stats: &stats)
        }
        if let analyzer = plan.analyzer {
            publishAnalytics(
                book, stamp: stamp, intervalEnd: intervalEnd, repeats: repeats, analyzer, identity, output: &output,
                stats: &stats)
        }
    }

    private mutating func publishDepth(
        _ book: OrderBook, stamp: BookStamp, intervalEnd: UInt64?, repeats: Bool, levels: Int,
        _ identity: EventIdentity, output: inout WorkerOutput, stats: inout WorkerStats
    ) {
        let bids = book.levels(.bid, limit: levels)
        let asks = book.levels(.ask, limit: levels)
        if !repeats, let last = lastDepth, last.bids == bids, last.asks == asks { return }
        lastDepth = (bids, asks)
        output.depthEvents.append(
            DepthEvent(
                product: book.product, levels: levels, bids: bids, asks: asks, exchangeTime: stamp.exchangeTime,
                ingestTimeNanos: stamp.header.receivedAtNanos, sourceSequence: stamp.header.sequence,
                worker: identity.worker, generation: identity.generation, intervalEndNanos: intervalEnd))
        stats.depthEvents += 1
        depthEvents += 1
    }

    private mutating func publishAnalytics(
        _ book: OrderBook, stamp: BookStamp, intervalEnd: UInt64?, repeats: Bool, _ analyzer: BookAnalyzer,
        _ identity: EventIdentity, output: inout WorkerOutput, stats: inout WorkerStats
    ) {
        guard let values = analyzer.values(of: book) else { return }
        if !repeats, lastAnalytics == values { return }
        lastAnalytics = values
        output.analyticsEvents.append(
            AnalyticsEvent(
                product: book.product, values: values, exchangeTime: stamp.exchangeTime,
                ingestTimeNanos: stamp.header.receivedAtNanos, sourceSequence: stamp.header.sequence,
                worker: identity.worker, generation: identity.generation, intervalEndNanos: intervalEnd))
        stats.analyticsEvents += 1
    }
}

/// Who publishes an event: the worker and its group generation.
struct EventIdentity: Sendable {
    var worker: String
    var generation: UInt64
}
