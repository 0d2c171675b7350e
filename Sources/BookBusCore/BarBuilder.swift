import BusProtocol
import OrderBook

/// One product's bar of one interval in the making: open, high, low, close, volume, notional and
/// trade count of the trades received within it.
///
/// A bar is published once its interval has ended (a later trade, a tick of the receive clock, or
/// the end of the stream), and only if it holds a trade. It is marked incomplete when trades may be
/// missing from it: trade ids were skipped or bus messages were lost while it was open (or
/// before its first trade, since the last bar), or it began before the worker saw the product.
struct BarBuilder: Sendable {
    let interval: StreamInterval
    /// The bar being built, if a trade opened one.
    private var bar: Bar?
    /// Trades may have been lost since the last bar closed: the next bar is incomplete.
    private var lossPending = false

    private struct Bar {
        var start: UInt64
        var open: ExactDecimal
        var high: ExactDecimal
        var low: ExactDecimal
        var close: ExactDecimal
        var volume = ExactSum()
        var notional = ExactSum()
        var priceScale: UInt8
        var trades = 0
        var complete: Bool
    }

    init(interval: StreamInterval) {
        self.interval = interval
    }

    /// The end of the open bar's interval, if one is open.
    var openEnd: UInt64? { bar.map { $0.start + interval.nanoseconds } }

    /// Adds a trade received at `time`; the caller closes a bar whose interval ended first.
    /// `firstSeen` is when the worker first saw the product: a bar starting before it is incomplete.
    mutating func add(_ price: ExactDecimal, _ size: ExactDecimal, at time: UInt64, firstSeen: UInt64) {
        if bar == nil {
            let start = interval.start(containing: time)
            bar = Bar(
                start: start, open: price, high: price, low: price, close: price, priceScale: price.scale,
                complete: !lossPending && start >= firstSeen)
            lossPending = false
        }
        bar!.high = max(bar!.high, price)
        bar!.low = min(bar!.low, price)
        bar!.close = price
        bar!.volume.add(size)
        bar!.notional.addProduct(price, size)
        bar!.priceScale = max(bar!.priceScale, price.scale)
        bar!.trades += 1
    }

    /// Trades may have been lost now: the open bar, or else the next one, is incomplete.
    mutating func noteLoss() {
        if bar != nil { bar!.complete = false } else { lossPending = true }
    }

    /// Closes the open bar if its interval ended by `time` (or at once when `force`), as an event.
    mutating func close(by time: UInt64, force: Bool = false, product: String, worker: String, generation: UInt64)
        -> BarEvent?
    {
        guard let current = bar, force || time >= current.start + interval.nanoseconds else { return nil }
        bar = nil
        let digits = min(ExactDecimal.maxScale, current.priceScale + Self.vwapExtraDigits)
        return BarEvent(
            product: product, interval: interval.name, startNanos: current.start,
            endNanos: current.start + interval.nanoseconds, open: current.open, high: current.high, low: current.low,
            close: current.close, volume: current.volume, notional: current.notional,
            vwap: current.notional.divided(by: current.volume, fractionDigits: digits), trades: current.trades,
            complete: current.complete && !force, worker: worker, generation: generation)
    }

    /// Digits the VWAP has beyond the bar's finest price.
    static let vwapExtraDigits: UInt8 = 4
}
