import BookBusCore
import BusProtocol
import Foundation
import Testing

/// The ingest's core without sockets: routing, batches, sequences, epochs, the books it serves.
@Suite struct IngestCoreTests {
    static func snapshot(_ product: String, bid: String = "100") -> [UInt8] {
        Array(#"{"type":"snapshot","product_id":"\#(product)","bids":[["\#(bid)","1"]],"asks":[["101","2"]]}"#.utf8)
    }

    static func update(_ product: String, _ price: String) -> [UInt8] {
        Array(#"{"type":"l2update","product_id":"\#(product)","changes":[["buy","\#(price)","1"]],"time":"t"}"#.utf8)
    }

    static func core(maxBatch: Int = 3, connections: [String: [String]] = [:]) -> IngestCore {
        IngestCore(
            configuration: .init(maxBatch: maxBatch, keepsBooks: true, connections: connections), epoch: 9,
            group: GroupCoordinator(expiry: .seconds(3), firstGeneration: 1))
    }

    /// Each published message as (topic, first sequence, payload count, epoch), clearing the output.
    static func published(_ core: inout IngestCore) -> [(String, UInt64, Int, UInt64)] {
        defer { core.clearOutput() }
        return core.output.messages.map { message in
            switch message {
            case .batch(let product, let header, let payloads):
                return (
                    String(decoding: core.topic(of: product), as: UTF8.self), header.sequence, payloads.count,
                    header.epoch
                )
            case .unrouted(let header, _):
                return ("raw/*/", header.sequence, 1, header.epoch)
            }
        }
    }

    @Test func batchesCloseWhenFullOrFlushedAndSequencesRunOnAcrossThem() {
        var core = Self.core()
        for (index, product) in ["A-USD", "A-USD", "B-USD", "A-USD"].enumerated() {
            core.take(Self.update(product, "1\(index)"), receivedAtNanos: UInt64(index))
        }
        // A-USD's batch is full at its third message; B-USD's is still open.
        #expect(Self.published(&core).map(\.0) == ["raw/A-USD/"])
        core.take(Self.update("A-USD", "20"), receivedAtNanos: 10)
        core.flush()
        let flushed = Self.published(&core)
        #expect(flushed.map(\.0) == ["raw/B-USD/", "raw/A-USD/"], "in the order each batch opened")
        #expect(flushed.map(\.1) == [1, 4], "A-USD's second batch starts after its first three")
        #expect(flushed.map(\.2) == [1, 1])
        #expect(core.sequences == ["raw/A-USD/": 4, "raw/B-USD/": 1])
        #expect(core.stats.frames == 5)
    }

    @Test func aBatchBufferIsEmptiedInPlaceAndTakenAgainNotCopied() {
        var core = Self.core(maxBatch: 1)
        // A batch that once carried a large frame keeps its capacity; clearing the output must not
        // leave it shared and so make the next batch allocate a fresh buffer of that size.
        let large = Array(repeating: UInt8(ascii: " "), count: 1 << 20) + Self.snapshot("A-USD")
        core.take(large, receivedAtNanos: 0)
        let buffer = Self.firstBatchBuffer(of: core)
        #expect(buffer != nil)
        core.clearOutput()
        // Each closed batch hands its product the spare buffer, so the large one comes back out
        // with the second batch after it.
        core.take(Self.update("A-USD", "98"), receivedAtNanos: 1)
        core.clearOutput()
        core.take(Self.update("A-USD", "99"), receivedAtNanos: 2)
        #expect(Self.firstBatchBuffer(of: core) == buffer)
    }

    /// Where the first published batch's bytes are stored (the caller keeps no reference to them).
    static func firstBatchBuffer(of core: IngestCore) -> UnsafePointer<UInt8>? {
        guard case .batch(_, _, let payloads)? = core.output.messages.first else { return nil }
        return payloads.raw.bytes.withUnsafeBufferPointer { $0.baseAddress }
    }

    @Test func aMessageAboutNoProductGoesToTheUnroutedTopicAtOnce() {
        var core = Self.core()
        core.take(Self.update("A-USD", "1"), receivedAtNanos: 0)
        core.take(Array(#"{"type":"subscriptions","channels":[]}"#.utf8), receivedAtNanos: 0)
        core.take(Array("not json".utf8), receivedAtNanos: 0)
        #expect(Self.published(&core).map(\.0) == ["raw/*/", "raw/*/"])
        #expect(core.stats.unroutable == 1)
        #expect(core.sequences["raw/*/"] == 2)
    }

    @Test func aCoinbaseErrorIsCountedAndItsReasonBounded() {
        var core = Self.core()
        let reason = String(repeating: "x", count: 1_000)
        core.take(Array(#"{"type":"error","message":"Failed","reason":"\#(reason)"}"#.utf8), receivedAtNanos: 0)
        #expect(core.stats.coinbaseErrors == 1)
        let logged = "\(core.output.logs.first?.metadata["reason"] ?? "")"
        #expect(logged.count < 250 && logged.hasSuffix("(1000 bytes)"))
    }

    @Test func aReconnectSendsWhatWasOpenThenStartsANewEpoch() {
        var core = Self.core(connections: ["conn-1": ["A-USD"]])
        core.take(Self.snapshot("A-USD"), receivedAtNanos: 1)
        core.take(Self.update("A-USD", "99"), receivedAtNanos: 2)
        core.connected(label: "conn-1", newEpoch: 10)
        let before = Self.published(&core)
        #expect(before.map(\.1) == [1] && before.map(\.2) == [2] && before.map(\.3) == [9])
        #expect(core.epoch == 10 && core.sequences.isEmpty)
        // The connection's book waits for its fresh snapshot.
        #expect(core.snapshot(of: "A-USD").hasBook == false)
        core.take(Self.snapshot("A-USD", bid: "98"), receivedAtNanos: 3)
        core.flush()
        #expect(Self.published(&core).map { ($0.1, $0.3) }.elementsEqual([(1, 10)]) { $0 == $1 })
        #expect(core.snapshot(of: "A-USD").hasBook)
    }

    @Test func aSnapshotServedBetweenTwoMessagesOfABatchNamesEveryMessageItIncludes() throws {
        var core = Self.core(maxBatch: 64)
        core.take(Self.snapshot("A-USD"), receivedAtNanos: 1)
        core.take(Self.update("A-USD", "100.5"), receivedAtNanos: 2)
        // Two messages are in the open batch and in the book: the reply closes the batch first, so
        // the book it sends is the book as of sequence 2.
        let reply = core.snapshot(of: "A-USD")
        #expect(reply.header.sequence == 2 && reply.header.epoch == 9 && reply.header.receivedAtNanos == 2)
        #expect(Self.published(&core).map { ($0.1, $0.2) }.elementsEqual([(1, 2)]) { $0 == $1 })
        let book = try JSONSerialization.jsonObject(with: Data(reply.payload)) as? [String: Any]
        #expect((book?["bids"] as? [[String]])?.first == ["100.5", "1"])
        core.take(Self.update("A-USD", "100.6"), receivedAtNanos: 3)
        core.flush()
        #expect(Self.published(&core).map(\.1) == [3])
    }

    @Test func unknownOrInvalidProductsHaveNoBook() {
        var core = Self.core()
        #expect(core.snapshot(of: "A-USD").hasBook == false)
        #expect(core.snapshot(of: "../etc").hasBook == false)
        core.take(Self.update("A-USD", "1"), receivedAtNanos: 0)
        #expect(core.snapshot(of: "A-USD").hasBook == false, "an update before any snapshot makes no book")
    }

    @Test func aQuietProductOnABusyConnectionIsStaleAndRenewedUntilItSpeaks() {
        var core = IngestCore(
            configuration: .init(
                maxBatch: 1, keepsBooks: true, connections: ["conn-1": ["A-USD", "B-USD"], "conn-2": ["C-USD"]],
                staleAfter: .seconds(1)),
            epoch: 9, group: GroupCoordinator(expiry: .seconds(3), firstGeneration: 1))
        let second: UInt64 = 1_000_000_000
        core.connected(label: "conn-1", newEpoch: 10)
        core.connected(label: "conn-2", newEpoch: 11)
        core.connected(label: "conn-1", newEpoch: 12)
        #expect(core.stats.connections == 3 && core.stats.reconnects == 1)
        for product in ["A-USD", "B-USD", "C-USD"] { core.take(Self.snapshot(product), receivedAtNanos: second) }
        // B-USD keeps talking; A-USD and C-USD (alone on its connection) go quiet.
        for tenth: UInt64 in [5, 12, 16] {
            core.take(Self.update("B-USD", "99"), receivedAtNanos: second * (10 + tenth) / 10)
        }
        core.clearOutput()
        core.checkStaleness(nowNanos: second * 27 / 10)
        #expect(core.output.renewals == [IngestOutput.Renewal(connection: "conn-1", product: "A-USD")])
        #expect(core.staleProducts == ["A-USD"])
        #expect(core.productStates == ["A-USD": "stale", "B-USD": "live", "C-USD": "live"])
        #expect(core.readiness == .notReady("stale: A-USD"))
        #expect(core.output.logs.map(\.message.description).contains { $0.hasPrefix("product stale") })
        core.clearOutput()
        // Within a second of the renewal nothing more is asked; then it is renewed again.
        core.take(Self.update("B-USD", "98"), receivedAtNanos: second * 30 / 10)
        core.checkStaleness(nowNanos: second * 32 / 10)
        #expect(core.output.renewals.isEmpty)
        core.take(Self.update("B-USD", "97"), receivedAtNanos: second * 36 / 10)
        core.checkStaleness(nowNanos: second * 38 / 10)
        #expect(core.output.renewals == [IngestOutput.Renewal(connection: "conn-1", product: "A-USD")])
        #expect(core.stats.staleMarks == 1 && core.stats.subscriptionRenewals == 2)
        core.clearOutput()
        // Its fresh snapshot arrives: fresh again.
        core.take(Self.snapshot("A-USD", bid: "95"), receivedAtNanos: second * 39 / 10)
        #expect(core.staleProducts.isEmpty && core.readiness == .ready)
        #expect(core.output.logs.map(\.message.description).contains("product fresh again"))
    }

    @Test func staleProductsNeedALiveConnectionAndTheSetting() {
        let second: UInt64 = 1_000_000_000
        for (connections, staleAfter) in [
            ([String: [String]](), Duration.seconds(1)), (["c": ["A-USD", "B-USD"]], nil),
        ] {
            var core = IngestCore(
                configuration: .init(maxBatch: 1, keepsBooks: true, connections: connections, staleAfter: staleAfter),
                epoch: 9, group: GroupCoordinator(expiry: .seconds(3), firstGeneration: 1))
            core.take(Self.snapshot("A-USD"), receivedAtNanos: second)
            core.take(Self.snapshot("B-USD"), receivedAtNanos: second)
            core.take(Self.update("B-USD", "99"), receivedAtNanos: 5 * second)
            core.checkStaleness(nowNanos: 5 * second)
            #expect(core.output.renewals.isEmpty && core.staleProducts.isEmpty)
        }
    }
}
