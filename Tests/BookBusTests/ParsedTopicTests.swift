import BookBusCore
import BusProtocol
import CoinbaseFeed
import OrderBook
import SyntheticFeed
import Testing

/// The ingest's `parsed/` topics against its `raw/` ones, core to core: a worker that reads what the
/// ingest's core publishes on `parsed/` makes exactly the books and events of one that reads the
/// same batches' Coinbase JSON on `raw/`.
@Suite struct ParsedTopicTests {
    static func frames(of packed: PackedFrames) -> [[UInt8]] {
        var start = 0
        return packed.frameEnds.map { end in
            defer { start = end }
            return Array(packed.bytes[start..<end])
        }
    }

    static func worker() -> WorkerCore {
        WorkerCore(
            configuration: WorkerCore.Configuration(
                name: "w", ownership: .shard(try! ShardAssignment(index: 0, count: 1), knownProducts: nil),
                clone: CloneClient.Settings(bufferLimit: 100_000, asksForSnapshots: false)),
            now: .now)
    }

    static func events(of core: inout WorkerCore) -> [[UInt8]] {
        defer { core.clearOutput() }
        return core.output.events.map { $0.encoded() }
    }

    @Test(arguments: CoinbaseFeedKind.allCases)
    func aWorkerReadingParsedTopicsMatchesOneReadingRawTopics(feed: CoinbaseFeedKind) throws {
        var settings = FeedGeneratorConfiguration()
        settings.feed = feed
        settings.updates = 3_000
        settings.depth = 2_000
        var generator = FeedGenerator(configuration: settings)
        var ingest = IngestCore(
            configuration: .init(maxBatch: 8, keepsBooks: true), epoch: 1,
            group: GroupCoordinator(expiry: .seconds(3), firstGeneration: 1))
        var fromRaw = Self.worker()
        var fromParsed = Self.worker()
        var events = 0
        var updates = 0
        func publish() throws {
            for message in ingest.output.messages {
                guard case .batch(let product, let header, let batch) = message else { continue }
                let raw = try BusMessage(
                    frames: [ingest.topic(of: product), header.bytes] + Self.frames(of: batch.raw))
                let parsed = try BusMessage(
                    frames: [ingest.parsedTopic(of: product), header.bytes] + Self.frames(of: batch.parsed))
                #expect(parsed.topic == .parsed(product: raw.topic.product!))
                // What the worker reads as the ingest parsed it, not the JSON carried along.
                updates += Self.frames(of: batch.parsed).filter { $0.first == 1 }.count
                fromRaw.take(raw)
                fromParsed.take(parsed)
                let expected = Self.events(of: &fromRaw)
                #expect(Self.events(of: &fromParsed) == expected)
                events += expected.count
            }
            ingest.clearOutput()
        }
        for (index, frame) in generator.frames().enumerated() {
            ingest.take(frame, receivedAtNanos: 1_000 + UInt64(index))
            try publish()
        }
        ingest.flush()
        try publish()
        #expect(events > 1_000 && updates > 2_900)
        #expect(fromParsed.stats.rejected == 0 && fromParsed.stats.bookMessages == fromRaw.stats.bookMessages)
        #expect(fromParsed.books.mapValues { $0.levels(.bid) } == fromRaw.books.mapValues { $0.levels(.bid) })
        #expect(fromParsed.books.mapValues { $0.levels(.ask) } == fromRaw.books.mapValues { $0.levels(.ask) })
    }
}
