import CoinbaseFeed

/// One product's trades as a worker has seen them: which are news, which repeat, and which trade
/// ids went missing.
///
/// The Exchange feed numbers trades 1, 2, 3, … per product: a skipped number is a trade lost on
/// the way (counted as a gap), a number already seen is a repeat (dropped). Its `last_match`, sent
/// on subscribing, tells where the numbering stands. Advanced Trade ids carry no such promise and
/// are passed through.
struct TradeTape: Sendable {
    /// The highest trade id seen, when ids are consecutive.
    private(set) var lastID: UInt64?

    /// What to do with a trade.
    struct Verdict: Equatable {
        /// Publish it: it is news, not seen before.
        var publishes: Bool
        /// Trade ids before it that never arrived.
        var missed: UInt64
    }

    mutating func take(_ trade: Trade) -> Verdict {
        let isNews = trade.origin == .live
        guard trade.consecutiveIDs, let id = trade.numericID else { return Verdict(publishes: isNews, missed: 0) }
        guard let last = lastID else {
            lastID = id
            return Verdict(publishes: isNews, missed: 0)
        }
        guard id > last else { return Verdict(publishes: false, missed: 0) }
        lastID = id
        return Verdict(publishes: isNews, missed: id - last - 1)
    }
}
