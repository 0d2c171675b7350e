/// One product's book in the touch profile: `depth` levels a side one tick apart, changes a
/// geometric distance from the mid (most at the touch), a mid that drifts. The textbook's traffic,
/// kinder than Coinbase's; kept for comparison with earlier figures.
struct TouchBook: Sendable {
    /// Price in ticks (0.01) of the mid; bids are below, asks above.
    var mid: Int
    var bids: [Int: Int] = [:]
    var asks: [Int: Int] = [:]

    /// Fills both sides for the opening snapshot: `depth` levels a side, one tick apart.
    mutating func fill(depth: Int, using random: inout SplitMix64) {
        for level in 1...depth {
            bids[mid - level] = FeedGenerator.randomSize(using: &random)
            asks[mid + level] = FeedGenerator.randomSize(using: &random)
        }
    }

    var bidsBestFirst: [(tick: Int, size: Int)] { bids.sorted { $0.key > $1.key }.map { ($0.key, $0.value) } }
    var asksBestFirst: [(tick: Int, size: Int)] { asks.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }

    /// The next message's changes, applied to this book.
    mutating func nextChanges(count: Int, deleteShare: Double, using random: inout SplitMix64) -> [GeneratedChange] {
        var changes: [GeneratedChange] = []
        // The mid drifts: levels it passes on the far side are deleted first, so nothing crosses.
        if random.unit() < 0.02 {
            let step = random.unit() < 0.5 ? -1 : 1
            mid += step
            if step > 0, asks.removeValue(forKey: mid) != nil {
                changes.append(.init(isBid: false, tick: mid, size: 0))
            }
            if step < 0, bids.removeValue(forKey: mid) != nil { changes.append(.init(isBid: true, tick: mid, size: 0)) }
        }
        while changes.count < count {
            let isBid = random.unit() < 0.5
            let distance = 1 + Self.geometricTicks(using: &random)
            let tick = isBid ? mid - distance : mid + distance
            let delete = random.unit() < deleteShare
            let size = delete ? 0 : FeedGenerator.randomSize(using: &random)
            if isBid {
                if delete { bids.removeValue(forKey: tick) } else { bids[tick] = size }
            } else {
                if delete { asks.removeValue(forKey: tick) } else { asks[tick] = size }
            }
            changes.append(.init(isBid: isBid, tick: tick, size: size))
        }
        return changes
    }

    /// 0, 1, 2, … with probability halving every 3 ticks: most activity at the touch.
    private static func geometricTicks(using random: inout SplitMix64) -> Int {
        var ticks = 0
        while random.unit() < 0.8 && ticks < 2_000 { ticks += 1 }
        return ticks
    }
}
