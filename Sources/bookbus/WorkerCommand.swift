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
        abstract: "Keep order books for a share of the products and publish top-of-book and spread events.",
        discussion: """
            Every flag has a worker.* setting in the configuration file and a BOOKBUS_WORKER_* variable; \
            flags win.
            """)

    @Option(help: .init(SettingsCatalog.Worker.ingest.flagHelp))
    var ingest: [String] = []

    @Option(help: .init(SettingsCatalog.Worker.snapshots.flagHelp))
    var snapshots: [String] = []

    @Option(help: .init(SettingsCatalog.Worker.resyncBuffer.flagHelp))
    var resyncBuffer: Int?

    @Option(help: .init(SettingsCatalog.Worker.publish.flagHelp))
    var publish: String?

    @Option(help: .init(SettingsCatalog.Worker.products.flagHelp))
    var products: String?

    @Option(help: .init(SettingsCatalog.Worker.shard.flagHelp))
    var shard: String?

    @Option(help: .init(SettingsCatalog.Worker.allProducts.flagHelp))
    var allProducts: String?

    @Option(help: .init(SettingsCatalog.Worker.emit.flagHelp))
    var emit: String?

    @Flag(help: .init(SettingsCatalog.Worker.lossless.flagHelp))
    var lossless = false

    @Option(help: .init(SettingsCatalog.Worker.waitForSubscribers.flagHelp))
    var waitForSubscribers: Int?

    @Flag(help: .init(SettingsCatalog.Worker.exitOnEnd.flagHelp))
    var exitOnEnd = false

    @Option(help: .init(SettingsCatalog.Worker.name.flagHelp))
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
        flags.set(Worker.lossless, lossless ? true : nil)
        flags.set(Worker.waitForSubscribers, waitForSubscribers)
        flags.set(Worker.exitOnEnd, exitOnEnd ? true : nil)
        flags.set(Worker.name, name)
        return flags
    }
}
