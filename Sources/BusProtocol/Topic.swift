/// The topics BookBus publishes, as the first frame of every bus message.
///
/// Every topic ends with `/`, and product ids never contain `/`, so a subscription to a whole topic
/// (`raw/BTC-USD/`) can never prefix-match another product's topic (`raw/BTC-USDC/`).
///
/// | topic | publisher | payload |
/// |---|---|---|
/// | `raw/<PRODUCT>/` | ingest | one Coinbase message about PRODUCT, bytes as received |
/// | `raw/*/` | ingest | a Coinbase message about no product (acks, errors, heartbeats) |
/// | `tob/<PRODUCT>/` | worker | top-of-book event, JSON |
/// | `spread/<PRODUCT>/` | worker | spread event, JSON |
/// | `bus/` | every publisher | control messages (end of stream), JSON |
public enum Topic: Sendable, Hashable, CustomStringConvertible {
    case raw(product: String)
    case rawUnrouted
    case topOfBook(product: String)
    case spread(product: String)
    case control

    /// Prefix of every raw Coinbase topic.
    public static let rawPrefix = "raw/"
    /// Prefix of every top-of-book topic.
    public static let topOfBookPrefix = "tob/"
    /// Prefix of every spread topic.
    public static let spreadPrefix = "spread/"
    /// The control topic.
    public static let controlName = "bus/"
    private static let unroutedName = "raw/*/"

    /// The topic as it appears on the wire.
    public var description: String {
        switch self {
        case .raw(let product): Self.rawPrefix + product + "/"
        case .rawUnrouted: Self.unroutedName
        case .topOfBook(let product): Self.topOfBookPrefix + product + "/"
        case .spread(let product): Self.spreadPrefix + product + "/"
        case .control: Self.controlName
        }
    }

    /// The topic's bytes, for the first frame.
    public var bytes: [UInt8] { Array(description.utf8) }

    /// Parses a topic frame; `nil` for anything that is not a BookBus topic.
    public init?(bytes: [UInt8]) {
        // Byte comparisons only: this runs for every message a worker or sink receives.
        if bytes.elementsEqual(Self.controlName.utf8) {
            self = .control
        } else if bytes.elementsEqual(Self.unroutedName.utf8) {
            self = .rawUnrouted
        } else if let product = Self.product(in: bytes, after: Self.rawPrefix) {
            self = .raw(product: product)
        } else if let product = Self.product(in: bytes, after: Self.topOfBookPrefix) {
            self = .topOfBook(product: product)
        } else if let product = Self.product(in: bytes, after: Self.spreadPrefix) {
            self = .spread(product: product)
        } else {
            return nil
        }
    }

    /// The product of a per-product topic.
    public var product: String? {
        switch self {
        case .raw(let product), .topOfBook(let product), .spread(let product): product
        case .rawUnrouted, .control: nil
        }
    }

    private static func product(in bytes: [UInt8], after prefix: String) -> String? {
        let prefixLength = prefix.utf8.count
        guard bytes.count > prefixLength + 1, bytes.starts(with: prefix.utf8), bytes.last == UInt8(ascii: "/") else {
            return nil
        }
        let product = bytes[prefixLength..<(bytes.count - 1)]
        guard !product.contains(UInt8(ascii: "/")) else { return nil }
        return String(decoding: product, as: UTF8.self)
    }
}
