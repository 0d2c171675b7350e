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
    // Advanced Trade feed
    var channel: String?
    var timestamp: String?
    var sequenceNum: Int64?
    var events: [WireEvent]?

    enum CodingKeys: String, CodingKey {
        case type, bids, asks, changes, time, message, reason, channel, timestamp, events
        case productId = "product_id"
        case sequenceNum = "sequence_num"
    }
}

/// One entry of an Advanced Trade message's `events`.
struct WireEvent: Decodable {
    var type: String?
    var productId: String?
    var updates: [WireUpdate]?

    enum CodingKeys: String, CodingKey {
        case type, updates
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

        enum CodingKeys: String, CodingKey {
            case tickers
            case productId = "product_id"
        }
    }
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
