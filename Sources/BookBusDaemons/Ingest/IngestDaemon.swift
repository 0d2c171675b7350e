import BookBusCore
import BusProtocol
import CoinbaseFeed
import Foundation
import Logging
import ServiceLifecycle
import ZeroMQ

/// The ingest's publishing thread: an ``IngestCore`` between its source, the bus, the service
/// endpoint and the recorder.
final class IngestDaemon<Source: FrameSource> {
    private let configuration: IngestConfiguration
    private let logger: Logger
    private var source: Source
    private var core: IngestCore
    private let loop: BusLoop
    private let publisher: BusPublisher
    private let router: ServiceRouter?
    private var recorder: IngestRecorder?
    private let reporter: RoleReporter
    /// A replay's progress line on a terminal: when the replay started and the last line's time.
    private var progress: (started: ContinuousClock.Instant, shown: ContinuousClock.Instant)?
    private let unroutedTopic = Topic.rawUnrouted.bytes

    init(configuration: IngestConfiguration, source: Source, logger: Logger, stop: StopFlag) throws {
        self.configuration = configuration
        self.logger = logger
        self.source = source
        loop = BusLoop(stop: stop)
        let bus = try BusContext(settings: configuration.sockets, logger: logger)
        publisher = try BusPublisher(
            bus: bus, endpoint: configuration.publish, lossless: configuration.lossless, name: configuration.name,
            stop: stop, logger: logger)
        router = try configuration.snapshots.map { try ServiceRouter(bus: bus, endpoint: $0, logger: logger) }
        recorder = try configuration.record.map { try IngestRecorder(rotation: $0, logger: logger) }
        core = IngestCore(
            configuration: configuration.core, epoch: publisher.epoch,
            group: GroupCoordinator(
                expiry: configuration.groupExpiry, firstGeneration: WallClock.nanosecondsSinceEpoch() / 1_000_000),
            liveProducts: configuration.liveProducts)
        reporter = try RoleReporter(
            role: "ingest", health: configuration.health, stats: configuration.stats, metrics: configuration.metrics,
            logger: logger)
    }

    deinit {
        router?.close()
        publisher.close()
    }

    func run() throws {
        defer { recorder?.close() }
        if configuration.waitForSubscribers > 0 {
            do { try publisher.waitForSubscribers(configuration.waitForSubscribers) } catch is StopRequested { return }
        }
        if let router {
            loop.onReadable(router.socket, name: "service") { [unowned self] in try serve(router) }
        }
        if configuration.showsProgress, source.progress != nil, isatty(STDERR_FILENO) == 1 {
            progress = (.now, .now)
        }
        loop.onEveryTurn(name: "source") { [unowned self] in try takeFromSource() }
        loop.every(.milliseconds(50), name: "housekeeping") { [unowned self] now in try housekeeping(now: now) }
        try loop.run()
        let report = self.report
        logger.info("ingest stopping", metadata: report.logMetadata)
        reporter.finish(report)
    }

    private var report: StatsReport {
        var statistics = core.stats.statistics
        statistics += [
            Statistic(
                "published", .counter, publisher.published,
                help: "Payloads published (a batch counts each; a Coinbase message counts on raw/ and on parsed/)."),
            Statistic("bus_messages", .counter, publisher.busMessages, help: "Bus messages published."),
            Statistic("bad_requests", .counter, router?.badRequests ?? 0, help: "Service requests refused."),
        ]
        statistics += recorder?.statistics ?? []
        statistics += source.statistics
        return StatsReport(
            role: "ingest", name: configuration.name, statistics: statistics, products: core.productStates)
    }

