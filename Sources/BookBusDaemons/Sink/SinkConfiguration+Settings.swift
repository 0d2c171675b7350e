import BookBusCore
public import BookBusSettings
import BusProtocol
import OrderBook

extension SinkConfiguration {
    /// The sink's configuration from its effective settings.
    public init(settings: EffectiveSettings) throws {
        typealias Sink = SettingsCatalog.Sink
        self.init(endpoints: settings[Sink.connect].map { Endpoint(parsing: $0, defaultMode: .connect) })
        kinds = try settings.choices(Sink.events, as: EventFamily.self)
        products = settings[Sink.products]
        format = try settings.choice(Sink.format, as: SinkFormat.self)
        logPath = settings[Sink.log]
        quiet = settings[Sink.quiet]
        if let text = settings[Sink.minSpreadBasisPoints] {
            do {
                minSpreadBasisPoints = try ExactDecimal(text)
            } catch {
                throw settings.invalid(Sink.minSpreadBasisPoints.definition, "\(text): \(error)")
            }
        }
        exitAfterEnds = settings[Sink.exitAfterEnds]
        latencyReport = settings[Sink.latencyReport]
        sockets = try settings.sockets()
        health = settings.healthFile
        stats = settings.statsFile
        metrics = try settings.metricsListen()
    }
}
