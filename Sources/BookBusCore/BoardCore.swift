public import BusProtocol
public import OrderBook

/// The live board's state (`bookbus top`): every product's latest top of book, which way its spread
/// moved, its rate of top-of-book changes and how long ago it last changed. No terminal and no
/// clock: the caller passes each event's receive time and the time to show.
public struct BoardCore {
    /// One product's line.
    public struct Row: Sendable, Equatable {
        public var product: String
        public var top: TopOfBook
        /// Top-of-book changes a second over the last ``rateWindowNanos``.
        public var eventsPerSecond: Double
        /// Seconds since the last change arrived.
        public var ageSeconds: Double
        public var state: State
        public var trend: Trend
    }

    /// What the product's book looks like from here.
    public enum State: String, Sendable {
        /// Changes arrive.
        case live
        /// None for ``quietAfterNanos``: the product may be stale upstream.
        case quiet
        /// The last top shows the bid at or above the ask.
        case crossed
    }

    /// How the spread moved with the last change.
    public enum Trend: Sendable {
        case widening, narrowing, steady
    }

    /// No change for this long makes a product ``State/quiet``: 10 s.
    public static let quietAfterNanos: UInt64 = 10_000_000_000
    /// The window of ``Row/eventsPerSecond``: 5 s, counted in half-second buckets.
    public static let rateWindowNanos: UInt64 = 5_000_000_000
    private static let bucketNanos: UInt64 = 500_000_000

    private struct Entry {
        var top: TopOfBook
        var trend = Trend.steady
        var lastNanos: UInt64
        /// Changes per half second, the newest last, and the half second it is for.
        var buckets: [Int]
        var newestBucket: UInt64
    }

    private var entries: [String: Entry] = [:]

    public init() {}

    /// Takes one top-of-book event received at `nowNanos`.
    public mutating func take(_ event: BookEvent, nowNanos: UInt64) {
        let bucket = nowNanos / Self.bucketNanos
        let count = Int(Self.rateWindowNanos / Self.bucketNanos)
        var entry =
            entries[event.product]
            ?? Entry(
                top: event.top, lastNanos: nowNanos, buckets: Array(repeating: 0, count: count), newestBucket: bucket)
        if let before = entry.top.spread, let after = event.top.spread {
            entry.trend = after > before ? .widening : after < before ? .narrowing : .steady
        }
        entry.top = event.top
        entry.lastNanos = nowNanos
        Self.advance(&entry, to: bucket)
        entry.buckets[entry.buckets.count - 1] += 1
        entries[event.product] = entry
    }

    /// Every product seen, sorted by name, as of `nowNanos`.
    public func rows(nowNanos: UInt64) -> [Row] {
        entries.sorted { $0.key < $1.key }.map { product, stored in
            var entry = stored
            Self.advance(&entry, to: nowNanos / Self.bucketNanos)
            let age = nowNanos > entry.lastNanos ? nowNanos - entry.lastNanos : 0
            let state: State =
                entry.top.isCrossed ? .crossed : age > Self.quietAfterNanos ? .quiet : .live
            return Row(
                product: product, top: entry.top,
                eventsPerSecond: Double(entry.buckets.reduce(0, +)) * 1e9 / Double(Self.rateWindowNanos),
                ageSeconds: Double(age) / 1e9, state: state, trend: entry.trend)
        }
    }

    /// Moves the entry's buckets on to `bucket`, emptying the half seconds that passed.
    private static func advance(_ entry: inout Entry, to bucket: UInt64) {
        guard bucket > entry.newestBucket else { return }
        let passed = Int(min(UInt64(entry.buckets.count), bucket - entry.newestBucket))
        entry.buckets.removeFirst(passed)
        entry.buckets.append(contentsOf: repeatElement(0, count: passed))
        entry.newestBucket = bucket
    }
}
