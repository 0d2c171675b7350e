import Crypto
import Foundation

/// Coinbase API credentials. Printing, logging or dumping one shows `<redacted>`: no secret can
/// reach a log through string interpolation.
public struct CoinbaseCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// An Exchange API key: signs `level2` subscribes with HMAC-SHA256.
    public var exchange: ExchangeAPIKey?
    /// An Advanced Trade (CDP) API key: signs a short-lived JWT carried by each subscribe.
    public var advancedTrade: AdvancedTradeAPIKey?

    public init(exchange: ExchangeAPIKey? = nil, advancedTrade: AdvancedTradeAPIKey? = nil) {
        self.exchange = exchange
        self.advancedTrade = advancedTrade
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

/// Why credentials could not be used; never contains the secret itself.
public struct CredentialsError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

/// An Exchange API key, secret and passphrase.
public struct ExchangeAPIKey: Sendable, CustomStringConvertible {
    let key: String
    let passphrase: String
    let secret: SymmetricKey

    /// `secret` is base64, as Coinbase issues it; `secretName` names it in errors.
    public init(key: String, secret: String, passphrase: String, secretName: String) throws {
        guard let bytes = Data(base64Encoded: secret.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CredentialsError(
                description: "\(secretName) is not base64 (Coinbase issues the API secret in base64)")
        }
        self.key = key
        self.passphrase = passphrase
        self.secret = SymmetricKey(data: bytes)
    }

    /// The fields Coinbase checks on an authenticated subscribe: the signature over
    /// `timestamp + "GET" + "/users/self/verify"` with the decoded secret.
    func signature(timestamp: Int64) -> String {
        let message = "\(timestamp)GET/users/self/verify"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: secret)
        return Data(mac).base64EncodedString()
    }

    public var description: String { "<redacted>" }
}

/// An Advanced Trade (CDP) API key: its name and EC P-256 private key.
public struct AdvancedTradeAPIKey: Sendable, CustomStringConvertible {
    let name: String
    let privateKey: P256.Signing.PrivateKey

    /// `privateKeyPEM` is the key as Coinbase issues it (`-----BEGIN EC PRIVATE KEY-----`, or
    /// PKCS#8); literal `\n` sequences (common in environment files) are accepted.
    public init(name: String, privateKeyPEM: String, keyVariable: String) throws {
        let pem = privateKeyPEM.replacingOccurrences(of: "\\n", with: "\n")
        do {
            privateKey = try P256.Signing.PrivateKey(pemRepresentation: pem)
        } catch {
            throw CredentialsError(
                description: "\(keyVariable) is not an EC P-256 private key in PEM (the CDP key's \"privateKey\")")
        }
        self.name = name
    }

    /// A JWT for one WebSocket subscribe: ES256, `kid` and `sub` the key name, `iss` cdp, valid
    /// for two minutes from `now` (WebSocket JWTs carry no `uri`).
    func jwt(now: Int64) throws -> String {
        let nonce = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let header: [String: String] = ["alg": "ES256", "typ": "JWT", "kid": name, "nonce": nonce]
        let claims: [String: AnyHashable] = ["iss": "cdp", "sub": name, "nbf": now, "exp": now + 120]
        let encoded = [
            try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]),
            try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys]),
        ].map(Self.base64URL).joined(separator: ".")
        let signature = try privateKey.signature(for: Data(encoded.utf8))
        return encoded + "." + Self.base64URL(signature.rawRepresentation)
    }

    private static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public var description: String { "<redacted>" }
}
