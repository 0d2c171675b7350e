public import OrderBook

/// An OHLCV bar of one product's trades over one interval, as workers publish it on
/// `bar/<PRODUCT>/` once the interval has ended:
///
/// ```json
/// {"type":"bar","product":"SKL-USD","interval":"1s","start_ns":1618677817000000000,
///  "end_ns":1618677818000000000,"open":"0.791","high":"0.7912","low":"0.791","close":"0.7912",
///  "volume":"2237","notional":"1769.7694","vwap":"0.79113518","trades":2,"complete":true,
///  "worker":"worker-0","generation":0}
/// ```
///
/// `vwap` is `notional / volume` rounded half away from zero to the bar's finest price digits + 4
/// (at most 18; `null` beyond 64 bits). `complete` is false when trades may be missing from the
/// bar: a skipped trade id, lost bus messages, or a worker that started within the interval.
public struct BarEvent: Sendable, Equatable {
    public var product: String
    /// The interval's name, e.g. `1s`, `1m`.
    public var interval: String
    /// The interval, `[start, end)`, on the ingest's receive clock (nanoseconds since the Unix epoch).
    public var startNanos: UInt64
    public var endNanos: UInt64
    public var open: ExactDecimal
    public var high: ExactDecimal
    public var low: ExactDecimal
    public var close: ExactDecimal
    /// Σ size.
    public var volume: ExactSum
    /// Σ price × size.
    public var notional: ExactSum
    public var vwap: ExactDecimal?
    public var trades: Int
    public var complete: Bool
    public var worker: String
    public var generation: UInt64

    public init(
        product: String, interval: String, startNanos: UInt64, endNanos: UInt64, open: ExactDecimal,
        high: ExactDecimal, low: ExactDecimal, close: ExactDecimal, volume: ExactSum, notional: ExactSum,
        vwap: ExactDecimal?, trades: Int, complete: Bool, worker: String, generation: UInt64
    ) {
        self.product = product
        self.interval = interval
        self.startNanos = startNanos
        self.endNanos = endNanos
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.notional = notional
        self.vwap = vwap
        self.trades = trades
        self.complete = complete
        self.worker = worker
        self.generation = generation
    }

    /// Appends the JSON payload to `json`.
    public func encode(into json: inout [UInt8]) {
        json.append(contentsOf: #"{"type":"bar","product":"#.utf8)
        appendJSONString(product, to: &json)
        appendField(#","interval":"#, interval, to: &json)
        appendField(#","start_ns":"#, startNanos, to: &json)
        appendField(#","end_ns":"#, endNanos, to: &json)
        appendField(#","open":"#, open, to: &json)
        appendField(#","high":"#, high, to: &json)
        appendField(#","low":"#, low, to: &json)
        appendField(#","close":"#, close, to: &json)
        appendField(#","volume":"#, volume.overflowed ? nil : volume.description, to: &json)
        appendField(#","notional":"#, notional.overflowed ? nil : notional.description, to: &json)
        appendField(#","vwap":"#, vwap, to: &json)
        appendField(#","trades":"#, UInt64(trades), to: &json)
        json.append(contentsOf: complete ? #","complete":true"#.utf8 : #","complete":false"#.utf8)
        appendTrailer(worker: worker, generation: generation, to: &json)
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
        guard wire.type == "bar" else { throw .badEvent("type \"\(wire.type)\" is not bar") }
        product = wire.product
        interval = wire.interval
        startNanos = wire.startNs
        endNanos = wire.endNs
        open = try decodedDecimal(wire.open, field: "open")
        high = try decodedDecimal(wire.high, field: "high")
        low = try decodedDecimal(wire.low, field: "low")
        close = try decodedDecimal(wire.close, field: "close")
        volume = try Self.sum(wire.volume, field: "volume")
        notional = try Self.sum(wire.notional, field: "notional")
        vwap = try wire.vwap.map { (text) throws(BusProtocolError) in try decodedDecimal(text, field: "vwap") }
        trades = wire.trades
        complete = wire.complete
        worker = wire.worker
        generation = wire.generation
    }

    /// A sum as decoded: exact when it fits an ``ExactDecimal``, which is all a reader of the text
    /// form needs (the sink prints the text as received).
    private static func sum(_ text: String?, field: String) throws(BusProtocolError) -> ExactSum {
        guard let text else { return ExactSum() }
        return ExactSum(try decodedDecimal(text, field: field))
    }

    private struct Wire: Decodable {
        var type: String
        var product: String
        var interval: String
        var startNs: UInt64
        var endNs: UInt64
        var open: String
        var high: String
        var low: String
        var close: String
        var volume: String?
        var notional: String?
        var vwap: String?
        var trades: Int
        var complete: Bool
        var worker: String
        var generation: UInt64

        enum CodingKeys: String, CodingKey {
            case type, product, interval, open, high, low, close, volume, notional, vwap, trades, complete, worker,
                generation
            case startNs = "start_ns"
            case endNs = "end_ns"
        }
    }
}
