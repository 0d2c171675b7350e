import BookBusCore
import BusProtocol
import CoinbaseFeed
import Foundation
import OrderBook
import Testing

/// The worker's opt-in streams in its core: depth, conflation, trades and bars, from bus messages
/// in to events out.
@Suite struct StreamCoreTests {
    static let second: UInt64 = 1_000_000_000

    /// A raw message received at `time` (nanoseconds).
    static func message(_ sequence: UInt64, at time: UInt64, _ payload: String, epoch: UInt64 = 7) -> BusMessage {
        let header = FrameHeader(epoch: epoch, sequence: sequence, receivedAtNanos: time)
        return try! BusMessage(frames: [Topic.raw(product: "A-USD").bytes, header.bytes, Array(payload.utf8)])
    }

    static let snapshot =
        #"{"type":"snapshot","product_id":"A-USD","bids":[["100","1"],["99","2"],["98","3"]],"asks":[["101","2"],["102","1"]]}"#

    static func update(_ side: String, _ price: String, _ size: String) -> String {
        #"{"type":"l2update","product_id":"A-USD","changes":[["\#(side)","\#(price)","\#(size)"]],"time":"t\#(price)"}"#
    }

    static func match(_ id: Int, price: String = "100.5", size: String = "2", makerSide: String = "sell") -> String {
        #"{"type":"match","trade_id":\#(id),"side":"\#(makerSide)","size":"\#(size)","price":"\#(price)","product_id":"A-USD","time":"x\#(id)"}"#
    }

    static func core(_ configure: (inout StreamSettings) -> Void) -> WorkerCore {
        var streams = StreamSettings()
        configure(&streams)
        return WorkerCore(
            configuration: WorkerCore.Configuration(
                name: "w", ownership: .products(["A-USD"]), streams: streams,
                clone: CloneClient.Settings(bufferLimit: 100, asksForSnapshots: false)),
            now: .now)
    }

    @Test func depthIsPublishedWhenOneOfItsLevelsChanges() {
        var core = Self.core {
            $0.topOfBook = false
            $0.spread = false
            $0.depthLevels = 2
        }
        core.take(Self.message(1, at: 10, Self.snapshot))
        #expect(core.output.events.isEmpty)
        #expect(core.output.depthEvents.map { $0.bids.map(\.description) } == [["100 × 1", "99 × 2"]])
        #expect(core.output.depthEvents.map { $0.asks.map(\.description) } == [["101 × 2", "102 × 1"]])
        core.clearOutput()
        core.take(Self.message(2, at: 11, Self.update("buy", "98", "7")))  // third level: not shown
        #expect(core.output.depthEvents.isEmpty)
        core.take(Self.message(3, at: 12, Self.update("buy", "100", "0")))  // the best bid goes
        #expect(core.output.depthEvents.map { $0.bids.map(\.description) } == [["99 × 2", "98 × 7"]])
        #expect(core.output.depthEvents.first?.sourceSequence == 3 && core.output.depthEvents.first?.levels == 2)
        #expect(core.stats.depthEvents == 2)
    }

    @Test func conflationPublishesTheBookAsOfEachIntervalEndOnce() {
        var core = Self.core { $0.conflation = .init(interval: StreamInterval(milliseconds: 1000)) }
        core.take(Self.message(1, at: 10 * Self.second + 5, Self.snapshot))
        core.take(Self.message(2, at: 10 * Self.second + 7, Self.update("buy", "100", "4")))
        #expect(core.output.events.isEmpty, "nothing before the interval ends")
        // A message after the boundary closes the interval first: its change is not in it.
        core.take(Self.message(3, at: 11 * Self.second, Self.update("buy", "100", "9")))
        #expect(core.output.events.map(\.kind) == [.topOfBook, .spread])
        #expect(core.output.events.allSatisfy { $0.intervalEndNanos == 11 * Self.second && $0.sourceSequence == 2 })
        #expect(core.output.events.first?.top.bid?.size.description == "4")
        core.clearOutput()
        // The next interval: only top of book changed; the end of stream publishes it.
        core.take(
            try! BusMessage(frames: [
                Topic.control.bytes, FrameHeader(epoch: 1, sequence: 1, receivedAtNanos: 0).bytes,
                ControlMessage.endOfStream(publisher: "i").encoded(),
            ]))
        #expect(core.output.events.map(\.kind) == [.topOfBook])
        #expect(core.output.events.first?.intervalEndNanos == 12 * Self.second)
        #expect(core.output.events.first?.top.bid?.size.description == "9")
    }

    @Test func conflationCanRepeatUnchangedIntervals() {
        var core = Self.core {
            $0.spread = false
            $0.conflation = .init(interval: StreamInterval(milliseconds: 1000), repeatsUnchanged: true)
        }
        core.take(Self.message(1, at: 10 * Self.second, Self.snapshot))
        core.take(Self.message(2, at: 13 * Self.second + 1, Self.update("buy", "100", "4")))
        // Intervals ending at 11, 12 and 13 s, all showing the snapshot's book.
        #expect(core.output.events.map(\.intervalEndNanos) == [11, 12, 13].map { $0 * Self.second })
        #expect(core.output.events.allSatisfy { $0.top.bid?.size.description == "1" })
    }

