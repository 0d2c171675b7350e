import BookBusCore
import BookBusSupervisor
import BusProtocol
import Foundation
import ZeroMQ

/// The latency floor of this machine for the pipeline's shape, measured beside each latency run.
///
/// Messages paced as the ingest's replay paces them (``ReplayPacing``), stamped with the wall clock
/// as they go, cross two TCP hops through a `bookbus relay` process (XSUB → XPUB: no parsing, no
/// book) to a subscriber: the two hops of ingest → worker → sink, with none of BookBus's work and
/// fewer processes (the sender and the subscriber are threads of the bench's own). On a shared
/// 2-core VM it is what the scheduler makes of such a chain in that sitting, so a latency figure is
/// read against it: a lower bound, not a like-for-like.
public struct RelayHopBenchmark {
    /// The `bookbus` executable whose `relay` role forwards.
    public var executable: String
    /// Where the relay's log goes.
    public var directory: String
    /// Bytes of each message's payload (a realistic Exchange update is ~310 bytes).
    public var payloadBytes = 310

    public init(executable: String, directory: String) {
        self.executable = executable
        self.directory = directory
    }

    /// Sends `count` messages at `rate` a second through a relay and returns their latencies,
    /// send → receive.
    public func run(rate: Double, count: Int) async throws -> LatencyRecorder {
        let ports = try freeTCPPorts(2)
        let frontend = "tcp://127.0.0.1:\(ports[0])"
        let backend = "tcp://127.0.0.1:\(ports[1])"
        let relay = ChildProcess(
            name: "relay", executable: executable,
            arguments: ["relay", "--frontend", frontend, "--backend", backend, "--log-level", "warning"],
            standardErrorPath: "\(directory)/relay.err")
        try await relay.start()
        let measured = Result { try measure(rate: rate, count: count, frontend: frontend, backend: backend) }
        relay.terminate()
        let status = try await relay.waitForExit()
        let latencies = try measured.get()
        guard status == 0 else { throw BenchError(description: "the relay exited with \(status); log in \(directory)") }
        return latencies
    }

    /// The topic the sender publishes and the subscriber subscribes to.
    fileprivate static let topic = Array("hop/".utf8)

    private func measure(rate: Double, count: Int, frontend: String, backend: String) throws -> LatencyRecorder {
        let context = try ZMQContext()
        let sender = try context.socket(.xpub)
        defer { sender.close() }
        try sender.set(.lingerMilliseconds(1_000))
        try sender.set(.sendHighWaterMark(Int32(min(count + 1, Int(Int32.max)))))
        try sender.connect(frontend)
        let receiver = HopReceiver(context: context, backend: backend, count: count)
        receiver.start()
        // The subscription crosses the relay before anything is sent, so nothing is lost to the
        // slow-joiner effect.
        var poller = Poller()
        poller.add(sender, .readable)
        guard try poller.poll(timeoutMilliseconds: 10_000) > 0, try sender.receive() != nil else {
            throw BenchError(description: "no subscription came through the relay in 10 s; log in \(directory)")
        }
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: payloadBytes)
        let started = ContinuousClock.now
        for index in 0..<count {
            let due = started + .seconds(Double(index) / rate)
            while let sleep = ReplayPacing.sleep(until: due, now: .now) {
                Thread.sleep(forTimeInterval: sleep / .seconds(1))
            }
            let stamp = FrameHeader(
                epoch: 1, sequence: UInt64(index), receivedAtNanos: WallClock.nanosecondsSinceEpoch())
            _ = try sender.send([Self.topic, stamp.bytes, payload])
        }
        return try receiver.result()
    }
}

/// The subscriber end of the hop, on its own thread: it records each message's latency from the
/// send time in its header.
private final class HopReceiver: @unchecked Sendable {
    private let context: ZMQContext
    private let backend: String
    private let count: Int
    private let done = DispatchSemaphore(value: 0)
    /// Written by the receiving thread before it signals `done`, read after.
    private var outcome: Result<LatencyRecorder, Error> = .failure(BenchError(description: "not run"))

    init(context: ZMQContext, backend: String, count: Int) {
        self.context = context
        self.backend = backend
        self.count = count
    }

    func start() {
        Thread { [self] in
            outcome = Result { try receive() }
            done.signal()
        }.start()
    }

    /// Waits for the receiving thread's latencies.
    func result() throws -> LatencyRecorder {
        done.wait()
        return try outcome.get()
    }

    private func receive() throws -> LatencyRecorder {
        let subscriber = try context.socket(.sub)
        defer { subscriber.close() }
        try subscriber.set(.lingerMilliseconds(0))
        try subscriber.set(.subscribe(RelayHopBenchmark.topic))
        try subscriber.connect(backend)
        var poller = Poller()
        poller.add(subscriber, .readable)
        var latencies = LatencyRecorder(name: "hop_latency", meaning: "Relay hop send to receive")
        var frames: [[UInt8]] = []
        while latencies.count + latencies.outOfRange < count {
            guard try poller.poll(timeoutMilliseconds: 10_000) > 0 else {
                throw BenchError(
                    description: "the relay hop stalled: \(latencies.count) of \(count) messages in, none for 10 s")
            }
            while try subscriber.receive(into: &frames, wait: false) {
                let now = WallClock.nanosecondsSinceEpoch()
                guard frames.count == 3, let header = try? FrameHeader(bytes: frames[1]) else {
                    throw BenchError(description: "the relay hop delivered a message not sent: \(frames.count) frames")
                }
                latencies.record(from: header.receivedAtNanos, to: now)
            }
        }
        return latencies
    }
}
