/// Which Coinbase market-data WebSocket feed to use.
public enum CoinbaseFeedKind: String, Sendable, CaseIterable {
    /// Advanced Trade: `level2` + `heartbeats`, public, no key.
    case advancedTrade = "advanced-trade"
    /// Exchange (formerly Pro): `level2_batch` + `heartbeat`, public.
    case exchange

    /// The production endpoint.
    public var defaultURL: String {
        switch self {
        case .advancedTrade: "wss://advanced-trade-ws.coinbase.com"
        case .exchange: "wss://ws-feed.exchange.coinbase.com"
        }
    }

    /// The subscribe messages to send right after connecting, as JSON text.
    public func subscribeMessages(products: [String]) -> [String] {
        let list = products.map { "\"\($0)\"" }.joined(separator: ",")
        switch self {
        case .advancedTrade:
            return [
                #"{"type":"subscribe","product_ids":[\#(list)],"channel":"level2"}"#,
                #"{"type":"subscribe","product_ids":[\#(list)],"channel":"heartbeats"}"#,
            ]
        case .exchange:
            return [#"{"type":"subscribe","product_ids":[\#(list)],"channels":["level2_batch","heartbeat"]}"#]
        }
    }
}
