import BookBusCore
import BusProtocol
import Foundation
public import Logging
public import ServiceLifecycle
import ZeroMQ

/// The sink: subscribes to spread and/or top-of-book events on one or more endpoints and prints
/// them, one line per event, to standard output and/or an append-only log file.
///
/// What to write is ``SinkCore``'s decision; this is its wiring to the bus, the terminal and the file.
public struct SinkService: Service {
    public let configuration: SinkConfiguration
    private let logger: Logger

    public init(configuration: SinkConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        try await DedicatedThread.run(name: "sink") { [configuration, logger] stop in
            try SinkDaemon(configuration: configuration, logger: logger, stop: stop).run()
        }
    }
}
