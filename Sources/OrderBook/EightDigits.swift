/// Eight ASCII digits read as one 64-bit word (SIMD within a register): whether all eight are
/// digits, and their value, in a handful of arithmetic steps instead of eight loop turns.
enum EightDigits {
    /// The value of the eight digits in `word` (the first character in its lowest byte), or `nil`
    /// when any byte is not `0`–`9`.
    @inline(__always)
    static func value(of word: UInt64) -> UInt32? {
        // A byte is a digit when its high nibble is 3 and adding 6 keeps it there.
        let highNibbles: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        let isDigits = (word & highNibbles) | (((word &+ 0x0606_0606_0606_0606) & highNibbles) >> 4)
        guard isDigits == 0x3333_3333_3333_3333 else { return nil }
        // Pairs, then quadruples, then the eight: each step multiplies neighbouring lanes together.
        var lanes = word &- 0x3030_3030_3030_3030
        lanes = (lanes &* 10) &+ (lanes >> 8)
        let low = (lanes & 0x0000_00FF_0000_00FF) &* (100 &+ (1_000_000 << 32))
        let high = ((lanes >> 16) & 0x0000_00FF_0000_00FF) &* (1 &+ (10_000 << 32))
        return UInt32(truncatingIfNeeded: (low &+ high) >> 32)
    }
}
