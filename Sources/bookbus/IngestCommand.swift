import ArgumentParser
import BookBusDaemons
import CoinbaseFeed
import Foundation

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Publish every Coinbase message, raw, on one ZeroMQ topic per product.",
        discussion: "Replays a recording (--replay) or connects to Coinbase live (--live).")

    @Option(help: "Replay this recording (JSON Lines: one frame per line, or {\"ts\":..,\"raw\":..} per line).")
    var replay: String?

    @Option(help: "Replay speed: 0 as fast as possible, otherwise the recorded pace × this (timed recordings).")
    var speed: Double = 0

    @Option(help: "Replay at this many messages per second instead (0: off), e.g. for latency measurements.")
    var rate: Double = 0

    @Flag(help: "Connect to Coinbase's WebSocket feed.")
    var live = false

    @Option(help: "Live feed: advanced-trade (level2 + heartbeats) or exchange (level2_batch + heartbeat).")
    var feed: String = CoinbaseFeedKind.advancedTrade.rawValue

    @Option(help: "Live WebSocket URL (default: the feed's Coinbase endpoint); ws://127.0.0.1:PORT for a local server.")
    var url: String?

    @Option(help: "Live products, comma-separated, e.g. BTC-USD,ETH-USD.")
    var products: String = "BTC-USD,ETH-USD"

    @Option(help: "Largest WebSocket message accepted, in bytes (a BTC-USD snapshot is one ~5 MB message).")
    var maxFrameBytes: Int = 64 << 20

    @Option(help: "Live: at most this many products per WebSocket connection; more products open more connections.")
    var productsPerConnection: Int = 10

    @Option(help: "Live: seconds without any message (heartbeats included) before the connection is renewed.")
    var silenceTimeout: Double = 10

    @Option(help: "Where to publish: @tcp://*:5555 binds, >tcp://host:port connects; a bare endpoint binds.")
    var publish: String = "@tcp://*:5555"

    @Option(
        help: "Where the snapshot and worker-group service (ROUTER) listens; a bare endpoint binds; none disables it.")
    var snapshots: String = "@tcp://*:5560"

    @Option(help: "Seconds after which a silent worker-group member is expired and its products reassigned.")
    var groupExpiry: Double = 3

    @Flag(
        inversion: .prefixedNo,
        help: "Wait for slow subscribers instead of dropping (default: on for --replay, off for --live).")
    var lossless: Bool?

    @Option(help: "Before publishing, wait until this many BookBus subscribers are connected.")
    var waitForSubscribers: Int = 0

    @Option(help: "Name in logs and end-of-stream messages (default ingest-<pid>).")
    var name: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard (replay != nil) != live else { throw ValidationError("choose one source: --replay PATH or --live") }
        guard CoinbaseFeedKind(rawValue: feed) != nil else {
            throw ValidationError(
                "--feed \(feed) is not one of \(CoinbaseFeedKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard speed >= 0 else { throw ValidationError("--speed must be 0 (as fast as possible) or positive") }
        guard rate >= 0 else { throw ValidationError("--rate must be 0 (off) or positive") }
        guard maxFrameBytes > 0 else { throw ValidationError("--max-frame-bytes must be positive") }
        guard productsPerConnection >= 1 else { throw ValidationError("--products-per-connection must be at least 1") }
        guard silenceTimeout > 0 else { throw ValidationError("--silence-timeout must be positive") }
        guard groupExpiry > 0 else { throw ValidationError("--group-expiry must be positive") }
    }

    func run() async throws {
        let logger = try common.makeLogger(role: "ingest")
        let source: IngestSource
        if let replay {
            source = .replay(path: replay, speed: speed, rate: rate)
        } else {
            let productList = commaSeparated(products) ?? []
            for product in productList where !ProductID.isValid(product) {
                throw ValidationError("product \(product) is not 1-64 characters of [A-Za-z0-9._-]")
            }
            source = .live(
                WebSocketFeedConfiguration(
                    feed: CoinbaseFeedKind(rawValue: feed)!, url: url, products: productList,
                    maxFrameBytes: maxFrameBytes, silenceTimeout: .milliseconds(Int64(silenceTimeout * 1000))),
                productsPerConnection: productsPerConnection)
        }
        var configuration = IngestConfiguration(
            source: source, publish: Endpoint(parsing: publish, defaultMode: .bind),
            lossless: lossless ?? (replay != nil), name: name ?? "ingest-\(getpid())")
        configuration.sockets = try common.sockets()
        configuration.sockets.maxMessageBytes = Int64(maxFrameBytes)
        configuration.waitForSubscribers = waitForSubscribers
        configuration.snapshots = snapshots == "none" ? nil : Endpoint(parsing: snapshots, defaultMode: .bind)
        configuration.groupExpiry = .milliseconds(Int64(groupExpiry * 1000))
        try await runUntilSignalled(IngestService(configuration: configuration, logger: logger), logger: logger)
    }
}
