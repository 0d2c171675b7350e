import BusProtocol
import CoinbaseFeed

/// Every product the ingest has published, by product id.
struct IngestProducts {
    private var entries: [String: IngestProduct] = [:]

    /// The product's entry, made (with its channel on `publisher`) on first use; `isNew` says so.
    mutating func entry(for product: String, publisher: BusPublisher) -> (entry: IngestProduct, isNew: Bool) {
        if let entry = entries[product] { return (entry, false) }
        let entry = IngestProduct(product: product, channel: publisher.channel(for: .raw(product: product)))
        entries[product] = entry
        return (entry, true)
    }

    /// Marks these products' books stale until their next snapshot (the connection was renewed).
    func invalidate(_ products: [String]) {
        for product in products { entries[product]?.valid = false }
    }

    /// The snapshot payload for `product` and the receive time it reflects, or `nil` without a
    /// valid book.
    func snapshot(of product: String) -> (payload: [UInt8], receivedAtNanos: UInt64)? {
        guard let entry = entries[product], entry.valid else { return nil }
        return (SnapshotEncoder.exchangeSnapshot(of: entry.book), entry.receivedAtNanos)
    }
}
