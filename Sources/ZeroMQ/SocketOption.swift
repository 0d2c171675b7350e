import CZeroMQ

/// The socket options BookBus sets. Durations are in milliseconds, as libzmq takes them.
public enum SocketOption: Sendable, CustomStringConvertible {
    /// Messages queued per outgoing peer before the socket drops (PUB) or blocks (others).
    case sendHighWaterMark(Int32)
    /// Messages queued per incoming peer.
    case receiveHighWaterMark(Int32)
    /// Kernel send buffer of each TCP connection (SO_SNDBUF), bytes; setting it ends autotuning.
    case sendBufferBytes(Int32)
    /// Kernel receive buffer of each TCP connection (SO_RCVBUF), bytes; setting it ends autotuning.
    case receiveBufferBytes(Int32)
    /// How long `close` keeps trying to send queued messages; -1 forever (libzmq's default).
    case lingerMilliseconds(Int32)
    /// First reconnect delay after a lost connection.
    case reconnectIntervalMilliseconds(Int32)
    /// Cap of the exponential reconnect backoff; 0 means no backoff.
    case reconnectIntervalMaxMilliseconds(Int32)
    /// ZMTP heartbeat (PING) interval; 0 disables heartbeats.
    case heartbeatIntervalMilliseconds(Int32)
    /// How long to wait for traffic after a PING before declaring the peer dead.
    case heartbeatTimeoutMilliseconds(Int32)
    /// Largest inbound message accepted; a larger one disconnects the peer. -1 is unlimited.
    case maxMessageSize(Int64)
    /// SUB: receive messages whose topic starts with these bytes.
    case subscribe([UInt8])
    /// SUB: stop receiving a prefix.
    case unsubscribe([UInt8])
    /// XPUB: pass every subscription message up, not only the first per topic.
    case xpubVerbose(Bool)
    /// XPUB: pass every subscription and unsubscription message up (a subscriber that disconnects
    /// unsubscribes from all its topics), not only the first and the last per topic.
    case xpubVerboser(Bool)
    /// XPUB: when a subscriber's queue is full, fail the send with EAGAIN instead of dropping.
    case xpubNoDrop(Bool)
    /// ROUTER/DEALER: the identity this socket presents to peers.
    case routingID([UInt8])
    /// CURVE: this socket is the server side (it needs ``curveSecretKey``).
    case curveServer(Bool)
    /// CURVE: this socket's public key, 40 characters of Z85.
    case curvePublicKey(String)
    /// CURVE: this socket's secret key, 40 characters of Z85.
    case curveSecretKey(String)
    /// CURVE client: the public key of the server to talk to, 40 characters of Z85.
    case curveServerKey(String)
    /// The ZAP domain a server socket authenticates in.
    case zapDomain(String)

    var code: Int32 {
        switch self {
        case .sendHighWaterMark: ZMQ_SNDHWM
        case .receiveHighWaterMark: ZMQ_RCVHWM
        case .sendBufferBytes: ZMQ_SNDBUF
        case .receiveBufferBytes: ZMQ_RCVBUF
        case .lingerMilliseconds: ZMQ_LINGER
        case .reconnectIntervalMilliseconds: ZMQ_RECONNECT_IVL
        case .reconnectIntervalMaxMilliseconds: ZMQ_RECONNECT_IVL_MAX
        case .heartbeatIntervalMilliseconds: ZMQ_HEARTBEAT_IVL
        case .heartbeatTimeoutMilliseconds: ZMQ_HEARTBEAT_TIMEOUT
        case .maxMessageSize: ZMQ_MAXMSGSIZE
        case .subscribe: ZMQ_SUBSCRIBE
        case .unsubscribe: ZMQ_UNSUBSCRIBE
        case .xpubVerbose: ZMQ_XPUB_VERBOSE
        case .xpubVerboser: ZMQ_XPUB_VERBOSER
        case .xpubNoDrop: ZMQ_XPUB_NODROP
        case .routingID: ZMQ_ROUTING_ID
        case .curveServer: ZMQ_CURVE_SERVER
        case .curvePublicKey: ZMQ_CURVE_PUBLICKEY
        case .curveSecretKey: ZMQ_CURVE_SECRETKEY
        case .curveServerKey: ZMQ_CURVE_SERVERKEY
        case .zapDomain: ZMQ_ZAP_DOMAIN
        }
    }

