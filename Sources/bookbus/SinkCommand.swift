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

    @Option(help: "Event endpoint to subscribe to (repeatable): >… connects, @… binds (sink.connect).")
    var connect: [String] = []

    @Option(help: "Event families, comma-separated: spread, tob (sink.events; spread).")
    var events: String?

    @Option(help: "Only these products, comma-separated (sink.products; default all).")
    var products: String?

    @Option(help: "Output format: text or json (sink.format; text).")
    var format: String?

    @Option(help: "Also append every line to this file, whole lines only (sink.log).")
    var log: String?

    @Flag(help: "Do not print events to standard output (sink.quiet).")
    var quiet = false

    @Option(help: "Keep only spreads at least this many basis points of the mid (sink.min_spread_bps).")
    var minSpreadBps: String?

    @Flag(help: "Measure ingest-receive → sink-receive latency; print percentiles when stopping (sink.latency_report).")
    var latencyReport = false

    @Option(help: "Exit after this many publishers announced their end of stream (sink.exit_after_ends; 0: never).")
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
        flags.set(Sink.connect, connect.isEmpty ? nil : connect, flag: "--connect")
        flags.set(Sink.events, commaSeparated(events), flag: "--events")
        flags.set(Sink.products, commaSeparated(products), flag: "--products")
        flags.set(Sink.format, format, flag: "--format")
        flags.set(Sink.log, log, flag: "--log")
        flags.set(Sink.quiet, quiet ? true : nil, flag: "--quiet")
        flags.set(Sink.minSpreadBasisPoints, minSpreadBps, flag: "--min-spread-bps")
        flags.set(Sink.latencyReport, latencyReport ? true : nil, flag: "--latency-report")
        flags.set(Sink.exitAfterEnds, exitAfterEnds, flag: "--exit-after-ends")
        return flags
    }
}

extension SinkConfiguration {
    /// The sink's configuration from its effective settings.
    init(settings: EffectiveSettings) throws {
        typealias Sink = SettingsCatalog.Sink
        self.init(endpoints: settings[Sink.connect].map { Endpoint(parsing: $0, defaultMode: .connect) })
        // sink.events and sink.format are limited to these names.
        kinds = settings[Sink.events].compactMap(BookEvent.Kind.init(rawValue:))
        products = settings[Sink.products]
        format = SinkFormat(rawValue: settings[Sink.format])!
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
    }
}
