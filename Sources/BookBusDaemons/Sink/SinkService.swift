import BusProtocol
import CoinbaseFeed
import Foundation
public import Logging
public import ServiceLifecycle
import ZeroMQ

/// The sink: subscribes to spread and/or top-of-book events on one or more endpoints and prints
/// them, one line per event, to standard output and/or an append-only log file.
public struct SinkService: Service {
    public let configuration: SinkConfiguration
    private let logger: Logger

    public init(configuration: SinkConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        try await DedicatedThread.run(name: "sink") { [configuration, logger] stop in
            try SinkLoop(configuration: configuration, logger: logger).run(stop: stop)
        }
    }
}

/// The sink's thread.
struct SinkLoop {
    let configuration: SinkConfiguration
    let logger: Logger

    func run(stop: StopFlag) throws {
        let log = try configuration.logPath.map { path throws(SinkError) in try AppendOnlyLog(path: path) }
        if let log, log.repairedBytes > 0 {
            logger.warning(
                "removed a partial last line left by an earlier crash",
                metadata: ["log": "\(log.path)", "bytes": "\(log.repairedBytes)"])
        }
        let filter = configuration.minSpreadBasisPoints.map(SpreadFilter.init)
        let bus = try BusContext(settings: configuration.sockets, logger: logger)
        let subscriber = try BusSubscriber(
            bus: bus, endpoints: configuration.endpoints, tracksGaps: true, logger: logger)
        defer { subscriber.close() }
        for prefix in configuration.subscriptions { try subscriber.subscribe(prefix) }
        try subscriber.subscribe(Topic.controlName)

        var latencies = LatencyRecorder()
        var endedPublishers = Set<String>()
        var received = 0
        var written = 0
        var rejected = 0
        // The stream's span: from the ingest's receive time of the earliest event to the last
        // end-of-stream (the benchmark's throughput window, without process start-up).
        var firstEventIngestNanos = UInt64.max
        var lastEndOfStreamNanos: UInt64?
        let standardOutput = FileHandle.standardOutput
        var health = configuration.health
        var printed: [UInt8] = []
        // Lines are written in bursts: whenever no further event is waiting, before blocking.
        func flushOutput() throws {
            try log?.flush()
            if !printed.isEmpty {
                standardOutput.write(Data(printed))
                printed.removeAll(keepingCapacity: true)
            }
        }
        defer { try? flushOutput() }
        while !stop.isRequested {
            health?.beat()
            var next = try subscriber.nextMessage()
            if next == nil {
                try flushOutput()
                next = try subscriber.receive(timeoutMilliseconds: 100)
            }
            guard let message = next else { continue }
            switch message.topic {
            case .control:
                guard case .endOfStream(let publisher)? = try? ControlMessage(json: message.payload) else { continue }
                endedPublishers.insert(publisher)
                lastEndOfStreamNanos = WallClock.nanosecondsSinceEpoch()
                logger.info(
                    "end of stream", metadata: ["publisher": "\(publisher)", "ended": "\(endedPublishers.count)"])
                if configuration.exitAfterEnds > 0 && endedPublishers.count >= configuration.exitAfterEnds {
                    stop.request()
                }
            case .topOfBook, .spread:
                firstEventIngestNanos = min(firstEventIngestNanos, message.header.receivedAtNanos)
                // A batch carries several events of one topic, in order.
                for index in 0..<message.payloadCount {
                    received += 1
                    if configuration.latencyReport {
                        latencies.record(
                            nanoseconds: WallClock.nanosecondsSinceEpoch() &- message.header.receivedAtNanos)
                    }
                    guard let line = line(for: message.payload(index), filter: filter, rejected: &rejected) else {
                        continue
                    }
                    try log?.append(line)
                    if !configuration.quiet {
                        printed.append(contentsOf: line)
                        printed.append(UInt8(ascii: "\n"))
                        if printed.count >= AppendOnlyLog.flushThreshold { try flushOutput() }
                    }
                    written += 1
                }
            case .raw, .rawUnrouted:
                continue
            }
        }
        try flushOutput()
        var closing: Logger.Metadata = [
            "received": "\(received)", "written": "\(written)", "rejected": "\(rejected + subscriber.rejected)",
            "missed_upstream": "\(subscriber.missed)",
        ]
        if configuration.latencyReport {
            for (key, value) in latencies.report() { closing[key] = "\(value)" }
        }
        if let lastEndOfStreamNanos, received > 0 {
            closing["first_event_ingest_ns"] = "\(firstEventIngestNanos)"
            closing["last_end_of_stream_ns"] = "\(lastEndOfStreamNanos)"
        }
        logger.info("sink stopping", metadata: closing)
    }

    /// The line to write for one event, or `nil` when it is refused (logged and counted) or
    /// filtered out.
    private func line(for payload: [UInt8], filter: SpreadFilter?, rejected: inout Int) -> [UInt8]? {
        if configuration.format == .json && filter == nil {
            // Passed through as published: only make sure it is one JSON object on one line.
            guard payload.first == UInt8(ascii: "{"), payload.last == UInt8(ascii: "}"), !Self.containsNewline(payload)
            else {
                rejected += 1
                logger.warning(
                    "event rejected",
                    metadata: ["error": "not one JSON object on one line", "rejected_total": "\(rejected)"])
                return nil
            }
            return payload
        }
        let event: BookEvent
        do {
            event = try BookEvent(json: payload)
        } catch {
            rejected += 1
            logger.warning("event rejected", metadata: ["error": "\(error)", "rejected_total": "\(rejected)"])
            return nil
        }
        if let filter, !filter.passes(event) { return nil }
        return configuration.format == .text ? Array(EventLine.text(event).utf8) : payload
    }

    /// Whether an event holds a line break (`memchr`: this runs for every event passed through).
    private static func containsNewline(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            guard let start = buffer.baseAddress else { return false }
            return memchr(start, Int32(UInt8(ascii: "\n")), buffer.count) != nil
        }
    }
}
