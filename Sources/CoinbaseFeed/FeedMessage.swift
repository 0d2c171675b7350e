public import OrderBook

/// A level-2 book message for one product: a full snapshot or a set of changes.
public struct BookMessage: Sendable, Equatable {
    /// What the message does to the book.
    public enum Content: Sendable, Equatable {
        /// The whole book, replacing whatever was there.
        case snapshot(bids: [PriceLevel], asks: [PriceLevel])
        /// New absolute sizes for some levels, applied in order; size zero removes a level.
        case update([LevelChange])
    }

    /// The product, e.g. `BTC-USD`.
    public var product: String
    public var content: Content
    /// The exchange's timestamp as sent (ISO 8601), when the message has one.
    public var exchangeTime: String?

    public init(product: String, content: Content, exchangeTime: String?) {
        self.product = product
        self.content = content
        self.exchangeTime = exchangeTime
    }
}

/// One Coinbase WebSocket message, classified.
public struct FeedMessage: Sendable, Equatable {
    /// What kind of message it is.
    public enum Kind: Sendable, Equatable {
        /// Book data: one entry per product event (Exchange messages carry exactly one).
        case book([BookMessage])
        /// Trades: one on the Exchange feed, any number (of one or more products) on Advanced Trade.
        case trades([Trade])
        /// An `error` message from Coinbase.
        case error(message: String, reason: String?)
        /// Anything else that is well formed: `subscriptions`, `heartbeat(s)`, `ticker`, …
        /// The associated value names it (the Exchange `type` or the Advanced Trade `channel`).
        case other(String)
    }

    public var kind: Kind
    /// Advanced Trade's per-connection `sequence_num`, when present.
    public var connectionSequence: Int64?

    public init(kind: Kind, connectionSequence: Int64? = nil) {
        self.kind = kind
        self.connectionSequence = connectionSequence
    }
}

extension BookMessage {
    /// True for a full snapshot.
    public var isSnapshot: Bool {
        if case .snapshot = content { return true }
        return false
    }
}
