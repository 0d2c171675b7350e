public import BusProtocol
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
