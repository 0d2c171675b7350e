/// The best bid and best ask of a book, either of which may be absent (an empty side).
public struct TopOfBook: Sendable, Equatable {
    public var bid: PriceLevel?
    public var ask: PriceLevel?

    public init(bid: PriceLevel?, ask: PriceLevel?) {
        self.bid = bid
        self.ask = ask
    }

    /// Fractional digits of ``spreadBasisPoints``.
    public static let basisPointDigits: UInt8 = 4

    /// `ask - bid`, exact; `nil` when a side is empty. Negative or zero when the book is crossed.
    public var spread: ExactDecimal? {
        guard let bid, let ask else { return nil }
        return ask.price.subtracting(bid.price)
    }

    /// `(bid + ask) / 2`, exact; `nil` when a side is empty.
    public var mid: ExactDecimal? {
        guard let bid, let ask else { return nil }
        return bid.price.adding(ask.price)?.halved()
    }

    /// `spread / mid × 10,000`, rounded half away from zero to ``basisPointDigits`` digits.
    public var spreadBasisPoints: ExactDecimal? {
        Self.basisPoints(spread: spread, mid: mid)
    }

    /// `spread / mid × 10,000` as ``spreadBasisPoints`` computes it, from a spread and mid already at hand.
    public static func basisPoints(spread: ExactDecimal?, mid: ExactDecimal?) -> ExactDecimal? {
        guard let spread, let mid, let scaled = spread.multiplied(by: ExactDecimal(integer: 10_000))
        else { return nil }
        return scaled.divided(by: mid, fractionDigits: basisPointDigits)
    }

    /// True when both sides exist and the best bid is at or above the best ask.
    public var isCrossed: Bool {
        guard let bid, let ask else { return false }
        return bid.price >= ask.price
    }
}
