import Foundation
import ZeroMQ

/// libzmq alone: the same frames as two-frame messages (topic, payload), PUB → SUB over TCP
/// loopback, lossless (`ZMQ_XPUB_NODROP`, blocking send), receiver on its own thread.
public enum BareZeroMQBenchmark {
    public static func run(frames: [[UInt8]]) throws -> BenchResult {
        let context = try ZMQContext()
        let publisher = try context.socket(.xpub)
        try publisher.set(.xpubNoDrop(true))
        try publisher.set(.sendHighWaterMark(100_000))
        try publisher.set(.lingerMilliseconds(1_000))
        try publisher.bind("tcp://127.0.0.1:0")
        let endpoint = try publisher.lastEndpoint()
        let topic = Array("raw/BENCH/".utf8)
        let total = frames.count
        let done = DispatchSemaphore(value: 0)
        let subscribed = DispatchSemaphore(value: 0)
        let receiver = Thread {
            do {
                let subscriber = try context.socket(.sub)
                defer { subscriber.close() }
                try subscriber.set(.receiveHighWaterMark(100_000))
                try subscriber.set(.lingerMilliseconds(0))
                try subscriber.set(.subscribe(topic))
                try subscriber.connect(endpoint)
                subscribed.signal()
                var received = 0
                while received < total, try subscriber.receive() != nil { received += 1 }
            } catch {
                subscribed.signal()
            }
            done.signal()
        }
        receiver.start()
        subscribed.wait()
        // Wait for the subscription to arrive, so nothing is lost to the slow-joiner effect.
        guard try publisher.receive() != nil else { throw BenchError(description: "no subscription arrived") }
        let seconds = try HotPathBenchmark.measure {
            for frame in frames { try publisher.send([topic, frame]) }
            done.wait()
        }
        publisher.close()
        return BenchResult(name: "bare libzmq PUB → SUB, same frames", count: total, seconds: seconds)
    }
}
