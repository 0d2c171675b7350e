import ArgumentParser
import BookBusDaemons
import BookBusSettings

struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Forward events between publishers and subscribers: one address for each side (XSUB/XPUB).")

    @Option(help: "Where publishers (workers) connect; a bare endpoint binds (relay.frontend; @tcp://*:5570).")
    var frontend: String?

    @Option(help: "Where subscribers (sinks, your own clients) connect (relay.backend; @tcp://*:5571).")
    var backend: String?

    @OptionGroup var common: CommonOptions

    func run() async throws {
        typealias Relay = SettingsCatalog.Relay
        var flags = FlagValues()
        flags.set(Relay.frontend, frontend, flag: "--frontend")
        flags.set(Relay.backend, backend, flag: "--backend")
        let settings = try common.settings(roleFlags: flags)
        let logger = settings.makeLogger(role: "relay")
        var configuration = RelayConfiguration(
            frontend: Endpoint(parsing: settings[Relay.frontend], defaultMode: .bind),
            backend: Endpoint(parsing: settings[Relay.backend], defaultMode: .bind))
        configuration.sockets = try settings.sockets()
        configuration.health = settings.healthFile
        try await runUntilSignalled(RelayService(configuration: configuration, logger: logger), logger: logger)
    }
}
