/// A level-2 book for serving snapshots: each change costs one hash-table probe wherever it lands,
/// and the levels are sorted only when the book is read.
///
/// It refuses exactly what ``OrderBook`` refuses (both check through the same rules) and reads
/// back the same levels; what it gives up is the touch: there is no best bid or ask without sorting.
/// That suits the ingest, which applies every message but reads a book only when a subscriber asks
/// for a snapshot.
public struct SnapshotBook: LevelBook {
    public let product: String
    private var sides = SidePair(bids: LevelTable(), asks: LevelTable())
    /// Fractional digits of the stored price mantissas.
    public var priceScale: UInt8 { sides.priceScale }

    public init(product: String) {
        self.product = product
    }

    public func levelCount(_ side: Side) -> Int {
        side == .bid ? sides.bids.count : sides.asks.count
    }

    public mutating func replace(bids: [PriceLevel], asks: [PriceLevel]) throws(BookError) {
        try sides.replace(bids: bids, asks: asks)
    }

    public mutating func apply(_ changes: [LevelChange]) throws(BookError) -> UpdateOutcome {
        try sides.apply(changes)
    }

    /// Sorts the side's levels, then walks them best first.
    public func walkLevels(_ side: Side, _ body: (PriceLevel) -> Bool) {
        let table = side == .bid ? sides.bids : sides.asks
        for level in table.sortedLevels(descending: side == .bid) {
            guard
                body(
                    PriceLevel(price: ExactDecimal(uncheckedMantissa: level.price, scale: priceScale), size: level.size)
                )
            else { return }
        }
    }

    /// The first broken invariant of either side's table, or `nil`. For tests.
    public func invariantViolation() -> String? {
        sides.bids.invariantViolation().map { "bids: \($0)" } ?? sides.asks.invariantViolation().map { "asks: \($0)" }
    }
}
