import SyntheticFeed
import Testing

@testable import OrderBook

/// The book against a plain dictionary of levels, over millions of random changes at every
/// depth: a few levels, around a page's size, and tens of thousands of levels, with changes at
/// the touch and anywhere in the book. After every change the best levels agree; at checkpoints
/// the whole book agrees and its invariants hold. A second book keeping size totals takes
/// the same changes; both sum the size out to a random price as the reference does.
@Suite struct BookDifferentialTests {
    /// One side of the reference: sizes by price mantissa (scale 2), and the prices kept sorted
    /// ascending by the plainest means.
    struct ReferenceSide {
        var sizes: [Int64: ExactDecimal] = [:]
        var prices: [Int64] = []

        mutating func set(_ price: Int64, _ size: ExactDecimal?) {
            var index = 0
            var high = prices.count
            while index < high {
                let middle = (index + high) / 2
                if prices[middle] < price { index = middle + 1 } else { high = middle }
            }
            let present = index < prices.count && prices[index] == price
            if size == nil, present { prices.remove(at: index) }
            if size != nil, !present { prices.insert(price, at: index) }
            sizes[price] = size
        }

        func level(_ price: Int64) -> PriceLevel {
            PriceLevel(price: ExactDecimal(uncheckedMantissa: price, scale: 2), size: sizes[price]!)
        }
    }

    struct Reference {
        var bids = ReferenceSide()
        var asks = ReferenceSide()

        var bestBid: PriceLevel? { bids.prices.last.map(bids.level) }
        var bestAsk: PriceLevel? { asks.prices.first.map(asks.level) }

        func levels(_ side: Side) -> [PriceLevel] {
            side == .bid ? bids.prices.reversed().map(bids.level) : asks.prices.map(asks.level)
        }
    }

    static let regimes = [
        BookRegime(name: "a few levels", depth: 6, spread: 12, steps: 400_000),
        BookRegime(name: "around one page", depth: 150, spread: 400, steps: 600_000),
        BookRegime(name: "several pages", depth: 2_000, spread: 5_000, steps: 600_000),
        BookRegime(name: "deep", depth: 30_000, spread: 80_000, steps: 300_000),
    ]

    @Test(arguments: regimes)
    func bookAgreesWithTheReference(regime: BookRegime) throws {
        var random = SplitMix64(seed: UInt64(regime.depth))
        var book = OrderBook(product: "TEST")
        var tracked = OrderBook(product: "TEST", tracksSizeTotals: true)
        var reference = Reference()
        // Bids below 1,000,000 ticks, asks above, so the book never crosses.
        let middle: Int64 = 1_000_000
        // Sizes of mixed scales, so the page totals rescale as they add.
        func size() -> ExactDecimal {
            ExactDecimal(uncheckedMantissa: Int64(1 + random.next() % 9_999), scale: [0, 4, 8][Int(random.next() % 3)])
        }
        var snapshotBids: [PriceLevel] = []
        var snapshotAsks: [PriceLevel] = []
        for _ in 0..<regime.depth {
            let bid = middle - 1 - Int64(random.next() % UInt64(regime.spread))
            let ask = middle + Int64(random.next() % UInt64(regime.spread))
            let (bidSize, askSize) = (size(), size())
            snapshotBids.append(PriceLevel(price: ExactDecimal(uncheckedMantissa: bid, scale: 2), size: bidSize))
            snapshotAsks.append(PriceLevel(price: ExactDecimal(uncheckedMantissa: ask, scale: 2), size: askSize))
            reference.bids.set(bid, bidSize)
            reference.asks.set(ask, askSize)
        }
        try book.replace(bids: snapshotBids, asks: snapshotAsks)
        try tracked.replace(bids: snapshotBids, asks: snapshotAsks)
        try check(book, reference, full: true)
        try check(tracked, reference, full: true)
        for step in 0..<regime.steps {
            let isBid = random.next() & 1 == 0
            // Half the changes near the touch, half anywhere in the range.
            let reach = random.next() & 1 == 0 ? min(regime.spread, 8) : regime.spread
            let offset = Int64(random.next() % UInt64(reach))
            let price = isBid ? middle - 1 - offset : middle + offset
            let count = isBid ? reference.bids.prices.count : reference.asks.prices.count
            // Deletes grow likelier as the side grows past its depth: the walk stays around it.
            let deleting = Double(random.next() % 1_000) / 1_000 < Double(count) / Double(2 * regime.depth)
            let newSize = deleting ? ExactDecimal(uncheckedMantissa: 0, scale: 4) : size()
            let change = LevelChange(
                side: isBid ? .bid : .ask, price: ExactDecimal(uncheckedMantissa: price, scale: 2), size: newSize)
            let outcome = try book.apply([change])
            #expect(try tracked.apply([change]).absentDeletes == outcome.absentDeletes)
            let wasPresent = (isBid ? reference.bids.sizes[price] : reference.asks.sizes[price]) != nil
            if isBid {
                reference.bids.set(price, deleting ? nil : newSize)
            } else {
                reference.asks.set(price, deleting ? nil : newSize)
            }
            #expect(outcome.absentDeletes == (deleting && !wasPresent ? 1 : 0))
            try check(book, reference, full: step % 50_000 == 0)
            try check(tracked, reference, full: step % 50_000 == 0)
            if step % 997 == 0 {
                let reach = Int64(random.next() % UInt64(regime.spread + 2))
                checkTotals(book, tracked, reference, bidsFrom: middle - 1 - reach, asksTo: middle + reach)
            }
        }
        try check(book, reference, full: true)
        try check(tracked, reference, full: true)
    }

