public import OrderBook

/// Writes the ingest's book of a product as a Coinbase Exchange `snapshot` message, so that anything
/// that reads Coinbase's feed can load it:
/// `{"type":"snapshot","product_id":"BTC-USD","bids":[["19814.24","0.05"],..],"asks":[..]}`,
/// best first, prices at the book's scale and sizes exactly as received.
extension SnapshotProtocol {
    /// The payload of a reply that has a book.
    public static func snapshotPayload(of book: SnapshotBook) -> [UInt8] {
        var json: [UInt8] = []
        json.append(contentsOf: #"{"type":"snapshot","product_id":"#.utf8)
        appendJSONString(book.product, to: &json)
        json.append(contentsOf: #","bids":["#.utf8)
        appendLevels(of: book, .bid, to: &json)
        json.append(contentsOf: #"],"asks":["#.utf8)
        appendLevels(of: book, .ask, to: &json)
        json.append(contentsOf: "]}".utf8)
        return json
    }

    private static func appendLevels(of book: SnapshotBook, _ side: Side, to json: inout [UInt8]) {
        var first = true
        book.walkLevels(side) { level in
            appendLevelPair(level, first: first, to: &json)
            first = false
            return true
        }
    }
}
