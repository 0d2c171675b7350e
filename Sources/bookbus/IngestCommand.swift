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

    @Option(name: .setting(SettingsCatalog.Ingest.speed), help: .setting(SettingsCatalog.Ingest.speed))
    var speed: Double?

    @Option(name: .setting(SettingsCatalog.Ingest.replayClock), help: .setting(SettingsCatalog.Ingest.replayClock))
    var replayClock: String?

    @Option(name: .setting(SettingsCatalog.Ingest.rate), help: .setting(SettingsCatalog.Ingest.rate))
    var rate: Double?

    @Flag(help: "Connect to Coinbase's WebSocket feed (ingest.mode live, the default mode).")
    var live = false

    @Option(name: .setting(SettingsCatalog.Ingest.feed), help: .setting(SettingsCatalog.Ingest.feed))
    var feed: String?

    @Option(
        name: .setting(SettingsCatalog.Ingest.exchangeChannel), help: .setting(SettingsCatalog.Ingest.exchangeChannel))
    var exchangeChannel: String?

    @Option(name: .setting(SettingsCatalog.Ingest.url), help: .setting(SettingsCatalog.Ingest.url))
    var url: String?

    @Option(name: .setting(SettingsCatalog.Ingest.products), help: .setting(SettingsCatalog.Ingest.products))
    var products: String?

    @Option(name: .setting(SettingsCatalog.Ingest.maxFrameBytes), help: .setting(SettingsCatalog.Ingest.maxFrameBytes))
    var maxFrameBytes: Int?

    @Option(
        name: .setting(SettingsCatalog.Ingest.productsPerConnection),
        help: .setting(SettingsCatalog.Ingest.productsPerConnection))
    var productsPerConnection: Int?

    @Option(
        name: .setting(SettingsCatalog.Ingest.silenceTimeout), help: .setting(SettingsCatalog.Ingest.silenceTimeout))
    var silenceTimeout: Double?

    @Option(name: .setting(SettingsCatalog.Ingest.staleAfter), help: .setting(SettingsCatalog.Ingest.staleAfter))
    var staleAfter: Double?

    @Option(name: .setting(SettingsCatalog.Ingest.publish), help: .setting(SettingsCatalog.Ingest.publish))
    var publish: String?

    @Option(name: .setting(SettingsCatalog.Ingest.snapshots), help: .setting(SettingsCatalog.Ingest.snapshots))
    var snapshots: String?

    @Option(name: .setting(SettingsCatalog.Ingest.groupExpiry), help: .setting(SettingsCatalog.Ingest.groupExpiry))
    var groupExpiry: Double?

    // An inverted flag is named from its property: ArgumentParser doubles a custom name's --no- form.
    @Flag(inversion: .prefixedNo, help: .setting(SettingsCatalog.Ingest.lossless))
    var lossless: Bool?

    @Flag(name: .setting(SettingsCatalog.Ingest.progress), help: .setting(SettingsCatalog.Ingest.progress))
    var noProgress = false

    @Flag(name: .setting(SettingsCatalog.Ingest.trades), help: .setting(SettingsCatalog.Ingest.trades))
    var noTrades = false

    @Option(
        name: .setting(SettingsCatalog.Ingest.waitForSubscribers),
        help: .setting(SettingsCatalog.Ingest.waitForSubscribers))
    var waitForSubscribers: Int?

    @Option(name: .setting(SettingsCatalog.Ingest.maxBatch), help: .setting(SettingsCatalog.Ingest.maxBatch))
    var maxBatch: Int?

    @Option(name: .setting(SettingsCatalog.Ingest.name), help: .setting(SettingsCatalog.Ingest.name))
    var name: String?

    @Option(
        name: .setting(SettingsCatalog.Ingest.recordDirectory), help: .setting(SettingsCatalog.Ingest.recordDirectory))
    var record: String?

    @Option(
        name: .setting(SettingsCatalog.Ingest.recordRotateSeconds),
        help: .setting(SettingsCatalog.Ingest.recordRotateSeconds))
    var recordRotateSeconds: Double?

    @Option(
        name: .setting(SettingsCatalog.Ingest.recordRotateBytes),
        help: .setting(SettingsCatalog.Ingest.recordRotateBytes))
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
        flags.set(Ingest.replayClock, replayClock)
        flags.set(Ingest.rate, rate)
        flags.set(Ingest.feed, feed)
        flags.set(Ingest.exchangeChannel, exchangeChannel)
        flags.set(Ingest.url, url)
        flags.set(Ingest.products, commaSeparated(products))
        flags.set(Ingest.maxFrameBytes, maxFrameBytes)
        flags.set(Ingest.productsPerConnection, productsPerConnection)
        flags.set(Ingest.silenceTimeout, silenceTimeout)
        flags.set(Ingest.staleAfter, staleAfter)
        flags.set(Ingest.publish, publish)
        flags.set(Ingest.snapshots, snapshots)
        flags.set(Ingest.groupExpiry, groupExpiry)
        flags.set(Ingest.lossless, lossless, flag: lossless == false ? "--no-lossless" : "--lossless")
        flags.set(Ingest.waitForSubscribers, waitForSubscribers)
        flags.set(Ingest.progress, noProgress ? false : nil)
        flags.set(Ingest.trades, noTrades ? false : nil)
        flags.set(Ingest.maxBatch, maxBatch)
        flags.set(Ingest.name, name)
        flags.set(Ingest.recordDirectory, record)
        flags.set(Ingest.recordRotateSeconds, recordRotateSeconds)
        flags.set(Ingest.recordRotateBytes, recordRotateBytes)
        return flags
    }
}
