import ArgumentParser
import BookBusDaemons
import BookBusSettings
import CoinbaseFeed
import Foundation

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Publish every Coinbase message, raw, on one ZeroMQ topic per product.",
        discussion: """
            Replays a recording (--replay) or connects to Coinbase live (--live). Every flag has an \
            ingest.* setting in the configuration file and a BOOKBUS_INGEST_* variable; flags win.
            """)

    @Option(help: "Replay this recording (ingest.mode replay + ingest.recording).")
    var replay: String?

    @Option(help: "Replay speed: 0 as fast as possible, otherwise the recorded pace × this (ingest.speed; 0).")
    var speed: Double?

    @Option(help: "Replay at this many messages per second instead; 0: off (ingest.rate; 0).")
    var rate: Double?

    @Flag(help: "Connect to Coinbase's WebSocket feed (ingest.mode live, the default mode).")
    var live = false

    @Option(help: "Live feed: advanced-trade or exchange (ingest.feed; advanced-trade).")
    var feed: String?

    @Option(help: "Exchange channel: level2_batch (public) or level2 (API key) (ingest.exchange_channel).")
    var exchangeChannel: String?

    @Option(help: "Live WebSocket URL; default: the feed's Coinbase endpoint (ingest.url).")
    var url: String?

    @Option(help: "Live products, comma-separated (ingest.products; BTC-USD,ETH-USD).")
    var products: String?

    @Option(help: "Largest WebSocket message accepted, in bytes (ingest.max_frame_bytes; 64 MiB).")
    var maxFrameBytes: Int?

    @Option(help: "Live: at most this many products per WebSocket connection (ingest.products_per_connection; 10).")
    var productsPerConnection: Int?

    @Option(help: "Live: seconds of silence before a connection is renewed (ingest.silence_timeout; 10).")
    var silenceTimeout: Double?

    @Option(help: "Where to publish: @… binds, >… connects (ingest.publish; @tcp://*:5555).")
    var publish: String?

    @Option(help: "Snapshot and worker-group service endpoint, or none (ingest.snapshots; @tcp://*:5560).")
    var snapshots: String?

    @Option(help: "Seconds before a silent worker-group member is expired (ingest.group_expiry; 3).")
    var groupExpiry: Double?

    @Flag(
        inversion: .prefixedNo,
        help: "Wait for slow subscribers instead of dropping (ingest.lossless; default: on for replay, off for live).")
    var lossless: Bool?

    @Option(help: "Before publishing, wait for this many BookBus subscribers (ingest.wait_for_subscribers; 0).")
    var waitForSubscribers: Int?

    @Option(
        help:
            "Most messages of one product per bus message when several are at hand at once (ingest.max_batch; 64; 1: one each)."
    )
    var maxBatch: Int?

    @Option(help: "Name in logs and end-of-stream messages (ingest.name; default ingest-<pid>).")
    var name: String?

    @Option(help: "Record every received frame with its receive time into rotating files in DIR (ingest.record).")
    var record: String?

    @Option(help: "Start a new recording file after this many seconds (ingest.record_rotate_seconds; 3600).")
    var recordRotateSeconds: Double?

    @Option(help: "Start a new recording file at this many bytes (ingest.record_rotate_bytes; 256 MiB).")
    var recordRotateBytes: Int?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard !(replay != nil && live) else { throw ValidationError("choose one source: --replay PATH or --live") }
    }

    func run() async throws {
        let settings = try common.settings(roleFlags: flags())
        let logger = settings.makeLogger(role: "ingest")
        let configuration = try IngestConfiguration(settings: settings)
        try await runUntilSignalled(IngestService(configuration: configuration, logger: logger), logger: logger)
    }

    private func flags() -> FlagValues {
        typealias Ingest = SettingsCatalog.Ingest
        var flags = FlagValues()
        flags.set(
            Ingest.mode, replay != nil ? "replay" : live ? "live" : nil, flag: replay != nil ? "--replay" : "--live")
        flags.set(Ingest.recording, replay, flag: "--replay")
        flags.set(Ingest.speed, speed, flag: "--speed")
        flags.set(Ingest.rate, rate, flag: "--rate")
        flags.set(Ingest.feed, feed, flag: "--feed")
        flags.set(Ingest.exchangeChannel, exchangeChannel, flag: "--exchange-channel")
        flags.set(Ingest.url, url, flag: "--url")
        flags.set(Ingest.products, commaSeparated(products), flag: "--products")
        flags.set(Ingest.maxFrameBytes, maxFrameBytes, flag: "--max-frame-bytes")
        flags.set(Ingest.productsPerConnection, productsPerConnection, flag: "--products-per-connection")
        flags.set(Ingest.silenceTimeout, silenceTimeout, flag: "--silence-timeout")
        flags.set(Ingest.publish, publish, flag: "--publish")
        flags.set(Ingest.snapshots, snapshots, flag: "--snapshots")
        flags.set(Ingest.groupExpiry, groupExpiry, flag: "--group-expiry")
        flags.set(Ingest.lossless, lossless, flag: lossless == false ? "--no-lossless" : "--lossless")
        flags.set(Ingest.waitForSubscribers, waitForSubscribers, flag: "--wait-for-subscribers")
        flags.set(Ingest.maxBatch, maxBatch, flag: "--max-batch")
        flags.set(Ingest.name, name, flag: "--name")
        flags.set(Ingest.recordDirectory, record, flag: "--record")
        flags.set(Ingest.recordRotateSeconds, recordRotateSeconds, flag: "--record-rotate-seconds")
        flags.set(Ingest.recordRotateBytes, recordRotateBytes, flag: "--record-rotate-bytes")
        return flags
    }
}

