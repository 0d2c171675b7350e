import CoinbaseFeed
import OrderBook

/// The shape of level-2 traffic, measured from the frames alone (any recording, generated or real):
/// book depths, changes per message, the mix of change kinds, and how far from the touch changes land.
/// The realistic profile is held to Coinbase's figures with these; the benchmark prints them.
public struct TrafficStatistics: Sendable {
    /// Levels a side in each product's first snapshot, by product.
    public private(set) var snapshotDepths: [String: (bids: Int, asks: Int)] = [:]
    /// Changes in each update message, in order.
    public private(set) var changesPerMessage: [Int] = []
    public private(set) var inserts = 0
    public private(set) var deletes = 0
    public private(set) var sizeChanges = 0
    /// Deletes of a level that was not there (a generator's bug, or a feed's quirk).
    public private(set) var absentDeletes = 0
    /// Rank (levels from the touch, 0 = best) of each insert and delete, and of each size change.
    public private(set) var insertDeleteRanks: [Int] = []
    public private(set) var sizeChangeRanks: [Int] = []
    /// Messages after which a product's best bid was at or above its best ask.
    public private(set) var crossedMessages = 0
    /// How many times a product's best bid or best ask price changed.
    public private(set) var touchMoves = 0

    private var books: [String: Sides] = [:]
    private let parser = FeedParser(keepsExchangeTimes: false)

    /// Prices of one product, ascending on both sides.
    private struct Sides {
        var bids: [ExactDecimal] = []
        var asks: [ExactDecimal] = []
        var touch: (bid: ExactDecimal?, ask: ExactDecimal?) { (bids.last, asks.first) }
    }

    public init() {}

    /// Measures `frames`; frames that are not book messages are skipped.
    public init(frames: some Sequence<[UInt8]>) {
        for frame in frames { take(frame) }
    }

    public mutating func take(_ frame: [UInt8]) {
        guard let message = try? parser.parse(frame), case .book(let events) = message.kind else { return }
        for event in events { take(event) }
    }

    private mutating func take(_ event: BookMessage) {
        switch event.content {
        case .snapshot(let bids, let asks):
            var sides = Sides()
            sides.bids = Set(bids.filter { !$0.size.isZero }.map(\.price)).sorted()
            sides.asks = Set(asks.filter { !$0.size.isZero }.map(\.price)).sorted()
            if snapshotDepths[event.product] == nil {
                snapshotDepths[event.product] = (sides.bids.count, sides.asks.count)
            }
            books[event.product] = sides
        case .update(let changes):
            guard var sides = books.removeValue(forKey: event.product) else { return }
            let touchBefore = sides.touch
            changesPerMessage.append(changes.count)
            for change in changes {
                if change.side == .bid {
                    take(change, into: &sides.bids, bestIsLast: true)
                } else {
                    take(change, into: &sides.asks, bestIsLast: false)
                }
            }
            let touch = sides.touch
            if touch.bid != touchBefore.bid || touch.ask != touchBefore.ask { touchMoves += 1 }
            if let bid = touch.bid, let ask = touch.ask, bid >= ask { crossedMessages += 1 }
            books[event.product] = sides
        }
    }

    private mutating func take(_ change: LevelChange, into prices: inout [ExactDecimal], bestIsLast: Bool) {
        var low = 0
        var high = prices.count
        while low < high {
            let middle = (low + high) / 2
            if prices[middle] < change.price { low = middle + 1 } else { high = middle }
        }
        let present = low < prices.count && prices[low] == change.price
        // Levels better than this price: above it for bids, below it for asks.
        let rank = bestIsLast ? prices.count - low - (present ? 1 : 0) : low
        if change.size.isZero {
            guard present else {
                absentDeletes += 1
                return
            }
            deletes += 1
            insertDeleteRanks.append(rank)
            prices.remove(at: low)
        } else if present {
            sizeChanges += 1
            sizeChangeRanks.append(rank)
        } else {
            inserts += 1
            insertDeleteRanks.append(rank)
            prices.insert(change.price, at: low)
        }
    }

    /// Changes that found what they changed (absent deletes aside).
    public var changes: Int { inserts + deletes + sizeChanges }

    /// The value below which `fraction` of `values` lie (nearest rank).
    public static func percentile(_ values: [Int], _ fraction: Double) -> Int {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(fraction * Double(sorted.count)))]
    }

    /// Share of `values` below `bound`.
    public static func share(_ values: [Int], below bound: Int) -> Double {
        values.isEmpty ? 0 : Double(values.count { $0 < bound }) / Double(values.count)
    }

    /// A line for the benchmark's table: the figures that say which traffic a result comes from.
    public var summary: String {
        let mean =
            changesPerMessage.isEmpty ? 0 : Double(changesPerMessage.reduce(0, +)) / Double(changesPerMessage.count)
        let ranks = insertDeleteRanks
        func percent(_ value: Int) -> String { "\(Int((Double(value) / Double(max(1, changes)) * 100).rounded()))%" }
        let absent = absentDeletes == 0 ? "" : ", \(absentDeletes) deletes of absent levels"
        return "changes/msg mean \((mean * 10).rounded() / 10), median \(Self.percentile(changesPerMessage, 0.5)); "
            + "inserts \(percent(inserts)) deletes \(percent(deletes)) size changes \(percent(sizeChanges)); "
            + "insert/delete depth median \(Self.percentile(ranks, 0.5)), p90 \(Self.percentile(ranks, 0.9)), "
            + "\(Int((Self.share(ranks, below: 10) * 100).rounded()))% within 10 levels" + absent
    }
}
