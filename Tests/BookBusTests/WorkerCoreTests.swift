import BookBusCore
import BusProtocol
import CoinbaseFeed
import Foundation
import OrderBook
import Testing

/// The worker's core without sockets: bus messages and replies in, events, requests and
/// subscription changes out.
@Suite struct WorkerCoreTests {
    static let start = ContinuousClock.now

    static func message(_ topic: Topic, _ sequence: UInt64, _ payloads: String..., epoch: UInt64 = 7) -> BusMessage {
        let header = FrameHeader(epoch: epoch, sequence: sequence, receivedAtNanos: 500 + sequence)
        return try! BusMessage(frames: [topic.bytes, header.bytes] + payloads.map { Array($0.utf8) })
    }

    static func snapshot(_ product: String, bid: String = "100", ask: String = "101") -> String {
        #"{"type":"snapshot","product_id":"\#(product)","bids":[["\#(bid)","1"]],"asks":[["\#(ask)","2"]]}"#
    }

    static func update(_ product: String, _ side: String, _ price: String, _ size: String) -> String {
        #"{"type":"l2update","product_id":"\#(product)","changes":[["\#(side)","\#(price)","\#(size)"]],"time":"t"}"#
    }

    static func core(_ ownership: ProductOwnership, emit: EmitPolicy = .onChange) -> WorkerCore {
        WorkerCore(
            configuration: WorkerCore.Configuration(
                name: "w", ownership: ownership, emit: emit,
                clone: CloneClient.Settings(bufferLimit: 100, asksForSnapshots: true)),
            now: start)
    }

    @Test func eventsFollowTheBookAndTheEmitPolicy() {
        var core = Self.core(.products(["BTC-USD"]))
        core.take(Self.message(.raw(product: "BTC-USD"), 1, Self.snapshot("BTC-USD")))
        #expect(core.output.events.map(\.kind) == [.topOfBook, .spread])
        core.clearOutput()
        // A size change at the touch: top of book changed, the spread did not.
        core.take(Self.message(.raw(product: "BTC-USD"), 2, Self.update("BTC-USD", "buy", "100", "3")))
        #expect(core.output.events.map(\.kind) == [.topOfBook])
        #expect(core.output.events.first?.sourceSequence == 2 && core.output.events.first?.ingestTimeNanos == 502)
        core.clearOutput()
        // Deep in the book: nothing at the top changed.
        core.take(Self.message(.raw(product: "BTC-USD"), 3, Self.update("BTC-USD", "buy", "90", "3")))
        #expect(core.output.events.isEmpty)
        #expect(core.stats.bookMessages == 3 && core.stats.events == 3)
    }

    @Test func everyMessagePublishesBothEventsEachTime() {
        var core = Self.core(.products(["BTC-USD"]), emit: .everyMessage)
        core.take(
            Self.message(
                .raw(product: "BTC-USD"), 1, Self.snapshot("BTC-USD"), Self.update("BTC-USD", "buy", "90", "3")))
        #expect(core.output.events.map(\.kind) == [.topOfBook, .spread, .topOfBook, .spread])
        #expect(core.output.events.map(\.sourceSequence) == [1, 1, 2, 2])
    }

    @Test func productsNotOwnedAreIgnoredAndUnknownUpdatesWaitForASnapshot() {
        var core = Self.core(.products(["BTC-USD"]))
        core.take(Self.message(.raw(product: "ETH-USD"), 1, Self.snapshot("ETH-USD")))
        #expect(core.phases.isEmpty)
        core.take(Self.message(.raw(product: "BTC-USD"), 4, Self.update("BTC-USD", "buy", "90", "3")))
        #expect(core.phases == ["BTC-USD": .awaitingSnapshot(.updateBeforeSnapshot)])
        #expect(core.output.snapshotRequests == ["BTC-USD"])
        #expect(core.stats.resyncsByReason == ["update_before_snapshot": 1])
    }

    @Test func aHeartbeatNamingAnOwnedProductNeverSeenStartsIt() {
        var core = Self.core(.shard(try! ShardAssignment(index: 0, count: 1), knownProducts: nil))
        let beat = ControlMessage.heartbeat(publisher: "i", epoch: 7, sequences: ["raw/BTC-USD/": 9])
        core.take(
            try! BusMessage(frames: [
                Topic.control.bytes, FrameHeader(epoch: 7, sequence: 1, receivedAtNanos: 0).bytes, beat.encoded(),
            ]))
        #expect(core.phases == ["BTC-USD": .awaitingSnapshot(.joinedLate)])
        #expect(core.output.snapshotRequests == ["BTC-USD"])
    }