extension IngestConfiguration {
    /// The ingest's configuration from its effective settings (credentials aside).
    init(settings: EffectiveSettings) throws {
        typealias Ingest = SettingsCatalog.Ingest
        let isReplay = settings[Ingest.mode] == "replay"
        let source: IngestSource
        if isReplay {
            guard let recording = settings[Ingest.recording] else {
                throw settings.invalid(Ingest.mode.definition, "replay needs ingest.recording (or --replay PATH)")
            }
            source = .replay(path: recording, speed: settings[Ingest.speed], rate: settings[Ingest.rate])
        } else {
            for product in settings[Ingest.products] where !ProductID.isValid(product) {
                throw settings.invalid(
                    Ingest.products.definition, "product \(product) is not 1-64 characters of [A-Za-z0-9._-]")
            }
            // ingest.feed and ingest.exchange_channel are limited to these names.
            let feed = CoinbaseFeedKind(rawValue: settings[Ingest.feed])!
            let channel = ExchangeChannel(rawValue: settings[Ingest.exchangeChannel])!
            if channel == .level2 && feed != .exchange {
                throw settings.invalid(Ingest.exchangeChannel.definition, "level2 here needs ingest.feed exchange")
            }
            var live = WebSocketFeedConfiguration(
                feed: feed, url: settings[Ingest.url], products: settings[Ingest.products],
                maxFrameBytes: settings[Ingest.maxFrameBytes],
                silenceTimeout: .milliseconds(Int64(settings[Ingest.silenceTimeout] * 1000)))
            live.exchangeChannel = channel
            live.credentials = try CoinbaseCredentials(settings: settings)
            try live.subscription.validate()
            source = .live(live, productsPerConnection: settings[Ingest.productsPerConnection])
        }
        self.init(
            source: source, publish: Endpoint(parsing: settings[Ingest.publish], defaultMode: .bind),
            lossless: settings[Ingest.lossless] ?? isReplay, name: settings[Ingest.name] ?? "ingest-\(getpid())")
        sockets = try settings.sockets()
        sockets.maxMessageBytes = Int64(settings[Ingest.maxFrameBytes])
        waitForSubscribers = settings[Ingest.waitForSubscribers]
        maxBatch = settings[Ingest.maxBatch]
        let service = settings[Ingest.snapshots]
        snapshots = service == "none" ? nil : Endpoint(parsing: service, defaultMode: .bind)
        groupExpiry = .milliseconds(Int64(settings[Ingest.groupExpiry] * 1000))
        health = settings.healthFile
        stats = settings.statsFile
        if let directory = settings[Ingest.recordDirectory] {
            guard !isReplay else {
                throw settings.invalid(Ingest.recordDirectory.definition, "records live sessions; not with replay")
            }
            record = RecordingRotation(
                directory: directory, maxSeconds: settings[Ingest.recordRotateSeconds],
                maxBytes: settings[Ingest.recordRotateBytes])
        }
    }
}
