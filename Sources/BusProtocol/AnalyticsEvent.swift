public import OrderBook

/// Numbers derived from a book, as workers publish them on `analytics/<PRODUCT>/`: the size-weighted
/// mid, the imbalance of the best levels, the size within bands around the mid, and what a market
/// order of a given size or notional would pay. Every formula and rounding rule is in the README
/// (Wire protocol, Streams).
///
/// ```json
/// {"type":"analytics","product":"BTC-USD","mid":"19815.59","microprice":"19816.7537",
///  "imbalance_levels":5,"imbalance":"-0.302791",
///  "bands":[{"bps":"10","bid_size":"1.25","ask_size":"3.5"}],
///  "impact":[{"side":"buy","size":"1","filled":"1","average_price":"19817.1200","slippage_bps":"0.7822"}],
///  "exchange_time":null,"ingest_time_ns":1657738732495040000,"source_seq":16,"worker":"worker-0","generation":0}
/// ```
public struct AnalyticsEvent: Sendable, Equatable {
    /// What the book shows: the event's content, compared to decide whether it changed.
    public struct Values: Sendable, Equatable {
        public var mid: ExactDecimal
        public var microprice: ExactDecimal?
        public var imbalanceLevels: Int
        public var imbalance: ExactDecimal?
        public var bands: [Band]
        public var impacts: [Impact]

        public init(
            mid: ExactDecimal, microprice: ExactDecimal?, imbalanceLevels: Int, imbalance: ExactDecimal?,
            bands: [Band], impacts: [Impact]
        ) {
            self.mid = mid
            self.microprice = microprice
            self.imbalanceLevels = imbalanceLevels
            self.imbalance = imbalance
            self.bands = bands
            self.impacts = impacts
        }
    }

    /// The size resting within `basisPoints` of the mid on each side.
    public struct Band: Sendable, Equatable {
        public var basisPoints: ExactDecimal
        public var bidSize: ExactSum
        public var askSize: ExactSum

        public init(basisPoints: ExactDecimal, bidSize: ExactSum, askSize: ExactSum) {
            self.basisPoints = basisPoints
            self.bidSize = bidSize
            self.askSize = askSize
        }
    }

    /// A market order walking the book: buying lifts offers, selling hits bids.
    public struct Impact: Sendable, Equatable {
        /// The order's side: the side a trade names its taker by.
        public typealias Side = TradeEvent.Side

        /// What the order asks for: a size (base currency) or a notional (quote currency).
        public enum Target: Sendable, Equatable {
            case size(ExactDecimal)
            case notional(ExactDecimal)

            /// The size or notional asked for.
            public var amount: ExactDecimal {
                switch self {
                case .size(let size): size
                case .notional(let notional): notional
                }
            }
        }

        public var side: Side
        public var target: Target
        /// How much of the target the book could fill (in the target's unit; less than it when the
        /// side is too thin).
        public var filled: ExactSum
        /// The order's average price; `nil` when nothing could be filled.
        public var averagePrice: ExactDecimal?
        /// How far the average is from the mid, in basis points of the mid (worse is positive).
        public var slippageBasisPoints: ExactDecimal?

        public init(
            side: Side, target: Target, filled: ExactSum, averagePrice: ExactDecimal?,
            slippageBasisPoints: ExactDecimal?
        ) {
            self.side = side
            self.target = target
            self.filled = filled
            self.averagePrice = averagePrice
            self.slippageBasisPoints = slippageBasisPoints
        }
    }

    public var product: String
    public var values: Values
    public var exchangeTime: String?
    public var ingestTimeNanos: UInt64
    public var sourceSequence: UInt64
    public var worker: String
    public var generation: UInt64
    public var intervalEndNanos: UInt64?

    public init(
        product: String, values: Values, exchangeTime: String?, ingestTimeNanos: UInt64, sourceSequence: UInt64,
        worker: String, generation: UInt64, intervalEndNanos: UInt64? = nil
    ) {
        self.product = product
        self.values = values
        self.exchangeTime = exchangeTime
        self.ingestTimeNanos = ingestTimeNanos
        self.sourceSequence = sourceSequence
        self.worker = worker
        self.generation = generation
        self.intervalEndNanos = intervalEndNanos
    }

