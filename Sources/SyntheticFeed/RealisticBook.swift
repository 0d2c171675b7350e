/// One product's book in the realistic profile: deep sides whose changes land where Coinbase's do,
/// mostly tens to thousands of levels from the touch, several per message.
///
/// The figures it reproduces come from a real Advanced Trade recording of BTC-USD and ETH-USD
/// (2026-08-09, full snapshots, 773 update messages); docs/PERFORMANCE.md lists them and
/// `TrafficStatistics` measures them on generated output.
struct RealisticBook: Sendable {
    var bids: PriceLadder
    var asks: PriceLadder

    /// Levels a side in the opening snapshot, cycling through the recorded books: BTC-USD
    /// 18.7 k bids / 27.2 k offers, ETH-USD 6.9 k / 16.4 k.
    static let depths: [(bids: Int, asks: Int)] = [(18_700, 27_200), (6_900, 16_400)]

    /// Changes in one message: mean 6.3, median 5, p90 14, at most 60.
    static let changesPerMessage = QuantileTable([
        (0, 1), (0.5, 5.5), (0.75, 8.5), (0.9, 14.5), (0.995, 25), (1, 61),
    ])
    /// Rank (levels from the touch, 0 = best) of an insert or a delete: ~23% within 10 levels,
    /// p25 28, median 111, p75 1,000, p90 3,100, p95 9,000. (The table's p95 is higher because a
    /// draw beyond a shallower side lands on its last level.)
    static let insertDeleteRank = QuantileTable([
        (0, 0), (0.23, 10), (0.25, 28), (0.5, 111), (0.75, 1_000), (0.9, 3_100), (0.95, 10_500), (1, 30_000),
    ])
    /// Rank of a size change of an existing level: median 130, p90 320.
    static let sizeChangeRank = QuantileTable([
        (0, 0), (0.25, 45), (0.5, 130), (0.9, 320), (0.97, 1_000), (1, 10_000),
    ])
    /// Shares of the kinds of change: inserts of a new level ~24%, deletes ~24%, the rest size changes.
    static let insertShare = 0.24
    static let deleteShare = 0.24

    /// A fresh book around `mid` (in ticks), levels 1–4 ticks apart so inserts find room at any depth.
    init(mid: Int, depth: (bids: Int, asks: Int), random: inout SplitMix64) {
        func side(isBid: Bool, count: Int) -> PriceLadder {
            var levels: [(tick: Int, size: Int)] = []
            levels.reserveCapacity(count)
            var tick = mid
            for _ in 0..<count {
                let gap = 1 + Int(random.next() % 4)
                tick += isBid ? -gap : gap
                levels.append((tick, FeedGenerator.randomSize(using: &random)))
            }
            return PriceLadder(isBid: isBid, bestFirst: levels)
        }
        bids = side(isBid: true, count: depth.bids)
        asks = side(isBid: false, count: depth.asks)
    }

    /// The next message's changes, applied to this book; the book never crosses and no side empties.
    mutating func nextChanges(using random: inout SplitMix64) -> [GeneratedChange] {
        let count = min(60, max(1, Self.changesPerMessage.sample(using: &random)))
        var changes: [GeneratedChange] = []
        changes.reserveCapacity(count)
        while changes.count < count {
            let isBid = random.unit() < 0.5
            let draw = random.unit()
            let change: GeneratedChange? =
                if draw < Self.insertShare {
                    insert(isBid: isBid, rank: Self.insertDeleteRank.sample(using: &random), using: &random)
                } else if draw < Self.insertShare + Self.deleteShare {
                    delete(isBid: isBid, rank: Self.insertDeleteRank.sample(using: &random))
                } else {
                    changeSize(isBid: isBid, rank: Self.sizeChangeRank.sample(using: &random), using: &random)
                }
            if let change { changes.append(change) }
        }
        return changes
    }

    private mutating func insert(isBid: Bool, rank: Int, using random: inout SplitMix64) -> GeneratedChange? {
        // The new best may not reach the other side's best.
        let better = (isBid ? asks.bestTick : bids.bestTick) ?? 0
        return isBid
            ? Self.insert(into: &bids, rank: rank, better: better, using: &random)
            : Self.insert(into: &asks, rank: rank, better: better, using: &random)
    }

    private mutating func delete(isBid: Bool, rank: Int) -> GeneratedChange? {
        isBid ? Self.delete(from: &bids, rank: rank) : Self.delete(from: &asks, rank: rank)
    }

    private mutating func changeSize(isBid: Bool, rank: Int, using random: inout SplitMix64) -> GeneratedChange? {
        isBid
            ? Self.changeSize(in: &bids, rank: rank, using: &random)
            : Self.changeSize(in: &asks, rank: rank, using: &random)
    }

    private static func insert(
        into ladder: inout PriceLadder, rank wanted: Int, better: Int, using random: inout SplitMix64
    ) -> GeneratedChange? {
        guard ladder.count > 0 else { return nil }
        let worstTick = ladder.tick(atRank: ladder.count - 1)
        let worst = ladder.isBid ? max(0, worstTick - 4) : worstTick + 4
        // Where the wanted gap is full, the next free one further out.
        var rank = min(wanted, ladder.count)
        while rank <= ladder.count {
            if let free = ladder.freeTicks(forRank: rank, better: better, worst: worst) {
                let tick = free.lowerBound + Int(random.next() % UInt64(free.count))
                let size = FeedGenerator.randomSize(using: &random)
                ladder.insert(rank: rank, tick: tick, size: size)
                return GeneratedChange(isBid: ladder.isBid, tick: tick, size: size)
            }
            rank += 1
        }
        return nil
    }

    private static func delete(from ladder: inout PriceLadder, rank wanted: Int) -> GeneratedChange? {
        // Keep a few levels so a side never empties and the touch stays defined.
        guard ladder.count > 2 else { return nil }
        let rank = min(wanted, ladder.count - 1)
        let tick = ladder.tick(atRank: rank)
        ladder.remove(atRank: rank)
        return GeneratedChange(isBid: ladder.isBid, tick: tick, size: 0)
    }

    private static func changeSize(
        in ladder: inout PriceLadder, rank wanted: Int, using random: inout SplitMix64
    ) -> GeneratedChange? {
        guard ladder.count > 0 else { return nil }
        let rank = min(wanted, ladder.count - 1)
        let size = FeedGenerator.randomSize(using: &random)
        ladder.setSize(atRank: rank, size)
        return GeneratedChange(isBid: ladder.isBid, tick: ladder.tick(atRank: rank), size: size)
    }
}

/// One generated level change: a new absolute size (0 deletes) at a price in ticks.
struct GeneratedChange: Sendable {
    var isBid: Bool
    var tick: Int
    var size: Int
}
