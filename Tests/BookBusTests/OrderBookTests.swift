import OrderBook
import Testing

private func level(_ price: String, _ size: String) throws -> PriceLevel {
    PriceLevel(price: try ExactDecimal(price), size: try ExactDecimal(size))
}

private func change(_ side: Side, _ price: String, _ size: String) throws -> LevelChange {
    LevelChange(side: side, price: try ExactDecimal(price), size: try ExactDecimal(size))
}

@Suite struct OrderBookTests {
    func seeded() throws -> OrderBook {
        var book = OrderBook(product: "BTC-USD")
        try book.replace(
            bids: [level("100.00", "1.0"), level("99.50", "2.0"), level("99.00", "3.0")],
            asks: [level("100.50", "1.5"), level("101.00", "2.5")])
        return book
    }

    @Test func snapshotGivesBestFirstAndTopOfBook() throws {
        let book = try seeded()
        #expect(book.bestBid == (try level("100.00", "1.0")))
        #expect(book.bestAsk == (try level("100.50", "1.5")))
        #expect(book.levels(.bid).map(\.description) == ["100.00 × 1.0", "99.50 × 2.0", "99.00 × 3.0"])
        #expect(book.levels(.ask).map(\.description) == ["100.50 × 1.5", "101.00 × 2.5"])
        #expect(book.topOfBook.spread?.description == "0.50")
        #expect(book.topOfBook.mid?.description == "100.25")
        #expect(book.topOfBook.spreadBasisPoints?.description == "49.8753")
    }

    @Test func snapshotReplacesEverythingNoGhostLevels() throws {
        var book = try seeded()
        try book.replace(bids: [level("90.00", "1")], asks: [level("95.00", "1")])
        #expect(book.levels(.bid).count == 1)
        #expect(book.levels(.ask).count == 1)
        #expect(book.bestBid?.price == (try ExactDecimal("90")))
        #expect(book.bestAsk?.price == (try ExactDecimal("95")))
    }

    @Test func unsortedSnapshotWithDuplicatesAndZerosIsNormalised() throws {
        var book = OrderBook(product: "X-Y")
        try book.replace(
            bids: [level("1.0", "1"), level("3.0", "1"), level("2.0", "1"), level("3.0", "7"), level("4.0", "0.000")],
            asks: [])
        #expect(book.levels(.bid).map(\.description) == ["3.0 × 7", "2.0 × 1", "1.0 × 1"])
    }

    @Test func updateAppliesEveryChangeInOrder() throws {
        var book = try seeded()
        let outcome = try book.apply([
            change(.bid, "100.25", "0.5"),  // new best bid
            change(.ask, "100.50", "0.00000000"),  // remove best ask
            change(.ask, "100.75", "4"),  // new level
            change(.bid, "99.00", "3.5"),  // resize
        ])
        #expect(outcome.absentDeletes == 0)
        #expect(book.bestBid == (try level("100.25", "0.5")))
        #expect(book.bestAsk == (try level("100.75", "4")))
        #expect(book.levels(.bid).last == (try level("99.00", "3.5")))
    }

    @Test(arguments: ["0", "0.0", "0.00", "0.000", "0.000000", "0.00000000"])
    func zeroInAnySpellingRemovesTheLevel(_ zero: String) throws {
        var book = try seeded()
        _ = try book.apply([change(.bid, "100.00", zero)])
        #expect(book.bestBid == (try level("99.50", "2.0")))
    }

    @Test func deletingAnAbsentLevelIsIgnoredAndCounted() throws {
        var book = try seeded()
        let before = book.levels(.bid)
        let outcome = try book.apply([change(.bid, "42.00", "0"), change(.ask, "500", "0.0")])
        #expect(outcome.absentDeletes == 2)
        #expect(book.levels(.bid) == before)
    }

