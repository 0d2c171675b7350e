public import OrderBook

/// One trade, normalised, as workers publish it on `trade/<PRODUCT>/`:
///
/// ```json
/// {"type":"trade","product":"SKL-USD","trade_id":"1568268","price":"0.791","size":"450","side":"buy",
///  "exchange_time":"2021-04-17T16:43:37.121358Z","ingest_time_ns":1618677817125000000,"source_seq":212,
///  "worker":"worker-0","generation":0}
/// ```
///
/// `side` is the taker's: `buy` when the trade lifted an offer, `sell` when it hit a bid.
public struct TradeEvent: Sendable, Equatable {
    /// Which side took liquidity.
    public enum Side: String, Sendable {
        case buy, sell
    }

    public var product: String
    /// The exchange's trade id, as sent.
    public var tradeID: String
    public var price: ExactDecimal
    public var size: ExactDecimal
    public var side: Side
    public var exchangeTime: String?
    public var ingestTimeNanos: UInt64
    public var sourceSequence: UInt64
    public var worker: String
    public var generation: UInt64

    public init(
        product: String, tradeID: String, price: ExactDecimal, size: ExactDecimal, side: Side, exchangeTime: String?,
        ingestTimeNanos: UInt64, sourceSequence: UInt64, worker: String, generation: UInt64
    ) {
        self.product = product
        self.tradeID = tradeID
        self.price = price
        self.size = size
        self.side = side
        self.exchangeTime = exchangeTime
        self.ingestTimeNanos = ingestTimeNanos
        self.sourceSequence = sourceSequence
        self.worker = worker
        self.generation = generation
    }

    /// Appends the JSON payload to `json`.
    public func encode(into json: inout [UInt8]) {
        json.append(contentsOf: #"{"type":"trade","product":"#.utf8)
        appendJSONString(product, to: &json)
        appendField(#","trade_id":"#, tradeID, to: &json)
        appendField(#","price":"#, price, to: &json)
        appendField(#","size":"#, size, to: &json)
        json.append(contentsOf: side == .buy ? #","side":"buy""#.utf8 : #","side":"sell""#.utf8)
        appendSourceAndTrailer(
            exchangeTime: exchangeTime, ingestTimeNanos: ingestTimeNanos, sourceSequence: sourceSequence,
            worker: worker, generation: generation, to: &json)
    }

    /// The JSON payload.
    public func encoded() -> [UInt8] {
        var json: [UInt8] = []
        encode(into: &json)
        return json
    }

    /// Decodes a payload produced by ``encode(into:)``.
    public init(json: some Collection<UInt8>) throws(BusProtocolError) {
        let wire = try decodeEvent(Wire.self, from: json)
        guard wire.type == "trade" else { throw .badEvent("type \"\(wire.type)\" is not trade") }
        guard let side = Side(rawValue: wire.side) else { throw .badEvent("side \"\(wire.side)\" is not buy or sell") }
        product = wire.product
        tradeID = wire.tradeId
        price = try decodedDecimal(wire.price, field: "price")
        size = try decodedDecimal(wire.size, field: "size")
        self.side = side
        exchangeTime = wire.exchangeTime
        ingestTimeNanos = wire.ingestTimeNs
        sourceSequence = wire.sourceSeq
        worker = wire.worker
        generation = wire.generation
    }

    private struct Wire: Decodable {
        var type: String
        var product: String
        var tradeId: String
        var price: String
        var size: String
        var side: String
        var exchangeTime: String?
        var ingestTimeNs: UInt64
        var sourceSeq: UInt64
        var worker: String
        var generation: UInt64

        enum CodingKeys: String, CodingKey {
            case type, product, price, size, side, worker, generation
            case tradeId = "trade_id"
            case exchangeTime = "exchange_time"
            case ingestTimeNs = "ingest_time_ns"
            case sourceSeq = "source_seq"
        }
    }
}
