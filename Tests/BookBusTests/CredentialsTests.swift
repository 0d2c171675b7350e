import Crypto
import Foundation
import Testing

@testable import CoinbaseFeed

@Suite struct CredentialsTests {
    private let exchangeKey = try! ExchangeAPIKey(
        key: "key-1", secret: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", passphrase: "pass", secretName: "SECRET")

    @Test func exchangeSignatureMatchesCoinbasesRecipe() {
        // Computed with Python: base64(hmac(b64decode(secret), "1700000000GET/users/self/verify", sha256)).
        #expect(exchangeKey.signature(timestamp: 1_700_000_000) == "fqdfya0O8FSnHxmCQp804A8FhB/2b5TWlf6VewfapVs=")
    }

    @Test func exchangeLevel2SubscribeCarriesTheSignedFields() throws {
        let request = SubscribeRequest(
            feed: .exchange, exchangeChannel: .level2, products: ["BTC-USD"],
            credentials: CoinbaseCredentials(exchange: exchangeKey))
        let messages = try request.messages(now: 1_700_000_000)
        #expect(messages.count == 1)
        let object = try JSONSerialization.jsonObject(with: Data(messages[0].utf8)) as! [String: Any]
        #expect(object["channels"] as? [String] == ["level2", "matches", "heartbeat"])
        #expect(object["key"] as? String == "key-1")
        #expect(object["passphrase"] as? String == "pass")
        #expect(object["timestamp"] as? String == "1700000000")
        #expect(object["signature"] as? String == "fqdfya0O8FSnHxmCQp804A8FhB/2b5TWlf6VewfapVs=")
    }

    @Test func publicSubscribesCarryNoCredentials() throws {
        let batch = try SubscribeRequest(feed: .exchange, products: ["BTC-USD"]).messages(now: 1)
        #expect(
            batch == [
                #"{"channels":["level2_batch","matches","heartbeat"],"product_ids":["BTC-USD"],"type":"subscribe"}"#
            ]
        )
        let advanced = try SubscribeRequest(feed: .advancedTrade, products: ["BTC-USD", "ETH-USD"]).messages(now: 1)
        #expect(
            advanced == [
                #"{"channel":"level2","product_ids":["BTC-USD","ETH-USD"],"type":"subscribe"}"#,
                #"{"channel":"market_trades","product_ids":["BTC-USD","ETH-USD"],"type":"subscribe"}"#,
                #"{"channel":"heartbeats","product_ids":["BTC-USD","ETH-USD"],"type":"subscribe"}"#,
            ])
    }

    @Test func tradesCanBeLeftOut() throws {
        let batch = try SubscribeRequest(feed: .exchange, products: ["BTC-USD"], trades: false).messages(now: 1)
        #expect(batch == [#"{"channels":["level2_batch","heartbeat"],"product_ids":["BTC-USD"],"type":"subscribe"}"#])
        let advanced = try SubscribeRequest(feed: .advancedTrade, products: ["BTC-USD"], trades: false).messages(now: 1)
        #expect(advanced.count == 2)
        #expect(!advanced.contains { $0.contains("market_trades") })
    }

    @Test func level2WithoutAKeyIsRefusedUpFront() {
        #expect(throws: CredentialsError.self) {
            try SubscribeRequest(feed: .exchange, exchangeChannel: .level2, products: ["BTC-USD"]).validate()
        }
    }

    @Test func advancedTradeJWTVerifiesWithThePublicKey() throws {
        let privateKey = P256.Signing.PrivateKey()
        let key = try AdvancedTradeAPIKey(
            name: "organizations/o/apiKeys/k", privateKeyPEM: privateKey.pemRepresentation, keyVariable: "KEY")
        let messages = try SubscribeRequest(
            feed: .advancedTrade, products: ["BTC-USD"], credentials: CoinbaseCredentials(advancedTrade: key)
        ).messages(now: 1_700_000_000)
        #expect(messages.count == 3)
        for message in messages {
            let object = try JSONSerialization.jsonObject(with: Data(message.utf8)) as! [String: Any]
            let parts = (object["jwt"] as! String).split(separator: ".").map(String.init)
            #expect(parts.count == 3)
            let header = try JSONSerialization.jsonObject(with: base64URL(parts[0])) as! [String: Any]
            let claims = try JSONSerialization.jsonObject(with: base64URL(parts[1])) as! [String: Any]
            #expect(header["alg"] as? String == "ES256" && header["kid"] as? String == "organizations/o/apiKeys/k")
            #expect(claims["iss"] as? String == "cdp" && claims["sub"] as? String == "organizations/o/apiKeys/k")
            #expect(claims["nbf"] as? Int == 1_700_000_000 && claims["exp"] as? Int == 1_700_000_120)
            let signature = try P256.Signing.ECDSASignature(rawRepresentation: base64URL(parts[2]))
            #expect(privateKey.publicKey.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8)))
        }
    }

    @Test func credentialsNeverPrint() throws {
        let credentials = CoinbaseCredentials(exchange: exchangeKey)
        for text in ["\(credentials)", String(reflecting: credentials), "\(exchangeKey)"] {
            #expect(text == "<redacted>")
        }
        var dumped = ""
        dump(credentials, to: &dumped)
        #expect(!dumped.contains("pass") && !dumped.contains("key-1"))
    }

    @Test func badSecretsAreClearErrors() {
        #expect(throws: CredentialsError.self) {
            try ExchangeAPIKey(key: "k", secret: "not base64!", passphrase: "p", secretName: "SECRET")
        }
        #expect(throws: CredentialsError.self) {
            try AdvancedTradeAPIKey(
                name: "n", privateKeyPEM: "-----BEGIN EC PRIVATE KEY-----\nxx\n", keyVariable: "KEY")
        }
    }

    private func base64URL(_ text: String) -> Data {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)!
    }
}
