import ArgumentParser
import BookBusDaemons
import BusProtocol
import Foundation
import OrderBook

struct SinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sink",
        abstract: "Collect top-of-book and spread events and print or log them, one line each.")

    @Option(help: "Event endpoint to subscribe to (repeatable): >tcp://host:port connects (the default), @... binds.")
    var connect: [String] = [">tcp://127.0.0.1:5556"]

    @Option(help: "Event families, comma-separated: spread, tob.")
    var events: String = "spread"

    @Option(help: "Only these products, comma-separated (default: all).")
    var products: String?

    @Option(help: "Output format: text (one readable line per event) or json (the event payload, one per line).")
    var format: String = SinkFormat.text.rawValue

    @Option(
        help: "Also append every line to this file (whole lines only; a partial last line from a crash is removed).")
    var log: String?

    @Flag(help: "Do not print events to standard output.")
    var quiet = false

    @Option(help: "Keep only events whose spread is at least this many basis points of the mid (exact comparison).")
    var minSpreadBps: String?

    @Flag(help: "Measure ingest-receive → sink-receive latency per event; print percentiles when stopping.")
    var latencyReport = false

    @Option(help: "Exit after this many publishers announced their end of stream (0: run until stopped).")
    var exitAfterEnds: Int = 0

    @OptionGroup var common: CommonOptions

    func validate() throws {
        for kind in commaSeparated(events) ?? [] where BookEvent.Kind(rawValue: kind) == nil {
            throw ValidationError("--events: \(kind) is not spread or tob")
        }
        guard SinkFormat(rawValue: format) != nil else {
            throw ValidationError("--format \(format) is not text or json")
        }
        if let minSpreadBps {
            do {
                _ = try ExactDecimal(minSpreadBps)
            } catch {
                throw ValidationError("--min-spread-bps \(minSpreadBps): \(error)")
            }
        }
    }

    func run() async throws {
        let logger = try common.makeLogger(role: "sink")
        var configuration = SinkConfiguration(endpoints: connect.map { Endpoint(parsing: $0, defaultMode: .connect) })
        configuration.kinds = (commaSeparated(events) ?? []).compactMap(BookEvent.Kind.init(rawValue:))
        configuration.products = commaSeparated(products)
        configuration.format = SinkFormat(rawValue: format)!
        configuration.logPath = log
        configuration.quiet = quiet
        configuration.minSpreadBasisPoints = try minSpreadBps.map { try ExactDecimal($0) }
        configuration.exitAfterEnds = exitAfterEnds
        configuration.latencyReport = latencyReport
        configuration.sockets = try common.sockets()
        try await runUntilSignalled(SinkService(configuration: configuration, logger: logger), logger: logger)
    }
}
