/// The topics BookBus publishes, as the first frame of every bus message.
///
/// Every topic ends with `/`, and product ids never contain `/`, so a subscription to a whole topic
/// (`raw/BTC-USD/`) can never prefix-match another product's topic (`raw/BTC-USDC/`).
///
/// | topic | publisher | payload |
/// |---|---|---|
/// | `raw/<PRODUCT>/` | ingest | Coinbase messages about PRODUCT, bytes as received, one per frame |
/// | `raw/*/` | ingest | Coinbase messages about no product (acks, errors, heartbeats) |
/// | `parsed/<PRODUCT>/` | ingest | the same messages as `raw/<PRODUCT>/`, numbered alike, book updates as the ingest parsed them (binary, see `ParsedPayload`): what workers read |
/// | `tob/<PRODUCT>/` | worker | top-of-book event, JSON |
/// | `spread/<PRODUCT>/` | worker | spread event, JSON |
/// | `depth/<PRODUCT>/` | worker | the best N levels of each side, JSON |
/// | `trade/<PRODUCT>/` | worker | one trade, JSON |
/// | `bar/<PRODUCT>/` | worker | an OHLCV bar of trades, JSON |
/// | `analytics/<PRODUCT>/` | worker | numbers derived from the book (microprice, imbalance, bands, impact), JSON |
/// | `bus/` | every publisher | control messages (end of stream), JSON |
public enum Topic: Sendable, Hashable, CustomStringConvertible {
    case raw(product: String)
    case rawUnrouted
    case parsed(product: String)
    case topOfBook(product: String)
    case spread(product: String)
    case depth(product: String)
    case trade(product: String)
    case bar(product: String)
    case analytics(product: String)
    case control

    /// Prefix of every raw Coinbase topic.
    public static let rawPrefix = "raw/"
    /// Prefix of every parsed topic (the ingest's parse of the raw topic, for workers).
    public static let parsedPrefix = "parsed/"
    /// Prefix of every top-of-book topic.
    public static let topOfBookPrefix = "tob/"
    /// Prefix of every spread topic.
    public static let spreadPrefix = "spread/"
    /// Prefix of every depth topic.
    public static let depthPrefix = "depth/"
    /// Prefix of every trade topic.
    public static let tradePrefix = "trade/"
    /// Prefix of every bar topic.
    public static let barPrefix = "bar/"
    /// Prefix of every analytics topic.
    public static let analyticsPrefix = "analytics/"
    /// The control topic.
    public static let controlName = "bus/"
    private static let unroutedName = "raw/*/"

    /// The topic as it appears on the wire.
    public var description: String {
        switch self {
        case .raw(let product): Self.rawPrefix + product + "/"
        case .rawUnrouted: Self.unroutedName
        case .parsed(let product): Self.parsedPrefix + product + "/"
        case .topOfBook(let product): Self.topOfBookPrefix + product + "/"
        case .spread(let product): Self.spreadPrefix + product + "/"
        case .depth(let product): Self.depthPrefix + product + "/"
        case .trade(let product): Self.tradePrefix + product + "/"
        case .bar(let product): Self.barPrefix + product + "/"
        case .analytics(let product): Self.analyticsPrefix + product + "/"
        case .control: Self.controlName
        }
    }

    /// The topic's bytes, for the first frame.
    public var bytes: [UInt8] { Array(description.utf8) }

    /// Parses a topic frame; `nil` for anything that is not a BookBus topic.
    public init?(bytes: [UInt8]) {
        // Plain byte loops, dispatched on the first byte: this runs for every message a worker or
        // sink receives (generic sequence comparisons with a String's UTF-8 view showed in profiles).
        let parsed: Topic? = bytes.withUnsafeBufferPointer { bytes in
            switch bytes.first {
            case UInt8(ascii: "r"):
                if Self.equal(bytes, Self.unroutedBytes) { return .rawUnrouted }
                return Self.product(in: bytes, after: Self.rawBytes).map { .raw(product: $0) }
            case UInt8(ascii: "p"): return Self.product(in: bytes, after: Self.parsedBytes).map { .parsed(product: $0) }
            case UInt8(ascii: "s"): return Self.product(in: bytes, after: Self.spreadBytes).map { .spread(product: $0) }
            case UInt8(ascii: "t"):
                if let product = Self.product(in: bytes, after: Self.topOfBookBytes) {
                    return .topOfBook(product: product)
                }
                return Self.product(in: bytes, after: Self.tradeBytes).map { .trade(product: $0) }
            case UInt8(ascii: "d"): return Self.product(in: bytes, after: Self.depthBytes).map { .depth(product: $0) }
            case UInt8(ascii: "a"):
                return Self.product(in: bytes, after: Self.analyticsBytes).map { .analytics(product: $0) }
            case UInt8(ascii: "b"):
                if Self.equal(bytes, Self.controlBytes) { return .control }
                return Self.product(in: bytes, after: Self.barBytes).map { .bar(product: $0) }
            default: return nil
            }
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// True for the topics whose bus messages may carry several payloads (a batch): raw Coinbase
    /// messages and events. Control messages on `bus/` go one by one.
    public var carriesBatches: Bool {
        switch self {
        case .raw, .rawUnrouted, .parsed, .topOfBook, .spread, .depth, .trade, .bar, .analytics: true
        case .control: false
        }
    }

    /// The product of a per-product topic.
    public var product: String? {
        switch self {
        case .raw(let product), .parsed(let product), .topOfBook(let product), .spread(let product),
            .depth(let product), .trade(let product), .bar(let product), .analytics(let product):
            product
        case .rawUnrouted, .control: nil
        }
    }

    private static let rawBytes = Array(rawPrefix.utf8)
    private static let parsedBytes = Array(parsedPrefix.utf8)
    private static let topOfBookBytes = Array(topOfBookPrefix.utf8)
    private static let spreadBytes = Array(spreadPrefix.utf8)
    private static let depthBytes = Array(depthPrefix.utf8)
    private static let tradeBytes = Array(tradePrefix.utf8)
    private static let barBytes = Array(barPrefix.utf8)
    private static let analyticsBytes = Array(analyticsPrefix.utf8)
    private static let controlBytes = Array(controlName.utf8)
    private static let unroutedBytes = Array(unroutedName.utf8)

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ expected: [UInt8]) -> Bool {
        guard bytes.count == expected.count else { return false }
        for index in 0..<bytes.count where bytes[index] != expected[index] { return false }
        return true
    }

    private static func product(in bytes: UnsafeBufferPointer<UInt8>, after prefix: [UInt8]) -> String? {
        guard bytes.count > prefix.count + 1, bytes[bytes.count - 1] == UInt8(ascii: "/") else { return nil }
        for index in 0..<prefix.count where bytes[index] != prefix[index] { return nil }
        let product = UnsafeBufferPointer(rebasing: bytes[prefix.count..<(bytes.count - 1)])
        for byte in product where byte == UInt8(ascii: "/") { return nil }
        return String(decoding: product, as: UTF8.self)
    }
}
