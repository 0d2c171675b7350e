import Foundation
import OrderBook

/// A zero-copy reader for the hot message shapes — Exchange `snapshot` and `l2update`, Advanced
/// Trade `l2_data` — that parses prices and sizes straight from the frame's bytes.
///
/// It checks the whole frame's JSON syntax, and it answers only when it is sure: anything it does
/// not fully understand (another message type, an escape or non-ASCII byte in a string it needs, a
/// known field of an unexpected type, a duplicate key, a bad number or side) makes it return `nil`,
/// and ``FeedParser`` then takes the general `JSONDecoder` path, which has the final word and the
/// precise error. A differential fuzz test holds the two to identical results.
enum FastFeedScanner {
    /// - Parameter keepsExchangeTimes: `false` checks the timestamps' syntax but keeps none (see
    ///   ``FeedParser/keepsExchangeTimes``).
    static func parse(_ frame: UnsafeBufferPointer<UInt8>, keepsExchangeTimes: Bool = true) -> FeedMessage? {
        var scanner = JSONScanner(bytes: frame, keepsExchangeTimes: keepsExchangeTimes)
        guard let message = scanner.topLevel(), scanner.atEnd() else { return nil }
        return message
    }
}

private let quote = UInt8(ascii: "\"")
private let backslash = UInt8(ascii: "\\")

/// The Exchange message types this scanner reads; `other` goes to the general parser.
private enum ExchangeType {
    case snapshot, l2update, other
}

/// The fields of a top-level message this scanner reads; every other key is syntax-checked and skipped.
private enum TopKey: UInt8, Equatable {
    case type, productID, bids, asks, changes, time, message, reason, channel, timestamp, sequenceNum, events, other
}