    /// Appends the JSON payload to `json`.
    public func encode(into json: inout [UInt8]) {
        json.append(contentsOf: #"{"type":"analytics","product":"#.utf8)
        appendJSONString(product, to: &json)
        appendField(#","mid":"#, values.mid, to: &json)
        appendField(#","microprice":"#, values.microprice, to: &json)
        appendField(#","imbalance_levels":"#, UInt64(values.imbalanceLevels), to: &json)
        appendField(#","imbalance":"#, values.imbalance, to: &json)
        json.append(contentsOf: #","bands":["#.utf8)
        for (index, band) in values.bands.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            appendField(#"{"bps":"#, band.basisPoints, to: &json)
            appendField(#","bid_size":"#, band.bidSize.overflowed ? nil : band.bidSize.description, to: &json)
            appendField(#","ask_size":"#, band.askSize.overflowed ? nil : band.askSize.description, to: &json)
            json.append(UInt8(ascii: "}"))
        }
        json.append(contentsOf: #"],"impact":["#.utf8)
        for (index, impact) in values.impacts.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            appendField(#"{"side":"#, impact.side.rawValue, to: &json)
            switch impact.target {
            case .size(let size): appendField(#","size":"#, size, to: &json)
            case .notional(let notional): appendField(#","notional":"#, notional, to: &json)
            }
            appendField(#","filled":"#, impact.filled.overflowed ? nil : impact.filled.description, to: &json)
            appendField(#","average_price":"#, impact.averagePrice, to: &json)
            appendField(#","slippage_bps":"#, impact.slippageBasisPoints, to: &json)
            json.append(UInt8(ascii: "}"))
        }
        json.append(UInt8(ascii: "]"))
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
}

extension AnalyticsEvent {
    /// Decodes a payload produced by ``encode(into:)`` (sums read back as decimals).
    public init(json: some Collection<UInt8>) throws(BusProtocolError) {
        let wire = try decodeEvent(Wire.self, from: json)
        guard wire.type == "analytics" else { throw .badEvent("type \"\(wire.type)\" is not analytics") }
        func decimal(_ text: String?, _ field: String) throws(BusProtocolError) -> ExactDecimal? {
            guard let text else { return nil }
            return try decodedDecimal(text, field: field)
        }
        func sum(_ text: String?, _ field: String) throws(BusProtocolError) -> ExactSum {
            try decimal(text, field).map(ExactSum.init) ?? ExactSum()
        }
        var bands: [Band] = []
        for band in wire.bands {
            bands.append(
                Band(
                    basisPoints: try decodedDecimal(band.bps, field: "bps"), bidSize: try sum(band.bidSize, "bid_size"),
                    askSize: try sum(band.askSize, "ask_size")))
        }
        var impacts: [Impact] = []
        for impact in wire.impact {
            guard let side = Impact.Side(rawValue: impact.side) else { throw .badEvent("impact side \(impact.side)") }
            let target: Impact.Target
            if let size = try decimal(impact.size, "size") {
                target = .size(size)
            } else if let notional = try decimal(impact.notional, "notional") {
                target = .notional(notional)
            } else {
                throw .badEvent("impact without size or notional")
            }
            impacts.append(
                Impact(
                    side: side, target: target, filled: try sum(impact.filled, "filled"),
                    averagePrice: try decimal(impact.averagePrice, "average_price"),
                    slippageBasisPoints: try decimal(impact.slippageBps, "slippage_bps")))
        }
        product = wire.product
        values = Values(
            mid: try decodedDecimal(wire.mid, field: "mid"), microprice: try decimal(wire.microprice, "microprice"),
            imbalanceLevels: wire.imbalanceLevels, imbalance: try decimal(wire.imbalance, "imbalance"), bands: bands,
            impacts: impacts)
        exchangeTime = wire.exchangeTime
        ingestTimeNanos = wire.ingestTimeNs
        sourceSequence = wire.sourceSeq
        worker = wire.worker
        generation = wire.generation
        intervalEndNanos = wire.intervalEndNs
    }

    private struct Wire: Decodable {
        struct WireBand: Decodable {
            var bps: String
            var bidSize: String?
            var askSize: String?

            enum CodingKeys: String, CodingKey {
                case bps
                case bidSize = "bid_size"
                case askSize = "ask_size"
            }
        }
        struct WireImpact: Decodable {
            var side: String
            var size: String?
            var notional: String?
            var filled: String?
            var averagePrice: String?
            var slippageBps: String?

            enum CodingKeys: String, CodingKey {
                case side, size, notional, filled
                case averagePrice = "average_price"
                case slippageBps = "slippage_bps"
            }
        }
        var type: String
        var product: String
        var mid: String
        var microprice: String?
        var imbalanceLevels: Int
        var imbalance: String?
        var bands: [WireBand]
        var impact: [WireImpact]
        var exchangeTime: String?
        var ingestTimeNs: UInt64
        var sourceSeq: UInt64
        var intervalEndNs: UInt64?
        var worker: String
        var generation: UInt64

        enum CodingKeys: String, CodingKey {
            case type, product, mid, microprice, imbalance, bands, impact, worker, generation
            case imbalanceLevels = "imbalance_levels"
            case exchangeTime = "exchange_time"
            case ingestTimeNs = "ingest_time_ns"
            case sourceSeq = "source_seq"
            case intervalEndNs = "interval_end_ns"
        }
    }
}
