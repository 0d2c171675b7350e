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

    @Option(help: .init(SettingsCatalog.Ingest.speed.flagHelp))
    var speed: Double?

    @Option(help: .init(SettingsCatalog.Ingest.rate.flagHelp))
    var rate: Double?

    @Flag(help: "Connect to Coinbase's WebSocket feed (ingest.mode live, the default mode).")
    var live = false

    @Option(help: .init(SettingsCatalog.Ingest.feed.flagHelp))
    var feed: String?

    @Option(help: .init(SettingsCatalog.Ingest.exchangeChannel.flagHelp))
    var exchangeChannel: String?

    @Option(help: .init(SettingsCatalog.Ingest.url.flagHelp))
    var url: String?

    @Option(help: .init(SettingsCatalog.Ingest.products.flagHelp))
    var products: String?

    @Option(help: .init(SettingsCatalog.Ingest.maxFrameBytes.flagHelp))
    var maxFrameBytes: Int?

    @Option(help: .init(SettingsCatalog.Ingest.productsPerConnection.flagHelp))
    var productsPerConnection: Int?

    @Option(help: .init(SettingsCatalog.Ingest.silenceTimeout.flagHelp))
    var silenceTimeout: Double?

    @Option(help: .init(SettingsCatalog.Ingest.publish.flagHelp))
    var publish: String?

    @Option(help: .init(SettingsCatalog.Ingest.snapshots.flagHelp))
    var snapshots: String?

    @Option(help: .init(SettingsCatalog.Ingest.groupExpiry.flagHelp))
    var groupExpiry: Double?

    @Flag(
        inversion: .prefixedNo,
        help: .init(SettingsCatalog.Ingest.lossless.flagHelp))
    var lossless: Bool?

    @Option(help: .init(SettingsCatalog.Ingest.waitForSubscribers.flagHelp))
    var waitForSubscribers: Int?

    @Option(help: .init(SettingsCatalog.Ingest.maxBatch.flagHelp))
    var maxBatch: Int?

    @Option(help: .init(SettingsCatalog.Ingest.name.flagHelp))
    var name: String?

    @Option(help: .init(SettingsCatalog.Ingest.recordDirectory.flagHelp))
    var record: String?

    @Option(help: .init(SettingsCatalog.Ingest.recordRotateSeconds.flagHelp))
    var recordRotateSeconds: Double?

    @Option(help: .init(SettingsCatalog.Ingest.recordRotateBytes.flagHelp))
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
        flags.set(Ingest.recording, replay)
        flags.set(Ingest.speed, speed)
        flags.set(Ingest.rate, rate)
        flags.set(Ingest.feed, feed)
        flags.set(Ingest.exchangeChannel, exchangeChannel)
        flags.set(Ingest.url, url)
        flags.set(Ingest.products, commaSeparated(products))
        flags.set(Ingest.maxFrameBytes, maxFrameBytes)
        flags.set(Ingest.productsPerConnection, productsPerConnection)
        flags.set(Ingest.silenceTimeout, silenceTimeout)
        flags.set(Ingest.publish, publish)
        flags.set(Ingest.snapshots, snapshots)
        flags.set(Ingest.groupExpiry, groupExpiry)
        flags.set(Ingest.lossless, lossless, flag: lossless == false ? "--no-lossless" : "--lossless")
        flags.set(Ingest.waitForSubscribers, waitForSubscribers)
        flags.set(Ingest.maxBatch, maxBatch)
        flags.set(Ingest.name, name)
        flags.set(Ingest.recordDirectory, record)
        flags.set(Ingest.recordRotateSeconds, recordRotateSeconds)
        flags.set(Ingest.recordRotateBytes, recordRotateBytes)
        return flags
    }
}
