public import OrderBook

/// One trade from Coinbase's trade channels: `match` on the Exchange feed (channel `matches`),
/// `market_trades` on Advanced Trade.
public struct Trade: Sendable, Equatable {
    /// Which side took liquidity.
    public enum TakerSide: String, Sendable {
        /// The taker bought (the trade lifted an offer).
        case buy
        /// The taker sold (the trade hit a bid).
        case sell
    }

    /// Whether the trade is news or history the exchange repeats on subscribing.
    public enum Origin: Sendable, Equatable {
        /// A trade as it happened.
        case live
        /// Sent once on subscribing: the Exchange's `last_match` or an Advanced Trade `snapshot` of
        /// recent trades. It tells where the trade ids stand, but it is not a new trade.
        case history
    }

    public var product: String
    /// The exchange's trade id, exactly as sent (a number on the Exchange feed, a string of digits on
    /// Advanced Trade).
    public var tradeID: String
    public var price: ExactDecimal
    public var size: ExactDecimal
    public var takerSide: TakerSide
    /// The exchange's timestamp as sent (ISO 8601).
    public var exchangeTime: String?
    public var origin: Origin
    /// The feed numbers this product's trades 1, 2, 3, … (the Exchange feed does): a skipped
    /// ``numericID`` is a missed trade.
    public var consecutiveIDs: Bool

    public init(
        product: String, tradeID: String, price: ExactDecimal, size: ExactDecimal, takerSide: TakerSide,
        exchangeTime: String?, origin: Origin = .live, consecutiveIDs: Bool = false
    ) {
        self.product = product
        self.tradeID = tradeID
        self.price = price
        self.size = size
        self.takerSide = takerSide
        self.exchangeTime = exchangeTime
        self.origin = origin
        self.consecutiveIDs = consecutiveIDs
    }

    /// The trade id as a number, when it is one (the Exchange numbers trades 1, 2, 3, … per
    /// product, so a skipped number is a missed trade).
    public var numericID: UInt64? { UInt64(tradeID) }
}
