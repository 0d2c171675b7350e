/// One side of a ``SnapshotBook``: levels in an open-addressing hash table keyed by price mantissa,
/// so setting a level costs one probe sequence, about one cache miss, however deep it lies.
///
/// Linear probing from a Fibonacci hash of the price; removals shift the entries after them back
/// (no tombstones), and the table doubles before it is three quarters full. Prices are above zero
/// (books refuse others), so a key of zero marks an empty slot.
struct LevelTable: LevelStore {
    /// A level: its price mantissa (zero where the slot is empty) and its size, as Coinbase wrote it,
    /// side by side so that a probe touches one cache line.
    private struct Slot {
        var key: Int64
        var size: ExactDecimal
        static let empty = Slot(key: 0, size: .zero)
    }

    /// The slots; their count is zero or a power of two.
    private var slots: [Slot] = []
    private(set) var count = 0
    /// 64 minus log2 of the capacity: the hash keeps the product's top bits.
    private var hashShift: UInt64 = 64

    /// The smallest table made.
    static let minimumCapacity = 16

    init() {}

    /// Where probing for `key` starts.
    @inline(__always)
    private func home(of key: Int64) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> hashShift)
    }

    mutating func set(priceMantissa key: Int64, size: ExactDecimal) -> Bool {
        if slots.isEmpty {
            guard !size.isZero else { return false }
            rebuild(capacity: Self.minimumCapacity)
        }
        let mask = slots.count - 1
        var slot = home(of: key)
        while true {
            let stored = slots[slot].key
            if stored == key {
                if size.isZero { remove(at: slot) } else { slots[slot].size = size }
                return true
            }
            if stored == 0 {
                guard !size.isZero else { return false }
                slots[slot] = Slot(key: key, size: size)
                count += 1
                if count * 4 > slots.count * 3 { rebuild(capacity: slots.count * 2) }
                return true
            }
            slot = (slot + 1) & mask
        }
    }

    /// Empties `slot`, then moves back each entry of the run after it whose probe sequence passes
    /// over the hole, so every entry stays reachable from its home without tombstones.
    private mutating func remove(at slot: Int) {
        let mask = slots.count - 1
        var hole = slot
        var next = (slot + 1) & mask
        while slots[next].key != 0 {
            // The entry may fill the hole when the hole lies between its home and where it is.
            if (next - home(of: slots[next].key)) & mask >= (next - hole) & mask {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = .empty
        count -= 1
    }

    /// Moves every entry into a table of `capacity` slots (a power of two above the count).
    private mutating func rebuild(capacity: Int, multiplyingPricesBy factor: Int64 = 1) {
        let old = slots
        slots = Array(repeating: .empty, count: capacity)
        hashShift = UInt64(64 - capacity.trailingZeroBitCount)
        count = 0
        for slot in old where slot.key != 0 { insertNew(Slot(key: slot.key &* factor, size: slot.size)) }
    }

    /// Puts a level whose price the table does not hold into the first free slot of its probe
    /// sequence; the table has room.
    private mutating func insertNew(_ level: Slot) {
        let mask = slots.count - 1
        var slot = home(of: level.key)
        while slots[slot].key != 0 { slot = (slot + 1) & mask }
        slots[slot] = level
        count += 1
    }

    mutating func replaceAll(with levels: [(price: Int64, size: ExactDecimal)]) {
        let wanted = levels.count * 4 / 3 + 1
        var capacity = Self.minimumCapacity
        while capacity < wanted { capacity *= 2 }
        slots = []
        count = 0
        rebuild(capacity: capacity)
        // In order, so that of a price listed twice the last size stays; a zero size is skipped (it
        // removes nothing that came before it in the snapshot).
        for level in levels where !level.size.isZero { _ = set(priceMantissa: level.price, size: level.size) }
    }

    func canRescalePrices(by factor: Int64) -> Bool {
        slots.allSatisfy { !$0.key.multipliedReportingOverflow(by: factor).overflow }
    }

    mutating func rescalePrices(by factor: Int64) {
        guard !slots.isEmpty else { return }
        rebuild(capacity: slots.count, multiplyingPricesBy: factor)
    }

    /// Every level as (price mantissa, size), sorted by price: highest first when `descending`.
    ///
    /// A radix sort on the price's distance from the lowest, 11 bits a pass: a book's prices span a
    /// few million ticks, so two or three passes, each linear, instead of a comparison sort's
    /// log n (the snapshot service sorts every side it serves).
    func sortedLevels(descending: Bool) -> [(price: Int64, size: ExactDecimal)] {
        var levels: [(price: Int64, size: ExactDecimal)] = []
        levels.reserveCapacity(count)
        for slot in slots where slot.key != 0 { levels.append((slot.key, slot.size)) }
        guard let lowest = levels.lazy.map(\.price).min(), let highest = levels.lazy.map(\.price).max() else {
            return levels
        }
        let span = UInt64(highest - lowest)  // prices are above zero: no overflow
        var sorted = levels
        var shift: UInt64 = 0
        while shift < 64, span >> shift != 0 {
            var starts = [Int](repeating: 0, count: Self.radix + 1)
            for level in levels { starts[Self.digit(level.price, lowest, shift) + 1] += 1 }
            for digit in 0..<Self.radix { starts[digit + 1] += starts[digit] }
            for level in levels {
                let digit = Self.digit(level.price, lowest, shift)
                sorted[starts[digit]] = level
                starts[digit] += 1
            }
            swap(&levels, &sorted)
            shift += Self.radixBits
        }
        if descending { levels.reverse() }
        return levels
    }

    private static let radixBits: UInt64 = 11
    private static let radix = 1 << radixBits

    /// The digit of `price`'s distance from `lowest` that a radix pass at `shift` sorts on.
    @inline(__always)
    private static func digit(_ price: Int64, _ lowest: Int64, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (UInt64(price - lowest) >> shift) & UInt64(radix - 1))
    }

    /// The first broken invariant (the count, every price and size above zero, no price twice, every
    /// entry reachable from its home, the load under three quarters), or `nil`.
    func invariantViolation() -> String? {
        var seen = Set<Int64>()
        for index in slots.indices where slots[index].key != 0 {
            let (key, size) = (slots[index].key, slots[index].size)
            guard key > 0 else { return "price mantissa \(key) at slot \(index)" }
            guard !size.isZero, !size.isNegative else { return "size \(size) at \(key)" }
            guard seen.insert(key).inserted else { return "price \(key) twice" }
            var slot = home(of: key)
            while slot != index {
                guard slots[slot].key != 0 else {
                    return "price \(key) unreachable from its home slot \(home(of: key))"
                }
                slot = (slot + 1) & (slots.count - 1)
            }
        }
        guard seen.count == count else { return "count \(count) but \(seen.count) levels" }
        guard count * 4 <= slots.count * 3 else { return "\(count) levels in \(slots.count) slots" }
        return nil
    }
}
