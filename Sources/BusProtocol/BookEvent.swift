import Foundation
public import OrderBook

/// A top-of-book or spread event, as workers publish it on `tob/<PRODUCT>/` or `spread/<PRODUCT>/`.
///
/// The payload is one JSON object. Decimals are strings, exact as in the book; a side that is
/// empty is `null`, and so are `spread`, `mid` and `spread_bps` then:
///
/// ```json
/// {"type":"spread","product":"BTC-USD","bid":"19814.24","bid_size":"0.05","ask":"19816.94",
///  "ask_size":"0.50382230","spread":"2.70","mid":"19815.59","spread_bps":"1.3626","crossed":false,
///  "exchange_time":"2022-07-13T18:58:52.495040Z","ingest_time_ns":1657738732495040000,"source_seq":16,
///  "worker":"worker-0","generation":0}
/// ```
public struct BookEvent: Sendable, Equatable {
    /// Which topic family the event belongs to.
    public enum Kind: String, Sendable, CaseIterable {
        case topOfBook = "tob"
        case spread

        /// The event's topic for `product`.
        public func topic(product: String) -> Topic {
            switch self {
            case .topOfBook: .topOfBook(product: product)
            case .spread: .spread(product: product)
            }
        }
    }

    public var kind: Kind
    public var product: String
    public var top: TopOfBook
    /// The exchange's timestamp of the message that produced the event, as sent.
    public var exchangeTime: String?
    /// When the ingest received that message (nanoseconds since the Unix epoch).
    public var ingestTimeNanos: UInt64
    /// The sequence number of that message on its `raw/<PRODUCT>/` topic: the book this event
    /// shows includes every message of the product up to and including it.
    public var sourceSequence: UInt64
    /// The worker that published the event.
    public var worker: String
    /// The worker group's assignment generation it was published under (0 outside a group): during
    /// a hand-over, the higher generation is the current owner.
    public var generation: UInt64
    /// For a conflated event, the end of its interval (nanoseconds since the Unix epoch, on the
    /// ingest's receive clock): the event shows the book as of that moment. `nil` on change.
    public var intervalEndNanos: UInt64?

    public init(
        kind: Kind, product: String, top: TopOfBook, exchangeTime: String?, ingestTimeNanos: UInt64,
        sourceSequence: UInt64, worker: String, generation: UInt64, intervalEndNanos: UInt64? = nil
    ) {
        self.kind = kind
        self.product = product
        self.top = top
        self.exchangeTime = exchangeTime
        self.ingestTimeNanos = ingestTimeNanos
        self.sourceSequence = sourceSequence
        self.worker = worker
        self.generation = generation
        self.intervalEndNanos = intervalEndNanos
    }

    /// The JSON payload.
    public func encoded() -> [UInt8] {
        var json: [UInt8] = []
        json.reserveCapacity(384)
        encode(into: &json)
        return json
    }

    /// Appends the JSON payload to `json` (a buffer reused across events saves an allocation each).
    public func encode(into json: inout [UInt8]) {
        // Spread and mid once each: the basis points derive from them.
        let spread = top.spread
        let mid = top.mid
        json.append(
            contentsOf: kind == .spread ? #"{"type":"spread","product":"#.utf8 : #"{"type":"tob","product":"#.utf8)
        appendJSONString(product, to: &json)
        appendField(#","bid":"#, top.bid?.price, to: &json)
        appendField(#","bid_size":"#, top.bid?.size, to: &json)
        appendField(#","ask":"#, top.ask?.price, to: &json)
        appendField(#","ask_size":"#, top.ask?.size, to: &json)
        appendField(#","spread":"#, spread, to: &json)
        appendField(#","mid":"#, mid, to: &json)
        appendField(#","spread_bps":"#, TopOfBook.basisPoints(spread: spread, mid: mid), to: &json)
        json.append(contentsOf: top.isCrossed ? #","crossed":true"#.utf8 : #","crossed":false"#.utf8)
        json.append(contentsOf: #","exchange_time":"#.utf8)
        if let exchangeTime { appendJSONString(exchangeTime, to: &json) } else { json.append(contentsOf: "null".utf8) }
        json.append(contentsOf: #","ingest_time_ns":"#.utf8)
        appendInteger(ingestTimeNanos, to: &json)
        json.append(contentsOf: #","source_seq":"#.utf8)
        appendInteger(sourceSequence, to: &json)
        if let intervalEndNanos { appendField(#","interval_end_ns":"#, intervalEndNanos, to: &json) }
        appendTrailer(worker: worker, generation: generation, to: &json)
    }

    /// Decodes a payload produced by ``encoded()``.
    public init(json: some Collection<UInt8>) throws(BusProtocolError) {
        let wire = try decodeEvent(WireEvent.self, from: json)
        guard let kind = Kind(rawValue: wire.type) else { throw .badEvent("type \"\(wire.type)\"") }
        self.kind = kind
        product = wire.product
        top = TopOfBook(
            bid: try Self.level(wire.bid, wire.bidSize, side: "bid"),
            ask: try Self.level(wire.ask, wire.askSize, side: "ask"))
        exchangeTime = wire.exchangeTime
        ingestTimeNanos = wire.ingestTimeNs
        sourceSequence = wire.sourceSeq
        worker = wire.worker
        generation = wire.generation
        intervalEndNanos = wire.intervalEndNs
    }

    private static func level(_ price: String?, _ size: String?, side: String) throws(BusProtocolError) -> PriceLevel? {
        switch (price, size) {
        case (nil, nil): return nil
        case (let price?, let size?):
            return PriceLevel(
                price: try decodedDecimal(price, field: side), size: try decodedDecimal(size, field: side + "_size"))
        default: throw .badEvent("\(side) has a price without a size or a size without a price")
        }
    }

    private struct WireEvent: Decodable {
        var type: String
        var product: String
        var bid: String?
        var bidSize: String?
        var ask: String?
        var askSize: String?
        var exchangeTime: String?
        var ingestTimeNs: UInt64
        var sourceSeq: UInt64
        var worker: String
        var generation: UInt64
        var intervalEndNs: UInt64?

        enum CodingKeys: String, CodingKey {
            case type, product, bid, ask, worker, generation
            case intervalEndNs = "interval_end_ns"
            case bidSize = "bid_size"
            case askSize = "ask_size"
            case exchangeTime = "exchange_time"
            case ingestTimeNs = "ingest_time_ns"
            case sourceSeq = "source_seq"
        }
    }
}

extension BookEvent {
    /// The `generation` of an event payload read without decoding the rest (the field is the last
    /// one ``encode(into:)`` writes); `nil` when it is not there.
    public static func generation(inPayload payload: [UInt8]) -> UInt64? {
        let key = Array(#""generation":"#.utf8)
        guard payload.count > key.count else { return nil }
        var start = payload.count - key.count
        while start >= 0 {
            if payload[start] == key[0], payload[start..<(start + key.count)].elementsEqual(key) { break }
            start -= 1
        }
        guard start >= 0 else { return nil }
        var value: UInt64 = 0
        var digits = 0
        for byte in payload[(start + key.count)...] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { break }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = shifted.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow, !carry else { return nil }
            value = sum
            digits += 1
        }
        return digits > 0 ? value : nil
    }
}
