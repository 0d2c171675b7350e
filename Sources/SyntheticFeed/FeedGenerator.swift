import CoinbaseFeed
import Foundation

/// Where a generated feed's changes land.
public enum TrafficProfile: String, Sendable, CaseIterable {
    /// Shaped like Coinbase's real feed: deep books (tens of thousands of levels a side), several
    /// changes per message, most of them tens to thousands of levels from the touch.
    case realistic
    /// The textbook's traffic: 1,000-level books, changes next to the touch, one per message.
    case touch
}

/// Settings of a synthetic Coinbase feed.
public struct FeedGeneratorConfiguration: Sendable {
    public var feed: CoinbaseFeedKind = .exchange
    public var profile: TrafficProfile = .realistic
    public var products: [String] = ["BTC-USD", "ETH-USD", "SOL-USD"]
    /// Levels per side in each opening snapshot (`nil`: the profile's, 1,000 for touch and the
    /// recorded depths for realistic).
    public var depth: Int?
    /// Update messages after the snapshots.
    public var updates = 100_000
    /// Changes per message, touch profile (the realistic profile draws them from its distribution).
    public var changesPerMessage = 1
    /// Share of changes that delete a level, touch profile.
    public var deleteShare = 0.25
    public var seed: UInt64 = 1

    public init() {}
}

/// Seeded Coinbase level-2 traffic in either format: a snapshot per product, then updates that
/// follow the configured profile, with a book that is never crossed. The same seed gives the same
/// bytes.
public struct FeedGenerator {
    private enum Book {
        case touch(TouchBook)
        case realistic(RealisticBook)
        /// Held while the book is out for changing, so its storage is uniquely referenced.
        case taken
    }

    private var random: SplitMix64
    private let configuration: FeedGeneratorConfiguration
    private var books: [Book]
    private let productNames: [String]
    private var sequence: Int64 = 0
    private var clock = 1_764_000_000.0

    public init(configuration: FeedGeneratorConfiguration) {
        self.configuration = configuration
        random = SplitMix64(seed: configuration.seed)
        productNames = configuration.products
        books = configuration.products.map { _ in .taken }
        for index in configuration.products.indices {
            switch configuration.profile {
            case .touch:
                books[index] = .touch(TouchBook(mid: 6_500_000 / (index + 1)))
            case .realistic:
                let depth =
                    configuration.depth.map { ($0, $0) }
                    ?? RealisticBook.depths[index % RealisticBook.depths.count]
                books[index] = .realistic(
                    RealisticBook(mid: 1_000_000 + 5_500_000 / (index + 1), depth: depth, random: &random))
            }
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

    /// One product's opening snapshot.
    public mutating func snapshot(_ index: Int) -> [UInt8] {
        let bids: [(tick: Int, size: Int)]
        let asks: [(tick: Int, size: Int)]
        switch take(index) {
        case .touch(var book):
            book.fill(depth: configuration.depth ?? 1_000, using: &random)
            (bids, asks) = (book.bidsBestFirst, book.asksBestFirst)
            books[index] = .touch(book)
        case .realistic(let book):
            (bids, asks) = (book.bids.levelsBestFirst, book.asks.levelsBestFirst)
            books[index] = .realistic(book)
        case .taken:
            preconditionFailure("book \(index) is out")
        }
        let product = productNames[index]
        switch configuration.feed {
        case .exchange:
            let bidText = bids.map { "[\"\(price($0.tick))\",\"\(size($0.size))\"]" }.joined(separator: ",")
            let askText = asks.map { "[\"\(price($0.tick))\",\"\(size($0.size))\"]" }.joined(separator: ",")
            return Array(
                #"{"type":"snapshot","product_id":"\#(product)","bids":[\#(bidText)],"asks":[\#(askText)]}"#.utf8)
        case .advancedTrade:
            let levels =
                bids.map { advancedTradeLevel(side: "bid", $0.tick, $0.size) }
                + asks.map { advancedTradeLevel(side: "offer", $0.tick, $0.size) }
            return advancedTradeMessage(product: product, type: "snapshot", updates: levels)
        }
    }

    /// One update message for a random product.
    public mutating func update() -> [UInt8] {
        let index = Int(random.next() % UInt64(books.count))
        let changes: [GeneratedChange]
        switch take(index) {
        case .touch(var book):
            changes = book.nextChanges(
                count: configuration.changesPerMessage, deleteShare: configuration.deleteShare, using: &random)
            books[index] = .touch(book)
        case .realistic(var book):
            changes = book.nextChanges(using: &random)
            books[index] = .realistic(book)
        case .taken:
            preconditionFailure("book \(index) is out")
        }
        clock += 0.001
        let product = productNames[index]
        switch configuration.feed {
        case .exchange:
            let text = changes.map {
                "[\"\($0.isBid ? "buy" : "sell")\",\"\(price($0.tick))\",\"\(size($0.size))\"]"
            }.joined(separator: ",")
            return Array(
                #"{"type":"l2update","product_id":"\#(product)","changes":[\#(text)],"time":"\#(timestamp())"}"#
                    .utf8)
        case .advancedTrade:
            let levels = changes.map { advancedTradeLevel(side: $0.isBid ? "bid" : "offer", $0.tick, $0.size) }
            return advancedTradeMessage(product: product, type: "update", updates: levels)
        }
    }

    /// Moves a book out of the array for changing (put it back after): its storage is then
    /// uniquely referenced and changes in place instead of being copied.
    private mutating func take(_ index: Int) -> Book {
        let book = books[index]
        books[index] = .taken
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

    /// A level's size in 1e-8 units: up to 5.
    static func randomSize(using random: inout SplitMix64) -> Int {
        1 + Int(random.next() % 500_000_000)
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
