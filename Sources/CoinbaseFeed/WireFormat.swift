/// The fields of Coinbase's two WebSocket feeds that BookBus reads. Every field is optional so that
/// one decode classifies any message; fields of other message types are ignored.
struct WireMessage: Decodable {
    // Exchange feed
    var type: String?
    var productId: String?
    var bids: [[String]]?
    var asks: [[String]]?
    var changes: [[String]]?
    var time: String?
    var message: String?
    var reason: String?
    // Exchange `match` and `last_match`
    var tradeId: WireTradeID?
    var side: String?
    var price: String?
    var size: String?
    // Advanced Trade feed
    var channel: String?
    var timestamp: String?
    var sequenceNum: Int64?
    var events: [WireEvent]?

    enum CodingKeys: String, CodingKey {
        case type, bids, asks, changes, time, message, reason, channel, timestamp, events, side, price, size
        case productId = "product_id"
        case sequenceNum = "sequence_num"
        case tradeId = "trade_id"
    }
}

/// A trade id: a JSON number on the Exchange feed, a string on Advanced Trade; kept as its text.
struct WireTradeID: Decodable {
    var text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(UInt64.self) {
            text = String(number)
        } else {
            text = try container.decode(String.self)
        }
    }
}

/// One trade of an Advanced Trade `market_trades` event.
struct WireTrade: Decodable {
    var tradeId: WireTradeID?
    var productId: String?
    var price: String?
    var size: String?
    var side: String?
    var time: String?

    enum CodingKeys: String, CodingKey {
        case price, size, side, time
        case tradeId = "trade_id"
        case productId = "product_id"
    }
}

/// One entry of an Advanced Trade message's `events`.
struct WireEvent: Decodable {
    var type: String?
    var productId: String?
    var updates: [WireUpdate]?
    var trades: [WireTrade]?

    enum CodingKeys: String, CodingKey {
        case type, updates, trades
        case productId = "product_id"
    }
}

/// One level of an Advanced Trade `l2_data` event.
struct WireUpdate: Decodable {
    var side: String?
    var eventTime: String?
    var priceLevel: String?
    var newQuantity: String?

    enum CodingKeys: String, CodingKey {
        case side
        case eventTime = "event_time"
        case priceLevel = "price_level"
        case newQuantity = "new_quantity"
    }
}

/// Only what routing needs: the products a message is about.
struct WireRouting: Decodable {
    struct Event: Decodable {
        var productId: String?
        var tickers: [Ticker]?
        var trades: [Ticker]?

        enum CodingKeys: String, CodingKey {
            case tickers, trades
            case productId = "product_id"
        }
    }
    /// An entry of an event's `tickers` or `trades`: only its product.
    struct Ticker: Decodable {
        var productId: String?

        enum CodingKeys: String, CodingKey {
            case productId = "product_id"
        }
    }
    var type: String?
    var channel: String?
    var productId: String?
    var events: [Event]?

    enum CodingKeys: String, CodingKey {
        case type, channel, events
        case productId = "product_id"
    }
}
