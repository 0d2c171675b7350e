import BookBusCore
import BusProtocol
import OrderBook
import Testing

/// The live board's state and drawing, without a terminal.
@Suite struct BoardTests {
    static func event(_ product: String, bid: String?, ask: String?) throws -> BookEvent {
        let level = { (price: String?) throws -> PriceLevel? in
            try price.map { PriceLevel(price: try ExactDecimal($0), size: try ExactDecimal("1.5")) }
        }
        return BookEvent(
            kind: .topOfBook, product: product, top: TopOfBook(bid: try level(bid), ask: try level(ask)),
            exchangeTime: nil, ingestTimeNanos: 0, sourceSequence: 1, worker: "w", generation: 0)
    }

    static let second: UInt64 = 1_000_000_000

    @Test func rowsShowTheLatestTopItsTrendRateAgeAndState() throws {
        var board = BoardCore()
        try board.take(Self.event("ETH-USD", bid: "10.00", ask: "10.20"), nowNanos: 100 * Self.second)
        try board.take(Self.event("BTC-USD", bid: "100.0", ask: "100.5"), nowNanos: 100 * Self.second)
        try board.take(Self.event("BTC-USD", bid: "100.0", ask: "100.9"), nowNanos: 101 * Self.second)
        try board.take(Self.event("ETH-USD", bid: "10.05", ask: "10.20"), nowNanos: 102 * Self.second)
        let rows = board.rows(nowNanos: 103 * Self.second)
        #expect(rows.map(\.product) == ["BTC-USD", "ETH-USD"])
        #expect(rows[0].top.ask?.price.description == "100.9")
        #expect(rows[0].trend == .widening && rows[1].trend == .narrowing)
        #expect(rows[0].eventsPerSecond == 0.4 && rows[1].eventsPerSecond == 0.4)  // 2 changes in 5 s
        #expect(rows[0].ageSeconds == 2 && rows[1].ageSeconds == 1)
        #expect(rows.allSatisfy { $0.state == .live })
        // Later: the old changes leave the window, and a product silent for 10 s is quiet.
        let later = board.rows(nowNanos: 111 * Self.second + Self.second / 2)
        #expect(later.allSatisfy { $0.eventsPerSecond == 0 })
        #expect(later[0].state == .quiet && later[1].state == .live)
        try board.take(Self.event("ETH-USD", bid: "10.30", ask: "10.20"), nowNanos: 113 * Self.second)
        #expect(board.rows(nowNanos: 113 * Self.second)[1].state == .crossed)
    }

    @Test func theRendererPrintsPricesAsSentAndCutsToTheWidth() throws {
        var board = BoardCore()
        try board.take(Self.event("BTC-USD", bid: "65062.50", ask: "65063.00"), nowNanos: Self.second)
        try board.take(Self.event("XRP-USD", bid: nil, ask: "0.5"), nowNanos: Self.second)
        let rows = board.rows(nowNanos: Self.second)
        let plain = BoardRenderer(width: 200, colour: false).lines(rows)
        #expect(plain.count == 3 && plain[0].hasPrefix("product"))
        #expect(plain[1].contains("65062.50 × 1.5") && plain[1].contains("65063.00 × 1.5") && plain[1].contains("0.50"))
        #expect(plain[1].contains("0.0768"))  // 0.50 / 65062.75 × 10,000, to 4 digits
        #expect(plain[2].contains(" - ") && plain[2].hasSuffix("live     "))
        let narrow = BoardRenderer(width: 30, colour: false).lines(rows)
        #expect(narrow.allSatisfy { $0.count <= 30 })
        let quiet = BoardRenderer(width: 200, colour: true).lines(board.rows(nowNanos: 20 * Self.second))
        #expect(quiet[1].hasPrefix("\u{1B}[33m") && quiet[1].hasSuffix("\u{1B}[0m"))
    }
}
