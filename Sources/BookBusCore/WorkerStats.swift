import CoinbaseFeed
import OrderBook

/// What a worker's core has counted.
public struct WorkerStats: Sendable, Equatable {
    public var bookMessages = 0
    public var otherMessages = 0
    public var rejected = 0
    public var absentDeletes = 0
    public var crossed = 0
    public var events = 0
    public var depthEvents = 0
    public var analyticsEvents = 0
    public var tradeEvents = 0
    /// Trade ids skipped by the feed's numbering: trades that never arrived.
    public var missedTrades = 0
    /// Trades already seen (a repeat after reconnecting), not published again.
    public var repeatedTrades = 0
    public var barEvents = 0
    public var incompleteBars = 0
    public var snapshotRequests = 0
    public var snapshotsApplied = 0
    public var bufferDropped = 0
    public var badSnapshotReplies = 0
    /// Resynchronisations by ``ResyncReason/label``.
    public var resyncsByReason: [String: Int] = [:]
    /// Rejected payloads by ``FeedParseError/reason`` or ``BookError/reason``.
    public var rejectedByReason: [String: Int] = [:]

    public init() {}

    /// Every resynchronisation, whatever its reason.
    public var resyncs: Int { resyncsByReason.values.reduce(0, +) }

    public var statistics: [Statistic] {
        [
            Statistic(
                "book_messages", .counter, bookMessages, help: "Coinbase book messages applied to a trusted book."),
            Statistic(
                "other_messages", .counter, otherMessages,
                help: "Bus messages without book data (tickers, acknowledgements, unknown control messages)."),
            Statistic("rejected", .counter, rejected, help: "Raw payloads refused by the parser or the book."),
            Statistic(
                "absent_deletes", .counter, absentDeletes, help: "Deletes of levels that were not in the book."),
            Statistic("crossed", .counter, crossed, help: "Times a book crossed (no events until it uncrossed)."),
            Statistic("events", .counter, events, help: "Top-of-book and spread events made."),
            Statistic("depth_events", .counter, depthEvents, help: "Depth events made."),
            Statistic("analytics_events", .counter, analyticsEvents, help: "Analytics events made."),
            Statistic("trade_events", .counter, tradeEvents, help: "Trade events made."),
            Statistic(
                "missed_trades", .counter, missedTrades,
                help: "Trades that never arrived, from skipped trade ids (Exchange feed)."),
            Statistic(
                "repeated_trades", .counter, repeatedTrades, help: "Trades seen before (not published again)."),
            Statistic("bar_events", .counter, barEvents, help: "Bars published."),
            Statistic(
                "incomplete_bars", .counter, incompleteBars,
                help: "Bars published as incomplete (trades may be missing from them)."),
            Statistic("resyncs", .counter, resyncs, help: "Times a book stopped being trusted, or started untrusted."),
            Statistic("snapshot_requests", .counter, snapshotRequests, help: "Requests sent to the snapshot service."),
            Statistic(
                "snapshots_applied", .counter, snapshotsApplied, help: "Snapshot replies that repaired a book."),
            Statistic(
                "buffer_dropped", .counter, bufferDropped,
                help: "Times a full resynchronisation buffer dropped its oldest half."),
            Statistic(
                "bad_snapshot_replies", .counter, badSnapshotReplies,
                help: "Snapshot-service replies refused (not asked for, wrong product, malformed)."),
        ]
            + (FeedParseError.reasons + BookError.reasons).map { reason in
                Statistic(
                    "rejected_by_reason", .counter, rejectedByReason[reason, default: 0],
                    help: "Raw payloads refused, by reason (the parser's or the book's).",
                    label: .init("reason", reason))
            }
            + ResyncReason.labels.map { label in
                Statistic(
                    "resyncs_by_reason", .counter, resyncsByReason[label, default: 0],
                    help: "Resynchronisations by reason.", label: .init("reason", label))
            }
    }
}
