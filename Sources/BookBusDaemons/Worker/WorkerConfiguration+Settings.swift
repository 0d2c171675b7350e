import BookBusCore
public import BookBusSettings
import BusProtocol
import CoinbaseFeed
import Foundation

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
}
