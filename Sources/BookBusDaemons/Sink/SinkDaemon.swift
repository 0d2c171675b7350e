import BookBusCore
import BusProtocol
import Foundation
import Logging
import ServiceLifecycle
import ZeroMQ

/// The sink's thread: a ``SinkCore`` between its subscriber, standard output and the log file.
final class SinkDaemon {
    private let configuration: SinkConfiguration
    private let logger: Logger
    private var core: SinkCore
    private let loop: BusLoop
    private let subscriber: BusSubscriber
    private let log: AppendOnlyLog?
    private let standardOutput = FileHandle.standardOutput
    /// Lines for standard output, written in bursts: whenever no further event is waiting.
    private var printed: [UInt8] = []
    private let reporter: RoleReporter
    /// Bus messages taken per turn of the loop.
    private static let batch = 64

    init(configuration: SinkConfiguration, logger: Logger, stop: StopFlag) throws {
        self.configuration = configuration
        self.logger = logger
        core = SinkCore(configuration: configuration.core)
        loop = BusLoop(stop: stop)
        log = try configuration.logPath.map { path throws(SinkError) in try AppendOnlyLog(path: path) }
        if let log, log.repairedBytes > 0 {
            logger.warning(
                "removed a partial last line left by an earlier crash",
                metadata: ["log": "\(log.path)", "bytes": "\(log.repairedBytes)"])
        }
        let bus = try BusContext(settings: configuration.sockets, logger: logger)
        subscriber = try BusSubscriber(bus: bus, endpoints: configuration.endpoints, logger: logger)
        reporter = try RoleReporter(
            role: "sink", health: configuration.health, stats: configuration.stats, metrics: configuration.metrics,
            logger: logger)
    }

    deinit {
        subscriber.close()
    }

    func run() throws {
        for prefix in configuration.subscriptions { try subscriber.subscribe(prefix) }
        try subscriber.subscribe(Topic.controlName)
        loop.onReadable(subscriber.socket, name: "events") { [unowned self] in try takeMessages() }
        loop.every(.milliseconds(100), name: "housekeeping") { [unowned self] now in
            reporter.housekeeping(now: now, report: { self.report }, readiness: core.readiness)
        }
        defer { try? flushOutput() }
        try loop.run()
        try flushOutput()
        let closing = report
        logger.info("sink stopping", metadata: closing.logMetadata)
        reporter.finish(closing)
    }

    private var report: StatsReport { core.report(refusedMessages: subscriber.rejected) }

    private func takeMessages() throws -> Bool {
        for _ in 0..<Self.batch {
            guard let message = try subscriber.nextMessage() else {
                try flushOutput()
                return false
            }
            let now = core.needsReceiveTimes || message.topic == .control ? WallClock.nanosecondsSinceEpoch() : 0
            core.take(message, nowNanos: now)
            try carryOut()
            if core.output.finished {
                loop.finish()
                return false
            }
        }
        return true
    }

    private func carryOut() throws {
        for line in core.output.lines {
            try log?.append(line)
            if !configuration.quiet {
                printed.append(contentsOf: line)
                printed.append(UInt8(ascii: "\n"))
                if printed.count >= AppendOnlyLog.flushThreshold { try flushOutput() }
            }
        }
        for record in core.output.logs { logger.log(level: record.level, record.message, metadata: record.metadata) }
        core.clearOutput()
    }

    private func flushOutput() throws {
        try log?.flush()
        if !printed.isEmpty {
            standardOutput.write(Data(printed))
            printed.removeAll(keepingCapacity: true)
        }
    }
}
