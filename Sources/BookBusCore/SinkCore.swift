public import BusProtocol
import Foundation
import Logging
public import OrderBook

/// The sink's logic without sockets or files: which events to write and how, what was lost on
/// the way, when every publisher has ended, and the statistics.
///
/// The caller feeds it the bus messages it receives, writes ``output``'s lines (to standard output
/// and the log file) and its log records, and stops once ``SinkOutput/finished`` is set.
public struct SinkCore {
    public struct Configuration: Sendable {
        public var format: SinkFormat
        /// Keep only events whose spread is at least this many basis points of the mid.
        public var minSpreadBasisPoints: ExactDecimal?
        /// Measure ingest-receive → sink-receive latency.
        public var latencyReport: Bool
        /// Finish after this many publishers announced their end of stream (0: never).
        public var exitAfterEnds: Int

        public init(
            format: SinkFormat = .text, minSpreadBasisPoints: ExactDecimal? = nil, latencyReport: Bool = false,
            exitAfterEnds: Int = 0
        ) {
            self.format = format
            self.minSpreadBasisPoints = minSpreadBasisPoints
            self.latencyReport = latencyReport
            self.exitAfterEnds = exitAfterEnds
        }
    }

    public let configuration: Configuration
    public private(set) var output = SinkOutput()
    private var stats = SinkStats()
    private let filter: SpreadFilter?
    private var gaps = GapTracker()
    private var generations = GenerationFilter()
    private var latencies = LatencyRecorder()
    private var endedPublishers = Set<String>()

    public init(configuration: Configuration) {
        self.configuration = configuration
        filter = configuration.minSpreadBasisPoints.map(SpreadFilter.init(minimumBasisPoints:))
    }

    /// Whether ``take(_:nowNanos:)`` needs the receive time of every message, not only of control
    /// messages (reading the clock per message costs).
    public var needsReceiveTimes: Bool { configuration.latencyReport }

    public mutating func clearOutput() {
        output.lines.removeAll(keepingCapacity: true)
        output.logs.removeAll()
    }

    /// Ready once events arrive.
    public var readiness: Readiness {
        stats.received > 0 ? .ready : .notReady("no event received yet")
    }

    /// The statistics, for the closing line and the stats file; `refusedMessages` bus messages were
    /// refused for their shape before they reached the core.
    public func report(refusedMessages: Int) -> StatsReport {
        let statistics = stats.statistics(
            refused: refusedMessages, missed: gaps.missed, superseded: generations.superseded)
        guard configuration.latencyReport else {
            return StatsReport(role: "sink", name: "sink", statistics: statistics)
        }
        return StatsReport(
            role: "sink", name: "sink", statistics: statistics + latencies.statistics,
            histograms: [latencies.histogramSnapshot])
    }

    /// Takes one bus message received at `nowNanos` (wall clock; needed for control messages, and
    /// for every message when ``needsReceiveTimes``).
    public mutating func take(_ message: BusMessage, nowNanos: UInt64) {
        for gap in gaps.track(message) {
            log(
                .warning, "sequence gap: messages lost",
                [
                    "topic": "\(gap.topic)", "expected": "\(gap.expected)", "got": "\(gap.got)",
                    "seen_by": "\(gap.seenBy)", "missed_total": "\(gaps.missed)",
                ])
        }
        switch message.topic {
        case .control:
            guard case .endOfStream(let publisher)? = try? ControlMessage(json: message.payload) else { return }
            endedPublishers.insert(publisher)
            stats.lastEndOfStreamNanos = nowNanos
            log(.info, "end of stream", ["publisher": "\(publisher)", "ended": "\(endedPublishers.count)"])
            if configuration.exitAfterEnds > 0 && endedPublishers.count >= configuration.exitAfterEnds {
                output.finished = true
            }
        case .topOfBook(let product), .spread(let product), .depth(let product), .trade(let product),
            .bar(let product), .analytics(let product):
            let family = EventFamily(of: message.topic)!
            stats.firstEventIngestNanos = min(stats.firstEventIngestNanos ?? .max, message.header.receivedAtNanos)
            // A batch carries several events of one topic, in order, all of the batch's receive time.
            if configuration.latencyReport {
                latencies.record(from: message.header.receivedAtNanos, to: nowNanos, count: message.payloadCount)
            }
            for index in 0..<message.payloadCount {
                stats.received += 1
                let payload = message.payload(index)
                guard generations.admits(product: product, generation: BookEvent.generation(inPayload: payload) ?? 0),
                    let line = line(for: payload, family: family)
                else { continue }
                output.lines.append(line)
                stats.written += 1
            }
        case .raw, .rawUnrouted, .parsed:
            return
        }
    }

