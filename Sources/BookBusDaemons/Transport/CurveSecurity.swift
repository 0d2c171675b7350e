import ZeroMQ

/// CURVE encryption and ZAP allow-listing for the sockets of one process. A socket that binds is a
/// CURVE server with this process's key; a socket that connects is a CURVE client that expects
/// ``serverPublicKey`` from the other side.
public struct CurveSecurity: Sendable, Equatable {
    /// This process's key pair.
    public var keyPair: CurveKeyPair
    /// The public key the servers this process connects to present (they share one "bus" key).
    public var serverPublicKey: String?
    /// Client public keys a server accepts; `nil` when none were given.
    public var allowedClients: Set<String>?
    /// Accept any client that knows the server's public key (encrypted, not authenticated).
    public var allowAnyClient = false

    /// The ZAP domain BookBus servers authenticate in.
    static let zapDomain = "bookbus"

    public init(keyPair: CurveKeyPair, serverPublicKey: String?, allowedClients: Set<String>?, allowAnyClient: Bool) {
        self.keyPair = keyPair
        self.serverPublicKey = serverPublicKey
        self.allowedClients = allowedClients
        self.allowAnyClient = allowAnyClient
    }

    /// True when a client with `publicKey` may connect.
    func allows(_ publicKey: String) -> Bool {
        allowAnyClient || (allowedClients?.contains(publicKey) ?? false)
    }
}

/// Why a socket could not be secured as configured. Each says what to give.
public enum SecurityError: Error, CustomStringConvertible {
    case noAllowList(endpoint: String)
    case noServerKey(endpoint: String)

    public var description: String {
        switch self {
        case .noAllowList(let endpoint):
            "CURVE server socket \(endpoint) has no allow-list: give --curve-allow FILE|DIR (client public keys), or --curve-allow-any to accept any client that knows the server key"
        case .noServerKey(let endpoint):
            "connecting to \(endpoint) with CURVE needs the server's public key: give --curve-server-key FILE (or BOOKBUS_CURVE_SERVER_KEY)"
        }
    }
}
