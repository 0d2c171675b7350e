/// One side of an order book: the levels near the touch in a ladder indexed by price tick, the rest
/// in sorted pages.
///
/// Prices are integer mantissas at the book's price scale, so one tick is one mantissa step. Keys are
/// the mantissas, negated for asks, so both sides keep their best level at the highest key. The
/// ladder is a window of consecutive keys with a slot each: a change inside it is an index, a store
/// and a bit, wherever it lands, and neighbouring prices share cache lines, so the busy region next
/// to the touch stays in cache. Levels below the window live in ``BookSide``'s sorted pages
/// (`deeper`), as do levels above it (`beyond`) while the touch has moved past its top.
///
/// The window is placed from the side's own levels: wide enough (a power of two, 1,024 to 131,072
/// slots) to cover its best ``windowLevels`` levels, but never more than ``slotsPerLevel`` slots a
/// level, with a quarter of it above the best for the touch to move into. Changes that land
/// outside the window are counted, and the window is placed again around the best after an eighth
/// of the side's levels of them while the touch is outside it (levels above it, or none left in
/// it), or otherwise after twice the levels the side held when it was placed (a side that outgrew
/// its window): a cost linear in the levels, paid once per that many slower changes.
///
/// A side made with `tracksSizeTotals` also keeps the total size of every ``blockSlots`` slots,
/// and its pages keep theirs, so the size resting between the touch and any price is a sum over
/// blocks and pages.
struct TickLadder: LevelStore {
    /// Levels from the best that the window is sized to hold, when they are dense enough.
    static let windowLevels = 8_192
    /// The most window slots a side may keep for each level it holds.
    static let slotsPerLevel = 4
    static let minimumWidth = 1_024
    static let maximumWidth = 1 << 17
    /// Slots per block of a tracked total: about a page's worth of levels when they lie 2–3 ticks
    /// apart, so a sum over a band costs about as many terms as over pages.
    static let blockShift = 8
    static let blockSlots = 1 << blockShift

    let side: Side
    let tracksSizeTotals: Bool

    /// The key of slot 0.
    private var base: Int64 = 0
    /// Each slot's size mantissa (0: no level) and scale.
    private var sizeMantissas: [Int64] = []
    private var sizeScales: [UInt8] = []
    private var occupied = SlotBitmap(slotCount: 0)
    /// The sum of each block's sizes, when the side tracks totals.
    private var blockTotals: [ExactSum] = []
    /// The highest occupied slot, or -1 when the window holds no level.
    private var top = -1
    private var windowCount = 0
    /// Levels with keys below the window.
    private var deeper: BookSide
    /// Levels with keys above the window: the touch has moved past its top.
    private var beyond: BookSide
    /// Changes that landed outside the window since it was placed.
    private var changesOutside = 0
    /// The side's levels when the window was placed.
    private var levelsWhenPlaced = 0
    /// Times the window was placed, for tests that must see it follow the touch.
    private(set) var placements = 0

    init(side: Side, tracksSizeTotals: Bool = false) {
        self.side = side
        self.tracksSizeTotals = tracksSizeTotals
        deeper = BookSide(side: side, tracksSizeTotals: tracksSizeTotals)
        beyond = BookSide(side: side, tracksSizeTotals: tracksSizeTotals)
    }

    var count: Int { windowCount + deeper.count + beyond.count }

    /// The best level is in the window (not in the pages above it, nor below an empty window).
    var bestIsInWindow: Bool { beyond.count == 0 && top >= 0 }

    /// Slots in the window.
    private var width: Int { sizeMantissas.count }

    /// Maps a price mantissa (at the book scale) to its key.
    @inline(__always)
    private func key(forPrice mantissa: Int64) -> Int64 { side.sortKey(mantissa) }

    /// The price mantissa of a key.
    @inline(__always)
    private func price(forKey key: Int64) -> Int64 { side.sortKey(key) }

    @inline(__always)
    private func size(atSlot slot: Int) -> ExactDecimal {
        ExactDecimal(uncheckedMantissa: sizeMantissas[slot], scale: sizeScales[slot])
    }

