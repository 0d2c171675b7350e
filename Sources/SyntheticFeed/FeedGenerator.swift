import CoinbaseFeed
import Foundation

/// Settings of a synthetic Coinbase feed.
public struct FeedGeneratorConfiguration: Sendable {
    public var feed: CoinbaseFeedKind = .exchange
    public var products: [String] = ["BTC-USD", "ETH-USD", "SOL-USD"]
    /// Levels per side in each opening snapshot.
    public var depth = 1_000
    /// Update messages after the snapshots.
    public var updates = 100_000
    public var changesPerMessage = 1
    /// Share of changes that delete a level.
    public var deleteShare = 0.25
    public var seed: UInt64 = 1

    public init() {}
}

/// Seeded, realistic Coinbase level-2 traffic: a snapshot per product, then updates whose changes
/// cluster near the touch (geometric distance in ticks), with a mid price that drifts, and a book
/// that is never crossed. The same seed gives the same bytes.
public struct FeedGenerator {
    private struct ProductBook {
        var product: String
        /// Price in ticks (0.01) of the mid; bids are below, asks above.
        var mid: Int
        var bids: [Int: Int] = [:]
        var asks: [Int: Int] = [:]
    }

    private var random: SplitMix64
    private let configuration: FeedGeneratorConfiguration
    private var books: [ProductBook]
    private var sequence: Int64 = 0
    private var clock = 1_764_000_000.0

    public init(configuration: FeedGeneratorConfiguration) {
        self.configuration = configuration
        random = SplitMix64(seed: configuration.seed)
        books = configuration.products.enumerated().map { index, product in
            ProductBook(product: product, mid: 6_500_000 / (index + 1))
        }
    }

    /// Every frame: the snapshots, then the updates.
    public mutating func frames() -> [[UInt8]] {
        var frames: [[UInt8]] = []
        frames.reserveCapacity(books.count + configuration.updates)
        for index in books.indices { frames.append(snapshot(index)) }
        for _ in 0..<configuration.updates { frames.append(update()) }
        return frames
    }

