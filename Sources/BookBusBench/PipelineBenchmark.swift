import BookBusSupervisor
import Foundation

/// The whole topology as real processes on TCP loopback: ingest replay → 2 workers → sink.
public struct PipelineBenchmark {
    /// The `bookbus` executable to start.
    public var executable: String
    /// Scratch space for recordings and process logs.
    public var directory: String

    public init(executable: String, directory: String) {
        self.executable = executable
        self.directory = directory
    }

    /// The logs of one run.
    public struct Run: Sendable {
        /// From starting the ingest process to the sink's exit: start-up and connection set-up included.
        public var seconds: Double
        /// The stream alone: from the ingest's receive time of the first frame that made an event to
        /// the sink's receipt of the last end-of-stream (the sink's closing line gives both).
        public var streamSeconds: Double
        /// The sink's closing statistics (its stats file).
        public var sinkStatistics: [String: Int]
        public var workerPeakRSSKilobytes: [Int]
    }

    /// Replays `recording` through `workers` workers into a sink and waits for the end of stream;
    /// the sink writes every event, as JSON, to `eventLog`. The workers are sharded with the full
    /// product list (`--all-products`), as README recommends when the products are known, so each
    /// subscribes to its own products' topics only.
    /// - Parameters:
    ///   - products: the recording's products.
    ///   - pace: as fast as possible, or at the times a timed recording gives.
    ///   - latency: let the sink report ingest → sink latency percentiles.
    ///   - maxBatch: the ingest's `--max-batch` (`nil`: its default).
    ///   - streams: the workers' streams and their options (`--streams` and the flags after it); the
    ///     sink takes every family they publish.
    public func run(
        recording: String, products: [String], workers workerCount: Int = 2, pace: ReplayPace = .fullSpeed,
        latency: Bool = false,
        maxBatch: Int? = nil, metrics: Bool = false, streams: PipelineStreams = .topOfBookOnly, eventLog: String
    ) async throws -> Run {
        let ports = try freeTCPPorts(2 + workerCount)
        let host = "tcp://127.0.0.1"
        let logs = (0..<(2 + workerCount)).map { "\(directory)/process-\($0).err" }
        let sinkStats = "\(directory)/sink.stats.json"
        // Each role's /metrics on a port of the system's choosing: the cost of keeping them current.
        let observed = metrics ? ["--metrics-listen", "127.0.0.1:0"] : []
        try? FileManager.default.removeItem(atPath: sinkStats)
        let sink = ChildProcess(
            name: "sink", executable: executable,
            arguments: ["sink"] + (0..<workerCount).flatMap { ["--connect", "\(host):\(ports[2 + $0])"] } + [
                "--events", streams.families.joined(separator: ","), "--format", "json", "--log", eventLog, "--quiet",
                "--exit-after-ends", "\(workerCount)", "--log-level", "info", "--stats-file", sinkStats,
            ] + (latency ? ["--latency-report"] : []) + observed, standardErrorPath: logs[0])
        let workers = (0..<workerCount).map { index in
            ChildProcess(
                name: "worker-\(index)", executable: executable,
                arguments: [
                    "worker", "--shard", "\(index)/\(workerCount)", "--all-products", products.joined(separator: ","),
                    "--ingest", "\(host):\(ports[0])", "--snapshots", "\(host):\(ports[1])",
                    "--publish", "\(host):\(ports[2 + index])", "--wait-for-subscribers", "1", "--lossless",
                    "--name", "worker-\(index)", "--log-level", "info",
                ] + streams.workerArguments + observed, standardErrorPath: logs[1 + index])
        }
        let ingest = ChildProcess(
            name: "ingest", executable: executable,
            arguments: [
                "ingest", "--replay", recording, "--speed", pace == .fullSpeed ? "0" : "1", "--publish",
                "\(host):\(ports[0])",
                "--snapshots", "\(host):\(ports[1])", "--wait-for-subscribers", "\(workerCount)", "--log-level", "info",
            ] + (maxBatch.map { ["--max-batch", "\($0)"] } ?? []) + observed, standardErrorPath: logs[1 + workerCount])
        try await sink.start()
        for worker in workers { try await worker.start() }
        let started = ContinuousClock.now
        try await ingest.start()
        let sinkStatus = try await sink.waitForExit()
        let elapsed = ContinuousClock.now - started
        // The workers hold their books until told to stop: their peak memory is what they needed.
        let rss = workers.map { $0.processIdentifier.map(peakRSSKilobytes(pid:)) ?? 0 }
        for worker in workers { worker.terminate() }
        var workerStatuses: [Int32] = []
        for worker in workers { workerStatuses.append(try await worker.waitForExit()) }
        // The ingest waits for its subscribers to leave after the end of stream (or bus.linger_ms).
        let ingestStatus = try await ingest.waitForExit()
        guard ingestStatus == 0, sinkStatus == 0, workerStatuses.allSatisfy({ $0 == 0 }) else {
            throw BenchError(description: "pipeline run failed; logs in \(directory)")
        }
        let statistics = try Self.statistics(in: sinkStats)
        guard let first = statistics["first_event_ingest_ns"], let last = statistics["last_end_of_stream_ns"],
            last > first
        else {
            throw BenchError(description: "the sink's statistics have no stream span; logs in \(directory)")
        }
        return Run(
            seconds: elapsed / .seconds(1),
            streamSeconds: Double(last - first) / 1e9,
            sinkStatistics: statistics, workerPeakRSSKilobytes: rss)
    }

