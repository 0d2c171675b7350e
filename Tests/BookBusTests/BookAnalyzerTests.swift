import BookBusCore
import BusProtocol
import OrderBook
import Testing

/// Analytics on a book small enough to work out by hand: bids 99 × 1, 98 × 2, 95 × 3 and asks
/// 101 × 2, 102 × 1, 105 × 4, so the mid is 100 and a band of X bps ends at 100 ∓ X/100.
@Suite struct BookAnalyzerTests {
    static func decimal(_ text: String) -> ExactDecimal { try! ExactDecimal(text) }

    static func levels(_ pairs: [(String, String)]) -> [PriceLevel] {
        pairs.map { PriceLevel(price: decimal($0.0), size: decimal($0.1)) }
    }

    static func book() -> OrderBook {
        var book = OrderBook(product: "A-USD")
        try! book.replace(
            bids: levels([("99", "1"), ("98", "2"), ("95", "3")]),
            asks: levels([("101", "2"), ("102", "1"), ("105", "4")]))
        return book
    }

    static func analyzer(
        levels: Int = 3, bands: [String] = [], sizes: [String] = [], notionals: [String] = []
    ) -> BookAnalyzer {
        BookAnalyzer(
            StreamSettings.Analytics(
                imbalanceLevels: levels, bandsBasisPoints: bands.map(decimal), sizes: sizes.map(decimal),
                notionals: notionals.map(decimal)))
    }

    @Test func micropriceAndImbalance() throws {
        let values = try #require(Self.analyzer().values(of: Self.book()))
        #expect(values.mid.description == "100")
        // (99 × 2 + 101 × 1) / 3 = 99.6666…, to the book's 0 digits + 4, half away from zero.
        #expect(values.microprice?.description == "99.6667")
        // (6 − 7) / 13 = −0.0769230…
        #expect(values.imbalance?.description == "-0.076923")
        let two = try #require(Self.analyzer(levels: 1).values(of: Self.book()))
        #expect(two.imbalance?.description == "-0.333333" && two.imbalanceLevels == 1)  // (1 − 2) / 3
    }

