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

    @Option(help: "Ingest endpoint to subscribe to (repeatable): >… connects, @… binds (worker.ingest).")
    var ingest: [String] = []

    @Option(help: "The ingest's snapshot service (repeatable), or none (worker.snapshots).")
    var snapshots: [String] = []

    @Option(help: "Messages kept per product while it waits for a snapshot (worker.resync_buffer; 100000).")
    var resyncBuffer: Int?

    @Option(help: "Where to publish events: @… binds, >… connects (worker.publish; @tcp://*:5556).")
    var publish: String?

    @Option(help: "Keep exactly these products, comma-separated (worker.products).")
    var products: String?

    @Option(
        help: "Keep shard i of n, e.g. 0/2 (worker.shard). Without shard or products the worker joins the group.")
    var shard: String?

    @Option(help: "With --shard: the full product list, so the worker subscribes to its own topics only.")
    var allProducts: String?

    @Option(help: "When to publish: change or every-message (worker.emit; change).")
    var emit: String?

    @Flag(help: "Wait for slow subscribers instead of dropping events (worker.lossless).")
    var lossless = false

    @Option(help: "Before subscribing, wait for this many BookBus subscribers (worker.wait_for_subscribers; 0).")
    var waitForSubscribers: Int?

    @Flag(help: "Exit after passing on the ingest's end of stream (worker.exit_on_end).")
    var exitOnEnd = false

    @Option(help: "Name in logs and events, and the group member id (worker.name; default worker-<host>-<pid>).")
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
        flags.set(Worker.ingest, ingest.isEmpty ? nil : ingest, flag: "--ingest")
        flags.set(Worker.snapshots, snapshots.isEmpty ? nil : snapshots, flag: "--snapshots")
        flags.set(Worker.resyncBuffer, resyncBuffer, flag: "--resync-buffer")
        flags.set(Worker.publish, publish, flag: "--publish")
        flags.set(Worker.products, commaSeparated(products), flag: "--products")
        flags.set(Worker.shard, shard, flag: "--shard")
        flags.set(Worker.allProducts, commaSeparated(allProducts), flag: "--all-products")
        flags.set(Worker.emit, emit, flag: "--emit")
        flags.set(Worker.lossless, lossless ? true : nil, flag: "--lossless")
        flags.set(Worker.waitForSubscribers, waitForSubscribers, flag: "--wait-for-subscribers")
        flags.set(Worker.exitOnEnd, exitOnEnd ? true : nil, flag: "--exit-on-end")
        flags.set(Worker.name, name, flag: "--name")
        return flags
    }
}

extension WorkerConfiguration {
    /// The worker's configuration from its effective settings.
    init(settings: EffectiveSettings) throws {
        typealias Worker = SettingsCatalog.Worker
        let snapshotEndpoints = settings[Worker.snapshots].filter { $0 != "none" }
        let ownership: ProductOwnership
        switch (settings[Worker.products], settings[Worker.shard]) {
        case (_?, _?):
            throw settings.invalid(
                Worker.shard.definition, "choose one: worker.products, worker.shard, or neither for the worker group")
        case (nil, let shard?):
            let assignment: ShardAssignment
            do {
                assignment = try ShardAssignment(parsing: shard)
            } catch {
                throw settings.invalid(Worker.shard.definition, "\(error)")
            }
            ownership = .shard(assignment, knownProducts: settings[Worker.allProducts])
        case (let products?, nil):
            ownership = .products(products)
        case (nil, nil):
            guard !snapshotEndpoints.isEmpty else {
                throw settings.invalid(
                    Worker.snapshots.definition,
                    "the worker group is coordinated by the ingest's snapshot service: give its endpoint")
            }
            ownership = .group
        }
        if settings[Worker.allProducts] != nil && settings[Worker.shard] == nil {
            throw settings.invalid(Worker.allProducts.definition, "goes with worker.shard")
        }
        for setting in [Worker.products, Worker.allProducts] {
            for product in settings[setting] ?? [] where !ProductID.isValid(product) {
                throw settings.invalid(
                    setting.definition, "product \(product) is not 1-64 characters of [A-Za-z0-9._-]")
            }
        }
        self.init(
            ingest: settings[Worker.ingest].map { Endpoint(parsing: $0, defaultMode: .connect) },
            publish: Endpoint(parsing: settings[Worker.publish], defaultMode: .bind), ownership: ownership,
            name: settings[Worker.name] ?? "worker-\(ProcessInfo.processInfo.hostName)-\(getpid())")
        // worker.emit is limited to the policies' names.
        emit = EmitPolicy(rawValue: settings[Worker.emit])!
        sockets = try settings.sockets()
        lossless = settings[Worker.lossless]
        waitForSubscribers = settings[Worker.waitForSubscribers]
        snapshots = snapshotEndpoints.map { Endpoint(parsing: $0, defaultMode: .connect) }
        resyncBufferLimit = settings[Worker.resyncBuffer]
        exitOnEnd = settings[Worker.exitOnEnd]
        health = settings.healthFile
        stats = settings.statsFile
    }
}
