/// Which side of the book a level or change belongs to.
public enum Side: Sendable, Hashable {
    /// Buy orders; the best is the highest price.
    case bid
    /// Sell orders; the best is the lowest price.
    case ask
}

/// One side of an order book: price levels in contiguous sorted arrays, the best price at the end.
///
/// Prices are integer mantissas at the book's price scale. For the ask side they are stored negated,
/// so both sides sort ascending and keep their best level last: a change near the touch moves only
/// the few elements after it, and the best level is read in O(1).
struct BookSide {
    /// Price mantissas (negated for asks), ascending; the best level is last.
    private(set) var keys: [Int64] = []
    /// The size at each level, as Coinbase wrote it; never zero.
    private(set) var sizes: [ExactDecimal] = []
    let side: Side

    init(side: Side) {
        self.side = side
    }

    var count: Int { keys.count }

    /// Maps a price mantissa (at the book scale) to its sort key.
    @inline(__always)
    func key(forPrice mantissa: Int64) -> Int64 {
        side == .bid ? mantissa : -mantissa
    }

    /// The price mantissa of a stored key.
    @inline(__always)
    func price(forKey key: Int64) -> Int64 {
        side == .bid ? key : -key
    }

    /// The best level's price mantissa and size, or `nil` when the side is empty.
    var best: (price: Int64, size: ExactDecimal)? {
        guard let key = keys.last, let size = sizes.last else { return nil }
        return (price(forKey: key), size)
    }

    /// The level at `rank` from the best (0 is the best).
    func level(atRank rank: Int) -> (price: Int64, size: ExactDecimal) {
        let index = keys.count - 1 - rank
        return (price(forKey: keys[index]), sizes[index])
    }

    /// Index of the first key not below `key` (binary search).
    @inline(__always)
    private func insertionIndex(of key: Int64) -> Int {
        var low = 0
        var high = keys.count
        // Most changes land near the touch, at the end: check there first.
        if high > 0, keys[high - 1] < key { return high }
        while low < high {
            let middle = (low + high) >> 1
            if keys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Sets the level at `priceMantissa` to `size`; a zero size removes it.
    /// - Returns: `false` when asked to remove a level that is not there.
    mutating func set(priceMantissa: Int64, size: ExactDecimal) -> Bool {
        let key = key(forPrice: priceMantissa)
        let index = insertionIndex(of: key)
        let present = index < keys.count && keys[index] == key
        if size.isZero {
            guard present else { return false }
            keys.remove(at: index)
            sizes.remove(at: index)
        } else if present {
            sizes[index] = size
        } else {
            keys.insert(key, at: index)
            sizes.insert(size, at: index)
        }
        return true
    }

    /// Replaces every level with `levels` (price mantissa, size), which need no particular order.
    /// Zero sizes are skipped; a price given twice keeps its last size.
    mutating func replaceAll(with levels: [(price: Int64, size: ExactDecimal)]) {
        var pairs: [(key: Int64, size: ExactDecimal)] = []
        pairs.reserveCapacity(levels.count)
        for level in levels where !level.size.isZero {
            pairs.append((key(forPrice: level.price), level.size))
        }
        if isStrictlyAscending(pairs.reversed()) {
            // Coinbase sends best first: exactly our order reversed.
            pairs.reverse()
        } else if !isStrictlyAscending(pairs) {
            // Stable order: of a price listed twice, the later entry sorts last and wins.
            let sorted = pairs.enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }
            pairs = deduplicatedKeepingLast(sorted.map(\.element))
        }
        keys = pairs.map(\.key)
        sizes = pairs.map(\.size)
    }

    /// True when every stored price still fits in 64 bits after multiplying by `factor`.
    /// The extremes of the sorted keys are the largest magnitudes, so checking them is enough.
    func canRescalePrices(by factor: Int64) -> Bool {
        guard let first = keys.first, let last = keys.last else { return true }
        return !first.multipliedReportingOverflow(by: factor).overflow
            && !last.multipliedReportingOverflow(by: factor).overflow
    }

    /// Multiplies every stored price by `factor` (when the book's price scale grows).
    /// Call only after ``canRescalePrices(by:)`` said yes.
    mutating func rescalePrices(by factor: Int64) {
        for index in keys.indices { keys[index] &*= factor }
    }

    /// The first broken invariant (keys strictly ascending, every size above zero), or `nil`.
    func invariantViolation() -> String? {
        guard keys.count == sizes.count else { return "\(side): \(keys.count) prices but \(sizes.count) sizes" }
        for index in keys.indices {
            if index > 0 && keys[index - 1] >= keys[index] { return "\(side): levels out of order at \(index)" }
            if sizes[index].isZero || sizes[index].isNegative { return "\(side): size \(sizes[index]) at \(index)" }
            if price(forKey: keys[index]) <= 0 { return "\(side): price not above zero at \(index)" }
        }
        return nil
    }
}

private func isStrictlyAscending<C: Collection>(_ pairs: C) -> Bool
where C.Element == (key: Int64, size: ExactDecimal) {
    var previous: Int64?
    for pair in pairs {
        if let previous, pair.key <= previous { return false }
        previous = pair.key
    }
    return true
}

private func deduplicatedKeepingLast(_ sorted: [(key: Int64, size: ExactDecimal)]) -> [(key: Int64, size: ExactDecimal)]
{
    var result: [(key: Int64, size: ExactDecimal)] = []
    result.reserveCapacity(sorted.count)
    for pair in sorted {
        if let last = result.last, last.key == pair.key {
            result[result.count - 1] = pair
        } else {
            result.append(pair)
        }
    }
    return result
}
