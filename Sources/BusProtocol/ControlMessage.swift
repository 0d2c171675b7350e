import Foundation

/// A message on the `bus/` topic, JSON: `{"type":"end_of_stream","publisher":"ingest-4711"}`.
public enum ControlMessage: Sendable, Equatable {
    /// The publisher has published everything it will (a replay finished); nothing follows.
    case endOfStream(publisher: String)

    /// The JSON payload.
    public func encoded() -> [UInt8] {
        switch self {
        case .endOfStream(let publisher):
            var json = "{\"type\":\"end_of_stream\",\"publisher\":"
            appendJSONString(publisher, to: &json)
            json += "}"
            return Array(json.utf8)
        }
    }

    /// Decodes a payload produced by ``encoded()``.
    public init(json: some Collection<UInt8>) throws(BusProtocolError) {
        let wire: WireControl
        do {
            wire = try JSONDecoder().decode(WireControl.self, from: Data(json))
        } catch {
            throw .badControl(String(describing: error))
        }
        guard wire.type == "end_of_stream" else { throw .badControl("type \"\(wire.type)\"") }
        self = .endOfStream(publisher: wire.publisher)
    }
}

private struct WireControl: Decodable {
    var type: String
    var publisher: String
}