    /// The unlabelled statistics of a role's stats file.
    static func statistics(in path: String) throws -> [String: Int] {
        guard let data = FileManager.default.contents(atPath: path),
            let report = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let statistics = report["statistics"] as? [String: Any]
        else { throw BenchError(description: "no statistics in \(path)") }
        return statistics.compactMapValues { $0 as? Int }
    }
}

/// How the pipeline's ingest replays its recording.
public enum ReplayPace: Sendable {
    /// As fast as it can: throughput.
    case fullSpeed
    /// At the receive times of a timed recording, as a live feed delivers them: latency.
    case recordedTimes
}

/// The streams the pipeline's workers publish.
public struct PipelineStreams: Sendable {
    /// What the table calls it.
    public var name: String
    /// Event families, as `--streams` and the sink's `--events` take them.
    public var families: [String]
    /// Levels a side of the depth stream, when it is on.
    public var depthLevels: Int?
    /// The conflation interval; on change when `nil`.
    public var intervalMilliseconds: Int?

    /// The workers' flags for these streams.
    var workerArguments: [String] {
        ["--streams", families.joined(separator: ",")] + (depthLevels.map { ["--depth-levels", "\($0)"] } ?? [])
            + (intervalMilliseconds.map { ["--interval-ms", "\($0)"] } ?? [])
    }

    /// The default: top of book and spread on change.
    public static let topOfBookOnly = PipelineStreams(name: "top of book + spread", families: ["tob", "spread"])

    /// What the benchmark runs beside ``topOfBookOnly``.
    public static let measuredBesideTopOfBook = [
        PipelineStreams(name: "+ depth 10 on change", families: ["tob", "spread", "depth"], depthLevels: 10),
        PipelineStreams(
            name: "+ depth 10, all conflated to 100 ms", families: ["tob", "spread", "depth"], depthLevels: 10,
            intervalMilliseconds: 100),
    ]
}

/// `count` distinct TCP ports on 127.0.0.1 that nothing listens on right now. All are held open
/// until every one is found: ports asked for one at a time can come back twice.
func freeTCPPorts(_ count: Int) throws -> [Int] {
    var descriptors: [Int32] = []
    defer { for descriptor in descriptors { close(descriptor) } }
    var ports: [Int] = []
    for _ in 0..<count {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchError(description: "socket() failed") }
        descriptors.append(descriptor)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw BenchError(description: "cannot find a free port") }
        ports.append(Int(UInt16(bigEndian: address.sin_port)))
    }
    return ports
}

/// `VmHWM` of a process: its peak resident memory, in kB (0 if unreadable).
func peakRSSKilobytes(pid: Int32) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
    return 0
}
