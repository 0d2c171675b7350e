/// The checks every book makes before it changes: prices and sizes not negative, prices above zero,
/// and every price an integer at one price scale per book (the most fractional digits seen) that
/// fits in 64 bits. ``OrderBook`` and ``SnapshotBook`` both go through these, so they refuse the
/// same messages for the same reasons.
enum PriceScale {
    /// Refuses a negative price or size and a price of zero.
    static func validate(_ price: ExactDecimal, _ size: ExactDecimal) throws(BookError) {
        if price.isNegative { throw .negative(price) }
        if size.isNegative { throw .negative(size) }
        if price.isZero { throw .zeroPrice }
    }

    /// The price scale a snapshot of `bids` and `asks` needs, once each level is valid.
    static func ofSnapshot(bids: [PriceLevel], asks: [PriceLevel]) throws(BookError) -> UInt8 {
        var scale: UInt8 = 0
        for level in bids {
            try validate(level.price, level.size)
            scale = max(scale, level.price.scale)
        }
        for level in asks {
            try validate(level.price, level.size)
            scale = max(scale, level.price.scale)
        }
        return scale
    }

    /// The price scale an update needs: `current`, or more when one of `changes` has more fractional
    /// digits (the book must then rescale, see ``checkFits(_:at:)``). Throws when a change is
    /// invalid, or when no rescale is needed and a price does not fit at `current`.
    static func required(by changes: [LevelChange], current: UInt8) throws(BookError) -> UInt8 {
        var needed = current
        var firstOutOfRange: ExactDecimal?
        for change in changes {
            try validate(change.price, change.size)
            needed = max(needed, change.price.scale)
            if firstOutOfRange == nil, change.price.mantissa(atScale: current) == nil {
                firstOutOfRange = change.price
            }
        }
        if needed == current, let firstOutOfRange { throw .priceOutOfRange(firstOutOfRange) }
        return needed
    }

    /// Refuses the rescale of a book to `scale` for `changes`: `storedPricesFit` says whether the
    /// book's own prices fit at it; every price of `changes` must fit too.
    static func checkRescale(to scale: UInt8, storedPricesFit: Bool, for changes: [LevelChange]) throws(BookError) {
        guard storedPricesFit else { throw .priceOutOfRange(changes.first { $0.price.scale == scale }!.price) }
        for change in changes where change.price.mantissa(atScale: scale) == nil {
            throw .priceOutOfRange(change.price)
        }
    }

    /// The price mantissas of `levels` at `scale`, with their sizes.
    static func mantissas(of levels: [PriceLevel], atScale scale: UInt8) throws(BookError)
        -> [(price: Int64, size: ExactDecimal)]
    {
        var result: [(price: Int64, size: ExactDecimal)] = []
        result.reserveCapacity(levels.count)
        for level in levels {
            guard let mantissa = level.price.mantissa(atScale: scale) else { throw .priceOutOfRange(level.price) }
            result.append((mantissa, level.size))
        }
        return result
    }
}
