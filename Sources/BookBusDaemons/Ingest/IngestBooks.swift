import BusProtocol
import CoinbaseFeed
import OrderBook

/// The ingest's own book per product, kept for the snapshot service: it includes every message
/// the ingest has published on the product's topic, so a snapshot reply can say "this is the book
/// as of sequence S".
struct IngestBooks {
    private struct Entry {
        var book: OrderBook
        /// False until a snapshot arrived, and again after the upstream connection was renewed.
        var valid = false
        /// Receive time of the last message applied.
        var receivedAtNanos: UInt64 = 0
    }

    private var entries: [String: Entry] = [:]

    /// Applies the book messages of a message just published on `raw/<product>/`. What the book
    /// refuses is left out here exactly as the workers leave it out.
    mutating func apply(_ messages: [BookMessage], product: String, receivedAtNanos: UInt64) {
        for bookMessage in messages where bookMessage.product == product {
            var entry = entries.removeValue(forKey: product) ?? Entry(book: OrderBook(product: product))
            defer { entries[product] = entry }
            switch bookMessage.content {
            case .snapshot(let bids, let asks):
                guard (try? entry.book.replace(bids: bids, asks: asks)) != nil else { continue }
                entry.valid = true
            case .update(let changes):
                guard entry.valid else { continue }
                _ = try? entry.book.apply(changes)
            }
            entry.receivedAtNanos = receivedAtNanos
        }
    }

    /// Marks these products' books stale until their next snapshot (the connection was renewed).
    mutating func invalidate(_ products: [String]) {
        for product in products { entries[product]?.valid = false }
    }

    /// The snapshot payload for `product` and the receive time it reflects, or `nil` without a
    /// valid book.
    func snapshot(of product: String) -> (payload: [UInt8], receivedAtNanos: UInt64)? {
        guard let entry = entries[product], entry.valid else { return nil }
        return (SnapshotEncoder.exchangeSnapshot(of: entry.book), entry.receivedAtNanos)
    }
}