    @Test func aTickClosesIntervalsOfALiveStreamButNotOfARecordedOne() {
        var core = Self.core { $0.conflation = .init(interval: StreamInterval(milliseconds: 100)) }
        let now: UInt64 = 1_700_000_000 * Self.second
        core.take(Self.message(1, at: now, Self.snapshot))
        core.tick(now: .now, wallNanos: now + 50_000_000)
        #expect(core.output.events.isEmpty, "the interval has not ended")
        core.tick(now: .now, wallNanos: now + 120_000_000)
        #expect(core.output.events.count == 2)

        var replay = Self.core { $0.conflation = .init(interval: StreamInterval(milliseconds: 100)) }
        replay.take(Self.message(1, at: 1_600_000_000 * Self.second, Self.snapshot))
        replay.tick(now: .now, wallNanos: now)
        #expect(replay.output.events.isEmpty, "a recorded clock is closed by its own messages")
    }

    @Test func tradesArePublishedOnceWithTheTakersSideAndGapsCounted() {
        var core = Self.core {
            $0.topOfBook = false
            $0.spread = false
            $0.trades = true
        }
        core.take(
            Self.message(
                1, at: 10,
                #"{"type":"last_match","trade_id":4,"side":"buy","size":"1","price":"99","product_id":"A-USD"}"#))
        #expect(core.output.tradeEvents.isEmpty, "history, not news")
        core.take(Self.message(2, at: 11, Self.match(5)))
        core.take(Self.message(3, at: 12, Self.match(5)))
        core.take(Self.message(4, at: 13, Self.match(8, makerSide: "buy")))
        #expect(core.output.tradeEvents.map(\.tradeID) == ["5", "8"])
        #expect(core.output.tradeEvents.map(\.side) == [.buy, .sell])
        #expect(core.output.tradeEvents.map(\.sourceSequence) == [2, 4])
        #expect(core.output.tradeEvents.first?.price.description == "100.5")
        #expect(core.stats.missedTrades == 2 && core.stats.repeatedTrades == 1 && core.stats.tradeEvents == 2)
        #expect(core.output.logs.contains { "\($0.message)" == "trades missed: trade ids skipped" })
    }

    @Test func barsCloseOnTheBoundaryAndSayWhenTheyMayMissTrades() {
        var core = Self.core {
            $0.topOfBook = false
            $0.spread = false
            $0.barIntervals = [try! StreamInterval(parsing: "1s")]
        }
        core.take(Self.message(1, at: 10 * Self.second, Self.snapshot))
        core.take(Self.message(2, at: 10 * Self.second + 1, Self.match(1, price: "100.5", size: "2")))
        core.take(Self.message(3, at: 10 * Self.second + 2, Self.match(2, price: "101", size: "1")))
        core.take(Self.message(4, at: 10 * Self.second + 3, Self.match(3, price: "100.25", size: "1")))
        #expect(core.output.barEvents.isEmpty)
        core.take(Self.message(5, at: 11 * Self.second + 3, Self.match(5, price: "100", size: "1")))
        guard let bar = core.output.barEvents.first else {
            Issue.record("no bar")
            return
        }
        #expect([bar.open, bar.high, bar.low, bar.close].map(\.description) == ["100.5", "101", "100.25", "100.25"])
        #expect(bar.volume.description == "4" && bar.notional.description == "402.25" && bar.trades == 3)
        // 402.25 / 4 = 100.5625, to the bar's finest price digits (2) + 4.
        #expect(bar.vwap?.description == "100.562500")
        #expect(bar.startNanos == 10 * Self.second && bar.endNanos == 11 * Self.second && bar.complete)
        core.clearOutput()
        // Trade 4 never came: the bar holding trade 5 is incomplete; the stream's end closes it.
        core.take(
            try! BusMessage(frames: [
                Topic.control.bytes, FrameHeader(epoch: 1, sequence: 1, receivedAtNanos: 0).bytes,
                ControlMessage.endOfStream(publisher: "i").encoded(),
            ]))
        #expect(core.output.barEvents.map(\.complete) == [false])
        #expect(core.stats.incompleteBars == 1 && core.stats.barEvents == 2)
    }

    @Test func aGapRevealedByTheMessageThatClosesABarMarksThatBarIncomplete() {
        var core = Self.core {
            $0.topOfBook = false
            $0.spread = false
            $0.barIntervals = [try! StreamInterval(parsing: "1s")]
        }
        core.take(Self.message(1, at: 10 * Self.second, Self.snapshot))
        core.take(Self.message(2, at: 10 * Self.second + 1, Self.match(1)))
        // Sequences 3 and 4 (trade 2 among them, at 10.5 s) are lost; the next message is a book
        // update past the bar's end.
        core.take(Self.message(5, at: 12 * Self.second, Self.update("buy", "99", "1")))
        #expect(core.output.barEvents.map(\.complete) == [false])
        #expect(core.stats.incompleteBars == 1)
    }

    @Test func aBarBegunBeforeTheWorkerSawTheProductIsIncomplete() {
        var core = Self.core { $0.barIntervals = [try! StreamInterval(parsing: "1s")] }
        core.take(Self.message(1, at: 10 * Self.second + 500, Self.snapshot))
        core.take(Self.message(2, at: 10 * Self.second + 600, Self.match(1)))
        core.take(Self.message(3, at: 11 * Self.second + 1, Self.match(2)))
        core.take(Self.message(4, at: 12 * Self.second + 1, Self.match(3)))
        #expect(core.output.barEvents.map(\.complete) == [false, true])
    }
}

@Suite struct StreamValueTests {
    @Test func intervalsParseAndAlign() throws {
        #expect(try StreamInterval(parsing: "100ms").nanoseconds == 100_000_000)
        #expect(try StreamInterval(parsing: "5m").nanoseconds == 300_000_000_000)
        let second = try StreamInterval(parsing: "1s")
        #expect(second.start(containing: 12_345_678_901) == 12_000_000_000)
        #expect(second.end(containing: 12_000_000_000) == 13_000_000_000)
        for bad in ["", "s", "0s", "1d", "1.5s", "-1s", "25h"] {
            #expect(throws: StreamIntervalError(text: bad)) { try StreamInterval(parsing: bad) }
        }
    }

    @Test func exactSumsKeepEveryDigit() throws {
        var sum = ExactSum()
        sum.add(try ExactDecimal("0.5"))
        sum.add(try ExactDecimal("0.25"))
        #expect(sum.description == "0.75")
        var notional = ExactSum()
        notional.addProduct(try ExactDecimal("65062.50"), try ExactDecimal("12345678.12345678"))
        notional.addProduct(try ExactDecimal("65062.50"), try ExactDecimal("12345678.12345678"))
        // Beyond 64 bits, exact (Python: Decimal("65062.50") * Decimal("12345678.12345678") * 2).
        #expect(notional.description == "1606481365814.8134975000")
        #expect(notional.decimal == nil)
        // Half away from zero: 2 / 3 → 0.67, 1 / 8 → 0.13.
        #expect(
            ExactSum(try ExactDecimal("2")).divided(by: ExactSum(try ExactDecimal("3")), fractionDigits: 2)?.description
                == "0.67")
        #expect(
            ExactSum(try ExactDecimal("1")).divided(by: ExactSum(try ExactDecimal("8")), fractionDigits: 2)?.description
                == "0.13")
        #expect(ExactSum(try ExactDecimal("1")).divided(by: ExactSum(), fractionDigits: 2) == nil)
        var huge = ExactSum()
        for _ in 0..<200 {
            huge.addProduct(try ExactDecimal("9223372036854775807"), try ExactDecimal("9223372036854775807"))
        }
        #expect(huge.overflowed, "a sum that cannot be kept says so")
    }

