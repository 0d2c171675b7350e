import BookBusCore
import BusProtocol
import CoinbaseFeed
import Foundation
import OrderBook
import SyntheticFeed

/// What `bookbus bench` measures and how much.
public struct BenchConfiguration: Sendable {
    /// The `bookbus` executable for the pipeline runs.
    public var executable: String
    /// A recording whose first line is a real Exchange snapshot (the 1 MB BTC-USD one).
    public var realSnapshotRecording: String
    /// The traffic profiles measured, in the order their figures are printed.
    public var profiles: [TrafficProfile] = [.realistic, .touch]
    public var hotPathUpdates = 200_000
    /// Messages through the pipeline per profile: about the same number of level changes.
    public var pipelineUpdates: [TrafficProfile: Int] = [.realistic: 200_000, .touch: 1_000_000]
    /// Pipeline runs (each with its bare libzmq pass right after it); the table gives the medians.
    public var pipelineRepeats = 3
    public var latencyRates: [Double] = [1_000, 10_000, 100_000]
    /// Seconds of updates per latency rate (after ``BenchRunner/latencySettlingSeconds``): enough
    /// samples at 1 k/s for a p99.9.
    public var latencySeconds = 10.0
    /// While the latency runs go, hold the CPUs' idle wake-up limit at this many µs
    /// (``IdleLatencyLimit``); `nil` measures under the machine's own idle policy.
    public var idleLatencyMicroseconds: Int32?
    public var seed: UInt64 = 1
    /// The Python reference book run beside each pipeline (`scripts/reference_book.py`).
    public var referenceScript = "scripts/reference_book.py"
    /// The parts to run (all by default).
    public var sections: Set<BenchSection> = Set(BenchSection.allCases)

    public init(executable: String, realSnapshotRecording: String) {
        self.executable = executable
        self.realSnapshotRecording = realSnapshotRecording
    }
}

/// Runs every benchmark of `bookbus bench` and prints the table as it goes.
/// The parts of the benchmark, in the order they run.
public enum BenchSection: String, Sendable, CaseIterable {
    case hotPath = "hot-path"
    case snapshots, pipeline, latency, memory
}

public struct BenchRunner {
    public let configuration: BenchConfiguration
    private let directory: String
    private let print: @Sendable (String) -> Void

