import BookBusCore
import BusProtocol
import CoinbaseFeed
import OrderBook

/// One measured row of the benchmark table.
public struct BenchResult: Sendable {
    public var name: String
    public var count: Int
    public var seconds: Double
    /// Events made per message, for the stages that make events.
    public var eventsPerMessage: Double?

    public var perSecond: Double { Double(count) / seconds }
    public var nanosecondsEach: Double { seconds * 1e9 / Double(count) }
}

/// A set of worker streams the hot path's worker-core stage runs with.
public struct StreamVariant: Sendable {
    public var name: String
    public var streams: StreamSettings

    public init(name: String, streams: StreamSettings) {
        self.name = name
        self.streams = streams
    }

    /// What a worker publishes by default: top of book and spread on change.
    public static let topOfBookOnly = StreamVariant(name: "tob + spread", streams: StreamSettings())

    /// The variants `bookbus bench` measures, top of book only first.
    public static var measured: [StreamVariant] {
        var depth = StreamSettings()
        depth.depthLevels = 10
        var analytics = StreamSettings()
        analytics.analytics = StreamSettings.Analytics()
        var conflated = depth
        conflated.conflation = StreamSettings.Conflation(interval: StreamInterval(milliseconds: 100))
        return [
            topOfBookOnly,
            StreamVariant(name: "tob + spread + depth 10 on change", streams: depth),
            StreamVariant(name: "tob + spread + analytics on change", streams: analytics),
            StreamVariant(name: "tob + spread + depth 10, all conflated to 100 ms", streams: conflated),
        ]
    }
}

/// The single-core hot path on generated frames: parse; apply; and the worker's own core taking each
/// frame as a bus message (check it, read it, apply it, make the events of its streams, encode
/// them): once on `raw/` (the JSON parsed), and on `parsed/` (as the ingest publishes them, the
/// updates already parsed) once for each stream variant.
public enum HotPathBenchmark {
    /// The receive times the frames carry in the worker-core stage: one message every 100 µs (10 k
    /// messages a second), so a 100 ms conflation interval holds 1,000 messages.
    public static let receiveSpacingNanos: UInt64 = 100_000

    /// Runs the stages over `frames` (snapshots first, then updates), each the best of `repeats`
    /// passes (a shared VM's hiccups only ever add time), and checks every pass's final books
    /// against an independent apply-only pass, so a fast wrong answer cannot pass.
    public static func run(
        frames: [[UInt8]], label: String, variants: [StreamVariant] = [.topOfBookOnly], repeats: Int = 3
    ) throws -> [BenchResult] {
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
        var books: [String: ProductBook<OrderBook>] = [:]
        let applyTime = try best(of: repeats) {
            books = [:]
            return try measure {
                for message in parsed { try apply(message, to: &books) }
            }
        }
        for (product, book) in books {
            if let violation = book.book.invariantViolation() {
                throw BenchError(description: "\(label) \(product): \(violation)")
            }
        }

        // 2b. Apply only, to the ingest's snapshot books (hashed, sorted when read).
        var snapshotBooks: [String: ProductBook<SnapshotBook>] = [:]
        let snapshotApplyTime = try best(of: repeats) {
            snapshotBooks = [:]
            return try measure {
                for message in parsed {
                    try apply(message, to: &snapshotBooks) { ProductBook(SnapshotBook(product: $0)) }
                }
            }
        }
        for (product, book) in books {
            guard let snapshotBook = snapshotBooks[product]?.book,
                [Side.bid, .ask].allSatisfy({ snapshotBook.levels($0) == book.book.levels($0) })
            else {
                throw BenchError(
                    description: "\(label) \(product): the ingest's snapshot book and the sorted book disagree")
            }
        }
        var results = [
            BenchResult(name: "\(label): parse", count: updates, seconds: parseTime),
            BenchResult(name: "\(label): apply", count: updates, seconds: applyTime),
            BenchResult(
                name: "\(label): apply to the ingest's snapshot books", count: updates, seconds: snapshotApplyTime),
        ]

        // 3. Everything a worker does per message, with the worker's own core: on the raw JSON, and
        // on the ingest's parse, as workers read it.
        let onRaw = (topic: "raw/", reads: "parse", messages: try busMessages(frames, parser: parser, parsed: false))
        let onParsed = (
            topic: "parsed/", reads: "decode", messages: try busMessages(frames, parser: parser, parsed: true)
        )
        for (stage, variant) in [(onRaw, StreamVariant.topOfBookOnly)] + variants.map({ (onParsed, $0) }) {
            let (seconds, events) = try workerCore(stage.messages, streams: variant.streams, repeats: repeats) {
                states in
                for (product, book) in books.mapValues(\.book) {
                    guard states[product]?.levels(.bid) == book.levels(.bid),
                        states[product]?.levels(.ask) == book.levels(.ask)
                    else {
                        throw BenchError(
                            description:
                                "\(label), \(variant.name) on \(stage.topic): the worker core and the apply pass disagree on \(product)"
                        )
                    }
                }
            }
            results.append(
                BenchResult(
                    name: "\(label): worker core on \(stage.topic) (\(stage.reads) + apply + \(variant.name))",
                    count: updates,
                    seconds: seconds,
                    eventsPerMessage: Double(events) / Double(updates)))
        }
        return results
    }