    @Test func bandsIncludeALevelOnTheirEdge() throws {
        let values = try #require(
            Self.analyzer(bands: ["200", "50", "100", "10000"]).values(of: Self.book()))
        let shown = values.bands.map { "\($0.basisPoints): \($0.bidSize) / \($0.askSize)" }
        // 100 bps ends exactly at 99 and 101; 200 bps at 98 and 102; 10 000 bps takes everything.
        #expect(shown == ["200: 3 / 3", "50: 0 / 0", "100: 1 / 2", "10000: 6 / 7"])
    }

    @Test func marketOrdersBySize() throws {
        let values = try #require(Self.analyzer(sizes: ["2.5", "10"]).values(of: Self.book()))
        let shown = values.impacts.map {
            "\($0.side) \($0.filled) at \($0.averagePrice?.description ?? "-") (\($0.slippageBasisPoints?.description ?? "-") bps)"
        }
        #expect(
            shown == [
                // 2 × 101 + 0.5 × 102 = 253 for 2.5: 101.2, 120 bps above the mid.
                "buy 2.5 at 101.2000 (120.0000 bps)",
                // 1 × 99 + 1.5 × 98 = 246 for 2.5: 98.4, 160 bps below the mid.
                "sell 2.5 at 98.4000 (160.0000 bps)",
                // The whole ask side, 7 of 10: (202 + 102 + 420) / 7 = 103.428571…
                "buy 7 at 103.4286 (342.8571 bps)",
                // The whole bid side, 6 of 10: 580 / 6 = 96.666…
                "sell 6 at 96.6667 (333.3333 bps)",
            ])
    }

    @Test func marketOrdersByNotionalTakePartOfTheirLastLevel() throws {
        let values = try #require(Self.analyzer(notionals: ["300"]).values(of: Self.book()))
        let buy = try #require(values.impacts.first)
        // 202 from 101 × 2, then 98 of notional at 102 (98/102 of a unit): 300 / (2 + 98/102)
        // = 30600 / 302 = 101.3245033…, and (101.3245033… − 100) / 100 in bps = 132.4503…
        #expect(buy.side == .buy && buy.target == .notional(Self.decimal("300")))
        #expect(buy.filled.description == "300")
        #expect(buy.averagePrice?.description == "101.3245")
        #expect(buy.slippageBasisPoints?.description == "132.4503")
        let sell = try #require(values.impacts.last)
        // 99 from 99 × 1, then 196 from 98 × 2, then 5 at 95: 300 / (3 + 5/95) = 98.2758620…
        #expect(sell.side == .sell && sell.filled.description == "300")
        #expect(sell.averagePrice?.description == "98.2759")
        #expect(sell.slippageBasisPoints?.description == "172.4138")
    }

    @Test func priceDigitsFollowTheBook() throws {
        var book = Self.book()
        _ = try book.apply([LevelChange(side: .bid, price: Self.decimal("99.50"), size: Self.decimal("1"))])
        let values = try #require(Self.analyzer().values(of: book))
        // Two price digits now: (99.5 × 2 + 101 × 1) / 3 = 100, to 6 digits.
        #expect(values.microprice?.description == "100.000000")
        #expect(values.mid.description == "100.25")
    }

    @Test func noAnalyticsForAnEmptySideOrACrossedBook() throws {
        var oneSided = OrderBook(product: "A-USD")
        try oneSided.replace(bids: Self.levels([("99", "1")]), asks: [])
        #expect(Self.analyzer().values(of: oneSided) == nil)
        var crossed = Self.book()
        _ = try crossed.apply([LevelChange(side: .bid, price: Self.decimal("101"), size: Self.decimal("1"))])
        #expect(crossed.isCrossed)
        #expect(Self.analyzer().values(of: crossed) == nil)
    }

    @Test func theEventDecodesWhatItEncodes() throws {
        let values = try #require(
            Self.analyzer(bands: ["2.5"], sizes: ["10"], notionals: ["300"]).values(of: Self.book()))
        let event = AnalyticsEvent(
            product: "A-USD", values: values, exchangeTime: "t", ingestTimeNanos: 5, sourceSequence: 6, worker: "w",
            generation: 2, intervalEndNanos: 100)
        #expect(try AnalyticsEvent(json: event.encoded()) == event)
        let text = String(decoding: event.encoded(), as: UTF8.self)
        #expect(text.contains(#""impact":[{"side":"buy","size":"10","filled":"7","average_price":"103.4286""#))
        #expect(BookEvent.generation(inPayload: event.encoded()) == 2)
    }

    @Test func theWorkerPublishesAnalyticsWhenTheyChange() {
        var core = StreamCoreTests.core {
            $0.topOfBook = false
            $0.spread = false
            $0.analytics = StreamSettings.Analytics(imbalanceLevels: 1, bandsBasisPoints: [], notionals: [])
        }
        core.take(StreamCoreTests.message(1, at: 10, StreamCoreTests.snapshot))
        #expect(core.output.analyticsEvents.map(\.values.imbalance?.description) == ["-0.333333"])
        core.clearOutput()
        // A level the analytics do not read: nothing new to say.
        core.take(StreamCoreTests.message(2, at: 11, StreamCoreTests.update("buy", "98", "7")))
        #expect(core.output.analyticsEvents.isEmpty)
        core.take(StreamCoreTests.message(3, at: 12, StreamCoreTests.update("sell", "101", "1")))
        #expect(core.output.analyticsEvents.map(\.values.imbalance?.description) == ["0.000000"])
        #expect(core.output.analyticsEvents.first?.sourceSequence == 3)
        #expect(core.stats.analyticsEvents == 2)
    }

    @Test func exactSumArithmetic() {
        let a = ExactSum(Self.decimal("1.25"))
        let b = ExactSum(Self.decimal("-0.5"))
        #expect(a.adding(b).description == "0.75" && a.subtracting(b).description == "1.75")
        #expect(
            a.multiplied(by: b).description == "-0.625" && a.multiplied(by: Self.decimal("4")).description == "5.00")
        #expect(b.signum == -1 && ExactSum().signum == 0 && a.signum == 1)
        #expect(ExactSum.compare(a, b) > 0 && ExactSum.compare(b, a) < 0)
        #expect(ExactSum(Self.decimal("1.50")) == ExactSum(Self.decimal("1.5")), "equal by value")
    }
}

@Suite struct AnalyticsLineTests {
    @Test func theSinkPrintsAnalyticsOnOneLine() throws {
        let values = try #require(
            BookAnalyzerTests.analyzer(bands: ["100"], sizes: ["10"], notionals: ["300"]).values(
                of: BookAnalyzerTests.book()))
        let event = AnalyticsEvent(
            product: "A-USD", values: values, exchangeTime: nil, ingestTimeNanos: 0, sourceSequence: 1, worker: "w",
            generation: 0)
        #expect(
            EventLine.text(event)
                == "A-USD analytics  mid 100  micro 99.6667  imb(3) -0.076923  ±100bps 1 | 2"
                + "  buy 10 @ 103.4286 (+342.8571bps) filled 7  sell 10 @ 96.6667 (+333.3333bps) filled 6"
                + "  buy notional 300 @ 101.3245 (+132.4503bps)  sell notional 300 @ 98.2759 (+172.4138bps)")
    }
}