    public init(configuration: BenchConfiguration, print: @escaping @Sendable (String) -> Void) throws {
        self.configuration = configuration
        self.print = print
        directory = NSTemporaryDirectory() + "bookbus-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    public func run() async throws {
        print("BookBus benchmark — \(ProcessInfo.processInfo.activeProcessorCount) cores, seed \(configuration.seed)")
        print("")
        let sections = configuration.sections
        if sections.contains(.hotPath) { try hotPath() }
        if sections.contains(.snapshots) { try snapshots() }
        if sections.contains(.pipeline) { try await pipeline() }
        if sections.contains(.latency) { try await latency() }
        if sections.contains(.memory) { try await memory() }
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: - 1. Hot path

    private func hotPath() throws {
        let table = BenchTable(widths: 96, 14, 12)
        for profile in configuration.profiles {
            section(
                "1. hot path, one core, \(profile) profile (\(configuration.hotPathUpdates) generated updates, best of 3 passes)"
            )
            for (number, feed) in CoinbaseFeedKind.allCases.enumerated() {
                var generator = FeedGenerator(
                    configuration: generatorConfiguration(
                        feed: feed, profile: profile, updates: configuration.hotPathUpdates))
                let frames = generator.frames()
                if number == 0 {
                    describe(frames)
                    print(
                        "  worker core: frames received \(HotPathBenchmark.receiveSpacingNanos / 1_000) µs apart, so a 100 ms interval holds \(100_000_000 / HotPathBenchmark.receiveSpacingNanos) messages"
                    )
                    table.row("stage", "messages/s", "ns/message", "events/message")
                }
                for result in try HotPathBenchmark.run(
                    frames: frames, label: feed.rawValue, variants: StreamVariant.measured)
                {
                    table.row(
                        result.name, format(result.perSecond), String(format: "%.0f", result.nanosecondsEach),
                        result.eventsPerMessage.map { String(format: "%.2f", $0) } ?? "")
                }
            }
        }
    }

    // MARK: - 2. Snapshots

    private func snapshots() throws {
        section("2. snapshot load (parse + replace, best of 5)")
        let table = BenchTable(widths: 52)
        table.row("snapshot", "ms")
        guard let real = try RecordingReader(path: configuration.realSnapshotRecording).next() else {
            throw BenchError(description: "\(configuration.realSnapshotRecording) is empty")
        }
        let realResult = try HotPathBenchmark.snapshotLoad(real.bytes, label: "real Exchange BTC-USD")
        table.row(realResult.name, String(format: "%.1f", realResult.seconds * 1_000))
        var generatorSettings = generatorConfiguration(feed: .advancedTrade, profile: .touch, updates: 0)
        generatorSettings.products = ["BTC-USD"]
        generatorSettings.depth = 27_000
        var generator = FeedGenerator(configuration: generatorSettings)
        let big = generator.snapshot(0)
        let bigResult = try HotPathBenchmark.snapshotLoad(big, label: "generated Advanced Trade")
        table.row(bigResult.name, String(format: "%.1f", bigResult.seconds * 1_000))
    }

    // MARK: - 3. Pipeline

    private func pipeline() async throws {
        for profile in configuration.profiles {
            for feed in CoinbaseFeedKind.allCases where profile == .realistic || feed == .exchange {
                try await pipeline(profile: profile, feed: feed)
            }
        }
    }

    private func pipeline(profile: TrafficProfile, feed: CoinbaseFeedKind) async throws {
        section(
            "3. pipeline: ingest replay → 2 workers → sink, real processes, TCP loopback, \(profile) \(feed.rawValue)")
        let settings = generatorConfiguration(
            feed: feed, profile: profile, updates: configuration.pipelineUpdates[profile] ?? 200_000)
        var generator = FeedGenerator(configuration: settings)
        let frames = generator.frames()
        describe(frames)
        let reference = try referenceBooks(of: frames)
        let recording = try write(frames, name: "pipeline.jsonl")
        let events = "\(directory)/pipeline-events.jsonl"
        // Runs alternate with bare libzmq passes, so a slow spell of the machine hits both alike.
        var bookbusRates: [Double] = []
        var withStartRates: [Double] = []
        var unbatchedRates: [Double] = []
        var observedRates: [Double] = []
        var streamRates: [String: [Double]] = [:]
        var bareRates: [Double] = []
        var pythonRates: [Double] = []
        var pythonSkipped: String?
        let python = PythonReference(script: configuration.referenceScript)
        let pipeline = PipelineBenchmark(executable: configuration.executable, directory: directory)
        for _ in 0..<configuration.pipelineRepeats {
            try? FileManager.default.removeItem(atPath: events)
            let run = try await pipeline.run(recording: recording, products: settings.products, eventLog: events)
            try checkFinalBooks(events: events, reference: reference)
            bookbusRates.append(Double(frames.count) / run.streamSeconds)
            withStartRates.append(Double(frames.count) / run.seconds)
            bareRates.append(try BareZeroMQBenchmark.run(frames: frames).perSecond)
            try? FileManager.default.removeItem(atPath: events)
            let unbatched = try await pipeline.run(
                recording: recording, products: settings.products, maxBatch: 1, eventLog: events)
            try checkFinalBooks(events: events, reference: reference)
            unbatchedRates.append(Double(frames.count) / unbatched.streamSeconds)
            try? FileManager.default.removeItem(atPath: events)
            let observed = try await pipeline.run(
                recording: recording, products: settings.products, metrics: true, eventLog: events)
            try checkFinalBooks(events: events, reference: reference)
            observedRates.append(Double(frames.count) / observed.streamSeconds)
            for streams in PipelineStreams.measuredBesideTopOfBook {
                try? FileManager.default.removeItem(atPath: events)
                let run = try await pipeline.run(
                    recording: recording, products: settings.products, streams: streams, eventLog: events)
                try checkFinalBooks(events: events, reference: reference, depthLevels: streams.depthLevels)
                streamRates[streams.name, default: []].append(Double(frames.count) / run.streamSeconds)
            }
            switch try await python.run(recording: recording, reference: reference.mapValues(\.topOfBook)) {
            case .measured(let rate): pythonRates.append(rate)
            case .skipped(let why): pythonSkipped = why
            }
        }
        let ratios = zip(bookbusRates, bareRates).map { 100 * $0 / $1 }
        let table = BenchTable(widths: 52, 22)
        table.row("run (\(configuration.pipelineRepeats) of each)", "messages/s, median", "min – max")
        table.row(
            "BookBus end to end (\(frames.count) messages)", format(median(bookbusRates)), range(bookbusRates, format))
        table.row("  same, counting process start-up", format(median(withStartRates)), range(withStartRates, format))
        table.row(
            "  same, --max-batch 1 (no batches on the bus)", format(median(unbatchedRates)),
            range(unbatchedRates, format))
        table.row(
            "  same, /metrics on in every role (not scraped)", format(median(observedRates)),
            range(observedRates, format))
        for streams in PipelineStreams.measuredBesideTopOfBook {
            let rates = streamRates[streams.name] ?? []
            table.row("  same, \(streams.name)", format(median(rates)), range(rates, format))
        }
        table.row("bare libzmq PUB → SUB, same frames", format(median(bareRates)), range(bareRates, format))
        table.row(
            "BookBus / bare libzmq, per pair", String(format: "%.1f%%", median(ratios)),
            range(ratios) { String(format: "%.1f%%", $0) })
        if let pythonSkipped {
            table.row("Python sortedcontainers + orjson, one process", "skipped", pythonSkipped)
        } else {
            let pythonRatios = zip(bookbusRates, pythonRates).map { $0 / $1 }
            table.row(
                "Python sortedcontainers + orjson, one process", format(median(pythonRates)), range(pythonRates, format)
            )
            table.row(
                "BookBus / Python, per pair", String(format: "%.1f×", median(pythonRatios)),
                range(pythonRatios) { String(format: "%.1f×", $0) })
        }
        let checkedPython = pythonSkipped == nil ? ", and the Python book's," : ""
        print(
            "  checked: every run's last top-of-book event of every product\(checkedPython) equals the reference book,"
        )
        print("  and so does the last depth event of the depth runs")
    }

    // MARK: - 4. Latency

    private func latency() async throws {
        let limit = try configuration.idleLatencyMicroseconds.map { microseconds throws(IdleLatencyLimitError) in
            try IdleLatencyLimit(microseconds: microseconds)
        }
        for profile in configuration.profiles {
            try await latency(profile: profile, idle: limit)
        }
        withExtendedLifetime(limit) {}
    }

    /// The line that says which idle policy a latency section ran under.
    private static func idlePolicy(_ limit: IdleLatencyLimit?) -> String {
        let reading =
            IdleLatencyLimit.current().map { "\(IdleLatencyLimit.device) reads \($0) µs" }
            ?? "\(IdleLatencyLimit.device) cannot be read"
        guard let limit else {
            return "  CPU idle: the machine's own policy (\(reading)); --idle-latency-us 0 holds the wake-up limit at 0"
        }
        return "  CPU idle: wake-up limit held at \(limit.microseconds) µs for these runs (\(reading))"
    }

    private func latency(profile: TrafficProfile, idle limit: IdleLatencyLimit?) async throws {
        section("4. latency, ingest receive → sink receive (µs), at offered rates, \(profile) Exchange")
        print(Self.idlePolicy(limit))
        let table = BenchTable(widths: 34, 46)
        table.row("rate/s", "p50 / p90 / p99 / p99.9 / max", "samples")
        for rate in configuration.latencyRates {
            let count = max(1_000, Int(rate * configuration.latencySeconds))
            let settings = generatorConfiguration(feed: .exchange, profile: profile, updates: count)
            var generator = FeedGenerator(configuration: settings)
            let frames = generator.frames()
            let recording = try writeTimed(
                frames, snapshots: settings.products.count, rate: rate, name: "latency-\(Int(rate))")
            let events = "\(directory)/latency-events.jsonl"
            try? FileManager.default.removeItem(atPath: events)
            let run = try await PipelineBenchmark(executable: configuration.executable, directory: directory)
                .run(
                    recording: recording, products: settings.products, pace: .recordedTimes, latency: true,
                    eventLog: events)
            try checkFinalBooks(events: events, reference: try referenceBooks(of: frames))
            let values = Self.latencyCell(
                ["latency_p50_ns", "latency_p90_ns", "latency_p99_ns", "latency_p999_ns", "latency_max_ns"]
                    .map { run.sinkStatistics[$0] })
            // The stream starts with the snapshots' events, a settling time before the updates.
            let achieved = Double(count) / (run.streamSeconds - Self.latencySettlingSeconds)
            table.row(
                "\(format(rate)) (achieved \(format(achieved)))", values,
                run.sinkStatistics["latency_samples"].map(String.init) ?? "?")
            let floor = try await RelayHopBenchmark(executable: configuration.executable, directory: directory)
                .run(rate: rate, count: count)
            let floorValues = Self.latencyCell(
                [50, 90, 99, 99.9, 100].map { Int(floor.nanoseconds(atPercentile: $0)) })
            table.row("  floor: bare relay hop", floorValues, String(floor.count))
        }
        print(
            "  the updates start \(Int(Self.latencySettlingSeconds)) s after the snapshots, once every book is loaded (section 5 times the loads)"
        )
        print("  floor: the same rate through a `bookbus relay` alone (two TCP hops, no book work), right after")
    }

    /// The latency table's `p50 / p90 / p99 / p99.9 / max` cell: nanoseconds shown in µs to 0.1,
    /// `?` for a figure missing.
    private static func latencyCell(_ nanoseconds: [Int?]) -> String {
        nanoseconds.map { $0.map { String(format: "%.1f", Double($0) / 1_000) } ?? "?" }.joined(separator: " / ")
    }

    /// Seconds between the snapshots and the first update of a latency run: the books' loads
    /// (tens of milliseconds for three at real depth) are over, so the figures are the rate's, not
    /// the start's.
    static let latencySettlingSeconds = 1.0

    /// `frames` as a timed recording: the snapshots (the first `snapshots` frames) at once, the
    /// updates `rate` a second from ``latencySettlingSeconds`` later.
    private func writeTimed(_ frames: [[UInt8]], snapshots: Int, rate: Double, name: String) throws -> String {
        let folder = "\(directory)/\(name)"
        try? FileManager.default.removeItem(atPath: folder)
        let writer = try RotatingRecordingWriter(
            rotation: RecordingRotation(directory: folder, maxSeconds: .infinity, maxBytes: .max))
        // Any base: the replay paces from the first frame's time, and the ingest stamps its own.
        let start: UInt64 = 1_700_000_000_000_000_000
        for (index, frame) in frames.enumerated() {
            let seconds = index < snapshots ? 0 : Self.latencySettlingSeconds + Double(index - snapshots) / rate
            try writer.append(frame, receivedAtNanos: start + UInt64((seconds * 1e9).rounded()))
        }
        try writer.close()
        guard let path = writer.completedFiles.first else { throw BenchError(description: "no recording in \(folder)") }
        return path
    }

    // MARK: - 5. Memory

    private func memory() async throws {
        section("5. memory and the snapshot service: 50 products × 20,000 levels a side (realistic changes)")
        var settings = generatorConfiguration(feed: .exchange, profile: .realistic, updates: 10_000)
        settings.products = (1...50).map { "P\($0)-USD" }
        settings.depth = 20_000
        var generator = FeedGenerator(configuration: settings)
        let frames = generator.frames()
        let recording = try write(frames, name: "memory.jsonl")
        let events = "\(directory)/memory-events.jsonl"
        let run = try await PipelineBenchmark(executable: configuration.executable, directory: directory)
            .run(recording: recording, products: settings.products, workers: 1, eventLog: events)
        try checkFinalBooks(events: events, reference: try referenceBooks(of: frames))
        let table = BenchTable(widths: 62, 10)
        table.row("worker peak RSS (VmHWM)", "\(run.workerPeakRSSKilobytes[0] / 1_024) MB")
        try await snapshotService(
            snapshots: Array(frames.prefix(settings.products.count)), later: frames.last!,
            products: settings.products, table: table)
    }

    /// The same 50 snapshots through the ingest's snapshot service to a worker that joins late.
    private func snapshotService(
        snapshots: [[UInt8]], later: [UInt8], products: [String], table: BenchTable
    ) async throws {
        let run = try await SnapshotServiceBenchmark(executable: configuration.executable, directory: directory)
            .run(snapshots: snapshots, later: later, products: products)
        let reference = try referenceBooks(of: snapshots)
        for (product, book) in reference where run.tops[product] != book.topOfBook {
            throw BenchError(
                description: "\(product): the late worker's top of book \(String(describing: run.tops[product])) "
                    + "is not its snapshot's \(book.topOfBook)")
        }
        func milliseconds(_ seconds: Double) -> String { String(format: "%.0f ms", seconds * 1_000) }
        table.row("ingest: load and publish the 50 snapshots", milliseconds(run.ingestSeconds))
        table.row("late worker: start → all 50 books from the snapshot service", milliseconds(run.workerSeconds))
        table.row("both", milliseconds(run.ingestSeconds + run.workerSeconds), "target ≤ 1 s")
    }

    // MARK: - Helpers

    private func generatorConfiguration(feed: CoinbaseFeedKind, profile: TrafficProfile, updates: Int)
        -> FeedGeneratorConfiguration
    {
        var settings = FeedGeneratorConfiguration()
        settings.feed = feed
        settings.profile = profile
        settings.updates = updates
        settings.seed = configuration.seed
        return settings
    }

    /// Every product's book after `frames`, computed in-process: the reference a run's last
    /// events must show.
    private func referenceBooks(of frames: [[UInt8]]) throws -> [String: OrderBook] {
        let parser = FeedParser()
        var books: [String: ProductBook<OrderBook>] = [:]
        for frame in frames { try HotPathBenchmark.apply(try parser.parse(frame), to: &books) }
        return books.mapValues(\.book)
    }

    /// The last top-of-book event of each product must show its reference top of book, and with
    /// `depthLevels` its last depth event the reference's best levels. (Order holds per topic: a
    /// batch's spread events come after its top-of-book events, so the last event of a product can
    /// be a spread event from before its final change.)
    private func checkFinalBooks(events: String, reference: [String: OrderBook], depthLevels: Int? = nil) throws {
        var lastTop: [String: [String: Any]] = [:]
        var lastDepth: [String: [String: Any]] = [:]
        let text = try String(contentsOfFile: events, encoding: .utf8)
        for line in text.split(separator: "\n") {
            guard let event = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let product = event["product"] as? String
            else { continue }
            switch event["type"] as? String {
            case BookEvent.Kind.topOfBook.rawValue: lastTop[product] = event
            case "depth": lastDepth[product] = event
            default: continue
            }
        }
        for (product, book) in reference {
            let top = book.topOfBook
            guard let event = lastTop[product], event["bid"] as? String == top.bid?.price.description,
                event["ask"] as? String == top.ask?.price.description,
                event["bid_size"] as? String == top.bid?.size.description,
                event["ask_size"] as? String == top.ask?.size.description
            else {
                throw BenchError(
                    description: "\(product): the pipeline's last top-of-book event is not the reference book \(top)")
            }
            guard let depthLevels else { continue }
            func pairs(_ side: Side) -> [[String]] {
                book.levels(side, limit: depthLevels).map { [$0.price.description, $0.size.description] }
            }
            guard let depth = lastDepth[product], depth["bids"] as? [[String]] == pairs(.bid),
                depth["asks"] as? [[String]] == pairs(.ask)
            else {
                throw BenchError(
                    description: "\(product): the pipeline's last depth event is not the reference book's best levels")
            }
        }
    }

    private func write(_ frames: [[UInt8]], name: String) throws -> String {
        let path = "\(directory)/\(name)"
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let output = FileHandle(forWritingAtPath: path)
        else { throw BenchError(description: "cannot write \(path)") }
        defer { try? output.close() }
        try FeedGenerator.writeJSONLines(frames, to: output)
        return path
    }

    /// The traffic's shape, so every figure says what it was measured on.
    private func describe(_ frames: [[UInt8]]) {
        let statistics = TrafficStatistics(frames: frames)
        let depths = statistics.snapshotDepths.sorted { $0.key < $1.key }
            .map { "\($0.key) \($0.value.bids)/\($0.value.asks)" }.joined(separator: ", ")
        print("  traffic: \(frames.count) messages; levels a side \(depths)")
        print("  traffic: \(statistics.summary)")
    }

    private func section(_ title: String) {
        print("")
        print(title)
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    private func range(_ values: [Double], _ show: (Double) -> String) -> String {
        "\(show(values.min() ?? 0)) – \(show(values.max() ?? 0))"
    }

    private func format(_ value: Double) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 0
        return formatter.string(from: NSNumber(value: value)) ?? "\(Int(value))"
    }
}