    @Test func newTopicsRoundTrip() {
        for topic in [
            Topic.depth(product: "A-B"), .trade(product: "A-B"), .bar(product: "A-B"), .topOfBook(product: "T"),
            .control,
        ] {
            #expect(Topic(bytes: topic.bytes) == topic)
        }
        #expect(Topic(bytes: Array("trade/A/B/".utf8)) == nil)
        #expect(EventFamily(of: .bar(product: "X")) == .bar && EventFamily.depth.prefix == "depth/")
    }

    @Test func eventsDecodeWhatTheyEncode() throws {
        let level = PriceLevel(price: try ExactDecimal("19814.24"), size: try ExactDecimal("0.05000000"))
        let depth = DepthEvent(
            product: "BTC-USD", levels: 10, bids: [level], asks: [], exchangeTime: nil, ingestTimeNanos: 5,
            sourceSequence: 6, worker: "w", generation: 2, intervalEndNanos: 100)
        #expect(try DepthEvent(json: depth.encoded()) == depth)
        #expect(BookEvent.generation(inPayload: depth.encoded()) == 2)
        let trade = TradeEvent(
            product: "SKL-USD", tradeID: "1568268", price: try ExactDecimal("0.791"), size: try ExactDecimal("450"),
            side: .buy, exchangeTime: "t", ingestTimeNanos: 1, sourceSequence: 2, worker: "w", generation: 0)
        #expect(try TradeEvent(json: trade.encoded()) == trade)
        var volume = ExactSum()
        volume.add(try ExactDecimal("2.5"))
        var notional = ExactSum()
        notional.addProduct(try ExactDecimal("1.10"), try ExactDecimal("2.5"))
        let bar = BarEvent(
            product: "A", interval: "1s", startNanos: 1, endNanos: 2, open: try ExactDecimal("1.10"),
            high: try ExactDecimal("1.10"), low: try ExactDecimal("1.10"), close: try ExactDecimal("1.10"),
            volume: volume, notional: notional, vwap: try ExactDecimal("1.100000"), trades: 1, complete: true,
            worker: "w", generation: 3)
        #expect(try BarEvent(json: bar.encoded()) == bar)
        #expect(String(decoding: bar.encoded(), as: UTF8.self).contains(#""notional":"2.750","vwap":"1.100000""#))
    }
}
