import BookBusCore
public import BookBusSettings
import BusProtocol
import CoinbaseFeed
import Foundation
import OrderBook

extension WorkerConfiguration {
    /// The worker's configuration from its effective settings.
    public init(settings: EffectiveSettings) throws {
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
        emit = try settings.choice(Worker.emit, as: EmitPolicy.self)
        streams = try Self.streams(settings, emit: emit)
        sockets = try settings.sockets()
        lossless = settings[Worker.lossless]
        waitForSubscribers = settings[Worker.waitForSubscribers]
        snapshots = snapshotEndpoints.map { Endpoint(parsing: $0, defaultMode: .connect) }
        resyncBufferLimit = settings[Worker.resyncBuffer]
        exitOnEnd = settings[Worker.exitOnEnd]
        health = settings.healthFile
        stats = settings.statsFile
        metrics = try settings.metricsListen()
    }

    /// The event streams the settings ask for.
    private static func streams(_ settings: EffectiveSettings, emit: EmitPolicy) throws -> StreamSettings {
        typealias Worker = SettingsCatalog.Worker
        let families = Set(try settings.choices(Worker.streams, as: EventFamily.self))
        var streams = StreamSettings()
        streams.topOfBook = families.contains(.topOfBook)
        streams.spread = families.contains(.spread)
        streams.depthLevels = families.contains(.depth) ? settings[Worker.depthLevels] : nil
        streams.trades = families.contains(.trade)
        if families.contains(.analytics) { streams.analytics = try analytics(settings) }
        if families.contains(.bar) {
            streams.barIntervals = try settings[Worker.barIntervals].map { text in
                do {
                    return try StreamInterval(parsing: text)
                } catch {
                    throw settings.invalid(Worker.barIntervals.definition, "\(error)")
                }
            }
            guard !streams.barIntervals.isEmpty else {
                throw settings.invalid(Worker.barIntervals.definition, "the bar stream needs at least one interval")
            }
        }
        let interval = settings[Worker.intervalMilliseconds]
        if interval > 0 {
            guard emit == .onChange else {
                throw settings.invalid(
                    Worker.intervalMilliseconds.definition,
                    "conflation and worker.emit every-message exclude each other")
            }
            streams.conflation = StreamSettings.Conflation(
                interval: StreamInterval(milliseconds: interval), repeatsUnchanged: settings[Worker.repeatUnchanged])
        }
        return streams
    }

    /// What the analytics stream computes.
    private static func analytics(_ settings: EffectiveSettings) throws -> StreamSettings.Analytics {
        typealias Worker = SettingsCatalog.Worker
        func amounts(_ setting: Setting<[String]>) throws -> [ExactDecimal] {
            try settings[setting].map { text in
                guard let amount = try? ExactDecimal(text), !amount.isNegative, !amount.isZero else {
                    throw settings.invalid(setting.definition, "\(text) is not a positive decimal number")
                }
                return amount
            }
        }
        return StreamSettings.Analytics(
            imbalanceLevels: settings[Worker.analyticsImbalanceLevels],
            bandsBasisPoints: try amounts(Worker.analyticsBands),
            sizes: try amounts(Worker.analyticsSizes), notionals: try amounts(Worker.analyticsNotionals))
    }
}