    /// The ladder's window must follow the touch wherever it goes: here the centre of the changes
    /// wanders a tick at a time and now and then jumps thousands of ticks, deleting the levels it
    /// passes, and one change in fifty lands at an outlying price (a bid of a few cents, an ask of
    /// billions), so levels keep crossing the window's edges and the window keeps being placed
    /// again.
    @Test func ladderFollowsAWanderingTouch() throws {
        var random = SplitMix64(seed: 13)
        var book = OrderBook(product: "TEST")
        var tracked = OrderBook(product: "TEST", tracksSizeTotals: true)
        var reference = Reference()
        var centre: Int64 = 5_000_000
        var bestInWindow = 0
        for step in 0..<400_000 {
            switch random.next() % 1_000 {
            case 0: centre += Int64(random.next() % 40_000) - 20_000
            case 1..<300: centre += Int64(random.next() % 3) - 1
            default: break
            }
            centre = max(centre, 100_000)
            // The touch deletes the levels it passes, so the book never crosses (a jump sweeps
            // thousands of them in one update).
            let swept =
                reference.bids.prices.reversed().prefix { $0 >= centre }.map { (Side.bid, $0) }
                + reference.asks.prices.prefix { $0 < centre }.map { (Side.ask, $0) }
            if !swept.isEmpty {
                let sweep = swept.map { side, price in
                    LevelChange(
                        side: side, price: ExactDecimal(uncheckedMantissa: price, scale: 2),
                        size: ExactDecimal(integer: 0))
                }
                #expect(try book.apply(sweep).absentDeletes == 0)
                #expect(try tracked.apply(sweep).absentDeletes == 0)
                for (side, price) in swept {
                    if side == .bid { reference.bids.set(price, nil) } else { reference.asks.set(price, nil) }
                }
            }
            let isBid = random.next() & 1 == 0
            let offset = Int64(random.next() % (random.next() & 3 == 0 ? 6_000 : 40))
            var price = isBid ? centre - 1 - offset : centre + offset
            if random.next() % 50 == 0 {
                price = isBid ? Int64(1 + random.next() % 100) : 100_000_000_000 + Int64(random.next() % 100)
            }
            let levels = isBid ? reference.bids.prices.count : reference.asks.prices.count
            let deleting = random.next() % 1_000 < UInt64(min(levels, 999_000) / 3)
            let newSize =
                deleting
                ? ExactDecimal(uncheckedMantissa: 0, scale: 0)
                : ExactDecimal(uncheckedMantissa: Int64(1 + random.next() % 9_999), scale: UInt8(random.next() % 9))
            let change = LevelChange(
                side: isBid ? .bid : .ask, price: ExactDecimal(uncheckedMantissa: price, scale: 2), size: newSize)
            let outcome = try book.apply([change])
            #expect(try tracked.apply([change]).absentDeletes == outcome.absentDeletes)
            let wasPresent = (isBid ? reference.bids.sizes[price] : reference.asks.sizes[price]) != nil
            #expect(outcome.absentDeletes == (deleting && !wasPresent ? 1 : 0))
            if isBid {
                reference.bids.set(price, deleting ? nil : newSize)
            } else {
                reference.asks.set(price, deleting ? nil : newSize)
            }
            if step % 400 == 0, book.bestIsInWindow(.bid), book.bestIsInWindow(.ask) { bestInWindow += 1 }
            try check(book, reference, full: step % 20_000 == 0)
            try check(tracked, reference, full: step % 20_000 == 0)
            if step % 499 == 0 {
                let reach = Int64(random.next() % 8_000)
                checkTotals(book, tracked, reference, bidsFrom: centre - reach, asksTo: centre + reach)
            }
        }
        try check(book, reference, full: true)
        try check(tracked, reference, full: true)
        #expect(reference.bids.prices.count > 300 && reference.asks.prices.count > 300)
        // The window was placed again as the touch wandered, and holds the levels next to it.
        let placements = [book.windowPlacements(.bid), book.windowPlacements(.ask)]
        #expect(placements.allSatisfy { $0 > 20 }, "placements \(placements)")
        // After a jump (one in ~1,000 changes) the window follows within an eighth of the side's
        // levels of changes outside it (here at most ~375): the best is in it most of the time.
        #expect(bestInWindow > 500, "the best level in the window at \(bestInWindow) of 1,000 checks")
    }

