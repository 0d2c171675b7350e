public import BusProtocol
public import OrderBook

/// The numbers of an analytics event, computed from a book with exact arithmetic and one rounding
/// at the end of each formula (half away from zero).
///
/// With `b` and `a` the best bid and ask prices, `B` and `A` their sizes, `mid = (b + a) / 2`
/// (exact) and `d` the book's price digits:
/// - microprice `= (b·A + a·B) / (A + B)`, to `d + 4` digits;
/// - imbalance `= (ΣB − ΣA) / (ΣB + ΣA)` over the best ``StreamSettings/Analytics/imbalanceLevels``
///   levels a side, to 6 digits;
/// - band `X`: the total size of the bids priced at or above `mid × (1 − X/10⁴)` and of the asks
///   at or below `mid × (1 + X/10⁴)`, exact;
/// - impact: a buy lifts the asks best first, a sell hits the bids, until the size (or notional)
///   is filled or the side ends; average price `= notional / size` of what was filled, to `d + 4`
///   digits; slippage `= (average − mid) / mid × 10⁴` for a buy and `(mid − average) / mid × 10⁴`
///   for a sell, from the exact average, to 4 digits. An order by notional that ends inside a level
///   takes `remaining notional / price` of it.
///
/// A book with an empty side or crossed has no analytics.
public struct BookAnalyzer: Sendable {
    public let settings: StreamSettings.Analytics

    /// Digits beyond the book's price digits of the microprice and average prices.
    public static let extraPriceDigits: UInt8 = 4
    public static let imbalanceDigits: UInt8 = 6
    public static let slippageDigits: UInt8 = 4

    /// The market orders to walk, by size then by notional, in the settings' order.
    private let targets: [AnalyticsEvent.Impact.Target]
    /// `10⁴ − X` (bids) and `10⁴ + X` (asks) per band, which scale the mid to each band's edge.
    private let bidEdgeFactors: [ExactSum]
    private let askEdgeFactors: [ExactSum]

    public init(_ settings: StreamSettings.Analytics) {
        self.settings = settings
        let widths = settings.bandsBasisPoints
        targets =
            settings.sizes.map(AnalyticsEvent.Impact.Target.size)
            + settings.notionals.map(AnalyticsEvent.Impact.Target.notional)
        bidEdgeFactors = widths.map { Self.tenThousand.subtracting(ExactSum($0)) }
        askEdgeFactors = widths.map { Self.tenThousand.adding(ExactSum($0)) }
    }

    /// The analytics of `book`, or `nil` when it has an empty side or is crossed.
    public func values(of book: OrderBook) -> AnalyticsEvent.Values? {
        let top = book.topOfBook
        guard let bid = top.bid, let ask = top.ask, !top.isCrossed, let mid = top.mid else { return nil }
        let priceDigits = min(ExactDecimal.maxScale, book.priceScale + Self.extraPriceDigits)
        let twiceMid = ExactSum(bid.price).adding(ExactSum(ask.price))
        var weighted = ExactSum()
        weighted.addProduct(bid.price, ask.size)
        weighted.addProduct(ask.price, bid.size)
        let microprice = weighted.divided(
            by: ExactSum(bid.size).adding(ExactSum(ask.size)), fractionDigits: priceDigits)
        let bidDepth = size(ofBest: settings.imbalanceLevels, .bid, of: book)
        let askDepth = size(ofBest: settings.imbalanceLevels, .ask, of: book)
        let imbalance = bidDepth.subtracting(askDepth).divided(
            by: bidDepth.adding(askDepth), fractionDigits: Self.imbalanceDigits)
        let bidBands = sizesWithinBands(.bid, of: book, twiceMid: twiceMid)
        let askBands = sizesWithinBands(.ask, of: book, twiceMid: twiceMid)
        let bands = settings.bandsBasisPoints.indices.map { index in
            AnalyticsEvent.Band(
                basisPoints: settings.bandsBasisPoints[index], bidSize: bidBands[index], askSize: askBands[index])
        }
        var impacts: [AnalyticsEvent.Impact] = []
        impacts.reserveCapacity(targets.count * 2)
        for target in targets {
            for side in [AnalyticsEvent.Impact.Side.buy, .sell] {
                impacts.append(
                    impact(side, target, of: book, twiceMid: twiceMid, priceDigits: priceDigits))
            }
        }
        return AnalyticsEvent.Values(
            mid: mid, microprice: microprice, imbalanceLevels: settings.imbalanceLevels, imbalance: imbalance,
            bands: bands, impacts: impacts)
    }

