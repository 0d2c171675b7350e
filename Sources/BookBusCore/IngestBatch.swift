public import BusProtocol
public import CoinbaseFeed

/// One product's batch as the ingest publishes it, under one header: the Coinbase messages as
/// received, for `raw/<PRODUCT>/`, and the same messages as the ingest parsed them, for
/// `parsed/<PRODUCT>/` (``ParsedPayload``), which is what workers read.
public struct IngestBatch: Sendable, Equatable {
    /// The Coinbase messages, one frame each.
    public private(set) var raw = PackedFrames()
    /// The same messages as parsed, one frame each, in the same order.
    public private(set) var parsed = PackedFrames()

    public init() {}

    /// How many messages the batch holds.
    public var count: Int { raw.count }

    public var isEmpty: Bool { raw.isEmpty }

    /// Adds `frame`, about `product`, whose book messages the ingest parsed as `messages`.
    public mutating func append(_ frame: [UInt8], messages: [BookMessage], product: String) {
        raw.append(frame)
        parsed.append { ParsedPayload.encode(frame: frame, messages: messages, product: product, into: &$0) }
    }

    /// Empties the batch, keeping its storage.
    public mutating func removeAll() {
        raw.removeAll()
        parsed.removeAll()
    }
}
