import ArgumentParser
import BookBusDaemons
import BookBusSettings

struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Forward events between publishers and subscribers: one address for each side (XSUB/XPUB).")

    @Option(name: .setting(SettingsCatalog.Relay.frontend), help: .setting(SettingsCatalog.Relay.frontend))
    var frontend: String?

    @Option(name: .setting(SettingsCatalog.Relay.backend), help: .setting(SettingsCatalog.Relay.backend))
    var backend: String?

    @OptionGroup var common: CommonOptions

    func run() async throws {
        typealias Relay = SettingsCatalog.Relay
        var flags = FlagValues()
        flags.set(Relay.frontend, frontend)
        flags.set(Relay.backend, backend)
        let settings = try common.settings(roleFlags: flags)
        let logger = settings.makeLogger(role: "relay")
        let configuration = try RelayConfiguration(settings: settings)
        try await runUntilSignalled(RelayService(configuration: configuration, logger: logger), logger: logger)
    }
}