    /// Replies the worker must refuse, and why.
    @Test(arguments: [
        (Self.message(.raw(product: "ETH-USD"), 0, Self.snapshot("ETH-USD")), "which this worker did not ask for"),
        (
            Self.message(.raw(product: "BTC-USD"), 0, Self.snapshot("ETH-USD")),
            "its topic names BTC-USD but its book is ETH-USD"
        ),
        (
            Self.message(.raw(product: "BTC-USD"), 0, Self.snapshot("BTC-USD"), Self.snapshot("BTC-USD")),
            "a snapshot reply has one"
        ),
        (Self.message(.raw(product: "BTC-USD"), 0, "{not json"), "its book does not parse"),
    ])
    func aReplyForAnotherProductOrMalformedIsRefused(reply: BusMessage, reason: String) {
        var core = Self.core(.products(["BTC-USD"]))
        core.start()
        core.clearOutput()
        core.takeReply(reply)
        #expect(core.stats.badSnapshotReplies == 1)
        #expect(core.output.logs.first.map { "\($0.metadata["reason"] ?? "")".contains(reason) } == true)
        #expect(core.phases == ["BTC-USD": .awaitingSnapshot(.workerStart)])
    }

    @Test func aGoodReplyMakesTheBookLive() {
        var core = Self.core(.products(["BTC-USD"]))
        core.start()
        core.clearOutput()
        core.takeReply(Self.message(.raw(product: "BTC-USD"), 5, Self.snapshot("BTC-USD")))
        #expect(core.phases == ["BTC-USD": .live])
        #expect(core.stats.snapshotsApplied == 1)
        #expect(core.output.events.map(\.sourceSequence) == [5, 5])
    }

