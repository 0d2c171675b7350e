/// Which side of the book a level or change belongs to.
public enum Side: Sendable, Hashable {
    /// Buy orders; the best is the highest price.
    case bid
    /// Sell orders; the best is the lowest price.
    case ask
}

extension Side {
    /// A price mantissa's sort key on this side, or a sort key's price mantissa (the map is its own
    /// inverse): the mantissa for bids, its negation for asks, so both sides keep their best level
    /// at the highest key. ``BookSide`` and ``TickLadder`` share it, as they share their keys.
    @inline(__always)
    func sortKey(_ value: Int64) -> Int64 { self == .bid ? value : -value }
}

/// Price levels of one side in sorted pages of at most ``pageCapacity`` levels, the best price last:
/// where ``TickLadder`` keeps the levels outside its window.
///
/// Prices are integer mantissas at the book's price scale. For the ask side they are stored negated,
/// so both sides sort ascending and keep their best level last. A change anywhere finds its page by
/// binary search over each page's last key and moves at most a page of entries, so its cost does not
/// grow with how deep it lands; the best level is read in O(1). (A single sorted array moves every
/// level between the change and the touch: thousands on Coinbase's real traffic.)
///
/// A side made with `tracksSizeTotals` also keeps each page's total size, so the size resting
/// between the touch and any price is a sum over pages, not over levels.
struct BookSide: Sendable {
    /// Most levels a page holds; a page that grows past it splits in two.
    static let pageCapacity = 128
    /// Levels a page gets when a snapshot is loaded: room left for inserts before the first split.
    static let snapshotPageFill = 96

    private struct Page {
        /// Price mantissas (negated for asks), ascending.
        var keys: [Int64]
        /// The size at each level, as Coinbase wrote it; never zero.
        var sizes: [ExactDecimal]
        /// The sum of `sizes`, when the side tracks totals (zero otherwise).
        var total = ExactSum()

        init(keys: [Int64], sizes: [ExactDecimal], tracksTotal: Bool) {
            self.keys = keys
            self.sizes = sizes
            if tracksTotal { total = Self.sum(sizes) }
        }

        static func sum<C: Collection<ExactDecimal>>(_ sizes: C) -> ExactSum {
            var total = ExactSum()
            for size in sizes { total.add(size) }
            return total
        }

        /// The page's total size, added up afresh if the running total overflowed (its later
        /// changes could not be taken back out).
        var trustedTotal: ExactSum { total.overflowed ? Self.sum(sizes) : total }

        /// What ``set(key:size:tracksTotal:)`` did to the page.
        enum Change {
            /// A removal of a key the page does not hold: nothing.
            case absent
            /// A new size for a level the page holds.
            case changed
            /// A level removed; `remaining` levels are left, the last key being `last` (`nil` when
            /// none is left).
            case removed(last: Int64?, remaining: Int)
            /// A level inserted; the page now holds `levels`, the last key being `last`.
            case inserted(last: Int64, levels: Int)
        }

        /// Sets the level at `key` to `size` (zero removes it), all within this page: one access
        /// to the page from its side, rather than one for each array it touches.
        @inline(__always)
        mutating func set(key: Int64, size: ExactDecimal, tracksTotal: Bool) -> Change {
            let index = keys.withUnsafeBufferPointer { firstIndex(notBelow: key, in: $0) }
            let present = index < keys.count && keys[index] == key
            if size.isZero {
                guard present else { return .absent }
                if tracksTotal { total.subtract(sizes[index]) }
                keys.remove(at: index)
                sizes.remove(at: index)
                return .removed(last: keys.last, remaining: keys.count)
            }
            if present {
                if tracksTotal {
                    total.subtract(sizes[index])
                    total.add(size)
                }
                sizes[index] = size
                return .changed
            }
            if tracksTotal { total.add(size) }
            keys.insert(key, at: index)
            sizes.insert(size, at: index)
            return .inserted(last: keys[keys.count - 1], levels: keys.count)
        }
    }

    /// Pages in ascending key order; none is empty.
    private var pages: [Page] = []
    /// The last (largest) key of each page.
    private var lastKeys: [Int64] = []
    private(set) var count = 0
    let side: Side
    /// Pages keep their total size.
    let tracksSizeTotals: Bool

    init(side: Side, tracksSizeTotals: Bool = false) {
        self.side = side
        self.tracksSizeTotals = tracksSizeTotals
    }

    /// Maps a price mantissa (at the book scale) to its sort key.
    @inline(__always)
    private func key(forPrice mantissa: Int64) -> Int64 { side.sortKey(mantissa) }

