import BookBusCore
import BusProtocol
import Logging
import ServiceLifecycle
import ZeroMQ

/// The worker's thread: a ``WorkerCore`` between its sockets.
final class WorkerDaemon {
    private let configuration: WorkerConfiguration
    private let logger: Logger
    private var core: WorkerCore
    private let loop: BusLoop
    private let publisher: BusPublisher
    private let subscriber: BusSubscriber
    private let service: ServiceClient?
    private var events: EventBatcher
    private let reporter: RoleReporter
    /// How long each snapshot reply took to parse and load (with what it replays from the buffer).
    private var snapshotLoads = LatencyRecorder(name: "snapshot_load", meaning: "Snapshot reply parse and load")
    /// Bus messages taken per turn of the loop.
    private static let batch = 64

    init(configuration: WorkerConfiguration, logger: Logger, stop: StopFlag) throws {
        self.configuration = configuration
        self.logger = logger
        core = WorkerCore(configuration: configuration.core, now: .now)
        loop = BusLoop(stop: stop)
        let bus = try BusContext(settings: configuration.sockets, logger: logger)
        publisher = try BusPublisher(
            bus: bus, endpoint: configuration.publish, lossless: configuration.lossless, name: configuration.name,
            stop: stop, logger: logger)
        subscriber = try BusSubscriber(bus: bus, endpoints: configuration.ingest, logger: logger)
        service =
            configuration.snapshots.isEmpty
            ? nil : try ServiceClient(bus: bus, endpoints: configuration.snapshots, logger: logger)
        events = EventBatcher(publisher: publisher, measuresLatency: configuration.metrics != nil)
        reporter = try RoleReporter(
            role: "worker", health: configuration.health, stats: configuration.stats, metrics: configuration.metrics,
            logger: logger)
    }

    deinit {
        service?.close()
        subscriber.close()
        publisher.close()
    }

    func run() throws {
        if configuration.waitForSubscribers > 0 {
            do { try publisher.waitForSubscribers(configuration.waitForSubscribers) } catch is StopRequested { return }
        }
        for prefix in configuration.ownership.subscriptions { try subscriber.subscribe(prefix) }
        // Subscribed last: when the ingest sees this, the product subscriptions have arrived too.
        try subscriber.subscribe(Topic.controlName)
        logger.info(
            "worker running",
            metadata: [
                "ownership": "\(configuration.ownership)", "emit": "\(configuration.emit.rawValue)",
                "snapshots": "\(configuration.snapshots.map(\.description).joined(separator: ","))",
            ])
        core.start()
        try carryOut()

        if let service {
            loop.onReadable(service.socket, name: "snapshot service") { [unowned self] in
                try takeReplies(from: service)
            }
        }
        // Replies first: a snapshot is taken before the messages that follow it are.
        loop.onReadable(subscriber.socket, name: "ingest bus") { [unowned self] in try takeBusMessages() }
        loop.every(.milliseconds(50), name: "housekeeping") { [unowned self] now in try housekeeping(now: now) }
        try loop.run()

        let report = self.report
        var closing = report.logMetadata
        closing["products"] = "\(report.products.keys.sorted().joined(separator: ","))"
        closing["not_live"] = "\(report.products.filter { $0.value != "live" }.keys.sorted().joined(separator: ","))"
        logger.info("worker stopping", metadata: closing)
        reporter.finish(report)
    }

    /// The core's report with the publisher's count of bus messages.
    private var report: StatsReport {
        var report = core.report
        report.statistics.append(
            Statistic("bus_messages", .counter, publisher.busMessages, help: "Event bus messages published."))
        report.statistics += snapshotLoads.statistics
        report.histograms.append(snapshotLoads.histogramSnapshot)
        if let latency = events.latency {
            report.statistics += latency.statistics
            report.histograms.append(latency.histogramSnapshot)
        }
        return report
    }

    private func takeBusMessages() throws -> Bool {
        for _ in 0..<Self.batch {
            guard let message = try subscriber.nextMessage() else { return false }
            core.take(message)
            try carryOut()
        }
        return true
    }

    private func takeReplies(from service: ServiceClient) throws -> Bool {
        while let reply = try service.nextReply() {
            switch reply {
            case .snapshot(let message):
                let started = ContinuousClock.now
                core.takeReply(message)
                snapshotLoads.record(ContinuousClock.now - started)
            case .assignment(let assignment): core.take(assignment)
            case .malformed(let error): core.takeMalformedReply("\(error)")
            }
            try carryOut()
        }
        return false
    }

    private func housekeeping(now: ContinuousClock.Instant) throws {
        try publisher.drainSubscriptions()
        try publisher.publishHeartbeatIfDue()
        core.tick(now: now, wallNanos: WallClock.nanosecondsSinceEpoch())
        try carryOut()
        reporter.housekeeping(now: now, report: { report }, readiness: core.readiness)
    }

    /// Does what the core asked for after its last input.
    private func carryOut() throws {
        guard !core.output.isEmpty else { return }
        let output = core.output
        if output.hasEvents {
            for event in output.events { try events.add(event) }
            for event in output.depthEvents { try events.add(event) }
            for event in output.analyticsEvents { try events.add(event) }
            for event in output.tradeEvents { try events.add(event) }
            for event in output.barEvents { try events.add(event) }
            try events.flush()
        }
        for product in core.output.snapshotRequests { try service?.request(product) }
        for change in core.output.subscriptions {
            switch change {
            case .subscribe(let prefix): try subscriber.subscribe(prefix)
            case .unsubscribe(let prefix): try subscriber.unsubscribe(prefix)
            }
        }
        for record in core.output.logs { logger.log(level: record.level, record.message, metadata: record.metadata) }
        if core.output.sendsGroupHeartbeat { try service?.join(member: configuration.name) }
        if let receivedAt = core.output.endOfStream {
            let end = ControlMessage.endOfStream(publisher: configuration.name).encoded()
            try publisher.publish(.control, receivedAtNanos: receivedAt, payload: end)
            if configuration.exitOnEnd {
                try publisher.awaitSubscribersLeaving()
                loop.finish()
            }
        }
        core.clearOutput()
    }
}
