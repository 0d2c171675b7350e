public import OrderBook

/// Why a Coinbase message was rejected. Each case says what was wrong and where.
public enum FeedParseError: Error, Equatable, CustomStringConvertible {
    /// Not JSON, or JSON of the wrong shape (a field of the wrong type).
    case malformed(String)
    /// Neither an Exchange `type` nor an Advanced Trade `channel`.
    case unclassifiable
    /// A field that this kind of message needs is absent.
    case missingField(field: String, messageKind: String)
    /// A price or size that is not a plain non-negative decimal.
    case badNumber(field: String, text: String, reason: DecimalError)
    /// A price or size below zero.
    case negativeNumber(field: String, text: String)
    /// An Advanced Trade `l2_data` or `market_trades` event that is neither `snapshot` nor `update`.
    case unknownEventType(String, channel: String)
    /// A side other than `buy`/`sell`/`bid`/`ask`/`offer`.
    case unknownSide(String)
    /// A product id outside `[A-Za-z0-9._-]{1,64}`.
    case invalidProduct(String)
    /// A price level that is not a pair of strings.
    case badLevel(field: String)
    /// A `parsed/` payload that is not what the ingest writes (``ParsedPayload``).
    case badParsedPayload(String)

    /// The case's name, snake case: a bounded label for counting rejections by reason.
    public var reason: String {
        switch self {
        case .malformed: "malformed"
        case .unclassifiable: "unclassifiable"
        case .missingField: "missing_field"
        case .badNumber: "bad_number"
        case .negativeNumber: "negative_number"
        case .unknownEventType: "unknown_event_type"
        case .unknownSide: "unknown_side"
        case .invalidProduct: "invalid_product"
        case .badLevel: "bad_level"
        case .badParsedPayload: "bad_parsed_payload"
        }
    }

    /// Every ``reason``.
    public static let reasons = [
        "malformed", "unclassifiable", "missing_field", "bad_number", "negative_number", "unknown_event_type",
        "unknown_side", "invalid_product", "bad_level", "bad_parsed_payload",
    ]

    public var description: String {
        switch self {
        case .malformed(let detail): "malformed JSON message: \(detail)"
        case .unclassifiable: "message has neither \"type\" nor \"channel\""
        case .missingField(let field, let kind): "\(kind) message lacks \"\(field)\""
        case .badNumber(let field, let text, let reason): "\(field) \"\(text.prefix(40))\" rejected: \(reason)"
        case .negativeNumber(let field, let text): "\(field) \"\(text.prefix(40))\" is negative"
        case .unknownEventType(let type, let channel):
            "\(channel) event type \"\(type.prefix(40))\" is neither snapshot nor update"
        case .unknownSide(let side): "unknown side \"\(side.prefix(40))\" (expected buy/sell or bid/offer)"
        case .invalidProduct(let product):
            "product id \"\(product.prefix(80))\" is not 1-64 characters of [A-Za-z0-9._-]"
        case .badLevel(let field): "\(field) entry is not a [price, size] pair"
        case .badParsedPayload(let detail):
            "parsed payload refused: \(detail) (a publisher that is not a BookBus ingest of this version?)"
        }
    }
}
