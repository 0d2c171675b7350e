import ArgumentParser
import BookBusDaemons

struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Forward events between publishers and subscribers: one address for each side (XSUB/XPUB).")

    @Option(help: "Where publishers (workers) connect with --publish >tcp://relay:PORT; a bare endpoint binds.")
    var frontend: String = "@tcp://*:5570"

    @Option(help: "Where subscribers (sinks, your own clients) connect; a bare endpoint binds.")
    var backend: String = "@tcp://*:5571"

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let logger = try common.makeLogger(role: "relay")
        var configuration = RelayConfiguration(
            frontend: Endpoint(parsing: frontend, defaultMode: .bind),
            backend: Endpoint(parsing: backend, defaultMode: .bind))
        configuration.sockets = try common.sockets()
        try await runUntilSignalled(RelayService(configuration: configuration, logger: logger), logger: logger)
    }
}
