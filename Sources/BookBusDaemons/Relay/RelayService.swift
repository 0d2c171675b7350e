import BookBusCore
public import Logging
public import ServiceLifecycle
import ZeroMQ

/// What the relay needs: where publishers connect (XSUB) and where subscribers connect (XPUB).
public struct RelayConfiguration: Sendable {
    /// Publishers (workers, or ingests) connect their PUB side here; binds by default.
    public var frontend: Endpoint
    /// Subscribers (sinks, third-party clients) connect here; binds by default.
    public var backend: Endpoint
    public var sockets = SocketSettings()
    /// Touched while the relay's loop runs.
    public var health: HealthFile?
    /// Where `/metrics`, `/health` and `/ready` are served (off when `nil`).
    public var metrics: HostAndPort?

    public init(frontend: Endpoint, backend: Endpoint) {
        self.frontend = frontend
        self.backend = backend
    }
}

/// The relay: an XSUB/XPUB forwarder (the ZeroMQ guide's proxy) that gives publishers one
/// well-known address to publish into and subscribers one to read from, so nothing that scales
/// has to bind. Messages go through unchanged; subscriptions go the other way, every one of them
/// (`ZMQ_XPUB_VERBOSE`), so publishers still see each subscriber arrive.
public struct RelayService: Service {
    public let configuration: RelayConfiguration
    private let logger: Logger

    public init(configuration: RelayConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        try await DedicatedThread.run(name: "relay") { [configuration, logger] stop in
            try RelayLoop(configuration: configuration, logger: logger).run(stop: stop)
        }
    }
}

/// The relay's thread: two sockets on one ``BusLoop``.
struct RelayLoop {
    let configuration: RelayConfiguration
    let logger: Logger

    func run(stop: StopFlag) throws {
        let bus = try BusContext(settings: configuration.sockets, logger: logger)
        let frontend = try bus.socket(.xsub)
        let backend = try bus.socket(.xpub)
        defer {
            frontend.close()
            backend.close()
            withExtendedLifetime(bus) {}
        }
        for socket in [frontend, backend] {
            try socket.set(.lingerMilliseconds(configuration.sockets.lingerMilliseconds))
            try socket.set(.sendHighWaterMark(configuration.sockets.highWaterMark))
            try socket.set(.receiveHighWaterMark(configuration.sockets.highWaterMark))
        }
        if let bytes = configuration.sockets.kernelBufferBytes {
            try frontend.set(.receiveBufferBytes(bytes))
            try backend.set(.sendBufferBytes(bytes))
        }
        try backend.set(.xpubVerbose(true))
        try bus.attach(frontend, to: configuration.frontend)
        try bus.attach(backend, to: configuration.backend)
        logger.info(
            "relaying",
            metadata: ["publishers": "\(configuration.frontend)", "subscribers": "\(configuration.backend)"])
        let loop = BusLoop(stop: stop)
        var messages = 0
        var subscriptions = 0
        let reporter = try RoleReporter(
            role: "relay", health: configuration.health, stats: nil, metrics: configuration.metrics, logger: logger)
        func report() -> StatsReport {
            StatsReport(
                role: "relay", name: "relay",
                statistics: [
                    Statistic("messages", .counter, messages, help: "Bus messages forwarded from publishers."),
                    Statistic(
                        "subscription_changes", .counter, subscriptions,
                        help: "Subscription messages forwarded to publishers."),
                ])
        }
        loop.onReadable(frontend, name: "publishers") {
            // A bounded batch per turn, so subscriptions are never starved.
            for _ in 0..<1_000 {
                guard let frames = try frontend.receive(wait: false) else { return false }
                try backend.send(frames)
                messages += 1
            }
            return true
        }
        loop.onReadable(backend, name: "subscribers") {
            while let frames = try backend.receive(wait: false) {
                try frontend.send(frames)
                subscriptions += 1
            }
            return false
        }
        loop.every(.milliseconds(100), name: "housekeeping") { now in
            reporter.housekeeping(now: now, report: report, readiness: .ready)
        }
        try loop.run()
        reporter.finish(report())
        logger.info(
            "relay stopping", metadata: ["messages": "\(messages)", "subscription_changes": "\(subscriptions)"])
    }
}