    @Test func anAssignmentAddsAndRemovesProducts() {
        var core = Self.core(.group)
        core.tick(now: Self.start)
        #expect(core.output.sendsGroupHeartbeat)
        core.clearOutput()
        core.take(Assignment(generation: 3, members: 2, products: ["A-USD", "B-USD"]))
        #expect(core.output.subscriptions == [.subscribe("parsed/A-USD/"), .subscribe("parsed/B-USD/")])
        #expect(core.output.snapshotRequests == ["A-USD", "B-USD"])
        #expect(
            core.phases == [
                "A-USD": .awaitingSnapshot(.assigned(generation: 3)),
                "B-USD": .awaitingSnapshot(.assigned(generation: 3)),
            ])
        core.clearOutput()
        core.take(Assignment(generation: 3, members: 2, products: ["C-USD"]))
        #expect(core.output.subscriptions.isEmpty, "the same generation again changes nothing")
        core.take(Assignment(generation: 4, members: 3, products: ["B-USD", "C-USD"]))
        #expect(core.output.subscriptions == [.unsubscribe("parsed/A-USD/"), .subscribe("parsed/C-USD/")])
        #expect(Set(core.phases.keys) == ["B-USD", "C-USD"])
        core.take(Self.message(.raw(product: "B-USD"), 1, Self.snapshot("B-USD")))
        #expect(core.output.events.allSatisfy { $0.generation == 4 })
        // The membership heartbeat goes out again once its interval has passed.
        core.clearOutput()
        core.tick(now: Self.start + .milliseconds(499))
        #expect(!core.output.sendsGroupHeartbeat)
        core.tick(now: Self.start + .milliseconds(500))
        #expect(core.output.sendsGroupHeartbeat)
    }

    @Test func theEndOfStreamIsPassedOn() {
        var core = Self.core(.products(["BTC-USD"]))
        let end = ControlMessage.endOfStream(publisher: "ingest").encoded()
        core.take(
            try! BusMessage(frames: [
                Topic.control.bytes, FrameHeader(epoch: 7, sequence: 1, receivedAtNanos: 42).bytes, end,
            ]))
        #expect(core.output.endOfStream == 42)
    }

    @Test func theReportCountsResyncsByReasonAndListsProductStates() throws {
        var core = Self.core(.products(["BTC-USD", "ETH-USD"]))
        core.start()
        core.takeReply(Self.message(.raw(product: "BTC-USD"), 5, Self.snapshot("BTC-USD")))
        let report = core.report
        #expect(report.products == ["BTC-USD": "live", "ETH-USD": "awaiting_snapshot"])
        #expect(report.logMetadata["resyncs"] == "2" && report.logMetadata["snapshots_applied"] == "1")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json)) as? [String: Any])
        let statistics = try #require(json["statistics"] as? [String: Any])
        #expect((statistics["resyncs_by_reason"] as? [String: Int])?["worker_start"] == 2)
        #expect(statistics["snapshot_requests"] as? Int == 2)
    }

    @Test func readinessWaitsForEveryBookAndTheReportCountsEachProduct() {
        var core = Self.core(.products(["BTC-USD", "ETH-USD"]))
        #expect(core.readiness == .notReady("no product assigned or seen yet"))
        core.start()
        #expect(core.readiness == .notReady("not live: BTC-USD (awaiting_snapshot), ETH-USD (awaiting_snapshot)"))
        core.take(Self.message(.raw(product: "BTC-USD"), 1, Self.snapshot("BTC-USD")))
        core.take(Self.message(.raw(product: "BTC-USD"), 2, Self.update("BTC-USD", "buy", "99", "3")))
        core.take(Self.message(.raw(product: "BTC-USD"), 3, Self.update("BTC-USD", "sell", "101", "5")))
        #expect(core.readiness == .notReady("not live: ETH-USD (awaiting_snapshot)"))
        core.take(Self.message(.raw(product: "ETH-USD"), 1, Self.snapshot("ETH-USD")))
        #expect(core.readiness == .ready)

        let btc = Dictionary(
            uniqueKeysWithValues: core.report.statistics.filter { $0.label?.value == "BTC-USD" }.map {
                ($0.name, $0.value)
            })
        #expect(btc["product_book_messages"] == 3)
        #expect(btc["product_level_changes"] == 2)
        #expect(btc["book_bid_levels"] == 2 && btc["book_ask_levels"] == 1)
        // The snapshot's two events, then the ask's new size at the touch (the bid at 99 is below it).
        #expect(btc["product_tob_events"] == 2 && btc["product_spread_events"] == 1)
        #expect(btc["book_last_update_timestamp_seconds"] == 0)  // the test's receive times are 503 ns
        // The spread, exact: 101 - 100, and 1 / 100.5 × 10,000 to 4 digits; as strings in the stats file.
        let spreads = core.report.statistics.filter { $0.label?.value == "BTC-USD" && $0.exact != nil }
        #expect(spreads.map(\.name) == ["book_spread", "book_spread_bps"])
        #expect(spreads.map { $0.exact?.description } == ["1", "99.5025"])
        let json = String(decoding: core.report.json, as: UTF8.self)
        #expect(json.contains(#""book_spread_bps":{"BTC-USD":"99.5025","ETH-USD":"99.5025"}"#))
    }

    @Test func aProductTheIngestCallsStaleIsReportedStaleAndNotReady() {
        var core = Self.core(.products(["BTC-USD"]))
        core.take(Self.message(.raw(product: "BTC-USD"), 1, Self.snapshot("BTC-USD")))
        let beat = ControlMessage.heartbeat(
            publisher: "i", epoch: 7, sequences: ["raw/BTC-USD/": 1], stale: ["BTC-USD"])
        core.take(
            try! BusMessage(frames: [
                Topic.control.bytes, FrameHeader(epoch: 7, sequence: 1, receivedAtNanos: 0).bytes, beat.encoded(),
            ]))
        #expect(core.report.products == ["BTC-USD": "stale"])
        #expect(core.readiness == .notReady("not live: BTC-USD (stale)"))
        let fresh = ControlMessage.heartbeat(publisher: "i", epoch: 7, sequences: ["raw/BTC-USD/": 1])
        core.take(
            try! BusMessage(frames: [
                Topic.control.bytes, FrameHeader(epoch: 7, sequence: 2, receivedAtNanos: 0).bytes, fresh.encoded(),
            ]))
        #expect(core.report.products == ["BTC-USD": "live"])
    }

    @Test func rejectionsAreCountedByReason() {
        var core = Self.core(.products(["BTC-USD"]))
        core.take(Self.message(.raw(product: "BTC-USD"), 1, Self.snapshot("BTC-USD")))
        core.take(Self.message(.raw(product: "BTC-USD"), 2, "{not json"))
        core.take(Self.message(.raw(product: "BTC-USD"), 3, Self.update("BTC-USD", "buy", "99", "-1")))
        core.take(Self.message(.raw(product: "BTC-USD"), 4, Self.update("BTC-USD", "buy", "0", "1")))
        let byReason = Dictionary(
            uniqueKeysWithValues: core.report.statistics.filter { $0.name == "rejected_by_reason" }.map {
                ($0.label!.value, $0.value)
            })
        #expect(core.stats.rejected == 3)
        #expect(byReason["malformed"] == 1 && byReason["negative_number"] == 1 && byReason["book_zero_price"] == 1)
        #expect(byReason.values.reduce(0, +) == 3)
        #expect(byReason.count == FeedParseError.reasons.count + BookError.reasons.count)
    }
}
