import BookBusCore
import BusProtocol
public import Logging
public import ServiceLifecycle
import ZeroMQ

/// A book worker: subscribes to its products' raw topics, keeps their books, and publishes
/// top-of-book and spread events on `tob/<PRODUCT>/` and `spread/<PRODUCT>/`.
///
/// The logic is ``WorkerCore``'s; this is its wiring to the ingest's bus, the snapshot service and
/// the event publisher, all on one dedicated thread.
public struct WorkerService: Service {
    public let configuration: WorkerConfiguration
    private let logger: Logger

    public init(configuration: WorkerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        try await DedicatedThread.run(name: "worker") { [configuration, logger] stop in
            try WorkerDaemon(configuration: configuration, logger: logger, stop: stop).run()
        }
    }
}
