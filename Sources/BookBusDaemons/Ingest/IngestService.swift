import BookBusCore
import BusProtocol
import CoinbaseFeed
public import Logging
public import ServiceLifecycle
import ZeroMQ

/// The ingest daemon: takes Coinbase messages from live WebSockets or a recording and publishes
/// each one, bytes as received, on `raw/<PRODUCT>/` (or `raw/*/` when it names no product; messages
/// of one product at hand together go as one batch), keeps its own books for the snapshot service,
/// and sends a heartbeat on `bus/`.
///
/// The logic is ``IngestCore``'s; this is its wiring to the sources, the bus, the service endpoint
/// and the recorder.
public struct IngestService: Service {
    public let configuration: IngestConfiguration
    private let logger: Logger

    public init(configuration: IngestConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        switch configuration.source {
        case .replay(let path, let speed, let rate, let clock):
            logger.info(
                "replaying",
                metadata: [
                    "recording": "\(path)", "speed": "\(speed == 0 ? "max" : "\(speed)x")",
                    "rate": "\(rate == 0 ? "-" : "\(rate)/s")", "clock": "\(clock.rawValue)",
                ])
            try await DedicatedThread.run(name: "ingest") { [configuration, logger] stop in
                let source = try ReplaySource(path: path, speed: speed, rate: rate, clock: clock)
                try IngestDaemon(configuration: configuration, source: source, logger: logger, stop: stop).run()
            }
        case .live:
            let queue = FrameQueue(capacity: configuration.queueCapacity)
            let connections = configuration.connections
            let renewals = Dictionary(uniqueKeysWithValues: connections.map { ($0.label, SubscriptionRenewals()) })
            try await withThrowingTaskGroup(of: Void.self) { group in
                for connection in connections {
                    let session = WebSocketFeedSession(
                        configuration: connection.feed, label: connection.label,
                        renewals: renewals[connection.label]!, logger: logger)
                    group.addTask { await session.run { event in await queue.push(event) } }
                }
                group.addTask { [configuration, logger] in
                    try await DedicatedThread.run(name: "ingest") { stop in
                        let source = LiveSource(queue: queue, renewals: renewals)
                        try IngestDaemon(configuration: configuration, source: source, logger: logger, stop: stop).run()
                    }
                }
                // The publisher ends on shutdown; then the WebSocket sessions are cancelled.
                try await group.next()
                group.cancelAll()
            }
        }
    }
}
