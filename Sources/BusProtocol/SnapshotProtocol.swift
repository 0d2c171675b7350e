/// The snapshot service (the ZeroMQ guide's clone pattern): the ingest answers on a ROUTER socket
/// with its own copy of a product's book and the sequence number that book reflects.
///
/// - Request, from a DEALER: two frames, `SNAPSHOT` and the product id.
/// - Reply: three frames shaped like a bus message: topic `raw/<PRODUCT>/`, the 32-byte header whose
///   epoch and sequence say which message of that topic the book includes last, and a payload that
///   is either an Exchange-format snapshot (`{"type":"snapshot","product_id":..,"bids":[..],"asks":[..]}`,
///   best first) or `{"type":"no_book","product_id":..}` when the ingest has no book for it yet.
///
/// A subscriber first subscribes (and buffers), then asks; it drops buffered messages with a
/// sequence ≤ the reply's and applies the rest.
public enum SnapshotProtocol {
    /// First frame of a request.
    public static let requestCommand = Array("SNAPSHOT".utf8)

    /// The request frames for `product`.
    public static func request(product: String) -> [[UInt8]] {
        [requestCommand, Array(product.utf8)]
    }

    /// The payload of a reply that has no book.
    public static func noBookPayload(product: String) -> [UInt8] {
        var json = "{\"type\":\"no_book\",\"product_id\":"
        appendJSONString(product, to: &json)
        json += "}"
        return Array(json.utf8)
    }
}