    /// The price mantissa of a stored key.
    @inline(__always)
    private func price(forKey key: Int64) -> Int64 { side.sortKey(key) }

    /// The best level's price mantissa and size, or `nil` when the side is empty.
    var best: (price: Int64, size: ExactDecimal)? {
        guard let page = pages.last, let key = page.keys.last, let size = page.sizes.last else { return nil }
        return (price(forKey: key), size)
    }

    /// Calls `body` with each level's price mantissa and size, best first, while it returns true.
    func walkBestFirst(_ body: (Int64, ExactDecimal) -> Bool) {
        for page in pages.reversed() {
            for index in page.keys.indices.reversed() {
                guard body(price(forKey: page.keys[index]), page.sizes[index]) else { return }
            }
        }
    }

    /// The total size of the levels from the best out while `isWithin` holds for their price
    /// mantissa. `isWithin` must hold for the best levels and, once false, stay false further out
    /// (a price bound): it is asked O(log n) times, by binary search. With page totals tracked the
    /// sum costs one term per page within; otherwise one per level.
    func totalSize(while isWithin: (Int64) -> Bool) -> ExactSum {
        guard tracksSizeTotals else {
            var total = ExactSum()
            walkBestFirst { price, size in
                guard isWithin(price) else { return false }
                total.add(size)
                return true
            }
            return total
        }
        // Keys ascend towards the best, so the keys within are a suffix: find where it starts.
        let first = suffixStart(of: lastKeys, where: { isWithin(price(forKey: $0)) })
        guard first < pages.count else { return ExactSum() }
        let page = pages[first]
        let start = suffixStart(of: page.keys, where: { isWithin(price(forKey: $0)) })
        var total = Page.sum(page.sizes[start...])
        for later in pages[(first + 1)...] { total = total.adding(later.trustedTotal) }
        return total
    }

