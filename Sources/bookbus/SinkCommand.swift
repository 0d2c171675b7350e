import ArgumentParser
import BookBusCore
import BookBusDaemons
import BookBusSettings
import BusProtocol
import Foundation
import OrderBook

struct SinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sink",
        abstract: "Collect top-of-book and spread events and print or log them, one line each.",
        discussion: """
            Every flag has a sink.* setting in the configuration file and a BOOKBUS_SINK_* variable; \
            flags win.
            """)

    @Option(help: .init(SettingsCatalog.Sink.connect.flagHelp))
    var connect: [String] = []

    @Option(help: .init(SettingsCatalog.Sink.events.flagHelp))
    var events: String?

    @Option(help: .init(SettingsCatalog.Sink.products.flagHelp))
    var products: String?

    @Option(help: .init(SettingsCatalog.Sink.format.flagHelp))
    var format: String?

    @Option(help: .init(SettingsCatalog.Sink.log.flagHelp))
    var log: String?

    @Flag(help: .init(SettingsCatalog.Sink.quiet.flagHelp))
    var quiet = false

    @Option(help: .init(SettingsCatalog.Sink.minSpreadBasisPoints.flagHelp))
    var minSpreadBps: String?

    @Flag(help: .init(SettingsCatalog.Sink.latencyReport.flagHelp))
    var latencyReport = false

    @Option(help: .init(SettingsCatalog.Sink.exitAfterEnds.flagHelp))
    var exitAfterEnds: Int?

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try common.settings(roleFlags: flags())
        let logger = settings.makeLogger(role: "sink")
        let configuration = try SinkConfiguration(settings: settings)
        try await runUntilSignalled(SinkService(configuration: configuration, logger: logger), logger: logger)
    }

    private func flags() -> FlagValues {
        typealias Sink = SettingsCatalog.Sink
        var flags = FlagValues()
        flags.set(Sink.connect, connect.isEmpty ? nil : connect)
        flags.set(Sink.events, commaSeparated(events))
        flags.set(Sink.products, commaSeparated(products))
        flags.set(Sink.format, format)
        flags.set(Sink.log, log)
        flags.set(Sink.quiet, quiet ? true : nil)
        flags.set(Sink.minSpreadBasisPoints, minSpreadBps)
        flags.set(Sink.latencyReport, latencyReport ? true : nil)
        flags.set(Sink.exitAfterEnds, exitAfterEnds)
        return flags
    }
}
