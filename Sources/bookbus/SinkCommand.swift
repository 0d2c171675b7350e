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
        abstract: "Collect events (spread, top of book, depth, analytics, trades, bars) and print or log them.",
        discussion: """
            Every flag has a sink.* setting in the configuration file and a BOOKBUS_SINK_* variable; \
            flags win.
            """)

    @Option(name: .setting(SettingsCatalog.Sink.connect), help: .setting(SettingsCatalog.Sink.connect))
    var connect: [String] = []

    @Option(name: .setting(SettingsCatalog.Sink.events), help: .setting(SettingsCatalog.Sink.events))
    var events: String?

    @Option(name: .setting(SettingsCatalog.Sink.products), help: .setting(SettingsCatalog.Sink.products))
    var products: String?

    @Option(name: .setting(SettingsCatalog.Sink.format), help: .setting(SettingsCatalog.Sink.format))
    var format: String?

    @Option(name: .setting(SettingsCatalog.Sink.log), help: .setting(SettingsCatalog.Sink.log))
    var log: String?

    @Flag(name: .setting(SettingsCatalog.Sink.quiet), help: .setting(SettingsCatalog.Sink.quiet))
    var quiet = false

    @Option(
        name: .setting(SettingsCatalog.Sink.minSpreadBasisPoints),
        help: .setting(SettingsCatalog.Sink.minSpreadBasisPoints))
    var minSpreadBps: String?

    @Flag(name: .setting(SettingsCatalog.Sink.latencyReport), help: .setting(SettingsCatalog.Sink.latencyReport))
    var latencyReport = false

    @Option(name: .setting(SettingsCatalog.Sink.exitAfterEnds), help: .setting(SettingsCatalog.Sink.exitAfterEnds))
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
