import Foundation

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
}

/// One entry of an Advanced Trade message's `events`.
struct WireEvent: Decodable {
    var type: String?
    var productId: String?
    var updates: [WireUpdate]?
}

/// One level of an Advanced Trade `l2_data` event.
struct WireUpdate: Decodable {
    var side: String?
    var eventTime: String?
    var priceLevel: String?
    var newQuantity: String?
}

/// Only what routing needs: the products a message is about.
struct WireRouting: Decodable {
    struct Event: Decodable {
        var productId: String?
        var tickers: [Ticker]?
    }
    struct Ticker: Decodable {
        var productId: String?
    }
    var type: String?
    var channel: String?
    var productId: String?
    var events: [Event]?
}

/// A decoder for Coinbase's snake_case JSON into the camelCase wire structs above.
func makeWireDecoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return decoder
}
