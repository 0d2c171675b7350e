import Foundation

/// A message on the `bus/` topic, JSON. Every publisher sends:
///
/// - `{"type":"heartbeat","publisher":"ingest-4711","epoch":"81985529216486895","sequences":{"raw/BTC-USD/":42}}`
///   at least once a second: its epoch (a decimal string: it does not fit a JSON double) and the
///   last sequence number it published on each topic, so a subscriber notices lost messages at the
///   tail of a stream and a publisher that died; the ingest adds `"stale":["ETH-USD"]` while
///   products have gone quiet on a connection that still delivers other traffic;
/// - `{"type":"end_of_stream","publisher":"ingest-4711"}` when it has published everything it will.
public enum ControlMessage: Sendable, Equatable {
    /// The publisher is alive; `sequences` maps each topic to the last sequence published on it;
    /// `stale` lists the products that have gone quiet (sorted; empty for any other publisher).
    case heartbeat(publisher: String, epoch: UInt64, sequences: [String: UInt64], stale: [String] = [])
    /// The publisher has published everything it will (a replay finished); nothing follows.
    case endOfStream(publisher: String)

    /// The JSON payload.
    public func encoded() -> [UInt8] {
        let wire: WireControl
        switch self {
        case .heartbeat(let publisher, let epoch, let sequences, let stale):
            wire = WireControl(
                type: "heartbeat", publisher: publisher, epoch: String(epoch), sequences: sequences,
                stale: stale.isEmpty ? nil : stale)
        case .endOfStream(let publisher):
            wire = WireControl(type: "end_of_stream", publisher: publisher, epoch: nil, sequences: nil, stale: nil)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain fields cannot fail.
        return [UInt8]((try? encoder.encode(wire)) ?? Data())
    }

    /// Decodes a payload produced by ``encoded()``.
    public init(json: some Collection<UInt8>) throws(BusProtocolError) {
        let wire: WireControl
        do {
            wire = try JSONDecoder().decode(WireControl.self, from: Data(json))
        } catch {
            throw .badControl(String(describing: error))
        }
        switch wire.type {
        case "end_of_stream":
            self = .endOfStream(publisher: wire.publisher)
        case "heartbeat":
            guard let epochText = wire.epoch, let epoch = UInt64(epochText), let sequences = wire.sequences else {
                throw .badControl("heartbeat without a decimal epoch and sequences")
            }
            self = .heartbeat(publisher: wire.publisher, epoch: epoch, sequences: sequences, stale: wire.stale ?? [])
        default:
            throw .badControl("type \"\(wire.type)\"")
        }
    }
}

private struct WireControl: Codable {
    var type: String
    var publisher: String
    var epoch: String?
    var sequences: [String: UInt64]?
    var stale: [String]?
}