    /// The window slot of `key`, or `nil` when it lies outside.
    @inline(__always)
    private func slot(of key: Int64) -> Int? {
        // Keys of one side share a sign, so their distance from the base never wraps past the window.
        let offset = UInt64(bitPattern: key &- base)
        return offset < UInt64(width) ? Int(offset) : nil
    }

    /// The best level's price mantissa and size, or `nil` when the side is empty.
    var best: (price: Int64, size: ExactDecimal)? {
        if beyond.count > 0 { return beyond.best }
        if top >= 0 { return (price(forKey: base &+ Int64(top)), size(atSlot: top)) }
        return deeper.best
    }

    /// Calls `body` with each level's price mantissa and size, best first, while it returns true.
    func walkBestFirst(_ body: (Int64, ExactDecimal) -> Bool) {
        var going = true
        beyond.walkBestFirst { price, size in
            going = body(price, size)
            return going
        }
        guard going else { return }
        var slot = top
        while slot >= 0 {
            guard body(price(forKey: base &+ Int64(slot)), size(atSlot: slot)) else { return }
            slot = occupied.highest(atOrBelow: slot - 1) ?? -1
        }
        deeper.walkBestFirst(body)
    }

    /// The total size of the levels from the best out while `isWithin` holds for their price
    /// mantissa: a price bound, true for the best levels and, once false, false further out. With
    /// totals tracked it is asked O(log n) times and the sum costs a term per block or page.
    func totalSize(while isWithin: (Int64) -> Bool) -> ExactSum {
        var total = beyond.totalSize(while: isWithin)
        if top >= 0 { total = total.adding(windowTotal(while: isWithin)) }
        return total.adding(deeper.totalSize(while: isWithin))
    }

    private func windowTotal(while isWithin: (Int64) -> Bool) -> ExactSum {
        var total = ExactSum()
        guard tracksSizeTotals else {
            var slot = top
            while slot >= 0, isWithin(price(forKey: base &+ Int64(slot))) {
                total.add(size(atSlot: slot))
                slot = occupied.highest(atOrBelow: slot - 1) ?? -1
            }
            return total
        }
        // The lowest slot within: the bound holds from it up to the top.
        var low = 0
        var high = top + 1
        while low < high {
            let middle = (low + high) / 2
            if isWithin(price(forKey: base &+ Int64(middle))) { high = middle } else { low = middle + 1 }
        }
        guard low <= top else { return total }
        let firstFullBlock = (low + Self.blockSlots - 1) >> Self.blockShift
        occupied.forEachOccupied(in: low..<min(firstFullBlock << Self.blockShift, top + 1)) { slot in
            total.add(size(atSlot: slot))
        }
        for block in stride(from: firstFullBlock, through: top >> Self.blockShift, by: 1) {
            total = total.adding(trustedTotal(ofBlock: block))
        }
        return total
    }

    /// A block's total, added up afresh if its running total overflowed.
    private func trustedTotal(ofBlock block: Int) -> ExactSum {
        guard blockTotals[block].overflowed else { return blockTotals[block] }
        var total = ExactSum()
        for slot in (block << Self.blockShift)..<min((block + 1) << Self.blockShift, width)
        where sizeMantissas[slot] != 0 {
            total.add(size(atSlot: slot))
        }
        return total
    }

    /// Sets the level at `priceMantissa` to `size`; a zero size removes it.
    /// - Returns: `false` when asked to remove a level that is not there.
    @inline(__always)
    mutating func set(priceMantissa: Int64, size: ExactDecimal) -> Bool {
        let key = key(forPrice: priceMantissa)
        if let slot = slot(of: key) { return set(slot: slot, size: size) }
        let applied =
            key < base
            ? deeper.set(priceMantissa: priceMantissa, size: size)
            : beyond.set(priceMantissa: priceMantissa, size: size)
        changesOutside += 1
        let touchIsOutside = beyond.count > 0 || windowCount == 0
        if changesOutside > (touchIsOutside ? max(64, count / 8) : max(1_024, 2 * levelsWhenPlaced)) {
            placeWindow()
        }
        return applied
    }

