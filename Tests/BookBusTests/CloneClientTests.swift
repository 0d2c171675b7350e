import BookBusCore
import BusProtocol
import CoinbaseFeed
import OrderBook
import Testing

/// The worker's clone client on its own: no sockets, no clock; every case checks the exact actions
/// and the phase it ends in.
@Suite struct CloneClientTests {
    static let product = "BTC-USD"
    static let epoch: UInt64 = 7
    static let start = ContinuousClock.now

    static func header(_ sequence: UInt64, epoch: UInt64 = epoch) -> FrameHeader {
        FrameHeader(epoch: epoch, sequence: sequence, receivedAtNanos: 1_000 + sequence)
    }

    static func level(_ price: String, _ size: String) -> PriceLevel {
        PriceLevel(price: try! ExactDecimal(price), size: try! ExactDecimal(size))
    }

    static func snapshot(bid: String = "100", ask: String = "101", product: String = product) -> BookMessage {
        BookMessage(
            product: product, content: .snapshot(bids: [level(bid, "1")], asks: [level(ask, "1")]), exchangeTime: nil)
    }

    static func update(_ side: Side, _ price: String, _ size: String, time: String? = nil) -> BookMessage {
        BookMessage(
            product: product,
            content: .update([LevelChange(side: side, price: try! ExactDecimal(price), size: try! ExactDecimal(size))]),
            exchangeTime: time)
    }

    static func top(bid: String, ask: String, bidSize: String = "1", askSize: String = "1") -> TopOfBook {
        TopOfBook(bid: level(bid, bidSize), ask: level(ask, askSize))
    }

    static let settings = CloneClient.Settings(bufferLimit: 4, asksForSnapshots: true)

    /// A client that went live from a snapshot on the stream at sequence 1 (epoch 7), its actions
    /// cleared.
    static func live() -> CloneClient {
        var client = CloneClient(product: product, reason: .firstMessage, settings: settings)
        var actions: [CloneClient.Action] = []
        client.take(header(1), [snapshot()], now: start, actions: &actions)
        #expect(client.isLive)
        return client
    }

    /// A client that started waiting (worker start) and sent its first request.
    static func waiting() -> CloneClient {
        var client = CloneClient(product: product, reason: .workerStart, settings: settings)
        var actions: [CloneClient.Action] = []
        client.start(now: start, actions: &actions)
        #expect(actions == [.resynchronise(.workerStart), .requestSnapshot])
        return client
    }

