public import OrderBook

/// The best levels of each side of a book, as workers publish it on `depth/<PRODUCT>/`.
///
/// Levels are best first, `[price, size]` pairs of exact decimal strings; a side with fewer levels
/// than asked lists what it has:
///
/// ```json
/// {"type":"depth","product":"BTC-USD","levels":2,"bids":[["19814.24","0.05"],["19814.1","1.2"]],
///  "asks":[["19816.94","0.50382230"],["19817","0.3"]],"exchange_time":"2022-07-13T18:58:52.495040Z",
///  "ingest_time_ns":1657738732495040000,"source_seq":16,"worker":"worker-0","generation":0}
/// ```
///
/// A conflated event also has `interval_end_ns` (see ``BookEvent/intervalEndNanos``).
public struct DepthEvent: Sendable, Equatable {
    public var product: String
    /// How many levels a side was asked for (it may have fewer).
    public var levels: Int
    /// Best (highest) first.
    public var bids: [PriceLevel]
    /// Best (lowest) first.
    public var asks: [PriceLevel]
    public var exchangeTime: String?
    public var ingestTimeNanos: UInt64
    public var sourceSequence: UInt64
    public var worker: String
    public var generation: UInt64
    public var intervalEndNanos: UInt64?

    public init(
        product: String, levels: Int, bids: [PriceLevel], asks: [PriceLevel], exchangeTime: String?,
        ingestTimeNanos: UInt64, sourceSequence: UInt64, worker: String, generation: UInt64,
        intervalEndNanos: UInt64? = nil
    ) {
        self.product = product
        self.levels = levels
        self.bids = bids
        self.asks = asks
        self.exchangeTime = exchangeTime
        self.ingestTimeNanos = ingestTimeNanos
        self.sourceSequence = sourceSequence
        self.worker = worker
        self.generation = generation
        self.intervalEndNanos = intervalEndNanos
    }

    /// Appends the JSON payload to `json`.
    public func encode(into json: inout [UInt8]) {
        json.append(contentsOf: #"{"type":"depth","product":"#.utf8)
        appendJSONString(product, to: &json)
        appendField(#","levels":"#, UInt64(levels), to: &json)
        json.append(contentsOf: #","bids":"#.utf8)
        Self.append(bids, to: &json)
        json.append(contentsOf: #","asks":"#.utf8)
        Self.append(asks, to: &json)
        appendSourceAndTrailer(
            exchangeTime: exchangeTime, ingestTimeNanos: ingestTimeNanos, sourceSequence: sourceSequence,
            intervalEndNanos: intervalEndNanos, worker: worker, generation: generation, to: &json)
    }

    /// The JSON payload.
    public func encoded() -> [UInt8] {
        var json: [UInt8] = []
        encode(into: &json)
        return json
    }

    private static func append(_ levels: [PriceLevel], to json: inout [UInt8]) {
        json.append(UInt8(ascii: "["))
        for (index, level) in levels.enumerated() { appendLevelPair(level, first: index == 0, to: &json) }
        json.append(UInt8(ascii: "]"))
    }

    /// Decodes a payload produced by ``encode(into:)``.
    public init(json: some Collection<UInt8>) throws(BusProtocolError) {
        let wire = try decodeEvent(Wire.self, from: json)
        guard wire.type == "depth" else { throw .badEvent("type \"\(wire.type)\" is not depth") }
        product = wire.product
        levels = wire.levels
        bids = try Self.levels(wire.bids, side: "bids")
        asks = try Self.levels(wire.asks, side: "asks")
        exchangeTime = wire.exchangeTime
        ingestTimeNanos = wire.ingestTimeNs
        sourceSequence = wire.sourceSeq
        worker = wire.worker
        generation = wire.generation
        intervalEndNanos = wire.intervalEndNs
    }

    private static func levels(_ pairs: [[String]], side: String) throws(BusProtocolError) -> [PriceLevel] {
        var result: [PriceLevel] = []
        for pair in pairs {
            guard pair.count == 2 else { throw .badEvent("\(side) entry is not a [price, size] pair") }
            result.append(
                PriceLevel(
                    price: try decodedDecimal(pair[0], field: side), size: try decodedDecimal(pair[1], field: side)))
        }
        return result
    }

    private struct Wire: Decodable {
        var type: String
        var product: String
        var levels: Int
        var bids: [[String]]
        var asks: [[String]]
        var exchangeTime: String?
        var ingestTimeNs: UInt64
        var sourceSeq: UInt64
        var intervalEndNs: UInt64?
        var worker: String
        var generation: UInt64

        enum CodingKeys: String, CodingKey {
            case type, product, levels, bids, asks, worker, generation
            case exchangeTime = "exchange_time"
            case ingestTimeNs = "ingest_time_ns"
            case sourceSeq = "source_seq"
            case intervalEndNs = "interval_end_ns"
        }
    }
}