    /// The best of `repeats` passes of a fresh worker core with `streams` over `messages`, and the
    /// events one pass made; `check` sees each pass's final books.
    private static func workerCore(
        _ messages: [[[UInt8]]], streams: StreamSettings, repeats: Int,
        check: ([String: OrderBook]) throws -> Void
    ) throws -> (seconds: Double, events: Int) {
        var events = 0
        let seconds = try best(of: repeats) {
            var core = WorkerCore(
                configuration: WorkerCore.Configuration(
                    name: "bench", ownership: .shard(try ShardAssignment(index: 0, count: 1), knownProducts: nil),
                    emit: .onChange, streams: streams,
                    clone: CloneClient.Settings(bufferLimit: 100_000, asksForSnapshots: false)),
                now: .now)
            var eventBuffer = PackedFrames()
            var encodedBytes = 0
            events = 0
            let seconds = try measure {
                for frames in messages {
                    core.take(try BusMessage(frames: frames))
                    if core.output.hasEvents {
                        for event in core.output.events { eventBuffer.append { event.encode(into: &$0) } }
                        for event in core.output.depthEvents { eventBuffer.append { event.encode(into: &$0) } }
                        for event in core.output.analyticsEvents { eventBuffer.append { event.encode(into: &$0) } }
                        events += core.output.events.count + core.output.depthEvents.count
                        events += core.output.analyticsEvents.count
                        encodedBytes += eventBuffer.bytes.count
                        eventBuffer.removeAll()
                    }
                    core.clearOutput()
                }
            }
            guard encodedBytes > 0 else { throw BenchError(description: "the worker core made no events") }
            try check(core.books)
            return seconds
        }
        return (seconds, events)
    }

    /// Parse and load one snapshot frame, best of `repeats`.
    public static func snapshotLoad(_ frame: [UInt8], label: String, repeats: Int = 5) throws -> BenchResult {
        let parser = FeedParser()
        let seconds = try best(of: repeats) {
            var books: [String: ProductBook<OrderBook>] = [:]
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
    static func apply(_ message: FeedMessage, to books: inout [String: ProductBook<OrderBook>]) throws {
        try apply(message, to: &books) { ProductBook(product: $0) }
    }

    /// Applies a parsed message to its products' books; `newBook` makes the book of a product seen
    /// for the first time.
    static func apply<Book>(
        _ message: FeedMessage, to books: inout [String: ProductBook<Book>], newBook: (String) -> ProductBook<Book>
    ) throws {
        guard case .book(let bookMessages) = message.kind, let product = bookMessages.first?.product else { return }
        let outcome = books[product, default: newBook(product)].apply(bookMessages)
        if let failure = outcome.failures.first { throw BenchError(description: "\(product): \(failure)") }
    }

    /// Each frame as the ingest publishes it: on its product's raw topic as received, or on its
    /// parsed topic as the ingest parsed it; numbered per topic, received ``receiveSpacingNanos``
    /// after the one before.
    static func busMessages(_ frames: [[UInt8]], parser: FeedParser, parsed: Bool) throws -> [[[UInt8]]] {
        var sequences: [String: UInt64] = [:]
        var received: UInt64 = 1_000_000_000
        return try frames.map { frame in
            guard case .book(let books) = try parser.parse(frame).kind, let product = books.first?.product else {
                throw BenchError(description: "a generated frame without book data")
            }
            let sequence = sequences[product, default: 0] + 1
            sequences[product] = sequence
            received += receiveSpacingNanos
            let header = FrameHeader(epoch: 1, sequence: sequence, receivedAtNanos: received)
            guard parsed else { return [Topic.raw(product: product).bytes, header.bytes, frame] }
            var payload: [UInt8] = []
            ParsedPayload.encode(frame: frame, messages: books, product: product, into: &payload)
            return [Topic.parsed(product: product).bytes, header.bytes, payload]
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