    /// Calls `body` with the option's value as libzmq expects it.
    func withValue<R>(_ body: (UnsafeRawPointer, Int) -> R) -> R {
        switch self {
        case .sendHighWaterMark(let value), .receiveHighWaterMark(let value), .sendBufferBytes(let value),
            .receiveBufferBytes(let value), .lingerMilliseconds(let value),
            .reconnectIntervalMilliseconds(let value), .reconnectIntervalMaxMilliseconds(let value),
            .heartbeatIntervalMilliseconds(let value), .heartbeatTimeoutMilliseconds(let value):
            return withUnsafeBytes(of: value) { body($0.baseAddress!, $0.count) }
        case .maxMessageSize(let value):
            return withUnsafeBytes(of: value) { body($0.baseAddress!, $0.count) }
        case .xpubVerbose(let flag), .xpubVerboser(let flag), .xpubNoDrop(let flag), .curveServer(let flag):
            let value: Int32 = flag ? 1 : 0
            return withUnsafeBytes(of: value) { body($0.baseAddress!, $0.count) }
        case .curvePublicKey(let text), .curveSecretKey(let text), .curveServerKey(let text), .zapDomain(let text):
            return Array(text.utf8).withUnsafeBytes { buffer in
                body(buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, buffer.count)
            }
        case .subscribe(let bytes), .unsubscribe(let bytes), .routingID(let bytes):
            return bytes.withUnsafeBytes { buffer in
                // An empty prefix still needs a valid pointer.
                body(buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, buffer.count)
            }
        }
    }

    public var description: String {
        switch self {
        case .sendHighWaterMark(let value): "ZMQ_SNDHWM=\(value)"
        case .receiveHighWaterMark(let value): "ZMQ_RCVHWM=\(value)"
        case .sendBufferBytes(let value): "ZMQ_SNDBUF=\(value)"
        case .receiveBufferBytes(let value): "ZMQ_RCVBUF=\(value)"
        case .lingerMilliseconds(let value): "ZMQ_LINGER=\(value)"
        case .reconnectIntervalMilliseconds(let value): "ZMQ_RECONNECT_IVL=\(value)"
        case .reconnectIntervalMaxMilliseconds(let value): "ZMQ_RECONNECT_IVL_MAX=\(value)"
        case .heartbeatIntervalMilliseconds(let value): "ZMQ_HEARTBEAT_IVL=\(value)"
        case .heartbeatTimeoutMilliseconds(let value): "ZMQ_HEARTBEAT_TIMEOUT=\(value)"
        case .maxMessageSize(let value): "ZMQ_MAXMSGSIZE=\(value)"
        case .subscribe(let bytes): "ZMQ_SUBSCRIBE=\(String(decoding: bytes, as: UTF8.self))"
        case .unsubscribe(let bytes): "ZMQ_UNSUBSCRIBE=\(String(decoding: bytes, as: UTF8.self))"
        case .xpubVerbose(let flag): "ZMQ_XPUB_VERBOSE=\(flag)"
        case .xpubVerboser(let flag): "ZMQ_XPUB_VERBOSER=\(flag)"
        case .xpubNoDrop(let flag): "ZMQ_XPUB_NODROP=\(flag)"
        case .routingID: "ZMQ_ROUTING_ID"
        case .curveServer(let flag): "ZMQ_CURVE_SERVER=\(flag)"
        case .curvePublicKey: "ZMQ_CURVE_PUBLICKEY"
        case .curveSecretKey: "ZMQ_CURVE_SECRETKEY (not shown)"
        case .curveServerKey: "ZMQ_CURVE_SERVERKEY"
        case .zapDomain(let domain): "ZMQ_ZAP_DOMAIN=\(domain)"
        }
    }
}
