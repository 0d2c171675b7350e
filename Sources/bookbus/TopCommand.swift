import ArgumentParser
import BookBusDaemons
import BookBusSettings
import Foundation

struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "A live board of every product's top of book, redrawn in place; q quits.",
        discussion: """
            Product, bid × size, ask × size, spread, basis points, top-of-book changes a second, age of \
            the last change, state (live; quiet after 10 s without a change; crossed). A widening spread \
            is red, a narrowing one green, a quiet or crossed product yellow. When standard output is not \
            a terminal, it prints a plain line for each product whose top changed. Reads the sink's \
            sink.connect and the bus and CURVE settings.
            """)

    @Option(name: .setting(SettingsCatalog.Sink.connect), help: .setting(SettingsCatalog.Sink.connect))
    var connect: [String] = []

    @Option(help: "Only these products, comma-separated (default: every product seen).")
    var products: String?

    @Option(help: "Milliseconds between redraws.")
    var intervalMs: Int = 250

    @Option(help: "Stop once this many publishers have announced their end of stream (0: run until q or a signal).")
    var exitAfterEnds: Int = 0

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard (10...10_000).contains(intervalMs) else {
            throw ValidationError("--interval-ms \(intervalMs) is outside 10...10000")
        }
    }

    func run() async throws {
        var flags = FlagValues()
        flags.set(SettingsCatalog.Sink.connect, connect.isEmpty ? nil : connect)
        let settings = try common.settings(roleFlags: flags)
        var logger = settings.makeLogger(role: "top")
        // The board owns the terminal: only warnings and worse go to standard error.
        logger.logLevel = max(logger.logLevel, .warning)
        let sink = try SinkConfiguration(settings: settings)
        let configuration = BoardConfiguration(
            endpoints: sink.endpoints, sockets: sink.sockets,
            products: products.map { $0.split(separator: ",").map(String.init) },
            interval: .milliseconds(intervalMs), exitAfterEnds: exitAfterEnds)
        try await runUntilSignalled(BoardService(configuration: configuration, logger: logger), logger: logger)
    }
}
