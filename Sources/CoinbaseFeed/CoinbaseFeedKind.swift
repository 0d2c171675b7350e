/// Which Coinbase market-data WebSocket feed to use.
public enum CoinbaseFeedKind: String, Sendable, CaseIterable {
    /// Advanced Trade: `level2` + `heartbeats`; public, a JWT when a CDP key is configured.
    case advancedTrade = "advanced-trade"
    /// Exchange (formerly Pro): `level2_batch` (public) or `level2` (API key) + `heartbeat`.
    case exchange

    /// The production endpoint.
    public var defaultURL: String {
        switch self {
        case .advancedTrade: "wss://advanced-trade-ws.coinbase.com"
        case .exchange: "wss://ws-feed.exchange.coinbase.com"
        }
    }
}
