public import OrderBook

/// Writes a book as a Coinbase Exchange `snapshot` message, so that anything that reads Coinbase's
/// feed can load it: `{"type":"snapshot","product_id":"BTC-USD","bids":[["19814.24","0.05"],..],"asks":[..]}`,
/// best first, prices at the book's scale and sizes exactly as received.
extension SnapshotProtocol {
    /// The payload of a reply that has a book.
    public static func snapshotPayload(of book: OrderBook) -> [UInt8] {
        var json = "{\"type\":\"snapshot\",\"product_id\":\"\(book.product)\",\"bids\":["
        appendLevels(book.levels(.bid), to: &json)
        json += "],\"asks\":["
        appendLevels(book.levels(.ask), to: &json)
        json += "]}"
        return Array(json.utf8)
    }

    private static func appendLevels(_ levels: [PriceLevel], to json: inout String) {
        json.reserveCapacity(json.utf8.count + levels.count * 28)
        for (index, level) in levels.enumerated() {
            if index > 0 { json += "," }
            json += "[\"\(level.price)\",\"\(level.size)\"]"
        }
    }
}