    /// The line to write for one event, or `nil` when it is refused (logged and counted) or
    /// filtered out. The spread filter applies to top-of-book and spread events only.
    private mutating func line(for payload: [UInt8], family: EventFamily) -> [UInt8]? {
        let filtered = filter != nil && (family == .topOfBook || family == .spread)
        if configuration.format == .json && !filtered {
            // Passed through as published: only make sure it is one JSON object on one line.
            guard payload.first == UInt8(ascii: "{"), payload.last == UInt8(ascii: "}"), !Self.containsNewline(payload)
            else {
                reject("not one JSON object on one line")
                return nil
            }
            return payload
        }
        do {
            switch family {
            case .topOfBook, .spread:
                let event = try BookEvent(json: payload)
                if let filter, !filter.passes(event) { return nil }
                return configuration.format == .text ? Array(EventLine.text(event).utf8) : payload
            case .depth: return Array(EventLine.text(try DepthEvent(json: payload)).utf8)
            case .trade: return Array(EventLine.text(try TradeEvent(json: payload)).utf8)
            case .bar: return Array(EventLine.text(try BarEvent(json: payload)).utf8)
            case .analytics: return Array(EventLine.text(try AnalyticsEvent(json: payload)).utf8)
            }
        } catch {
            reject("\(error)")
            return nil
        }
    }

    private mutating func reject(_ error: String) {
        stats.rejected += 1
        log(.warning, "event rejected", ["error": "\(error)", "rejected_total": "\(stats.rejected)"])
    }

    private mutating func log(_ level: Logger.Level, _ message: Logger.Message, _ metadata: Logger.Metadata) {
        output.logs.append(LogRecord(level: level, message: message, metadata: metadata))
    }

    /// Whether an event holds a line break (`memchr`: this runs for every event passed through).
    private static func containsNewline(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            guard let start = buffer.baseAddress else { return false }
            return memchr(start, Int32(UInt8(ascii: "\n")), buffer.count) != nil
        }
    }
}

/// What a ``SinkCore`` asks its caller to do after an input.
public struct SinkOutput: Sendable {
    /// Lines to write, without their line breaks.
    public var lines: [[UInt8]] = []
    public var logs: [LogRecord] = []
    /// Every expected publisher has ended: flush and stop.
    public var finished = false
}

/// How the sink writes events.
public enum SinkFormat: String, Sendable, CaseIterable {
    /// One human-readable line per event.
    case text
    /// One JSON object per line: the event payload exactly as published.
    case json
}

/// What the sink has counted.
struct SinkStats {
    var received = 0
    var written = 0
    var rejected = 0
    /// The stream's span: the ingest's receive time of the earliest event, and when the last end of
    /// stream arrived (the benchmark's throughput window, without process start-up).
    var firstEventIngestNanos: UInt64?
    var lastEndOfStreamNanos: UInt64?

    func statistics(refused: Int, missed: UInt64, superseded: Int) -> [Statistic] {
        var result = [
            Statistic("received", .counter, received, help: "Events received."),
            Statistic("written", .counter, written, help: "Events written (after filters)."),
            Statistic("rejected", .counter, rejected + refused, help: "Bus messages and events refused."),
            Statistic("missed_upstream", .counter, Int(missed), help: "Events lost upstream, seen from sequence gaps."),
            Statistic("superseded", .counter, superseded, help: "Events of an older worker-group generation, dropped."),
        ]
        if let first = firstEventIngestNanos, let last = lastEndOfStreamNanos {
            result += [
                Statistic("first_event_ingest_ns", .gauge, Int(first), help: "Ingest receive time of the first event."),
                Statistic("last_end_of_stream_ns", .gauge, Int(last), help: "When the last end of stream arrived."),
            ]
        }
        return result
    }
}
