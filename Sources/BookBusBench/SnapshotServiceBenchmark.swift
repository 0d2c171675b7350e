import BookBusCore
import BookBusSupervisor
import BusProtocol
import CoinbaseFeed
import Foundation
import OrderBook
import ZeroMQ

/// The ingest's snapshot service at real depth, with real processes on TCP loopback: an ingest
/// loads every product's snapshot and publishes it, then a worker that joins late loads every
/// book from the ingest's snapshot service.
///
/// The ingest replays a timed recording whose snapshots come first and whose next message comes
/// minutes later, so the books stay exactly the snapshots while the worker asks for them. A
/// subscriber of the benchmark's own times both stages: the ingest's, from the receive time its
/// raw messages carry to the arrival of the last snapshot (parse, load and publish; reading the
/// recording is not counted); the worker's, from starting its process to the arrival of its
/// top-of-book event for the last product.
public struct SnapshotServiceBenchmark {
    /// The `bookbus` executable to start.
    public var executable: String
    /// Scratch space for the recording and process logs.
    public var directory: String

    public init(executable: String, directory: String) {
        self.executable = executable
        self.directory = directory
    }

    public struct Run: Sendable {
        /// From the ingest's receive time of the snapshots to the arrival of the last one published.
        public var ingestSeconds: Double
        /// From starting the late worker to the arrival of its top of book for the last product.
        public var workerSeconds: Double
        /// Each product's first top-of-book event from the worker.
        public var tops: [String: TopOfBook]
    }

    /// Runs both stages on `snapshots` (one snapshot frame per product); `later` is any frame of
    /// those products, recorded long after them, so the replay waits instead of ending.
    public func run(snapshots: [[UInt8]], later: [UInt8], products: [String]) async throws -> Run {
        let recording = try writeRecording(snapshots: snapshots, later: later)
        let ports = try freeTCPPorts(3)
        let host = "tcp://127.0.0.1"
        let context = try ZMQContext()
        let stream = try subscriber(context, to: "\(host):\(ports[0])", topics: [Topic.rawPrefix])
        defer { stream.close() }
        let ingest = ChildProcess(
            name: "ingest", executable: executable,
            arguments: [
                "ingest", "--replay", recording, "--speed", "1", "--publish", "\(host):\(ports[0])",
                "--snapshots", "\(host):\(ports[1])", "--wait-for-subscribers", "1", "--no-progress",
            ], standardErrorPath: "\(directory)/snapshot-service-ingest.err")
        let worker = ChildProcess(
            name: "worker", executable: executable,
            arguments: [
                "worker", "--shard", "0/1", "--all-products", products.joined(separator: ","),
                "--ingest", "\(host):\(ports[0])", "--snapshots", "\(host):\(ports[1])",
                "--publish", "\(host):\(ports[2])", "--wait-for-subscribers", "1", "--name", "worker-0",
            ], standardErrorPath: "\(directory)/snapshot-service-worker.err")
        try await ingest.start()
        defer { ingest.terminate() }
        let published = try collect(from: stream, count: products.count) { message in
            (message.topic.product, message.header.receivedAtNanos)
        }
        let ingestSeconds = Double(published.lastArrivalNanos - (published.values.values.min() ?? 0)) / 1e9
        let events = try subscriber(context, to: "\(host):\(ports[2])", topics: [Topic.topOfBookPrefix])
        defer { events.close() }
        let workerStarted = WallClock.nanosecondsSinceEpoch()
        try await worker.start()
        defer { worker.terminate() }
        let tops = try collect(from: events, count: products.count) { message in
            let event = try BookEvent(json: message.payload)
            return (event.product, event.top)
        }
        worker.terminate()
        ingest.terminate()
        guard try await worker.waitForExit() == 0, try await ingest.waitForExit() == 0 else {
            throw BenchError(description: "the snapshot-service run failed; logs in \(directory)")
        }
        return Run(
            ingestSeconds: ingestSeconds, workerSeconds: Double(tops.lastArrivalNanos - workerStarted) / 1e9,
            tops: tops.values)
    }

    /// The snapshots at one instant, then `later` two minutes after them.
    private func writeRecording(snapshots: [[UInt8]], later: [UInt8]) throws -> String {
        let writer = try RotatingRecordingWriter(
            rotation: RecordingRotation(
                directory: "\(directory)/snapshot-service", maxSeconds: .infinity, maxBytes: .max))
        let recordedAt: UInt64 = 1_700_000_000_000_000_000
        for snapshot in snapshots { try writer.append(snapshot, receivedAtNanos: recordedAt) }
        try writer.append(later, receivedAtNanos: recordedAt + 120_000_000_000)
        try writer.close()
        guard let path = writer.completedFiles.last else {
            throw BenchError(description: "no recording written in \(directory)/snapshot-service")
        }
        return path
    }

    /// A SUB socket counted by BookBus publishers as a subscriber (it takes the control topic).
    private func subscriber(_ context: ZMQContext, to endpoint: String, topics: [String]) throws -> ZMQSocket {
        let socket = try context.socket(.sub)
        try socket.set(.lingerMilliseconds(0))
        // The worker binds after this connects: retry often, so the wait is not the default 100 ms.
        try socket.set(.reconnectIntervalMilliseconds(5))
        for topic in topics + [Topic.controlName] { try socket.set(.subscribe(Array(topic.utf8))) }
        try socket.connect(endpoint)
        return socket
    }

    /// The first value `read` finds for each of `count` products (control messages skipped), and
    /// when the last one arrived; gives up after a minute without them all.
    private func collect<Value>(
        from socket: ZMQSocket, count: Int, _ read: (BusMessage) throws -> (product: String?, value: Value)
    ) throws -> (values: [String: Value], lastArrivalNanos: UInt64) {
        var values: [String: Value] = [:]
        var poller = Poller()
        poller.add(socket, .readable)
        let deadline = ContinuousClock.now + .seconds(60)
        while values.count < count {
            guard ContinuousClock.now < deadline else {
                throw BenchError(
                    description: "only \(values.count) of \(count) products arrived in 60 s; logs in \(directory)")
            }
            guard try poller.poll(timeoutMilliseconds: 100) > 0, let frames = try socket.receive(wait: false) else {
                continue
            }
            let message = try BusMessage(frames: frames)
            guard message.topic != .control else { continue }
            let (product, value) = try read(message)
            if let product, values[product] == nil { values[product] = value }
        }
        return (values, WallClock.nanosecondsSinceEpoch())
    }
}
