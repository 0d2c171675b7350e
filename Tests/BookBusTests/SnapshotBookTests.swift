import SyntheticFeed
import Testing

@testable import OrderBook

/// The ingest's hashed book against the sorted one, over millions of random level changes at every
/// depth: the same updates (several changes each, prices of more fractional digits now and then, so
/// both rescale), the same snapshots (with zero sizes and repeated prices), the same refusals. At
/// checkpoints both read back the same levels and the hash table's invariants hold.
@Suite struct SnapshotBookTests {
    static let regimes = [
        BookRegime(name: "a few levels", depth: 6, spread: 12, steps: 150_000),
        BookRegime(name: "around one page", depth: 150, spread: 400, steps: 150_000),
        BookRegime(name: "deep", depth: 30_000, spread: 80_000, steps: 100_000),
    ]

    @Test(arguments: regimes)
    func hashedBookAgreesWithTheSortedBook(regime: BookRegime) throws {
        var random = SplitMix64(seed: UInt64(regime.depth) &+ 17)
        var sorted = OrderBook(product: "TEST")
        var hashed = SnapshotBook(product: "TEST")
        let middle: Int64 = 1_000_000
        var scale: UInt8 = 2
        var changes = 0
        func size() -> ExactDecimal {
            ExactDecimal(uncheckedMantissa: Int64(1 + random.next() % 9_999), scale: [0, 4, 8][Int(random.next() % 3)])
        }
        /// A price `offset` ticks from the middle, at the book's current scale (a tick is 0.01).
        func price(_ isBid: Bool, _ offset: Int64) -> ExactDecimal {
            let ticks = isBid ? middle - 1 - offset : middle + offset
            return ExactDecimal(uncheckedMantissa: ticks * powerOfTen(scale - 2), scale: scale)
        }
        func snapshot() throws {
            var bids: [PriceLevel] = []
            var asks: [PriceLevel] = []
            for _ in 0..<regime.depth {
                bids.append(PriceLevel(price: price(true, Int64(random.next() % UInt64(regime.spread))), size: size()))
                asks.append(PriceLevel(price: price(false, Int64(random.next() % UInt64(regime.spread))), size: size()))
            }
            // A zero size is skipped; a price listed again keeps its last size.
            bids.append(PriceLevel(price: bids[0].price, size: .zero))
            asks.append(PriceLevel(price: asks[0].price, size: size()))
            try sorted.replace(bids: bids, asks: asks)
            try hashed.replace(bids: bids, asks: asks)
        }
        try snapshot()
        try check(hashed, sorted)
        for step in 0..<regime.steps {
            var update: [LevelChange] = []
            for _ in 0..<(1 + Int(random.next() % 12)) {
                let isBid = random.next() & 1 == 0
                let offset = Int64(
                    random.next() % UInt64(random.next() & 1 == 0 ? min(regime.spread, 8) : regime.spread))
                let count = isBid ? sorted.levelCount(.bid) : sorted.levelCount(.ask)
                let deleting = Double(random.next() % 1_000) / 1_000 < Double(count) / Double(2 * regime.depth)
                update.append(
                    LevelChange(side: isBid ? .bid : .ask, price: price(isBid, offset), size: deleting ? .zero : size())
                )
            }
            switch random.next() % 4_000 {
            case 0:
                // One more fractional digit: both books rescale (the walk's prices keep it from here on).
                if scale < 8 {
                    scale += 1
                    update[0].price = price(update[0].side == .bid, 3)
                }
            case 1: update[update.count - 1].size = ExactDecimal(uncheckedMantissa: -5, scale: 1)
            case 2: update[0].price = .zero
            case 3: update[0].price = ExactDecimal(uncheckedMantissa: .max, scale: 0)
            default: break
            }
            let expected = Result { () throws(BookError) in try sorted.apply(update) }
            let got = Result { () throws(BookError) in try hashed.apply(update) }
            switch (expected, got) {
            case (.success(let expected), .success(let got)):
                #expect(got == expected)
            case (.failure(let expected), .failure(let got)):
                #expect(got == expected)
            default:
                Issue.record("step \(step): sorted \(expected), hashed \(got)")
                return
            }
            #expect(hashed.priceScale == sorted.priceScale)
            changes += update.count
            if step % 25_000 == 0 { try check(hashed, sorted) }
            if step % 60_000 == 59_999 { try snapshot() }
        }
        try check(hashed, sorted)
        #expect(changes >= regime.steps * 6)
    }

    @Test func anEmptiedBookIsEmptyAndTakesLevelsAgain() throws {
        var book = SnapshotBook(product: "TEST")
        let prices = (1...100).map { ExactDecimal(uncheckedMantissa: Int64($0) * 64, scale: 2) }
        _ = try book.apply(prices.map { LevelChange(side: .ask, price: $0, size: ExactDecimal(integer: 1)) })
        #expect(book.levelCount(.ask) == 100)
        let outcome = try book.apply(prices.reversed().map { LevelChange(side: .ask, price: $0, size: .zero) })
        #expect(outcome.absentDeletes == 0)
        #expect(book.levelCount(.ask) == 0)
        #expect(book.invariantViolation() == nil)
        #expect(try book.apply([LevelChange(side: .ask, price: prices[5], size: .zero)]).absentDeletes == 1)
        _ = try book.apply([LevelChange(side: .ask, price: prices[7], size: ExactDecimal(integer: 2))])
        #expect(book.levels(.ask) == [PriceLevel(price: prices[7], size: ExactDecimal(integer: 2))])
    }

    @Test func aFinerPriceRescalesBothSidesEvenAnEmptyOne() throws {
        var book = SnapshotBook(product: "TEST")
        let one = ExactDecimal(integer: 1)
        _ = try book.apply([LevelChange(side: .bid, price: try ExactDecimal("100.25"), size: one)])
        _ = try book.apply([LevelChange(side: .bid, price: try ExactDecimal("100.2501"), size: one)])
        #expect(book.priceScale == 4)
        _ = try book.apply([LevelChange(side: .ask, price: try ExactDecimal("101.5"), size: one)])
        #expect(book.levels(.bid).map(\.price.description) == ["100.2501", "100.2500"])
        #expect(book.levels(.ask).map(\.price.description) == ["101.5000"])
        #expect(book.invariantViolation() == nil)
    }

    private func check(_ hashed: SnapshotBook, _ sorted: OrderBook) throws {
        #expect(hashed.invariantViolation() == nil, "\(hashed.invariantViolation() ?? "")")
        for side in [Side.bid, .ask] {
            #expect(hashed.levelCount(side) == sorted.levelCount(side))
            #expect(hashed.levels(side) == sorted.levels(side))
        }
    }
}