    @inline(__always)
    private mutating func set(slot: Int, size: ExactDecimal) -> Bool {
        let old = sizeMantissas[slot]
        if tracksSizeTotals {
            if old != 0 { blockTotals[slot >> Self.blockShift].subtract(self.size(atSlot: slot)) }
            blockTotals[slot >> Self.blockShift].add(size)
        }
        guard !size.isZero else {
            guard old != 0 else { return false }
            sizeMantissas[slot] = 0
            occupied.remove(slot)
            windowCount -= 1
            if slot == top { top = occupied.highest(atOrBelow: slot - 1) ?? -1 }
            return true
        }
        if old == 0 {
            occupied.insert(slot)
            windowCount += 1
            if slot > top { top = slot }
        }
        sizeMantissas[slot] = size.mantissa
        sizeScales[slot] = size.scale
        return true
    }

    /// Replaces every level with `levels` (price mantissa, size), which need no particular order.
    /// Zero sizes are skipped; a price given twice keeps its last size.
    mutating func replaceAll(with levels: [(price: Int64, size: ExactDecimal)]) {
        var keyed: [(key: Int64, size: ExactDecimal)] = []
        keyed.reserveCapacity(levels.count)
        for level in levels where !level.size.isZero { keyed.append((key(forPrice: level.price), level.size)) }
        if !isStrictlyDescending(keyed) {
            // Stable: of a key listed twice, the later entry comes first and is kept.
            let sorted = keyed.enumerated().sorted { ($0.element.key, $0.offset) > ($1.element.key, $1.offset) }
            keyed = []
            keyed.reserveCapacity(sorted.count)
            for entry in sorted where keyed.last?.key != entry.element.key { keyed.append(entry.element) }
        }
        place(bestFirst: keyed)
    }

    /// Places the window again around the best level, with every level where it now belongs.
    private mutating func placeWindow() {
        place(bestFirst: keyedLevels())
    }

    /// Every level as (key, size), best first, each key multiplied by `factor`.
    private func keyedLevels(multipliedBy factor: Int64 = 1) -> [(key: Int64, size: ExactDecimal)] {
        var levels: [(key: Int64, size: ExactDecimal)] = []
        levels.reserveCapacity(count)
        walkBestFirst { price, size in
            levels.append((key(forPrice: price) &* factor, size))
            return true
        }
        return levels
    }

    /// Sizes and places the window for `levels` (keys strictly descending, sizes above zero) and
    /// stores them: the window's keys in it, the rest in the pages below or above.
    private mutating func place(bestFirst levels: [(key: Int64, size: ExactDecimal)]) {
        changesOutside = 0
        levelsWhenPlaced = levels.count
        placements += 1
        top = -1
        windowCount = 0
        let slots = windowWidth(bestFirst: levels)
        base = windowBase(best: levels.first?.key ?? 0, width: slots)
        sizeMantissas = Array(repeating: 0, count: slots)
        sizeScales = Array(repeating: 0, count: slots)
        occupied = SlotBitmap(slotCount: slots)
        blockTotals =
            tracksSizeTotals
            ? Array(repeating: ExactSum(), count: (slots + Self.blockSlots - 1) >> Self.blockShift) : []
        var below: [(key: Int64, size: ExactDecimal)] = []
        var above: [(key: Int64, size: ExactDecimal)] = []
        for level in levels {
            if let slot = slot(of: level.key) {
                _ = set(slot: slot, size: level.size)
            } else if level.key < base {
                below.append(level)
            } else {
                above.append(level)
            }
        }
        deeper.replaceAll(bestFirst: below)
        beyond.replaceAll(bestFirst: above)
    }

    /// Slots for a window over `levels` (best first): a power of two covering the best
    /// ``windowLevels`` with a third more for the touch to move into, within the bounds; none
    /// for an empty side.
    private func windowWidth(bestFirst levels: [(key: Int64, size: ExactDecimal)]) -> Int {
        guard let best = levels.first?.key else { return 0 }
        let covered = levels[min(levels.count, Self.windowLevels) - 1].key
        let span = best.subtractingReportingOverflow(covered)
        let wanted =
            span.overflow || span.partialValue >= Int64(Self.maximumWidth)
            ? Self.maximumWidth : Int(span.partialValue) * 4 / 3 + 1
        let cap = max(Self.minimumWidth, levels.count * Self.slotsPerLevel)
        let bounded = min(Self.maximumWidth, cap, max(Self.minimumWidth, wanted))
        // The smallest power of two not below `bounded`.
        return 1 << (Int.bitWidth - (bounded - 1).leadingZeroBitCount)
    }