    /// What the source has at hand: every frame goes through the core, and what was handed over at
    /// once is out before anything else is looked at.
    private func takeFromSource() throws {
        switch try source.next(stop: loop.stop) {
        case .events(let events):
            for event in events {
                switch event {
                case .frame(let bytes, let receivedAt):
                    recorder?.record(bytes, receivedAtNanos: receivedAt)
                    core.take(bytes, receivedAtNanos: receivedAt)
                case .connected(let label):
                    core.connected(label: label, newEpoch: UInt64.random(in: 1...UInt64.max))
                    // The batches it closed go out under the old epoch, the control topic's next
                    // message under the new one.
                    try carryOut()
                    publisher.renewEpoch(core.epoch)
                case .sequenceGap(let expected, let got):
                    core.upstreamGap(expected: expected, got: got)
                }
                try carryOut()
            }
            core.flush()
            try carryOut()
        case .idle:
            break
        case .end:
            try publisher.publishHeartbeatIfDue(numbered: core.sequences, stale: core.staleProducts)
            let end = ControlMessage.endOfStream(publisher: configuration.name).encoded()
            try publisher.publish(.control, receivedAtNanos: WallClock.nanosecondsSinceEpoch(), payload: end)
            showProgress(now: .now, last: true)
            logger.info("recording finished")
            try publisher.awaitSubscribersLeaving()
            loop.finish()
        }
    }

    private func serve(_ router: ServiceRouter) throws -> Bool {
        let now = ContinuousClock.now
        try tellChangedMembers(router, now: now)
        while let request = try router.nextRequest() {
            switch request {
            case .join(let identity, let member):
                let assignment = core.join(member: member, identity: identity, now: now)
                try tellChangedMembers(router, now: now)
                try router.send(to: identity, assignment.frames)
            case .snapshot(let identity, let product):
                let reply = core.snapshot(of: product)
                // A batch the snapshot closed goes out first.
                try carryOut()
                if try router.send(
                    to: identity, [Topic.raw(product: product).bytes, reply.header.bytes, reply.payload])
                {
                    logger.debug(
                        "snapshot served",
                        metadata: [
                            "product": "\(product)", "sequence": "\(reply.header.sequence)", "book": "\(reply.hasBook)",
                        ])
                } else {
                    logger.warning(
                        "snapshot reply dropped: requester's queue is full", metadata: ["product": "\(product)"])
                }
            }
        }
        return false
    }

    /// The members whose share changed learn it at once.
    private func tellChangedMembers(_ router: ServiceRouter, now: ContinuousClock.Instant) throws {
        for notice in core.groupNotices(now: now) { try router.send(to: notice.identity, notice.assignment.frames) }
        for record in core.takeGroupLogs() {
            logger.log(level: record.level, record.message, metadata: record.metadata)
        }
    }

    private func housekeeping(now: ContinuousClock.Instant) throws {
        try publisher.drainSubscriptions()
        if let router { try tellChangedMembers(router, now: now) }
        try publisher.publishHeartbeatIfDue(numbered: core.sequences, stale: core.staleProducts)
        let wallClock = WallClock.nanosecondsSinceEpoch()
        core.checkStaleness(nowNanos: wallClock)
        try carryOut()
        recorder?.flushIfDue(nowNanos: wallClock)
        reporter.housekeeping(now: now, report: { report }, readiness: core.readiness)
        if let shown = progress?.shown, now - shown >= .seconds(1) { showProgress(now: now, last: false) }
    }

    /// Rewrites the progress line in place; the last one ends with a new line.
    private func showProgress(now: ContinuousClock.Instant, last: Bool) {
        guard let started = progress?.started, let position = source.progress else { return }
        progress?.shown = now
        let line = ReplayProgress().line(
            messages: position.messages, fraction: position.fraction, elapsedSeconds: (now - started) / .seconds(1))
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K" + (last ? "\n" : "")).utf8))
    }

    /// Publishes what the core made, in order.
    private func carryOut() throws {
        guard !core.output.isEmpty else { return }
        for message in core.output.messages {
            switch message {
            case .batch(let product, let header, let payloads):
                // The workers' topic first: they are waiting for it.
                try publisher.send(core.parsedTopic(of: product), header, payloads: payloads.parsed)
                try publisher.send(core.topic(of: product), header, payloads: payloads.raw)
            case .unrouted(let header, let payload):
                try publisher.send(unroutedTopic, header, payload: payload)
            }
        }
        for record in core.output.logs { logger.log(level: record.level, record.message, metadata: record.metadata) }
        for renewal in core.output.renewals { source.renew(renewal) }
        core.clearOutput()
    }
}