    /// The total size of the best `count` levels of `side`.
    private func size(ofBest count: Int, _ side: Side, of book: OrderBook) -> ExactSum {
        var total = ExactSum()
        var seen = 0
        book.walkLevels(side) { level in
            guard seen < count else { return false }
            total.add(level.size)
            seen += 1
            return true
        }
        return total
    }

    /// The size resting within each band on `side`, in the settings' order. A level at price `p`
    /// is within `X` bps when `2p × 10⁴ ≥ 2·mid × (10⁴ − X)` (bids) or `2p × 10⁴ ≤ 2·mid × (10⁴ + X)`
    /// (asks): integers on both sides, nothing rounded.
    private func sizesWithinBands(_ side: Side, of book: OrderBook, twiceMid: ExactSum) -> [ExactSum] {
        (side == .bid ? bidEdgeFactors : askEdgeFactors).map { factor in
            let limit = twiceMid.multiplied(by: factor)
            return book.totalSize(side) { price in
                let order = ExactSum.compare(ExactSum(price).multiplied(by: Self.twentyThousand), limit)
                return side == .bid ? order >= 0 : order <= 0
            }
        }
    }

    /// A market order walking the side it takes from, and what it would pay.
    private func impact(
        _ side: AnalyticsEvent.Impact.Side, _ target: AnalyticsEvent.Impact.Target, of book: OrderBook,
        twiceMid: ExactSum, priceDigits: UInt8
    ) -> AnalyticsEvent.Impact {
        // The average price is paid / got: notional over size, or for an order by notional that ends
        // inside a level at price p, (wanted × p) / (size before × p + remaining notional).
        var filled = ExactSum()
        var paid = ExactSum()
        var got = ExactSum()
        let takes: Side = side == .buy ? .ask : .bid
        switch target {
        case .size(let size):
            let wanted = ExactSum(size)
            book.walkLevels(takes) { level in
                let remaining = wanted.subtracting(filled)
                let whole = ExactSum(level.size)
                let take = ExactSum.compare(whole, remaining) < 0 ? whole : remaining
                filled = filled.adding(take)
                paid = paid.adding(take.multiplied(by: level.price))
                return ExactSum.compare(filled, wanted) < 0
            }
            got = filled
        case .notional(let notional):
            let wanted = ExactSum(notional)
            book.walkLevels(takes) { level in
                let remaining = wanted.subtracting(filled)
                var whole = ExactSum()
                whole.addProduct(level.price, level.size)
                if ExactSum.compare(whole, remaining) < 0 {
                    filled = filled.adding(whole)
                    paid = paid.adding(whole)
                    got.add(level.size)
                    return true
                }
                filled = wanted
                paid = wanted.multiplied(by: level.price)
                got = got.multiplied(by: level.price).adding(remaining)
                return false
            }
        }
        let average = paid.divided(by: got, fractionDigits: priceDigits)
        // (average − mid) / mid = (2·paid − 2mid·got) / (2mid·got)
        let base = twiceMid.multiplied(by: got)
        let doubled = paid.multiplied(by: Self.two)
        let worse = side == .buy ? doubled.subtracting(base) : base.subtracting(doubled)
        let slippage = worse.multiplied(by: Self.tenThousand).divided(by: base, fractionDigits: Self.slippageDigits)
        return AnalyticsEvent.Impact(
            side: side, target: target, filled: filled, averagePrice: average, slippageBasisPoints: slippage)
    }

    private static let two = ExactSum(ExactDecimal(integer: 2))
    private static let tenThousand = ExactSum(ExactDecimal(integer: 10_000))
    private static let twentyThousand = ExactSum(ExactDecimal(integer: 20_000))
}