    /// The base that puts `best` a quarter of the window below its top, kept where every slot's key
    /// fits in 64 bits.
    private func windowBase(best: Int64, width: Int) -> Int64 {
        guard width > 0 else { return 0 }
        let below = Int64(width - width / 4 - 1)
        let (base, overflow) = best.subtractingReportingOverflow(below)
        return min(overflow ? .min : base, .max - Int64(width) + 1)
    }

    /// True when every stored price still fits in 64 bits after multiplying by `factor`.
    func canRescalePrices(by factor: Int64) -> Bool {
        guard deeper.canRescalePrices(by: factor), beyond.canRescalePrices(by: factor) else { return false }
        guard let lowest = lowestOccupiedSlot() else { return true }
        return !(base &+ Int64(top)).multipliedReportingOverflow(by: factor).overflow
            && !(base &+ Int64(lowest)).multipliedReportingOverflow(by: factor).overflow
    }

    /// Walks the window's levels: rescales are rare.
    private func lowestOccupiedSlot() -> Int? {
        var slot = top
        var lowest: Int?
        while slot >= 0 {
            lowest = slot
            slot = occupied.highest(atOrBelow: slot - 1) ?? -1
        }
        return lowest
    }

    /// Multiplies every stored price by `factor` (when the book's price scale grows): the ticks get
    /// finer, so the window is placed again. Call only after ``canRescalePrices(by:)`` said yes.
    mutating func rescalePrices(by factor: Int64) {
        place(bestFirst: keyedLevels(multipliedBy: factor))
    }

    /// The first broken invariant, or `nil`: the pages' own; every window slot's bit set exactly when
    /// it holds a size above zero; the top, the count and the block totals up to date; the pages'
    /// keys below and above the window; every price above zero.
    func invariantViolation() -> String? {
        if let violation = deeper.invariantViolation() ?? beyond.invariantViolation() ?? occupied.invariantViolation() {
            return violation
        }
        var levels = 0
        var highest = -1
        for slot in 0..<width {
            let holds = sizeMantissas[slot] != 0
            guard holds == occupied.contains(slot) else { return "\(side): slot \(slot)'s bit is stale" }
            guard holds else { continue }
            guard sizeMantissas[slot] > 0 else { return "\(side): size \(size(atSlot: slot)) at slot \(slot)" }
            guard price(forKey: base &+ Int64(slot)) > 0 else { return "\(side): price not above zero at slot \(slot)" }
            levels += 1
            highest = slot
        }
        guard levels == windowCount else { return "\(side): window count \(windowCount) but \(levels) levels" }
        guard highest == top else { return "\(side): top \(top) but highest slot \(highest)" }
        if tracksSizeTotals {
            for block in blockTotals.indices {
                var sum = ExactSum()
                for slot in (block << Self.blockShift)..<min((block + 1) << Self.blockShift, width)
                where sizeMantissas[slot] != 0 {
                    sum.add(size(atSlot: slot))
                }
                guard trustedTotal(ofBlock: block) == sum else { return "\(side): block \(block)'s total is stale" }
            }
        }
        var misplaced = false
        deeper.walkBestFirst { price, _ in
            misplaced = key(forPrice: price) >= base
            return !misplaced
        }
        beyond.walkBestFirst { price, _ in
            misplaced = misplaced || slot(of: key(forPrice: price)) != nil || key(forPrice: price) < base
            return !misplaced
        }
        return misplaced ? "\(side): a page holds a level of the window's range" : nil
    }
}

private func isStrictlyDescending(_ levels: [(key: Int64, size: ExactDecimal)]) -> Bool {
    var previous: Int64?
    for level in levels {
        if let previous, level.key >= previous { return false }
        previous = level.key
    }
    return true
}
