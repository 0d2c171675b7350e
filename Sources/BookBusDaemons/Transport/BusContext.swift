import Logging
import ZeroMQ

/// A daemon's ZeroMQ context with its socket settings and, when CURVE is on, its ZAP handler: the
/// one place where sockets are created, secured, and bound or connected.
final class BusContext {
    let zmq: ZMQContext
    let settings: SocketSettings
    private let securityGuard: SecurityGuard?

    init(settings: SocketSettings, logger: Logger) throws {
        let zmq = try ZMQContext()
        self.zmq = zmq
        self.settings = settings
        securityGuard = try settings.curve.map { try SecurityGuard(context: zmq, curve: $0, logger: logger) }
    }

    deinit {
        securityGuard?.shutdown()
    }

    /// A socket with the settings every BookBus socket shares: reconnect backoff, ZMTP heartbeats,
    /// and the largest inbound message.
    func socket(_ type: SocketType) throws -> ZMQSocket {
        let socket = try zmq.socket(type)
        try socket.set(.reconnectIntervalMilliseconds(settings.reconnectIntervalMilliseconds))
        try socket.set(.reconnectIntervalMaxMilliseconds(settings.reconnectIntervalMaxMilliseconds))
        try socket.set(.heartbeatIntervalMilliseconds(settings.heartbeatIntervalMilliseconds))
        try socket.set(.heartbeatTimeoutMilliseconds(settings.heartbeatTimeoutMilliseconds))
        try socket.set(.maxMessageSize(settings.maxMessageBytes))
        return socket
    }

    /// Binds or connects `socket` to `endpoint`; with CURVE, binding makes it a server (allow-list
    /// required) and connecting a client of the configured server key.
    func attach(_ socket: ZMQSocket, to endpoint: Endpoint) throws {
        if let curve = settings.curve {
            switch endpoint.mode {
            case .bind:
                guard curve.allowAnyClient || curve.allowedClients != nil else {
                    throw SecurityError.noAllowList(endpoint: endpoint.address)
                }
                try socket.set(.curveServer(true))
                try socket.set(.curveSecretKey(curve.keyPair.secretKey))
                try socket.set(.zapDomain(CurveSecurity.zapDomain))
                if let securityGuard {
                    try socket.monitor(securityGuard.monitorEndpoint(), events: SecurityGuard.monitoredEvents)
                }
            case .connect:
                guard let server = curve.serverPublicKey else {
                    throw SecurityError.noServerKey(endpoint: endpoint.address)
                }
                try socket.set(.curveServerKey(server))
                try socket.set(.curvePublicKey(curve.keyPair.publicKey))
                try socket.set(.curveSecretKey(curve.keyPair.secretKey))
            }
        }
        switch endpoint.mode {
        case .bind: try socket.bind(endpoint.address)
        case .connect: try socket.connect(endpoint.address)
        }
    }
}
