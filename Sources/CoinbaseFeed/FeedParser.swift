import Foundation
import OrderBook

/// Turns raw Coinbase WebSocket messages (Exchange or Advanced Trade) into ``FeedMessage``s.
///
/// Prices and sizes are parsed from their strings into ``ExactDecimal`` without loss. A message is
/// either accepted whole or rejected with a ``FeedParseError``; nothing is half-parsed.
public struct FeedParser: Sendable {
    /// Whether book messages keep the exchange's timestamp (`exchangeTime`). A reader that never
    /// shows it — the ingest, which keeps books for its snapshot service — leaves it out: the
    /// timestamp string is the parse's one allocation besides the lists, and in the pipeline it
    /// cost the ingest ~0.1 CPU-seconds per million messages.
    public let keepsExchangeTimes: Bool

    public init(keepsExchangeTimes: Bool = true) {
        self.keepsExchangeTimes = keepsExchangeTimes
    }

    /// Parses one WebSocket text frame: book messages through ``FastFeedScanner`` when it is sure of
    /// them, everything else (and every error) through `JSONDecoder`.
    public func parse(_ frame: [UInt8]) throws(FeedParseError) -> FeedMessage {
        if let fast = frame.withUnsafeBufferPointer({
            FastFeedScanner.parse($0, keepsExchangeTimes: keepsExchangeTimes)
        }) {
            return fast
        }
        return try parseWithDecoder(frame)
    }

    /// The general path alone (`JSONDecoder`): the reference the fast scanner is tested against.
    public func parseWithDecoder(_ frame: [UInt8]) throws(FeedParseError) -> FeedMessage {
        var wire: WireMessage
        do {
            wire = try JSONDecoder().decode(WireMessage.self, from: Data(frame))
        } catch {
            throw .malformed(Self.describe(error))
        }
        if !keepsExchangeTimes {
            // Decoded (so a time that is not a string is still refused), then left out.
            wire.time = nil
            wire.timestamp = nil
        }
        if let channel = wire.channel {
            return try parseAdvancedTrade(wire, channel: channel)
        }
        guard let type = wire.type else { throw .unclassifiable }
        return try parseExchange(wire, type: type)
    }

    private func parseExchange(_ wire: WireMessage, type: String) throws(FeedParseError) -> FeedMessage {
        switch type {
        case "snapshot":
            let product = try requireProduct(wire.productId, kind: type)
            guard let bids = wire.bids else { throw .missingField(field: "bids", messageKind: type) }
            guard let asks = wire.asks else { throw .missingField(field: "asks", messageKind: type) }
            let content = BookMessage.Content.snapshot(
                bids: try levels(bids, field: "bids"), asks: try levels(asks, field: "asks"))
            return FeedMessage(
                kind: .book([
                    BookMessage(product: product, content: content, exchangeTime: wire.time)
                ]))
        case "l2update":
            let product = try requireProduct(wire.productId, kind: type)
            guard let changes = wire.changes else { throw .missingField(field: "changes", messageKind: type) }
            var parsed: [LevelChange] = []
            parsed.reserveCapacity(changes.count)
            for change in changes {
                guard change.count >= 3 else { throw .badLevel(field: "changes") }
                parsed.append(
                    LevelChange(
                        side: try side(change[0]),
                        price: try number(change[1], field: "price"),
                        size: try number(change[2], field: "size")))
            }
            let message = BookMessage(
                product: product, content: .update(parsed), exchangeTime: wire.time)
            return FeedMessage(kind: .book([message]))
        case "match", "last_match":
            return FeedMessage(kind: .trades([try exchangeTrade(wire, type: type)]))
        case "error":
            return FeedMessage(kind: .error(message: wire.message ?? "(no message)", reason: wire.reason))
        default:
            return FeedMessage(kind: .other(type))
        }
    }

    /// An Exchange `match` (or `last_match`). Its `side` is the maker's order side, so the taker
    /// took the other one.
    private func exchangeTrade(_ wire: WireMessage, type: String) throws(FeedParseError) -> Trade {
        let product = try requireProduct(wire.productId, kind: type)
        guard let id = wire.tradeId else { throw .missingField(field: "trade_id", messageKind: type) }
        guard let price = wire.price else { throw .missingField(field: "price", messageKind: type) }
        guard let size = wire.size else { throw .missingField(field: "size", messageKind: type) }
        guard let makerSide = wire.side else { throw .missingField(field: "side", messageKind: type) }
        return Trade(
            product: product, tradeID: id.text, price: try number(price, field: "price"),
            size: try number(size, field: "size"), takerSide: try side(makerSide) == .bid ? .sell : .buy,
            exchangeTime: wire.time, origin: type == "last_match" ? .history : .live, consecutiveIDs: true)
    }

