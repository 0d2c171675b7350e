import Foundation

/// The subscribe messages a live connection sends right after connecting, signed afresh on every
/// connection (Coinbase checks the timestamp).
public struct SubscribeRequest: Sendable {
    public var feed: CoinbaseFeedKind
    public var exchangeChannel: ExchangeChannel
    public var products: [String]
    /// Also subscribe to the products' trades (`matches` on the Exchange feed, `market_trades` on
    /// Advanced Trade).
    public var trades: Bool
    public var credentials: CoinbaseCredentials?

    public init(
        feed: CoinbaseFeedKind, exchangeChannel: ExchangeChannel = .level2Batch, products: [String],
        trades: Bool = true, credentials: CoinbaseCredentials? = nil
    ) {
        self.feed = feed
        self.exchangeChannel = exchangeChannel
        self.products = products
        self.trades = trades
        self.credentials = credentials
    }

    /// Checks up front what `messages(now:)` would need, so a missing key fails at start, not at
    /// every reconnect.
    public func validate() throws {
        if feed == .exchange && exchangeChannel == .level2 && credentials?.exchange == nil {
            throw CredentialsError(
                description:
                    "the Exchange level2 channel needs an API key: set BOOKBUS_COINBASE_API_KEY, BOOKBUS_COINBASE_API_SECRET and BOOKBUS_COINBASE_API_PASSPHRASE, or use level2_batch"
            )
        }
    }

    /// The JSON text of each subscribe message, signed at `now` (seconds since the Unix epoch).
    public func messages(now: Int64 = Int64(Date().timeIntervalSince1970)) throws -> [String] {
        switch feed {
        case .advancedTrade:
            let channels = trades ? ["level2", "market_trades", "heartbeats"] : ["level2", "heartbeats"]
            return try channels.map { channel in
                try signed(Message(type: "subscribe", productIDs: products, channel: channel), now: now).json()
            }
        case .exchange:
            let channels = [exchangeChannel.rawValue] + (trades ? ["matches"] : []) + ["heartbeat"]
            let message = Message(type: "subscribe", productIDs: products, channels: channels)
            return [try signed(message, now: now).json()]
        }
    }

    /// The messages that renew one product's book subscription on a live connection: unsubscribe,
    /// then subscribe again (Coinbase answers the subscribe with a fresh snapshot). Heartbeats stay.
    public func renewal(of product: String, now: Int64 = Int64(Date().timeIntervalSince1970)) throws -> [String] {
        try ["unsubscribe", "subscribe"].map { type in
            let message =
                switch feed {
                case .advancedTrade: Message(type: type, productIDs: [product], channel: "level2")
                case .exchange: Message(type: type, productIDs: [product], channels: [exchangeChannel.rawValue])
                }
            return try signed(message, now: now).json()
        }
    }

    /// `message` with the credentials its feed wants, signed at `now`: a JWT of its own (nonce) on
    /// every Advanced Trade message when a key is configured, the key, passphrase and signature on
    /// Exchange `level2`.
    private func signed(_ message: Message, now: Int64) throws -> Message {
        var message = message
        switch feed {
        case .advancedTrade:
            message.jwt = try credentials?.advancedTrade?.jwt(now: now)
        case .exchange:
            if exchangeChannel == .level2, let key = credentials?.exchange {
                message.key = key.key
                message.passphrase = key.passphrase
                message.timestamp = String(now)
                message.signature = key.signature(timestamp: now)
            }
        }
        return message
    }

    /// One subscribe message; `nil` fields are left out.
    private struct Message: Encodable {
        var type: String
        var productIDs: [String]
        var channel: String?
        var channels: [String]?
        var jwt: String?
        var key: String?
        var passphrase: String?
        var timestamp: String?
        var signature: String?

        enum CodingKeys: String, CodingKey {
            case type, channel, channels, jwt, key, passphrase, timestamp, signature
            case productIDs = "product_ids"
        }

        init(type: String, productIDs: [String], channel: String? = nil, channels: [String]? = nil) {
            self.type = type
            self.productIDs = productIDs
            self.channel = channel
            self.channels = channels
        }

        func json() throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        }
    }
}
