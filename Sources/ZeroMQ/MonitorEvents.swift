import CZeroMQ

/// Connection events a socket monitor reports (`ZMQ_EVENT_*`).
public struct MonitorEvents: OptionSet, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The security handshake failed for an unspecified reason.
    public static let handshakeFailedNoDetail = MonitorEvents(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
    /// The peer spoke another security mechanism (e.g. no CURVE) or broke the protocol.
    public static let handshakeFailedProtocol = MonitorEvents(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
    /// The ZAP handler refused the peer.
    public static let handshakeFailedAuth = MonitorEvents(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)

    /// Decodes the first frame of a monitor message: the event (16 bits) and its value (32 bits).
    public init?(monitorFrame frame: [UInt8]) {
        guard frame.count >= 6 else { return nil }
        self.init(rawValue: Int32(frame[0]) | Int32(frame[1]) << 8)
    }
}