    /// Writes `frames` as a recording in JSON Lines (each frame, then a newline) to `output`, in
    /// writes of about 1 MiB.
    public static func writeJSONLines(_ frames: [[UInt8]], to output: FileHandle) throws {
        var chunk: [UInt8] = []
        chunk.reserveCapacity(1 << 20)
        for frame in frames {
            chunk.append(contentsOf: frame)
            chunk.append(UInt8(ascii: "\n"))
            if chunk.count >= 1 << 20 {
                try output.write(contentsOf: chunk)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        try output.write(contentsOf: chunk)
    }

    /// One product's opening snapshot with `depth` levels a side.
    public mutating func snapshot(_ index: Int) -> [UInt8] {
        var book = takeBook(index)
        for level in 1...configuration.depth {
            book.bids[book.mid - level] = randomSize()
            book.asks[book.mid + level] = randomSize()
        }
        books[index] = book
        let bids = book.bids.sorted { $0.key > $1.key }
        let asks = book.asks.sorted { $0.key < $1.key }
        switch configuration.feed {
        case .exchange:
            let bidText = bids.map { "[\"\(price($0.key))\",\"\(size($0.value))\"]" }.joined(separator: ",")
            let askText = asks.map { "[\"\(price($0.key))\",\"\(size($0.value))\"]" }.joined(separator: ",")
            return Array(
                #"{"type":"snapshot","product_id":"\#(book.product)","bids":[\#(bidText)],"asks":[\#(askText)]}"#.utf8)
        case .advancedTrade:
            let levels =
                bids.map { advancedTradeLevel(side: "bid", $0.key, $0.value) }
                + asks.map { advancedTradeLevel(side: "offer", $0.key, $0.value) }
            return advancedTradeMessage(product: book.product, type: "snapshot", updates: levels)
        }
    }

    /// One update message for a random product.
    public mutating func update() -> [UInt8] {
        let index = Int(random.next() % UInt64(books.count))
        var book = takeBook(index)
        var changes: [(side: String, price: Int, size: Int)] = []
        // The mid drifts: levels it passes on the far side are deleted first, so nothing crosses.
        if random.unit() < 0.02 {
            let step = random.unit() < 0.5 ? -1 : 1
            book.mid += step
            if step > 0, book.asks.removeValue(forKey: book.mid) != nil { changes.append(("sell", book.mid, 0)) }
            if step < 0, book.bids.removeValue(forKey: book.mid) != nil { changes.append(("buy", book.mid, 0)) }
        }
        while changes.count < configuration.changesPerMessage {
            let isBid = random.unit() < 0.5
            let distance = 1 + geometricTicks()
            let tick = isBid ? book.mid - distance : book.mid + distance
            let delete = random.unit() < configuration.deleteShare
            let size = delete ? 0 : randomSize()
            if isBid {
                if delete { book.bids.removeValue(forKey: tick) } else { book.bids[tick] = size }
            } else {
                if delete { book.asks.removeValue(forKey: tick) } else { book.asks[tick] = size }
            }
            changes.append((isBid ? "buy" : "sell", tick, size))
        }
        books[index] = book
        clock += 0.001
        switch configuration.feed {
        case .exchange:
            let text = changes.map { "[\"\($0.side)\",\"\(price($0.price))\",\"\(size($0.size))\"]" }.joined(
                separator: ",")
            return Array(
                #"{"type":"l2update","product_id":"\#(book.product)","changes":[\#(text)],"time":"\#(timestamp())"}"#
                    .utf8)
        case .advancedTrade:
            let levels = changes.map { advancedTradeLevel(side: $0.side == "buy" ? "bid" : "offer", $0.price, $0.size) }
            return advancedTradeMessage(product: book.product, type: "update", updates: levels)
        }
    }

    /// Moves a book out of the array for changing (put it back after): its level dictionaries are
    /// then uniquely referenced and change in place instead of being copied.
    private mutating func takeBook(_ index: Int) -> ProductBook {
        let book = books[index]
        books[index].bids = [:]
        books[index].asks = [:]
        return book
    }

    // MARK: - Spelling

    private mutating func advancedTradeMessage(product: String, type: String, updates: [String]) -> [UInt8] {
        sequence += 1
        return Array(
            #"{"channel":"l2_data","client_id":"","timestamp":"\#(timestamp())","sequence_num":\#(sequence),"events":[{"type":"\#(type)","product_id":"\#(product)","updates":[\#(updates.joined(separator: ","))]}]}"#
                .utf8)
    }

    private func advancedTradeLevel(side: String, _ tick: Int, _ size: Int) -> String {
        // Advanced Trade strips trailing zeros.
        #"{"side":"\#(side)","event_time":"\#(timestamp())","price_level":"\#(strip(price(tick)))","new_quantity":"\#(size == 0 ? "0" : strip(self.size(size)))"}"#
    }

    private func price(_ tick: Int) -> String {
        "\(tick / 100).\(String(format2: tick % 100))"
    }

    /// Sizes are in 1e-8 units, printed with 8 decimals as Exchange does.
    private func size(_ units: Int) -> String {
        let whole = units / 100_000_000
        let fraction = String(units % 100_000_000)
        return "\(whole).\(String(repeating: "0", count: 8 - fraction.count))\(fraction)"
    }

    private func strip(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var trimmed = Substring(text)
        while trimmed.last == "0" { trimmed = trimmed.dropLast() }
        if trimmed.last == "." { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }

    private func timestamp() -> String {
        let seconds = Int(clock)
        let micros = Int((clock - Double(seconds)) * 1_000_000)
        return "2025-11-24T16:00:\(String(format2: seconds % 60)).\(String(micros).leftPadded(6))Z"
    }

    private mutating func randomSize() -> Int {
        1 + Int(random.next() % 500_000_000)
    }

    /// 0, 1, 2, … with probability halving every 3 ticks: most activity at the touch.
    private mutating func geometricTicks() -> Int {
        var ticks = 0
        while random.unit() < 0.8 && ticks < 2_000 { ticks += 1 }
        return ticks
    }
}

extension String {
    fileprivate init(format2 value: Int) {
        self = value < 10 ? "0\(value)" : "\(value)"
    }

    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
