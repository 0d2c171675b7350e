public import OrderBook

/// Which event streams a worker publishes, and how often.
///
/// Top of book and spread are on by default; depth, analytics, trades and bars are opt-in and cost nothing
/// when off. Conflation replaces "on every change" for the book streams (top of book, spread,
/// depth, analytics) by "at most once per interval".
public struct StreamSettings: Sendable, Equatable {
    public var topOfBook = true
    public var spread = true
    /// Depth events of this many levels a side; off when `nil`.
    public var depthLevels: Int?
    public var trades = false
    /// One bar stream per interval; none when empty.
    public var barIntervals: [StreamInterval] = []
    /// Publish the book streams once per interval instead of on change; off when `nil`.
    public var conflation: Conflation?
    /// Analytics events (microprice, imbalance, bands, impact); off when `nil`.
    public var analytics: Analytics?

    /// Book streams at a fixed interval.
    public struct Conflation: Sendable, Equatable {
        public var interval: StreamInterval
        /// Publish an interval's events even when its book shows what the last ones showed.
        public var repeatsUnchanged: Bool

        public init(interval: StreamInterval, repeatsUnchanged: Bool = false) {
            self.interval = interval
            self.repeatsUnchanged = repeatsUnchanged
        }
    }

    /// What analytics events compute: see ``BookAnalyzer`` for the formulas.
    public struct Analytics: Sendable, Equatable {
        /// Levels a side the imbalance sums.
        public var imbalanceLevels: Int
        /// Band half-widths around the mid, in basis points.
        public var bandsBasisPoints: [ExactDecimal]
        /// Market orders by size (base currency), each walked buying and selling.
        public var sizes: [ExactDecimal]
        /// Market orders by notional (quote currency), each walked buying and selling.
        public var notionals: [ExactDecimal]

        public init(
            imbalanceLevels: Int = 5,
            bandsBasisPoints: [ExactDecimal] = [ExactDecimal(integer: 10), ExactDecimal(integer: 50)],
            sizes: [ExactDecimal] = [], notionals: [ExactDecimal] = [ExactDecimal(integer: 1000)]
        ) {
            self.imbalanceLevels = imbalanceLevels
            self.bandsBasisPoints = bandsBasisPoints
            self.sizes = sizes
            self.notionals = notionals
        }
    }

    public init() {}

    /// Whether the worker reads trades at all (for trade events or bars).
    public var readsTrades: Bool { trades || !barIntervals.isEmpty }
}
