import ArgumentParser
import BookBusCore
import BookBusDaemons
import BookBusSettings
import BusProtocol
import CoinbaseFeed
import Foundation

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract:
            "Keep order books for a share of the products and publish their event streams (top of book, spread, depth, analytics, trades, bars).",
        discussion: """
            Every flag has a worker.* setting in the configuration file and a BOOKBUS_WORKER_* variable; \
            flags win.
            """)

    @Option(name: .setting(SettingsCatalog.Worker.ingest), help: .setting(SettingsCatalog.Worker.ingest))
    var ingest: [String] = []

    @Option(name: .setting(SettingsCatalog.Worker.snapshots), help: .setting(SettingsCatalog.Worker.snapshots))
    var snapshots: [String] = []

    @Option(name: .setting(SettingsCatalog.Worker.resyncBuffer), help: .setting(SettingsCatalog.Worker.resyncBuffer))
    var resyncBuffer: Int?

    @Option(name: .setting(SettingsCatalog.Worker.publish), help: .setting(SettingsCatalog.Worker.publish))
    var publish: String?

    @Option(name: .setting(SettingsCatalog.Worker.products), help: .setting(SettingsCatalog.Worker.products))
    var products: String?

    @Option(name: .setting(SettingsCatalog.Worker.shard), help: .setting(SettingsCatalog.Worker.shard))
    var shard: String?

    @Option(name: .setting(SettingsCatalog.Worker.allProducts), help: .setting(SettingsCatalog.Worker.allProducts))
    var allProducts: String?

    @Option(name: .setting(SettingsCatalog.Worker.emit), help: .setting(SettingsCatalog.Worker.emit))
    var emit: String?

    @Option(name: .setting(SettingsCatalog.Worker.streams), help: .setting(SettingsCatalog.Worker.streams))
    var streams: String?

    @Option(name: .setting(SettingsCatalog.Worker.depthLevels), help: .setting(SettingsCatalog.Worker.depthLevels))
    var depthLevels: Int?

    @Option(
        name: .setting(SettingsCatalog.Worker.analyticsImbalanceLevels),
        help: .setting(SettingsCatalog.Worker.analyticsImbalanceLevels))
    var analyticsImbalanceLevels: Int?

    @Option(
        name: .setting(SettingsCatalog.Worker.analyticsBands), help: .setting(SettingsCatalog.Worker.analyticsBands))
    var analyticsBandsBps: String?

    @Option(
        name: .setting(SettingsCatalog.Worker.analyticsSizes), help: .setting(SettingsCatalog.Worker.analyticsSizes))
    var analyticsSizes: String?

    @Option(
        name: .setting(SettingsCatalog.Worker.analyticsNotionals),
        help: .setting(SettingsCatalog.Worker.analyticsNotionals))
    var analyticsNotionals: String?

    @Option(
        name: .setting(SettingsCatalog.Worker.intervalMilliseconds),
        help: .setting(SettingsCatalog.Worker.intervalMilliseconds))
    var intervalMs: Int?

    @Flag(
        name: .setting(SettingsCatalog.Worker.repeatUnchanged), help: .setting(SettingsCatalog.Worker.repeatUnchanged))
    var repeatUnchanged = false

    @Option(name: .setting(SettingsCatalog.Worker.barIntervals), help: .setting(SettingsCatalog.Worker.barIntervals))
    var barIntervals: String?

    @Flag(name: .setting(SettingsCatalog.Worker.lossless), help: .setting(SettingsCatalog.Worker.lossless))
    var lossless = false

    @Option(
        name: .setting(SettingsCatalog.Worker.waitForSubscribers),
        help: .setting(SettingsCatalog.Worker.waitForSubscribers))
    var waitForSubscribers: Int?

    @Flag(name: .setting(SettingsCatalog.Worker.exitOnEnd), help: .setting(SettingsCatalog.Worker.exitOnEnd))
    var exitOnEnd = false

    @Option(name: .setting(SettingsCatalog.Worker.name), help: .setting(SettingsCatalog.Worker.name))
    var name: String?

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try common.settings(roleFlags: flags())
        let logger = settings.makeLogger(role: "worker")
        let configuration = try WorkerConfiguration(settings: settings)
        try await runUntilSignalled(WorkerService(configuration: configuration, logger: logger), logger: logger)
    }

    private func flags() -> FlagValues {
        typealias Worker = SettingsCatalog.Worker
        var flags = FlagValues()
        flags.set(Worker.ingest, ingest.isEmpty ? nil : ingest)
        flags.set(Worker.snapshots, snapshots.isEmpty ? nil : snapshots)
        flags.set(Worker.resyncBuffer, resyncBuffer)
        flags.set(Worker.publish, publish)
        flags.set(Worker.products, commaSeparated(products))
        flags.set(Worker.shard, shard)
        flags.set(Worker.allProducts, commaSeparated(allProducts))
        flags.set(Worker.emit, emit)
        flags.set(Worker.streams, commaSeparated(streams))
        flags.set(Worker.depthLevels, depthLevels)
        flags.set(Worker.analyticsImbalanceLevels, analyticsImbalanceLevels)
        flags.set(Worker.analyticsBands, commaSeparated(analyticsBandsBps))
        flags.set(Worker.analyticsSizes, commaSeparated(analyticsSizes))
        flags.set(Worker.analyticsNotionals, commaSeparated(analyticsNotionals))
        flags.set(Worker.intervalMilliseconds, intervalMs)
        flags.set(Worker.repeatUnchanged, repeatUnchanged ? true : nil)
        flags.set(Worker.barIntervals, commaSeparated(barIntervals))
        flags.set(Worker.lossless, lossless ? true : nil)
        flags.set(Worker.waitForSubscribers, waitForSubscribers)
        flags.set(Worker.exitOnEnd, exitOnEnd ? true : nil)
        flags.set(Worker.name, name)
        return flags
    }
}
