/// One side of a generated book, in ticks: levels sorted with the best last, addressed by rank
/// (0 = best). Changing a level at rank r moves r entries, which is what a generator that mostly
/// touches the top few thousand levels can afford.
struct PriceLadder: Sendable {
    /// Bid ticks, or negated ask ticks: ascending, so the best level is last on both sides.
    private var keys: [Int] = []
    /// Size of each level in 1e-8 units; never zero.
    private var sizes: [Int] = []
    let isBid: Bool

    var count: Int { keys.count }

    /// The price in ticks of the level at `rank`.
    func tick(atRank rank: Int) -> Int {
        tick(forKey: keys[keys.count - 1 - rank])
    }

    var bestTick: Int? { keys.last.map(tick(forKey:)) }

    /// Builds the side from levels listed best first.
    init(isBid: Bool, bestFirst levels: [(tick: Int, size: Int)]) {
        self.isBid = isBid
        keys = levels.reversed().map { isBid ? $0.tick : -$0.tick }
        sizes = levels.reversed().map(\.size)
        precondition(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 }, "levels must get worse")
    }

    /// Every level, best first.
    var levelsBestFirst: [(tick: Int, size: Int)] {
        zip(keys, sizes).reversed().map { (tick(forKey: $0.0), $0.1) }
    }

    mutating func setSize(atRank rank: Int, _ size: Int) {
        sizes[keys.count - 1 - rank] = size
    }

    mutating func remove(atRank rank: Int) {
        let index = keys.count - 1 - rank
        keys.remove(at: index)
        sizes.remove(at: index)
    }

    /// The ticks free for a new level that would rank `rank`: strictly between the levels now at
    /// ranks `rank - 1` and `rank`, as a range of ticks (`better` bounds the best side, e.g. the
    /// other side's best, so nothing crosses; `worst` bounds the far end).
    func freeTicks(forRank rank: Int, better: Int, worst: Int) -> ClosedRange<Int>? {
        let betterTick = rank == 0 ? better : tick(atRank: rank - 1)
        let worseTick = rank < keys.count ? tick(atRank: rank) : worst
        let low = (isBid ? worseTick : betterTick) + 1
        let high = (isBid ? betterTick : worseTick) - 1
        return low <= high ? low...high : nil
    }

    /// Inserts a level at `tick`, which must be free; it then ranks as `freeTicks(forRank:)` said.
    mutating func insert(rank: Int, tick: Int, size: Int) {
        let index = keys.count - rank
        keys.insert(key(forTick: tick), at: index)
        sizes.insert(size, at: index)
    }

    private func key(forTick tick: Int) -> Int { isBid ? tick : -tick }
    private func tick(forKey key: Int) -> Int { isBid ? key : -key }
}
