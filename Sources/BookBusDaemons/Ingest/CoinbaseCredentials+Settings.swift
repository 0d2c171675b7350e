import BookBusSettings
import CoinbaseFeed

extension CoinbaseCredentials {
    /// The credentials in the `coinbase.*` settings (environment only), or `nil` when none are set.
    /// A half-configured key (say, a key without its secret) is an error naming what is missing.
    init?(settings: EffectiveSettings) throws {
        typealias Coinbase = SettingsCatalog.Coinbase
        var credentials = CoinbaseCredentials()
        let exchangeParts = [Coinbase.apiKey, Coinbase.apiSecret, Coinbase.apiPassphrase]
        let exchangeValues = exchangeParts.map { settings[$0] }
        if exchangeValues.contains(where: { $0 != nil }) {
            if let missing = zip(exchangeParts, exchangeValues).first(where: { $0.1 == nil })?.0 {
                throw CredentialsError(
                    description:
                        "an Exchange API key needs all three of BOOKBUS_COINBASE_API_KEY, _API_SECRET and _API_PASSPHRASE; \(missing.definition.environmentName) is missing"
                )
            }
            credentials.exchange = try ExchangeAPIKey(
                key: exchangeValues[0]!, secret: exchangeValues[1]!, passphrase: exchangeValues[2]!,
                secretName: Coinbase.apiSecret.definition.environmentName)
        }
        switch (settings[Coinbase.jwtKeyName], settings[Coinbase.jwtPrivateKey]) {
        case (let name?, let key?):
            credentials.advancedTrade = try AdvancedTradeAPIKey(
                name: name, privateKeyPEM: key, keyVariable: Coinbase.jwtPrivateKey.definition.environmentName)
        case (nil, nil):
            break
        default:
            throw CredentialsError(
                description:
                    "an Advanced Trade key needs both BOOKBUS_COINBASE_JWT_KEY_NAME and BOOKBUS_COINBASE_JWT_PRIVATE_KEY"
            )
        }
        guard credentials.exchange != nil || credentials.advancedTrade != nil else { return nil }
        self = credentials
    }
}