    /// The first index of ascending `keys` from which `holds` is true to the end (`keys.count`
    /// when it holds for none); `holds` is false, then true.
    private func suffixStart(of keys: [Int64], where holds: (Int64) -> Bool) -> Int {
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if holds(keys[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// The page that holds `key`, or would: the first whose last key is not below it, else the last.
    @inline(__always)
    private func pageIndex(of key: Int64) -> Int {
        let last = pages.count - 1
        // Most changes of a busy book land near the touch, in the last page: check there first.
        if last == 0 || lastKeys[last - 1] < key { return last }
        return lastKeys.withUnsafeBufferPointer {
            firstIndex(notBelow: key, in: UnsafeBufferPointer(rebasing: $0[..<last]))
        }
    }

    /// Sets the level at `priceMantissa` to `size`; a zero size removes it.
    /// - Returns: `false` when asked to remove a level that is not there.
    mutating func set(priceMantissa: Int64, size: ExactDecimal) -> Bool {
        let key = key(forPrice: priceMantissa)
        guard !pages.isEmpty else {
            guard !size.isZero else { return false }
            pages = [Page(keys: [key], sizes: [size], tracksTotal: tracksSizeTotals)]
            lastKeys = [key]
            count = 1
            return true
        }
        let page = pageIndex(of: key)
        switch pages[page].set(key: key, size: size, tracksTotal: tracksSizeTotals) {
        case .absent:
            return false
        case .changed:
            return true
        case .removed(let last, let remaining):
            count -= 1
            if let last { lastKeys[page] = last }
            removedLevel(fromPage: page, remaining: remaining)
        case .inserted(let last, let levels):
            count += 1
            lastKeys[page] = last
            if levels > Self.pageCapacity { split(page) }
        }
        return true
    }

    /// Keeps the pages after a removal: none empty, none below a quarter full while a neighbour
    /// has room to take it in.
    private mutating func removedLevel(fromPage page: Int, remaining: Int) {
        if remaining == 0 {
            pages.remove(at: page)
            lastKeys.remove(at: page)
            return
        }
        guard remaining < Self.pageCapacity / 4 else { return }
        if page + 1 < pages.count, remaining + pages[page + 1].keys.count <= Self.pageCapacity {
            merge(page + 1, into: page)
        } else if page > 0, remaining + pages[page - 1].keys.count <= Self.pageCapacity {
            merge(page, into: page - 1)
        }
    }

    /// Moves the levels of page `right` onto the end of page `left` (its neighbour) and drops it.
    private mutating func merge(_ right: Int, into left: Int) {
        let moved = pages.remove(at: right)
        lastKeys.remove(at: right)
        pages[left].keys.append(contentsOf: moved.keys)
        pages[left].sizes.append(contentsOf: moved.sizes)
        if tracksSizeTotals { pages[left].total = pages[left].total.adding(moved.total) }
        lastKeys[left] = moved.keys[moved.keys.count - 1]
    }

    /// Splits an overfull page into two halves.
    private mutating func split(_ page: Int) {
        let half = pages[page].keys.count / 2
        let upper = Page(
            keys: Array(pages[page].keys[half...]), sizes: Array(pages[page].sizes[half...]),
            tracksTotal: tracksSizeTotals)
        pages[page].keys.removeSubrange(half...)
        pages[page].sizes.removeSubrange(half...)
        if tracksSizeTotals { pages[page].total = Page.sum(pages[page].sizes) }
        lastKeys[page] = pages[page].keys[half - 1]
        pages.insert(upper, at: page + 1)
        lastKeys.insert(upper.keys[upper.keys.count - 1], at: page + 1)
    }

    /// Replaces every level with `levels`: sort keys (see ``Side/sortKey(_:)``) strictly descending,
    /// best first, sizes above zero, as ``TickLadder`` hands over the levels outside its window.
    mutating func replaceAll(bestFirst levels: [(key: Int64, size: ExactDecimal)]) {
        let pairs = Array(levels.reversed())
        pages = stride(from: 0, to: pairs.count, by: Self.snapshotPageFill).map { start in
            let slice = pairs[start..<min(start + Self.snapshotPageFill, pairs.count)]
            var page = Page(keys: [], sizes: [], tracksTotal: false)
            page.keys.reserveCapacity(Self.pageCapacity + 1)
            page.sizes.reserveCapacity(Self.pageCapacity + 1)
            for pair in slice {
                page.keys.append(pair.key)
                page.sizes.append(pair.size)
            }
            if tracksSizeTotals { page.total = Page.sum(page.sizes) }
            return page
        }
        lastKeys = pages.map { $0.keys[$0.keys.count - 1] }
        count = pairs.count
    }

    /// True when every stored price still fits in 64 bits after multiplying by `factor`.
    /// The extremes of the sorted keys are the largest magnitudes, so checking them is enough.
    func canRescalePrices(by factor: Int64) -> Bool {
        guard let first = pages.first?.keys.first, let last = lastKeys.last else { return true }
        return !first.multipliedReportingOverflow(by: factor).overflow
            && !last.multipliedReportingOverflow(by: factor).overflow
    }

    /// The first broken invariant (keys strictly ascending across pages, every size above zero, no
    /// page empty or overfull, each page's last key, total size and the count up to date), or `nil`.
    func invariantViolation() -> String? {
        guard pages.count == lastKeys.count else { return "\(side): \(pages.count) pages, \(lastKeys.count) last keys" }
        var previous: Int64?
        var levels = 0
        for (number, page) in pages.enumerated() {
            guard page.keys.count == page.sizes.count else { return "\(side): page \(number) keys ≠ sizes" }
            guard (1...Self.pageCapacity).contains(page.keys.count) else {
                return "\(side): page \(number) holds \(page.keys.count) levels"
            }
            guard page.keys.last == lastKeys[number] else { return "\(side): page \(number)'s last key is stale" }
            if tracksSizeTotals, page.trustedTotal != Page.sum(page.sizes) {
                return "\(side): page \(number)'s total \(page.total) is not the sum of its sizes"
            }
            for index in page.keys.indices {
                if let previous, previous >= page.keys[index] { return "\(side): levels out of order at \(levels)" }
                if page.sizes[index].isZero || page.sizes[index].isNegative {
                    return "\(side): size \(page.sizes[index]) at \(levels)"
                }
                if price(forKey: page.keys[index]) <= 0 { return "\(side): price not above zero at \(levels)" }
                previous = page.keys[index]
                levels += 1
            }
        }
        return levels == count ? nil : "\(side): count \(count) but \(levels) levels"
    }
}

/// The index of the first of the ascending `keys` not below `key` (`keys.count` if none).
///
/// Branch-free: each halving step picks its half with a conditional move, so a search through a
/// deep book costs no mispredicted branches (they were most of the search's time on realistic
/// traffic, where changes land at random depths).
@inline(__always)
private func firstIndex(notBelow key: Int64, in keys: UnsafeBufferPointer<Int64>) -> Int {
    guard var base = keys.baseAddress, !keys.isEmpty else { return 0 }
    let start = base
    var length = keys.count
    while length > 1 {
        let half = length >> 1
        base = base[half - 1] < key ? base + half : base
        length -= half
    }
    return base - start + (base[0] < key ? 1 : 0)
}
