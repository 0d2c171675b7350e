/// Which of a fixed number of slots are occupied, in two levels of 64-bit words: a bit per slot, and
/// a summary bit per word that has any slot set. Finding the highest occupied slot at or below
/// another reads at most one word of each level per 4,096 slots skipped, however sparse the slots.
struct SlotBitmap: Sendable {
    private var words: [UInt64]
    private var summary: [UInt64]
    /// Slots the bitmap covers.
    let slotCount: Int

    /// A bitmap of `slotCount` slots, none occupied.
    init(slotCount: Int) {
        self.slotCount = slotCount
        let wordCount = (slotCount + 63) >> 6
        words = Array(repeating: 0, count: wordCount)
        summary = Array(repeating: 0, count: (wordCount + 63) >> 6)
    }

    @inline(__always)
    func contains(_ slot: Int) -> Bool {
        words[slot >> 6] & (1 << UInt64(slot & 63)) != 0
    }

    @inline(__always)
    mutating func insert(_ slot: Int) {
        let word = slot >> 6
        words[word] |= 1 << UInt64(slot & 63)
        summary[word >> 6] |= 1 << UInt64(word & 63)
    }

    @inline(__always)
    mutating func remove(_ slot: Int) {
        let word = slot >> 6
        words[word] &= ~(1 << UInt64(slot & 63))
        if words[word] == 0 { summary[word >> 6] &= ~(1 << UInt64(word & 63)) }
    }

    /// The highest occupied slot at or below `slot`, or `nil` when there is none.
    func highest(atOrBelow slot: Int) -> Int? {
        guard slot >= 0 else { return nil }
        var word = slot >> 6
        let within = words[word] & Self.mask(throughBit: slot & 63)
        if within != 0 { return word << 6 | (63 - within.leadingZeroBitCount) }
        // The highest non-empty word below `word`, found through the summary.
        word -= 1
        guard word >= 0 else { return nil }
        var group = word >> 6
        var groupBits = summary[group] & Self.mask(throughBit: word & 63)
        while groupBits == 0 {
            group -= 1
            guard group >= 0 else { return nil }
            groupBits = summary[group]
        }
        word = group << 6 | (63 - groupBits.leadingZeroBitCount)
        return word << 6 | (63 - words[word].leadingZeroBitCount)
    }

    /// Calls `body` with each occupied slot of `slots`, lowest first, reading a word per 64 slots.
    @inline(__always)
    func forEachOccupied(in slots: Range<Int>, _ body: (Int) -> Void) {
        guard !slots.isEmpty else { return }
        for word in (slots.lowerBound >> 6)...((slots.upperBound - 1) >> 6) {
            var bits = words[word]
            let first = word << 6
            if first < slots.lowerBound { bits &= ~Self.mask(throughBit: slots.lowerBound - first - 1) }
            if first + 64 > slots.upperBound { bits &= Self.mask(throughBit: slots.upperBound - first - 1) }
            while bits != 0 {
                body(first | bits.trailingZeroBitCount)
                bits &= bits - 1
            }
        }
    }

    /// Bits 0 through `bit`, set.
    @inline(__always)
    private static func mask(throughBit bit: Int) -> UInt64 {
        bit == 63 ? .max : (1 << UInt64(bit + 1)) - 1
    }

    /// The first inconsistency between the two levels, or `nil`.
    func invariantViolation() -> String? {
        for (index, word) in words.enumerated()
        where (word != 0) != (summary[index >> 6] & (1 << UInt64(index & 63)) != 0) {
            return "bitmap word \(index) and its summary bit disagree"
        }
        return nil
    }
}