    /// A side loaded thin gets a window for its few levels; once it has grown far past it, the
    /// window is placed again for what it holds, while the touch never left it.
    @Test func aSideThatOutgrowsItsWindowIsPlacedAgain() throws {
        var book = OrderBook(product: "TEST")
        let one = ExactDecimal(integer: 1)
        try book.replace(
            bids: (0..<10).map {
                PriceLevel(price: ExactDecimal(uncheckedMantissa: 1_000_000 - $0, scale: 2), size: one)
            },
            asks: [])
        #expect(book.windowPlacements(.bid) == 1)
        for tick in stride(from: Int64(10), to: 60_000, by: 3) {
            let change = LevelChange(
                side: .bid, price: ExactDecimal(uncheckedMantissa: 1_000_000 - tick, scale: 2), size: one)
            _ = try book.apply([change])
        }
        #expect(book.windowPlacements(.bid) >= 2)
        #expect(book.bestIsInWindow(.bid))
        #expect(book.levelCount(.bid) == 10 + 19_997)
        #expect(book.invariantViolation() == nil)
    }

    /// Both books' size out to `bidsFrom` (bids at or above) and `asksTo` (asks at or below) is the
    /// reference's plain sum.
    private func checkTotals(
        _ book: OrderBook, _ tracked: OrderBook, _ reference: Reference, bidsFrom: Int64, asksTo: Int64
    ) {
        var bids = ExactSum()
        var asks = ExactSum()
        for (price, size) in reference.bids.sizes where price >= bidsFrom { bids.add(size) }
        for (price, size) in reference.asks.sizes where price <= asksTo { asks.add(size) }
        let bidBound = ExactDecimal(uncheckedMantissa: bidsFrom, scale: 2)
        let askBound = ExactDecimal(uncheckedMantissa: asksTo, scale: 2)
        for candidate in [book, tracked] {
            #expect(candidate.totalSize(.bid) { $0 >= bidBound } == bids, "bids from \(bidBound)")
            #expect(candidate.totalSize(.ask) { $0 <= askBound } == asks, "asks to \(askBound)")
        }
    }

    private func check(_ book: OrderBook, _ reference: Reference, full: Bool) throws {
        guard book.bestBid == reference.bestBid, book.bestAsk == reference.bestAsk else {
            Issue.record(
                "best levels differ: book \(book.topOfBook), reference \(String(describing: reference.bestBid)) / \(String(describing: reference.bestAsk))"
            )
            throw DifferentialFailure()
        }
        guard full else { return }
        #expect(book.invariantViolation() == nil, "\(book.invariantViolation() ?? "")")
        #expect(book.levels(.bid) == reference.levels(.bid))
        #expect(book.levels(.ask) == reference.levels(.ask))
        #expect(book.levels(.ask, limit: 10) == Array(reference.levels(.ask).prefix(10)))
    }

    struct DifferentialFailure: Error {}
}
