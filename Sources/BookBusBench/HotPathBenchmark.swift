import BookBusCore
import BusProtocol
import CoinbaseFeed
import OrderBook

/// One measured row of the benchmark table.
public struct BenchResult: Sendable {
    public var name: String
    public var count: Int
    public var seconds: Double

    public var perSecond: Double { Double(count) / seconds }
    public var nanosecondsEach: Double { seconds * 1e9 / Double(count) }
}

/// The single-core hot path on generated frames: parse; apply; and the worker's own core taking each
/// frame as a bus message (check it, parse, apply, make both events, encode them).
public enum HotPathBenchmark {
    /// Runs the three stages over `frames` (snapshots first, then updates), each the best of
    /// `repeats` passes (a shared VM's hiccups only ever add time), and checks the final books
    /// against a second, independent pass, so a fast wrong answer cannot pass.
    public static func run(frames: [[UInt8]], label: String, repeats: Int = 3) throws -> [BenchResult] {
        let parser = FeedParser()
        let updates = frames.count

        // 1. Parse only.
        var parsed: [FeedMessage] = []
        let parseTime = try best(of: repeats) {
            parsed = []
            parsed.reserveCapacity(updates)
            return try measure {
                for frame in frames { parsed.append(try parser.parse(frame)) }
            }
        }

        // 2. Apply only (the parsed messages).
        var books: [String: ProductBook] = [:]
        let applyTime = try best(of: repeats) {
            books = [:]
            return try measure {
                for message in parsed { try apply(message, to: &books) }
            }
        }

        // 3. Everything a worker does per message, with the worker's own core: check the bus
        // message, parse, apply, make the events, encode them.
        let messages = try busMessages(frames, parser: parser)
        var states: [String: OrderBook] = [:]
        var encodedBytes = 0
        let fullTime = try best(of: repeats) {
            var core = WorkerCore(
                configuration: WorkerCore.Configuration(
                    name: "bench", ownership: .shard(try ShardAssignment(index: 0, count: 1), knownProducts: nil),
                    emit: .onChange, clone: CloneClient.Settings(bufferLimit: 100_000, asksForSnapshots: false)),
                now: .now)
            var eventBuffer = PackedFrames()
            encodedBytes = 0
            let seconds = try measure {
                for frames in messages {
                    core.take(try BusMessage(frames: frames))
                    for event in core.output.events { eventBuffer.append { event.encode(into: &$0) } }
                    encodedBytes += eventBuffer.bytes.count
                    eventBuffer.removeAll()
                    core.clearOutput()
                }
            }
            states = core.books
            return seconds
        }
        for (product, book) in books.mapValues(\.book) {
            guard states[product]?.levels(.bid) == book.levels(.bid), states[product]?.levels(.ask) == book.levels(.ask)
            else { throw BenchError(description: "\(label): the two passes disagree on \(product)") }
            if let violation = book.invariantViolation() {
                throw BenchError(description: "\(label) \(product): \(violation)")
            }
        }
        precondition(encodedBytes > 0)
        return [
            BenchResult(name: "\(label): parse", count: updates, seconds: parseTime),
            BenchResult(name: "\(label): apply", count: updates, seconds: applyTime),
            BenchResult(name: "\(label): worker core (parse + apply + events)", count: updates, seconds: fullTime),
        ]
    }

    /// Parse and load one snapshot frame, best of `repeats`.
    public static func snapshotLoad(_ frame: [UInt8], label: String, repeats: Int = 5) throws -> BenchResult {
        let parser = FeedParser()
        let seconds = try best(of: repeats) {
            var books: [String: ProductBook] = [:]
            return try measure { try apply(try parser.parse(frame), to: &books) }
        }
        return BenchResult(name: "snapshot \(label) (\(frame.count / 1_000) kB)", count: 1, seconds: seconds)
    }

    /// The shortest of `repeats` runs of `pass`, which sets up its own state and returns its time.
    static func best(of repeats: Int, _ pass: () throws -> Double) rethrows -> Double {
        var shortest = Double.infinity
        for _ in 0..<max(1, repeats) { shortest = min(shortest, try pass()) }
        return shortest
    }

    /// Applies a parsed message to its products' books, as every role does (``ProductBook``).
    static func apply(_ message: FeedMessage, to books: inout [String: ProductBook]) throws {
        guard case .book(let bookMessages) = message.kind, let product = bookMessages.first?.product else { return }
        let outcome = books[product, default: ProductBook(product: product)].apply(bookMessages)
        if let failure = outcome.failures.first { throw BenchError(description: "\(product): \(failure)") }
    }

    /// Each frame as the ingest publishes it: on its product's raw topic, numbered per topic.
    static func busMessages(_ frames: [[UInt8]], parser: FeedParser) throws -> [[[UInt8]]] {
        var sequences: [String: UInt64] = [:]
        return try frames.map { frame in
            guard case .book(let books) = try parser.parse(frame).kind, let product = books.first?.product else {
                throw BenchError(description: "a generated frame without book data")
            }
            let sequence = sequences[product, default: 0] + 1
            sequences[product] = sequence
            let header = FrameHeader(epoch: 1, sequence: sequence, receivedAtNanos: 0)
            return [Topic.raw(product: product).bytes, header.bytes, frame]
        }
    }

    static func measure(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        return (ContinuousClock.now - start) / .seconds(1)
    }
}

/// A benchmark that could not run, or whose output was wrong.
public struct BenchError: Error, CustomStringConvertible {
    public var description: String
}
