/// A price level as it appears in a message or in the book: price and absolute size.
public struct PriceLevel: Sendable, Hashable, CustomStringConvertible {
    public var price: ExactDecimal
    public var size: ExactDecimal

    public init(price: ExactDecimal, size: ExactDecimal) {
        self.price = price
        self.size = size
    }

    public var description: String { "\(price) × \(size)" }
}

/// One change of an update: the new absolute size of a level (zero removes it).
public struct LevelChange: Sendable, Hashable {
    public var side: Side
    public var price: ExactDecimal
    public var size: ExactDecimal

    public init(side: Side, price: ExactDecimal, size: ExactDecimal) {
        self.side = side
        self.price = price
        self.size = size
    }
}

/// Why a snapshot or an update was refused. A refused message leaves the book exactly as it was.
public enum BookError: Error, Equatable, CustomStringConvertible {
    /// A price or size below zero.
    case negative(ExactDecimal)
    /// A price of zero.
    case zeroPrice
    /// A price that cannot share the book's integer price scale without overflowing.
    case priceOutOfRange(ExactDecimal)

    /// The case's name, snake case and prefixed `book_`: a bounded label for counting rejections.
    public var reason: String {
        switch self {
        case .negative: "book_negative"
        case .zeroPrice: "book_zero_price"
        case .priceOutOfRange: "book_price_out_of_range"
        }
    }

    /// Every ``reason``.
    public static let reasons = ["book_negative", "book_zero_price", "book_price_out_of_range"]

    public var description: String {
        switch self {
        case .negative(let value): "negative price or size \(value)"
        case .zeroPrice: "price of zero"
        case .priceOutOfRange(let price):
            "price \(price) does not fit the book's 64-bit price scale together with its other levels"
        }
    }
}

/// What applying an update did besides changing levels.
public struct UpdateOutcome: Sendable, Equatable {
    /// Deletes (size zero) of levels that were not in the book; ignored.
    public var absentDeletes = 0

    public init(absentDeletes: Int = 0) {
        self.absentDeletes = absentDeletes
    }
}

/// A level-2 order book for one product.
///
/// A snapshot replaces the whole book; an update applies every change it carries. Prices are held as
/// integers at one scale per book (the most fractional digits seen), sizes exactly as sent.
/// Best bid and best ask are O(1). A change near the touch (inside each side's ``TickLadder``
/// window) is an index into an array; one further out costs O(log n) searching and at most a page
/// of moves.
public struct OrderBook: LevelBook {
    /// The product this book belongs to, e.g. `BTC-USD`.
    public let product: String
    private var sides: SidePair<TickLadder>
    /// One side, borrowed in place: choosing a side with `?:` copied the whole ladder (a retain
    /// of every buffer) on each read.
    private subscript(side: Side) -> TickLadder {
        _read {
            if side == .bid { yield sides.bids } else { yield sides.asks }
        }
    }
    /// Fractional digits of the stored price mantissas.
    public var priceScale: UInt8 { sides.priceScale }

    /// - Parameter tracksSizeTotals: keep a running total size per block of price ticks and per page
    ///   of levels, so ``totalSize(_:while:)`` adds up blocks and pages rather than levels (for
    ///   analytics over wide price bands); each change then also updates its block's or page's total.
    public init(product: String, tracksSizeTotals: Bool = false) {
        self.product = product
        sides = SidePair(
            bids: TickLadder(side: .bid, tracksSizeTotals: tracksSizeTotals),
            asks: TickLadder(side: .ask, tracksSizeTotals: tracksSizeTotals))
    }

    /// Whether the book keeps running totals per block and page (see ``init(product:tracksSizeTotals:)``).
    public var tracksSizeTotals: Bool { self[.bid].tracksSizeTotals }

    /// The best bid, or `nil` when there are no bids.
    public var bestBid: PriceLevel? { self[.bid].best.map { level(price: $0.price, size: $0.size) } }

    /// The best ask, or `nil` when there are no asks.
    public var bestAsk: PriceLevel? { self[.ask].best.map { level(price: $0.price, size: $0.size) } }

    /// Best bid and ask together.
    public var topOfBook: TopOfBook { TopOfBook(bid: bestBid, ask: bestAsk) }

    /// True when both sides exist and the best bid is at or above the best ask.
    public var isCrossed: Bool {
        guard let bid = self[.bid].best, let ask = self[.ask].best else { return false }
        return bid.price >= ask.price
    }

    /// How many levels one side holds.
    public func levelCount(_ side: Side) -> Int {
        self[side].count
    }

    /// Calls `body` with the levels of one side, best first, while it returns true: a walk that
    /// stops where the caller has seen enough, without copying the levels.
    public func walkLevels(_ side: Side, _ body: (PriceLevel) -> Bool) {
        let scale = priceScale
        self[side].walkBestFirst { price, size in body(Self.level(price: price, size: size, scale: scale)) }
    }

    /// The total size of the levels of `side` from the best out while `isWithin` holds for their
    /// price: a price bound, true for the best levels and, once false, false for all further out.
    /// `isWithin` is asked O(log n) times; the sum costs one term per level within, or per block
    /// of 256 ticks or page of up to 128 levels when the book tracks size totals.
    public func totalSize(_ side: Side, while isWithin: (ExactDecimal) -> Bool) -> ExactSum {
        let scale = priceScale
        return self[side].totalSize { isWithin(ExactDecimal(uncheckedMantissa: $0, scale: scale)) }
    }

    /// Replaces the whole book: no level from before survives.
    /// Levels with size zero are skipped; a price listed twice keeps its last size.
    public mutating func replace(bids newBids: [PriceLevel], asks newAsks: [PriceLevel]) throws(BookError) {
        try sides.replace(bids: newBids, asks: newAsks)
    }

    /// Applies every change of one update, in order. Either all changes apply or, when one is
    /// invalid, none does.
    public mutating func apply(_ changes: [LevelChange]) throws(BookError) -> UpdateOutcome {
        try sides.apply(changes)
    }

    /// The first broken structural invariant, or `nil` when the book is sound: each side sorted
    /// best-last without duplicates, every size and price above zero. (A crossed book is sound:
    /// it is data, reported separately by ``isCrossed``.) For tests and fuzzing.
    public func invariantViolation() -> String? {
        self[.bid].invariantViolation() ?? self[.ask].invariantViolation()
    }

    /// Times the side's ladder window was placed (each snapshot and rescale, and each time it
    /// followed the touch); for tests.
    func windowPlacements(_ side: Side) -> Int { self[side].placements }

    /// The side's best level is in its ladder window; for tests.
    func bestIsInWindow(_ side: Side) -> Bool { self[side].bestIsInWindow }

    private func level(price: Int64, size: ExactDecimal) -> PriceLevel {
        Self.level(price: price, size: size, scale: priceScale)
    }

    private static func level(price: Int64, size: ExactDecimal, scale: UInt8) -> PriceLevel {
        PriceLevel(price: ExactDecimal(uncheckedMantissa: price, scale: scale), size: size)
    }
}