    /// An Advanced Trade `market_trades` message: a `snapshot` event of recent trades (history)
    /// on subscribing, then `update` events as trades happen. Its `side` is taken as the taker's.
    private func advancedTradeTrades(_ wire: WireMessage) throws(FeedParseError) -> FeedMessage {
        let kind = "market_trades"
        guard let events = wire.events else { throw .missingField(field: "events", messageKind: kind) }
        var trades: [Trade] = []
        for event in events {
            let origin: Trade.Origin
            switch event.type {
            case "snapshot": origin = .history
            case "update": origin = .live
            case let other?: throw .unknownEventType(other, channel: kind)
            case nil: throw .missingField(field: "type", messageKind: "market_trades event")
            }
            guard let entries = event.trades else {
                throw .missingField(field: "trades", messageKind: "market_trades event")
            }
            for entry in entries {
                let product = try requireProduct(entry.productId, kind: "market_trades trade")
                guard let id = entry.tradeId else {
                    throw .missingField(field: "trade_id", messageKind: "market_trades trade")
                }
                guard let price = entry.price else {
                    throw .missingField(field: "price", messageKind: "market_trades trade")
                }
                guard let size = entry.size else {
                    throw .missingField(field: "size", messageKind: "market_trades trade")
                }
                guard let takerSide = entry.side else {
                    throw .missingField(field: "side", messageKind: "market_trades trade")
                }
                trades.append(
                    Trade(
                        product: product, tradeID: id.text, price: try number(price, field: "price"),
                        size: try number(size, field: "size"),
                        takerSide: try side(takerSide.lowercased()) == .bid ? .buy : .sell,
                        exchangeTime: keepsExchangeTimes ? entry.time : nil, origin: origin))
            }
        }
        return FeedMessage(kind: .trades(trades), connectionSequence: wire.sequenceNum)
    }

    private func parseAdvancedTrade(_ wire: WireMessage, channel: String) throws(FeedParseError) -> FeedMessage {
        if channel == "market_trades" { return try advancedTradeTrades(wire) }
        guard channel == "l2_data" else {
            if wire.type == "error" || channel == "error" {
                return FeedMessage(kind: .error(message: wire.message ?? "(no message)", reason: wire.reason))
            }
            return FeedMessage(kind: .other(channel), connectionSequence: wire.sequenceNum)
        }
        guard let events = wire.events else { throw .missingField(field: "events", messageKind: channel) }
        var messages: [BookMessage] = []
        messages.reserveCapacity(events.count)
        for event in events {
            let product = try requireProduct(event.productId, kind: "l2_data event")
            guard let kind = event.type else { throw .missingField(field: "type", messageKind: "l2_data event") }
            guard let updates = event.updates else {
                throw .missingField(field: "updates", messageKind: "l2_data event")
            }
            switch kind {
            case "snapshot":
                var bids: [PriceLevel] = []
                var asks: [PriceLevel] = []
                for update in updates {
                    let (side, level) = try advancedTradeLevel(update)
                    if side == .bid { bids.append(level) } else { asks.append(level) }
                }
                messages.append(
                    BookMessage(
                        product: product, content: .snapshot(bids: bids, asks: asks),
                        exchangeTime: wire.timestamp))
            case "update":
                var changes: [LevelChange] = []
                changes.reserveCapacity(updates.count)
                for update in updates {
                    let (side, level) = try advancedTradeLevel(update)
                    changes.append(LevelChange(side: side, price: level.price, size: level.size))
                }
                messages.append(
                    BookMessage(
                        product: product, content: .update(changes),
                        exchangeTime: wire.timestamp))
            default:
                throw .unknownEventType(kind, channel: channel)
            }
        }
        return FeedMessage(kind: .book(messages), connectionSequence: wire.sequenceNum)
    }

    private func advancedTradeLevel(_ update: WireUpdate) throws(FeedParseError) -> (Side, PriceLevel) {
        guard let sideText = update.side else { throw .missingField(field: "side", messageKind: "l2_data update") }
        guard let price = update.priceLevel else {
            throw .missingField(field: "priceLevel", messageKind: "l2_data update")
        }
        guard let size = update.newQuantity else {
            throw .missingField(field: "newQuantity", messageKind: "l2_data update")
        }
        return (
            try side(sideText),
            PriceLevel(price: try number(price, field: "priceLevel"), size: try number(size, field: "newQuantity"))
        )
    }

    private func levels(_ raw: [[String]], field: String) throws(FeedParseError) -> [PriceLevel] {
        var result: [PriceLevel] = []
        result.reserveCapacity(raw.count)
        for entry in raw {
            guard entry.count >= 2 else { throw .badLevel(field: field) }
            result.append(
                PriceLevel(price: try number(entry[0], field: "price"), size: try number(entry[1], field: "size")))
        }
        return result
    }

    private func side(_ text: String) throws(FeedParseError) -> Side {
        switch text {
        case "buy", "bid": .bid
        case "sell", "offer", "ask": .ask
        default: throw .unknownSide(text)
        }
    }

    private func number(_ text: String, field: String) throws(FeedParseError) -> ExactDecimal {
        let value: ExactDecimal
        do {
            value = try ExactDecimal(text)
        } catch {
            throw .badNumber(field: field, text: text, reason: error)
        }
        guard !value.isNegative else { throw .negativeNumber(field: field, text: text) }
        return value
    }

    private func requireProduct(_ product: String?, kind: String) throws(FeedParseError) -> String {
        guard let product else { throw .missingField(field: "productId", messageKind: kind) }
        guard ProductID.isValid(product) else { throw .invalidProduct(product) }
        return product
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context):
            return context.debugDescription
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return "\(path): \(context.debugDescription)"
        default:
            return String(describing: error)
        }
    }
}