    @Test func aSnapshotOnTheStreamMakesTheBookLiveAndPublishes() {
        var client = CloneClient(product: Self.product, reason: .firstMessage, settings: Self.settings)
        var actions: [CloneClient.Action] = []
        client.take(Self.header(1), [Self.snapshot()], now: Self.start, actions: &actions)
        #expect(
            actions == [
                .live(after: .firstMessage, sequence: 1, fromService: false),
                .publish(Self.header(1), exchangeTime: nil, top: Self.top(bid: "100", ask: "101")),
            ])
        #expect(client.phase == .live)
        #expect(client.lastSequence == 1)
    }

    @Test func contiguousUpdatesApplyAndPublish() {
        var client = Self.live()
        var actions: [CloneClient.Action] = []
        client.take(Self.header(2), [Self.update(.bid, "100.5", "2", time: "t2")], now: Self.start, actions: &actions)
        #expect(
            actions == [
                .publish(Self.header(2), exchangeTime: "t2", top: Self.top(bid: "100.5", ask: "101", bidSize: "2"))
            ])
        // A message without book data moves the sequence on and publishes nothing.
        actions.removeAll()
        client.take(Self.header(3), [], now: Self.start, actions: &actions)
        #expect(actions.isEmpty)
        #expect(client.lastSequence == 3 && client.phase == .live)
        // A message already in the book (its sequence is not new) is ignored.
        client.take(Self.header(3), [Self.update(.ask, "100.9", "1")], now: Self.start, actions: &actions)
        #expect(actions.isEmpty)
        #expect(client.book.book.bestAsk == Self.level("101", "1"))
    }

    /// Inputs that make a live book untrusted: the reason, and the message kept for after the snapshot.
    @Test(arguments: [
        (FrameHeader(epoch: 7, sequence: 5, receivedAtNanos: 0), ResyncReason.sequenceGap(expected: 2, got: 5)),
        (FrameHeader(epoch: 8, sequence: 1, receivedAtNanos: 0), ResyncReason.epochChanged),
    ])
    func aGapOrANewEpochResynchronises(header: FrameHeader, reason: ResyncReason) {
        var client = Self.live()
        var actions: [CloneClient.Action] = []
        client.take(header, [Self.update(.bid, "99", "1")], now: Self.start, actions: &actions)
        #expect(actions == [.resynchronise(reason), .requestSnapshot])
        #expect(client.phase == .resynchronising(reason))
        #expect(client.buffer.map(\.header) == [header])
        #expect(client.book.book.bestBid == Self.level("100", "1"), "nothing applied while untrusted")
    }

    @Test func aHeartbeatShowingLossWithNothingAfterItResynchronises() {
        var client = Self.live()
        var actions: [CloneClient.Action] = []
        client.takeHeartbeat(epoch: Self.epoch, lastSequence: 1, now: Self.start, actions: &actions)
        #expect(actions.isEmpty, "nothing lost")
        client.takeHeartbeat(epoch: Self.epoch, lastSequence: 4, now: Self.start, actions: &actions)
        #expect(actions == [.resynchronise(.heartbeatShowsLoss(first: 2, last: 4)), .requestSnapshot])
        #expect(client.phase == .resynchronising(.heartbeatShowsLoss(first: 2, last: 4)))
        actions.removeAll()
        client.takeHeartbeat(epoch: 9, lastSequence: 1, now: Self.start, actions: &actions)
        #expect(actions.isEmpty, "a book already waiting keeps waiting")
    }

    /// A restarted ingest whose first message is a snapshot: the book takes it at once, and the
    /// epoch change still counts as a resynchronisation.
    @Test func aNewEpochsSnapshotOnTheStreamResynchronisesAtOnce() {
        var client = Self.live()
        var actions: [CloneClient.Action] = []
        client.take(Self.header(1, epoch: 8), [Self.snapshot(bid: "98", ask: "99")], now: Self.start, actions: &actions)
        #expect(
            actions == [
                .resynchronise(.epochChanged), .live(after: .epochChanged, sequence: 1, fromService: false),
                .publish(Self.header(1, epoch: 8), exchangeTime: nil, top: Self.top(bid: "98", ask: "99")),
            ])
        #expect(client.phase == .live && client.epoch == 8)
        actions.removeAll()
        client.take(Self.header(2, epoch: 8), [Self.update(.bid, "97", "1")], now: Self.start, actions: &actions)
        #expect(actions.count == 1, "the new epoch's stream goes on")
    }

    @Test func aNewEpochOnTheHeartbeatResynchronises() {
        var client = Self.live()
        var actions: [CloneClient.Action] = []
        client.takeHeartbeat(epoch: 9, lastSequence: 0, now: Self.start, actions: &actions)
        #expect(actions == [.resynchronise(.epochChanged), .requestSnapshot])
    }

    @Test func aSnapshotNewerThanEveryBufferedMessageGoesLiveAtItsSequence() {
        var client = Self.waiting()
        var actions: [CloneClient.Action] = []
        client.take(Self.header(3), [Self.update(.bid, "90", "1")], now: Self.start, actions: &actions)
        client.take(Self.header(4), [Self.update(.bid, "91", "1")], now: Self.start, actions: &actions)
        #expect(actions.isEmpty)
        client.takeReply(Self.header(10), snapshot: Self.snapshot(), now: Self.start, actions: &actions)
        #expect(
            actions == [
                .live(after: .workerStart, sequence: 10, fromService: true),
                .publish(Self.header(10), exchangeTime: nil, top: Self.top(bid: "100", ask: "101")),
            ])
        #expect(client.phase == .live && client.lastSequence == 10 && client.buffer.isEmpty)
    }

    @Test func aSnapshotAppliesTheBufferedMessagesThatFollowIt() {
        var client = Self.waiting()
        var actions: [CloneClient.Action] = []
        for sequence in UInt64(4)...6 {
            client.take(
                Self.header(sequence), [Self.update(.bid, "100.\(sequence)", "1", time: "t\(sequence)")],
                now: Self.start, actions: &actions)
        }
        client.takeReply(Self.header(4), snapshot: Self.snapshot(), now: Self.start, actions: &actions)
        // One publish, as of message 6: the caller makes its events from the book as it stands
        // after the reply, so a publish stamped 4 would show message 6's levels.
        #expect(
            actions == [
                .live(after: .workerStart, sequence: 4, fromService: true),
                .publish(Self.header(6), exchangeTime: "t6", top: Self.top(bid: "100.6", ask: "101")),
            ])
        #expect(client.lastSequence == 6)
        #expect(client.book.book.levels(.bid).map(\.price.description) == ["100.6", "100.5", "100.0"])
    }

    @Test func aSnapshotOlderThanTheOldestBufferedMessageAsksAgain() {
        var client = Self.waiting()
        var actions: [CloneClient.Action] = []
        client.take(Self.header(20), [Self.update(.bid, "90", "1")], now: Self.start, actions: &actions)
        client.takeReply(Self.header(10), snapshot: Self.snapshot(), now: Self.start, actions: &actions)
        #expect(actions == [.snapshotDoesNotJoin(sequence: 10), .requestSnapshot])
        #expect(client.phase == .awaitingSnapshot(.workerStart))
        #expect(client.book.book.bestBid == nil, "the snapshot was not loaded")
    }

    @Test func aSnapshotOfAnotherEpochThanTheBufferAsksAgain() {
        var client = Self.waiting()
        var actions: [CloneClient.Action] = []
        client.take(Self.header(3, epoch: 8), [Self.update(.bid, "90", "1")], now: Self.start, actions: &actions)
        client.takeReply(Self.header(2, epoch: 7), snapshot: Self.snapshot(), now: Self.start, actions: &actions)
        #expect(actions == [.snapshotDoesNotJoin(sequence: 2), .requestSnapshot])
    }

    @Test func aFullBufferDropsItsOlderHalfAndTheSnapshotMustCoverIt() {
        var client = Self.waiting()
        var actions: [CloneClient.Action] = []
        for sequence in UInt64(1)...5 {
            client.take(
                Self.header(sequence), [Self.update(.bid, "90", "\(sequence)")], now: Self.start, actions: &actions)
        }
        #expect(actions == [.droppedBuffered(2)])
        #expect(client.buffer.map(\.header.sequence) == [3, 4, 5] && client.bufferOverflowed)
        // A snapshot as of 1 would need 2, which was dropped: ask again.
        actions.removeAll()
        client.takeReply(Self.header(1), snapshot: Self.snapshot(), now: Self.start, actions: &actions)
        #expect(actions == [.snapshotDoesNotJoin(sequence: 1), .requestSnapshot])
        // As of 2, it joins the kept messages.
        actions.removeAll()
        client.takeReply(Self.header(2), snapshot: Self.snapshot(), now: Self.start, actions: &actions)
        #expect(actions.first == .live(after: .workerStart, sequence: 2, fromService: true))
        #expect(client.lastSequence == 5 && client.book.book.bestBid == Self.level("100", "1"))
    }

    @Test func aDuplicateOrLateReplyChangesNothing() {
        var client = Self.waiting()
        var actions: [CloneClient.Action] = []
        client.takeReply(Self.header(3), snapshot: Self.snapshot(), now: Self.start, actions: &actions)
        actions.removeAll()
        client.take(Self.header(4), [Self.update(.bid, "100.5", "1")], now: Self.start, actions: &actions)
        actions.removeAll()
        // The same reply again, and an older one: the book is live, neither is looked at.
        client.takeReply(Self.header(3), snapshot: Self.snapshot(bid: "50"), now: Self.start, actions: &actions)
        client.takeReply(Self.header(1), snapshot: Self.snapshot(bid: "40"), now: Self.start, actions: &actions)
        #expect(actions.isEmpty)
        #expect(client.phase == .live && client.lastSequence == 4)
        #expect(client.book.book.bestBid == Self.level("100.5", "1"))
    }

    @Test func aReplyWithoutABookWaitsForTheTimeout() {
        var client = Self.waiting()
        var actions: [CloneClient.Action] = []
        client.takeReply(Self.header(0), snapshot: nil, now: Self.start, actions: &actions)
        #expect(actions.isEmpty)
        #expect(client.request == .sent(at: Self.start))
    }

    @Test func aBookThatCrossesAfterAMessageIsReportedOnceAndResynchronised() {
        var client = Self.live()
        var actions: [CloneClient.Action] = []
        let later = Self.start + .seconds(6)
        client.take(Self.header(2), [Self.update(.bid, "101.5", "1")], now: later, actions: &actions)
        let crossed = Self.top(bid: "101.5", ask: "101")
        #expect(actions == [.crossed(crossed), .resynchronise(.crossedBook), .requestSnapshot])
        #expect(client.phase == .resynchronising(.crossedBook))
    }

    @Test func aCrossedBookRightAfterAResyncWaitsBeforeResynchronisingAgain() {
        var client = Self.waiting()
        var actions: [CloneClient.Action] = []
        client.takeReply(Self.header(1), snapshot: Self.snapshot(), now: Self.start, actions: &actions)
        actions.removeAll()
        client.take(Self.header(2), [Self.update(.bid, "101.5", "1")], now: Self.start + .seconds(1), actions: &actions)
        client.take(Self.header(3), [Self.update(.bid, "101.6", "1")], now: Self.start + .seconds(2), actions: &actions)
        #expect(actions == [.crossed(Self.top(bid: "101.5", ask: "101"))], "reported once, no resync within 5 s")
        #expect(client.phase == .live)
        // Once it uncrosses, changes are published again.
        actions.removeAll()
        client.take(Self.header(4), [Self.update(.bid, "101.6", "0")], now: Self.start + .seconds(3), actions: &actions)
        client.take(Self.header(5), [Self.update(.bid, "101.5", "0")], now: Self.start + .seconds(3), actions: &actions)
        #expect(actions == [.publish(Self.header(5), exchangeTime: nil, top: Self.top(bid: "100", ask: "101"))])
    }

    @Test func aRequestThatTimesOutIsSentAgain() {
        var client = Self.waiting()
        var actions: [CloneClient.Action] = []
        client.tick(now: Self.start + .milliseconds(1_999), actions: &actions)
        #expect(actions.isEmpty)
        client.tick(now: Self.start + .seconds(2), actions: &actions)
        #expect(actions == [.requestSnapshot])
        #expect(client.request == .sent(at: Self.start + .seconds(2)))
    }

    @Test func withoutASnapshotServiceNothingIsAsked() {
        var client = CloneClient(
            product: Self.product, reason: .workerStart,
            settings: CloneClient.Settings(bufferLimit: 4, asksForSnapshots: false))
        var actions: [CloneClient.Action] = []
        client.start(now: Self.start, actions: &actions)
        client.tick(now: Self.start + .seconds(10), actions: &actions)
        #expect(actions == [.resynchronise(.workerStart)])
    }

    @Test func aRefusedSnapshotLeavesTheBookWaiting() {
        var client = Self.waiting()
        var actions: [CloneClient.Action] = []
        client.takeReply(Self.header(1), snapshot: Self.snapshot(bid: "-1"), now: Self.start, actions: &actions)
        #expect(actions == [.rejected(.negative(try! ExactDecimal("-1"))), .requestSnapshot])
        #expect(client.phase == .awaitingSnapshot(.workerStart))
    }

    /// An upstream whose epoch changes on every message: requests back off instead of following
    /// every message (the fault run saw 2,904 requests in ~4 s).
    @Test func aFlappingEpochBacksOffItsRequests() {
        var client = Self.live()
        var actions: [CloneClient.Action] = []
        var requests = 0
        var now = Self.start
        for step in UInt64(1)...4_000 {
            now = Self.start + .milliseconds(Int64(step))
            let header = Self.header(step, epoch: 100 + step)
            client.take(header, [Self.update(.bid, "99", "1")], now: now, actions: &actions)
            client.tick(now: now, actions: &actions)
            // Each reply reflects the epoch of the moment; the next message already has another.
            if case .sent = client.request {
                client.takeReply(header, snapshot: Self.snapshot(), now: now, actions: &actions)
            }
            requests += actions.filter { $0 == .requestSnapshot }.count
            actions.removeAll()
        }
        // Apart by 0, 0, 50, 100, … 1,600 ms, then 2 s: a dozen in 4 s, not thousands.
        #expect(requests <= 12, "\(requests) requests in 4 s")
        #expect(requests >= 3)
    }
}
