import Foundation
import OrderBook

/// Draws the board's rows as lines of text for a terminal of a given width: product, bid × size,
/// ask × size, spread, basis points, changes a second, age of the last change, state. With colour,
/// a widening spread is red, a narrowing one green, and a quiet or crossed product yellow.
public struct BoardRenderer: Sendable {
    public var width: Int
    public var colour: Bool

    public init(width: Int, colour: Bool) {
        self.width = max(20, width)
        self.colour = colour
    }

    static let columns: [(title: String, width: Int, left: Bool)] = [
        ("product", 12, true), ("bid × size", 26, false), ("ask × size", 26, false), ("spread", 12, false),
        ("bps", 9, false), ("chg/s", 8, false), ("age", 7, false), ("state", 8, true),
    ]

    /// The header, then a line per row, each cut to ``width``.
    public func lines(_ rows: [BoardCore.Row]) -> [String] {
        var lines = [line(Self.columns.map(\.title), paint: nil)]
        for row in rows {
            let cells = [
                row.product, Self.level(row.top.bid), Self.level(row.top.ask),
                row.top.spread.map(\.description) ?? "-", row.top.spreadBasisPoints.map(\.description) ?? "-",
                Self.fixed(row.eventsPerSecond, digits: 1), Self.fixed(row.ageSeconds, digits: 1) + "s",
                row.state.rawValue,
            ]
            lines.append(line(cells, paint: paint(for: row)))
        }
        return lines
    }

    private func paint(for row: BoardCore.Row) -> String? {
        guard colour else { return nil }
        if row.state != .live { return "\u{1B}[33m" }
        switch row.trend {
        case .widening: return "\u{1B}[31m"
        case .narrowing: return "\u{1B}[32m"
        case .steady: return nil
        }
    }

    private func line(_ cells: [String], paint: String?) -> String {
        var text = ""
        for (cell, column) in zip(cells, Self.columns) {
            let padding = String(repeating: " ", count: max(0, column.width - cell.count))
            text += (column.left ? cell + padding : padding + cell) + " "
        }
        let cut = String(text.prefix(width))
        guard let paint else { return cut }
        return paint + cut + "\u{1B}[0m"
    }

    static func level(_ level: PriceLevel?) -> String {
        guard let level else { return "-" }
        return "\(level.price) × \(level.size)"
    }

    /// `value` with `digits` decimals, for display only (rates and ages, never prices).
    static func fixed(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