/// A cursor over one frame's JSON bytes: the feed's fields, and the syntax every reader of BookBus's
/// JSON lines needs (literals, whitespace, numbers).
struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    let keepsExchangeTimes: Bool

    init(bytes: UnsafeBufferPointer<UInt8>, keepsExchangeTimes: Bool) {
        self.bytes = bytes
        self.keepsExchangeTimes = keepsExchangeTimes
    }

    // MARK: Messages

    mutating func topLevel() -> FeedMessage? {
        var type: ExchangeType?
        var product: String?
        var bids: [PriceLevel]?
        var asks: [PriceLevel]?
        var changes: [LevelChange]?
        var time: String?
        var channel: String?
        var timestamp: String?
        var sequence: Int64?
        var events: [BookMessage]?
        var seen: UInt16 = 0  // one bit per TopKey (a set without an allocation per message)
        let parsed = object { key, scanner in
            let which = Self.topKey(key)
            if which != .other {
                let bit: UInt16 = 1 << which.rawValue
                if seen & bit != 0 { return false }  // duplicate key: let JSONDecoder decide
                seen |= bit
            }
            switch which {
            case .type: type = scanner.exchangeType()
            case .productID: product = scanner.productID()
            case .bids: bids = scanner.levels()
            case .asks: asks = scanner.levels()
            case .changes: changes = scanner.changes()
            case .time:
                guard scanner.keepsExchangeTimes else { return scanner.plainStringRange() != nil }
                time = scanner.plainString()
            case .channel: channel = scanner.plainString()
            case .timestamp:
                guard scanner.keepsExchangeTimes else { return scanner.plainStringRange() != nil }
                timestamp = scanner.plainString()
            case .sequenceNum: sequence = scanner.integer()
            case .events: events = scanner.events()
            case .message, .reason: return scanner.plainString() != nil
            case .other: return scanner.skipValue()
            }
            switch which {
            case .type: return type != nil
            case .productID: return product != nil
            case .bids: return bids != nil
            case .asks: return asks != nil
            case .changes: return changes != nil
            case .time: return time != nil
            case .channel: return channel != nil
            case .timestamp: return timestamp != nil
            case .sequenceNum: return sequence != nil
            case .events: return events != nil
            case .message, .reason, .other: return true
            }
        }
        guard parsed else { return nil }
        if let channel {
            guard channel == "l2_data", var events else { return nil }
            // The general parser takes the message timestamp for every event.
            if let timestamp {
                for event in events.indices { events[event].exchangeTime = timestamp }
            }
            return FeedMessage(kind: .book(events), connectionSequence: sequence)
        }
        // Exchange: reading Advanced Trade-only fields would be unusual; leave it to the general path.
        // The product was checked by productID() as it was read.
        guard events == nil, let type, let product else { return nil }
        switch type {
        case .snapshot:
            guard let bids, let asks, changes == nil else { return nil }
            return FeedMessage(
                kind: .book([
                    BookMessage(product: product, content: .snapshot(bids: bids, asks: asks), exchangeTime: time)
                ]))
        case .l2update:
            guard let changes else { return nil }
            return FeedMessage(
                kind: .book([BookMessage(product: product, content: .update(changes), exchangeTime: time)]))
        case .other:
            return nil
        }
    }

    /// Advanced Trade `events`: objects with `type`, `product_id`, `updates`.
    mutating func events() -> [BookMessage]? {
        var messages: [BookMessage] = []
        let parsed = array { scanner in
            var isSnapshot: Bool?
            var product: String?
            var changes: [LevelChange]?
            var seen = 0
            let ok = scanner.object { key, scanner in
                let bit: Int
                switch key.count {
                case 4 where Self.equals(key, "type"):
                    bit = 1
                    isSnapshot = scanner.eventType()
                case 10 where Self.equals(key, "product_id"):
                    bit = 2
                    product = scanner.productID()
                case 7 where Self.equals(key, "updates"):
                    bit = 4
                    changes = scanner.advancedTradeUpdates()
                default: return scanner.skipValue()
                }
                guard seen & bit == 0 else { return false }  // duplicate key: let JSONDecoder decide
                seen |= bit
                switch bit {
                case 1: return isSnapshot != nil
                case 2: return product != nil
                default: return changes != nil
                }
            }
            guard ok, let isSnapshot, let product, let changes else { return false }
            if isSnapshot {
                var bids: [PriceLevel] = []
                var asks: [PriceLevel] = []
                for change in changes {
                    let level = PriceLevel(price: change.price, size: change.size)
                    if change.side == .bid { bids.append(level) } else { asks.append(level) }
                }
                messages.append(
                    BookMessage(product: product, content: .snapshot(bids: bids, asks: asks), exchangeTime: nil))
            } else {
                messages.append(BookMessage(product: product, content: .update(changes), exchangeTime: nil))
            }
            return true
        }
        return parsed ? messages : nil
    }

    /// An Advanced Trade event `type`: `true` for `snapshot`, `false` for `update`, `nil` otherwise.
    mutating func eventType() -> Bool? {
        guard let range = plainStringRange() else { return nil }
        let text = UnsafeBufferPointer(rebasing: bytes[range])
        if Self.equals(text, "update") { return false }
        if Self.equals(text, "snapshot") { return true }
        return nil
    }

    /// Advanced Trade `updates`: objects with `side`, `event_time`, `price_level`, `new_quantity`.
    mutating func advancedTradeUpdates() -> [LevelChange]? {
        var changes: [LevelChange] = []
        // An update object is ~130 bytes: room for what the rest of the frame can hold, within reason.
        changes.reserveCapacity(min(1 << 16, (bytes.count - index) / 128 + 1))
        let parsed = array { scanner in
            if let change = scanner.updateAsCoinbaseWritesIt() {
                changes.append(change)
                return true
            }
            var side: Side?
            var price: ExactDecimal?
            var size: ExactDecimal?
            var seen = 0
            let ok = scanner.object { key, scanner in
                // The four keys differ in length: one comparison of the length, then the bytes.
                let bit: Int
                let accepted: Bool
                switch key.count {
                case 4 where Self.equals(key, "side"):
                    bit = 1
                    side = scanner.side()
                    accepted = side != nil
                case 11 where Self.equals(key, "price_level"):
                    bit = 2
                    price = scanner.decimal()
                    accepted = price != nil
                case 12 where Self.equals(key, "new_quantity"):
                    bit = 4
                    size = scanner.decimal()
                    accepted = size != nil
                case 10 where Self.equals(key, "event_time"):
                    bit = 8
                    accepted = scanner.plainStringRange() != nil
                default: return scanner.skipValue()
                }
                guard accepted, seen & bit == 0 else { return false }  // a duplicate: JSONDecoder decides
                seen |= bit
                return true
            }
            guard ok, let side, let price, let size else { return false }
            changes.append(LevelChange(side: side, price: price, size: size))
            return true
        }
        return parsed ? changes : nil
    }

    /// An update object spelled exactly as Coinbase writes it — these four keys in this order, no
    /// space between them — read by matching its fixed text, with no key to look up; `nil`, with
    /// nothing consumed, for any other spelling, which the general object reader then takes.
    mutating func updateAsCoinbaseWritesIt() -> LevelChange? {
        let start = index
        guard literal(#"{"side":"#), let side = side(), literal(#","event_time":"#), plainStringRange() != nil,
            literal(#","price_level":"#), let price = decimal(), literal(#","new_quantity":"#), let size = decimal(),
            literal("}")
        else {
            index = start
            return nil
        }
        return LevelChange(side: side, price: price, size: size)
    }

    /// Exchange `bids`/`asks`: arrays of `[price, size, …]` strings.
    mutating func levels() -> [PriceLevel]? {
        var levels: [PriceLevel] = []
        // A level is `["price","size"]` and a comma, ~25 bytes: room for what the frame can hold.
        levels.reserveCapacity(min(1 << 17, (bytes.count - index) / 24 + 1))
        let parsed = array { scanner in
            var fields = 0
            var price: ExactDecimal?
            var size: ExactDecimal?
            let ok = scanner.array { scanner in
                defer { fields += 1 }
                switch fields {
                case 0: price = scanner.decimal()
                case 1: size = scanner.decimal()
                default: return scanner.plainString() != nil
                }
                return fields == 0 ? price != nil : size != nil
            }
            guard ok, let price, let size else { return false }
            levels.append(PriceLevel(price: price, size: size))
            return true
        }
        return parsed ? levels : nil
    }

    /// Exchange `changes`: arrays of `[side, price, size, …]` strings.
    mutating func changes() -> [LevelChange]? {
        var changes: [LevelChange] = []
        // A change is `["side","price","size"]` and a comma, ~32 bytes.
        changes.reserveCapacity(min(1 << 16, (bytes.count - index) / 32 + 1))
        let parsed = array { scanner in
            var fields = 0
            var side: Side?
            var price: ExactDecimal?
            var size: ExactDecimal?
            let ok = scanner.array { scanner in
                defer { fields += 1 }
                switch fields {
                case 0:
                    side = scanner.side()
                    return side != nil
                case 1:
                    price = scanner.decimal()
                    return price != nil
                case 2:
                    size = scanner.decimal()
                    return size != nil
                default: return scanner.plainString() != nil
                }
            }
            guard ok, let side, let price, let size else { return false }
            changes.append(LevelChange(side: side, price: price, size: size))
            return true
        }
        return parsed ? changes : nil
    }

    // MARK: Values

    /// A string without escapes, ASCII only (the slow path owns everything else).
    mutating func plainString() -> String? {
        guard let range = plainStringRange() else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// An Exchange `product_id`, checked against ``ProductID`` on its bytes; `nil` when it is not
    /// a valid product id (the general parser then gives the precise error).
    mutating func productID() -> String? {
        guard let range = plainStringRange() else { return nil }
        let text = UnsafeBufferPointer(rebasing: bytes[range])
        guard ProductID.isValid(utf8: text) else { return nil }
        return String(decoding: text, as: UTF8.self)
    }

    /// An Exchange `type`, compared in place (no string made for it).
    fileprivate mutating func exchangeType() -> ExchangeType? {
        guard let range = plainStringRange() else { return nil }
        let text = UnsafeBufferPointer(rebasing: bytes[range])
        if Self.equals(text, "l2update") { return .l2update }
        if Self.equals(text, "snapshot") { return .snapshot }
        return .other
    }

    /// A non-negative plain decimal in a string.
    mutating func decimal() -> ExactDecimal? {
        guard let range = plainStringRange(),
            let value = try? ExactDecimal(utf8: UnsafeBufferPointer(rebasing: bytes[range])), !value.isNegative
        else { return nil }
        return value
    }

    mutating func side() -> Side? {
        guard let range = plainStringRange() else { return nil }
        let text = UnsafeBufferPointer(rebasing: bytes[range])
        if Self.equals(text, "buy") || Self.equals(text, "bid") { return .bid }
        if Self.equals(text, "sell") || Self.equals(text, "offer") || Self.equals(text, "ask") { return .ask }
        return nil
    }

    /// An integer of plain digits (optionally negative) that fits in 64 bits.
    mutating func integer() -> Int64? {
        skipWhitespace()
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var value: Int64 = 0
        var digits = 0
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int64(bytes[index] &- UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = sum
            digits += 1
            index += 1
        }
        guard digits > 0, digits == 1 || bytes[index - digits] != UInt8(ascii: "0") else { return nil }
        // A fraction or exponent makes it a number JSONDecoder may or may not take as Int64.
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] | 0x20 == UInt8(ascii: "e") {
            return nil
        }
        return negative ? -value : value
    }

    /// The contents of a string that has no escape, no control and no non-ASCII byte.
    ///
    /// Eight bytes at a time: a word is searched for a quote, a backslash, a control byte or a byte
    /// with the top bit set all at once, and the first one found decides.
    mutating func plainStringRange() -> Range<Int>? {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == quote, let base = bytes.baseAddress else { return nil }
        let start = index + 1
        var position = start
        while position + 8 <= bytes.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
            let special = Self.specialBytes(word)
            if special != 0 {
                position += special.trailingZeroBitCount >> 3
                break
            }
            position += 8
        }
        while position < bytes.count {
            let byte = bytes[position]
            if byte == quote {
                index = position + 1
                return start..<position
            }
            if byte == backslash || byte < 0x20 || byte >= 0x80 { return nil }
            position += 1
        }
        return nil
    }

    /// The top bit of each byte of `word` that is a quote, a backslash, below 0x20 or above 0x7F.
    @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        // A byte of `x` is zero exactly where the top bit of `(x - 1) & ~x` ends up set, per byte
        // (borrows only run on from a byte that was zero, which is already flagged).
        func zeroBytes(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        let quotes = zeroBytes(word ^ (ones &* UInt64(quote)))
        let backslashes = zeroBytes(word ^ (ones &* UInt64(backslash)))
        // Below 0x20: subtracting 0x20 borrows into the top bit (for bytes below 0x80).
        let controls = (word &- ones &* 0x20) & ~word & highs
        return quotes | backslashes | controls | (word & highs)
    }

    // MARK: Structure

    /// An object; `member` reads each value (after its key) and says whether it was acceptable.
    mutating func object(_ member: (UnsafeBufferPointer<UInt8>, inout JSONScanner) -> Bool) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return false }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return true
        }
        while true {
            guard let key = plainStringRange() else { return false }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
            index += 1
            guard member(UnsafeBufferPointer(rebasing: bytes[key]), &self) else { return false }
            skipWhitespace()
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { return false }
            index += 1
            return true
        }
    }

    /// An array; `element` reads each element and says whether it was acceptable.
    mutating func array(_ element: (inout JSONScanner) -> Bool) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { return false }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return true
        }
        while true {
            guard element(&self) else { return false }
            skipWhitespace()
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { return false }
            index += 1
            return true
        }
    }

    /// Skips any JSON value, checking its syntax; strings must be plain (see ``plainStringRange()``).
    mutating func skipValue(depth: Int = 0) -> Bool {
        guard depth < 64 else { return false }
        skipWhitespace()
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case quote: return plainStringRange() != nil
        case UInt8(ascii: "{"): return object { _, scanner in scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): return array { scanner in scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    /// Consumes `word` when the bytes at the current position spell it.
    @inline(__always)
    mutating func literal(_ word: StaticString) -> Bool {
        let length = word.utf8CodeUnitCount
        guard index + length <= bytes.count, let base = bytes.baseAddress,
            memcmp(base + index, word.utf8Start, length) == 0
        else { return false }
        index += length
        return true
    }

    /// A JSON number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    mutating func number() -> Bool {
        func digits(_ scanner: inout JSONScanner) -> Int {
            let start = scanner.index
            while scanner.index < scanner.bytes.count, scanner.bytes[scanner.index] &- UInt8(ascii: "0") < 10 {
                scanner.index += 1
            }
            return scanner.index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let start = index
        let integerDigits = digits(&self)
        guard integerDigits > 0, integerDigits == 1 || bytes[start] != UInt8(ascii: "0") else { return false }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { return false }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard digits(&self) > 0 else { return false }
        }
        return true
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): index += 1
            default: return
            }
        }
    }

    mutating func atEnd() -> Bool {
        skipWhitespace()
        return index == bytes.count
    }

    // MARK: Keys

    @inline(__always)
    static func equals(_ key: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
        guard key.count == name.utf8CodeUnitCount, let base = key.baseAddress else {
            return key.isEmpty && name.utf8CodeUnitCount == 0
        }
        return memcmp(base, name.utf8Start, key.count) == 0
    }

    /// The key, dispatched on its length first: one or two byte comparisons per key.
    fileprivate static func topKey(_ key: UnsafeBufferPointer<UInt8>) -> TopKey {
        switch key.count {
        case 4:
            if equals(key, "type") { return .type }
            if equals(key, "time") { return .time }
            if equals(key, "bids") { return .bids }
            if equals(key, "asks") { return .asks }
        case 10: if equals(key, "product_id") { return .productID }
        case 7:
            if equals(key, "changes") { return .changes }
            if equals(key, "channel") { return .channel }
            if equals(key, "message") { return .message }
        case 9: if equals(key, "timestamp") { return .timestamp }
        case 12: if equals(key, "sequence_num") { return .sequenceNum }
        case 6:
            if equals(key, "events") { return .events }
            if equals(key, "reason") { return .reason }
        default: break
        }
        return .other
    }
}

/// ``FastFeedScanner`` alone, for the tests that hold it to the `JSONDecoder` path.
public enum FastFeedScannerProbe {
    public static func parse(_ frame: UnsafeBufferPointer<UInt8>) -> FeedMessage? {
        FastFeedScanner.parse(frame)
    }
}
