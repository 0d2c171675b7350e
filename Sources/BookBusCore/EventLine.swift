public import BusProtocol
import Foundation
import OrderBook

/// The sink's human-readable line for an event, e.g.
/// `BTC-USD spread 2.70 (1.3626 bps)  bid 19814.24 × 0.05  ask 19816.94 × 0.50382230  mid 19815.59  at 2022-07-13T18:58:52.495040Z`
public enum EventLine {
    public static func text(_ event: BookEvent) -> String {
        let top = event.top
        var line = event.product
        switch event.kind {
        case .spread:
            if let spread = top.spread {
                line += " spread \(spread)"
                if let bps = top.spreadBasisPoints { line += " (\(bps) bps)" }
            } else {
                line += " spread none"
            }
        case .topOfBook:
            line += " top"
        }
        line += "  bid " + (top.bid.map { "\($0.price) × \($0.size)" } ?? "none (empty side)")
        line += "  ask " + (top.ask.map { "\($0.price) × \($0.size)" } ?? "none (empty side)")
        if let mid = top.mid { line += "  mid \(mid)" }
        if top.isCrossed { line += "  CROSSED" }
        if let time = event.exchangeTime { line += "  at \(time)" }
        return line
    }
}

extension EventLine {
    /// A depth event as a small ladder, best levels on the first row:
    ///
    /// ```
    /// BTC-USD depth 3 at 2022-07-13T18:58:52.495040Z
    ///           0.05  19814.24 | 19816.94  0.50382230
    ///            1.2   19814.1 | 19817     0.3
    /// ```
    public static func text(_ event: DepthEvent) -> String {
        var lines = ["\(event.product) depth \(event.levels)" + (event.exchangeTime.map { " at \($0)" } ?? "")]
        let rows = max(event.bids.count, event.asks.count)
        let bidSizes = event.bids.map(\.size.description)
        let bidPrices = event.bids.map(\.price.description)
        let askPrices = event.asks.map(\.price.description)
        let sizeWidth = bidSizes.map(\.count).max() ?? 0
        let priceWidth = bidPrices.map(\.count).max() ?? 0
        let askWidth = askPrices.map(\.count).max() ?? 0
        for row in 0..<rows {
            let bid =
                row < event.bids.count
                ? padded(bidSizes[row], to: sizeWidth) + "  " + padded(bidPrices[row], to: priceWidth)
                : String(repeating: " ", count: sizeWidth + 2 + priceWidth)
            let ask =
                row < event.asks.count
                ? askPrices[row] + String(repeating: " ", count: askWidth - askPrices[row].count) + "  "
                    + event.asks[row].size.description
                : ""
            lines.append("  " + bid + " | " + ask)
        }
        if rows == 0 { lines.append("  (empty book)") }
        return lines.joined(separator: "\n")
    }

    /// An analytics event on one line:
    ///
    /// `BTC-USD analytics  mid 19815.59  micro 19816.7537  imb(5) -0.302791  ±10bps 1.25 | 3.5  buy notional 1000 @ 19817.1200 (+0.7822bps)`
    public static func text(_ event: AnalyticsEvent) -> String {
        let values = event.values
        var line = "\(event.product) analytics  mid \(values.mid)  micro \(text(values.microprice))"
        line += "  imb(\(values.imbalanceLevels)) \(text(values.imbalance))"
        for band in values.bands {
            line += "  ±\(band.basisPoints)bps \(band.bidSize) | \(band.askSize)"
        }
        for impact in values.impacts {
            let target =
                switch impact.target {
                case .size(let size): "\(size)"
                case .notional(let notional): "notional \(notional)"
                }
            line += "  \(impact.side.rawValue) \(target) @ \(text(impact.averagePrice))"
            if let slippage = impact.slippageBasisPoints {
                line += " (\(slippage.isNegative ? "" : "+")\(slippage)bps)"
            }
            if impact.filled.decimal != impact.target.amount { line += " filled \(impact.filled)" }
        }
        return line
    }

    /// `SKL-USD trade buy 450 @ 0.791  id 1568268  at 2021-04-17T16:43:37.121358Z`
    public static func text(_ event: TradeEvent) -> String {
        "\(event.product) trade \(event.side.rawValue) \(event.size) @ \(event.price)  id \(event.tradeID)"
            + (event.exchangeTime.map { "  at \($0)" } ?? "")
    }

    /// `SKL-USD bar 1s  O 0.791 H 0.7912 L 0.791 C 0.7912  V 2237  VWAP 0.79113518  2 trades  from 1618677817.000000000`
    public static func text(_ event: BarEvent) -> String {
        var line =
            "\(event.product) bar \(event.interval)  O \(event.open) H \(event.high) L \(event.low) C \(event.close)"
        line += "  V \(event.volume)  VWAP \(event.vwap.map(\.description) ?? "none")  \(event.trades) trades"
        line +=
            "  from \(event.startNanos / 1_000_000_000).\(String(format: "%09llu", event.startNanos % 1_000_000_000))"
        if !event.complete { line += "  INCOMPLETE" }
        return line
    }

    private static func text(_ value: ExactDecimal?) -> String {
        value.map(\.description) ?? "none"
    }

    private static func padded(_ text: String, to width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
