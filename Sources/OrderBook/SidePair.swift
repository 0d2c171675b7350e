/// One side's levels, by price mantissa at the book's scale: what a book keeps per side.
/// ``TickLadder`` keeps them by price tick near the touch and in sorted pages beyond; ``LevelTable``
/// hashed.
protocol LevelStore: Sendable {
    /// Levels held.
    var count: Int { get }
    /// Sets the level at `priceMantissa` to `size`; a zero size removes it. `false` when asked to
    /// remove a level that is not there.
    mutating func set(priceMantissa: Int64, size: ExactDecimal) -> Bool
    /// Replaces every level with `levels`, in any order; zero sizes are skipped, and a price given
    /// twice keeps its last size.
    mutating func replaceAll(with levels: [(price: Int64, size: ExactDecimal)])
    /// True when every stored price still fits in 64 bits after multiplying by `factor`.
    func canRescalePrices(by factor: Int64) -> Bool
    /// Multiplies every stored price by `factor`, once ``canRescalePrices(by:)`` said yes.
    mutating func rescalePrices(by factor: Int64)
}

/// A book's two sides and their shared price scale, changed by the rules of ``PriceScale``: the one
/// place where snapshots and updates meet the levels, for every kind of book.
struct SidePair<Store: LevelStore>: Sendable {
    var bids: Store
    var asks: Store
    /// Fractional digits of the stored price mantissas.
    private(set) var priceScale: UInt8 = 0

    init(bids: Store, asks: Store) {
        self.bids = bids
        self.asks = asks
    }

    /// Replaces both sides with a snapshot's levels, at the scale they need.
    mutating func replace(bids newBids: [PriceLevel], asks newAsks: [PriceLevel]) throws(BookError) {
        let scale = try PriceScale.ofSnapshot(bids: newBids, asks: newAsks)
        let bidMantissas = try PriceScale.mantissas(of: newBids, atScale: scale)
        let askMantissas = try PriceScale.mantissas(of: newAsks, atScale: scale)
        priceScale = scale
        bids.replaceAll(with: bidMantissas)
        asks.replaceAll(with: askMantissas)
    }

    /// Applies every change, in order; when one is invalid, none.
    @inline(__always)
    mutating func apply(_ changes: [LevelChange]) throws(BookError) -> UpdateOutcome {
        // One pass checks everything, so that a refused update changes nothing; a second applies.
        let neededScale = try PriceScale.required(by: changes, current: priceScale)
        if neededScale > priceScale { try rescale(to: neededScale, for: changes) }
        var outcome = UpdateOutcome()
        for change in changes {
            let mantissa = change.price.mantissa(atScale: priceScale)!  // checked above
            let applied: Bool
            switch change.side {
            case .bid: applied = bids.set(priceMantissa: mantissa, size: change.size)
            case .ask: applied = asks.set(priceMantissa: mantissa, size: change.size)
            }
            if !applied { outcome.absentDeletes += 1 }
        }
        return outcome
    }

    /// Raises the price scale to `scale`, which some of `changes` are written with, once every
    /// stored price and every price of `changes` is known to fit it.
    private mutating func rescale(to scale: UInt8, for changes: [LevelChange]) throws(BookError) {
        let factor = powerOfTen(scale - priceScale)
        try PriceScale.checkRescale(
            to: scale, storedPricesFit: bids.canRescalePrices(by: factor) && asks.canRescalePrices(by: factor),
            for: changes)
        bids.rescalePrices(by: factor)
        asks.rescalePrices(by: factor)
        priceScale = scale
    }
}
