public import BookBusSettings

extension RelayConfiguration {
    /// The relay's configuration from its effective settings.
    public init(settings: EffectiveSettings) throws {
        typealias Relay = SettingsCatalog.Relay
        self.init(
            frontend: Endpoint(parsing: settings[Relay.frontend], defaultMode: .bind),
            backend: Endpoint(parsing: settings[Relay.backend], defaultMode: .bind))
        sockets = try settings.sockets()
        health = settings.healthFile
        metrics = try settings.metricsListen()
    }
}