    @Test func emptySidesAreValid() throws {
        var book = try seeded()
        _ = try book.apply([change(.ask, "100.50", "0"), change(.ask, "101.00", "0")])
        #expect(book.bestAsk == nil)
        #expect(book.topOfBook.spread == nil)
        #expect(book.topOfBook.mid == nil)
        #expect(book.topOfBook.spreadBasisPoints == nil)
        #expect(!book.isCrossed)
        var empty = OrderBook(product: "E-F")
        try empty.replace(bids: [], asks: [])
        #expect(empty.bestBid == nil && empty.bestAsk == nil)
        _ = try empty.apply([change(.bid, "1", "1")])
        #expect(empty.bestBid == (try level("1", "1")))
    }

    @Test func crossedBookIsDetected() throws {
        var book = try seeded()
        #expect(!book.isCrossed)
        _ = try book.apply([change(.bid, "100.50", "1")])
        #expect(book.isCrossed)
        #expect(book.topOfBook.isCrossed)
        #expect(book.topOfBook.spread?.description == "0.00")
    }

    @Test func pricesWithMoreDigitsRescaleTheBook() throws {
        var book = OrderBook(product: "BTC-USD")
        try book.replace(bids: [level("65083", "1")], asks: [level("65090", "1")])
        _ = try book.apply([change(.bid, "65083.5", "2"), change(.ask, "65089.25", "3")])
        #expect(book.bestBid?.price == (try ExactDecimal("65083.5")))
        #expect(book.bestAsk?.price == (try ExactDecimal("65089.25")))
        #expect(book.levels(.bid).count == 2)
        // The same price in another spelling is the same level.
        _ = try book.apply([change(.bid, "65083.50000", "0")])
        #expect(book.levels(.bid).count == 1)
    }

    @Test func invalidUpdateLeavesTheBookUntouched() throws {
        var book = try seeded()
        let bids = book.levels(.bid)
        let asks = book.levels(.ask)
        #expect(throws: BookError.self) {
            try book.apply([
                change(.bid, "100.10", "1"),
                LevelChange(side: .ask, price: try ExactDecimal("-5"), size: try ExactDecimal("1")),
            ])
        }
        #expect(throws: BookError.zeroPrice) { try book.apply([change(.bid, "0.00", "1")]) }
        #expect(throws: BookError.self) { try book.apply([change(.bid, "1.000000000000000001", "1")]) }
        #expect(book.levels(.bid) == bids)
        #expect(book.levels(.ask) == asks)
    }

    @Test func aPriceThatCannotTakeTheBooksScaleRefusesTheWholeUpdate() throws {
        var book = OrderBook(product: "SHIB-USD")
        try book.replace(bids: [level("0.00001234", "10")], asks: [level("0.00001240", "10")])
        let huge = try ExactDecimal("99999999999999")  // × 10^8 at the book's scale: past 64 bits
        #expect(throws: BookError.priceOutOfRange(huge)) {
            try book.apply([change(.bid, "0.00001235", "1"), LevelChange(side: .ask, price: huge, size: .zero)])
        }
        #expect(book.levels(.bid).map(\.price.description) == ["0.00001234"])
        #expect(book.priceScale == 8)
    }
}

extension OrderBookTests {
    /// Prices at both ends of what a 64-bit mantissa holds, on both sides at once: the ladder's
    /// window must sit where all its slots' prices fit, and levels far outside it stay in order.
    @Test func levelsAtTheEndsOfTheMantissaRangeKeepTheirOrder() throws {
        var book = OrderBook(product: "EDGE-USD")
        let top = "9223372036854775807"
        try book.replace(
            bids: [level(top, "1"), level("9223372036854775806", "2"), level("1", "3")],
            asks: [level("1", "4"), level("2", "5"), level(top, "6")])
        _ = try book.apply([
            change(.bid, "9223372036854775000", "7"), change(.ask, "3", "8"), change(.bid, "2", "9"),
            change(.ask, "9223372036854775806", "1"), change(.bid, top, "0"),
        ])
        #expect(
            book.levels(.bid).map(\.description) == [
                "9223372036854775806 × 2", "9223372036854775000 × 7", "2 × 9", "1 × 3",
            ])
        #expect(
            book.levels(.ask).map(\.description) == [
                "1 × 4", "2 × 5", "3 × 8", "9223372036854775806 × 1", "\(top) × 6",
            ])
        #expect(book.invariantViolation() == nil)
    }
}
