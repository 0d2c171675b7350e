import Foundation

/// Splits raw Coinbase messages by product, for publishing one topic per product.
///
/// A message about one product keeps its exact bytes. An Advanced Trade message whose `events`
/// (or their tickers or trades) name several products is rewritten into one message per product, each with the original
/// top-level fields and only that product's events.
public struct FeedRouter: Sendable {
    /// A message, or part of one, destined for one product (or for none).
    public struct Routed: Sendable, Equatable {
        /// The product, or `nil` for messages about no product (acks, errors, heartbeats).
        public var product: String?
        /// The bytes to publish: the original frame, or a rewritten part of it.
        public var payload: [UInt8]

        public init(product: String?, payload: [UInt8]) {
            self.product = product
            self.payload = payload
        }
    }

    public init() {}

    /// Routes one frame. Invalid product ids are an error, never a topic.
    public func route(_ frame: [UInt8]) throws(FeedParseError) -> [Routed] {
        let routing: WireRouting
        do {
            routing = try JSONDecoder().decode(WireRouting.self, from: Data(frame))
        } catch {
            throw .malformed(FeedParser.describe(error))
        }
        guard routing.type != nil || routing.channel != nil else { throw .unclassifiable }
        var products: [String] = []
        if let product = routing.productId { products.append(product) }
        for event in routing.events ?? [] {
            if let product = event.productId { products.append(product) }
            for entry in (event.tickers ?? []) + (event.trades ?? []) {
                if let product = entry.productId { products.append(product) }
            }
        }
        var distinct: [String] = []
        for product in products where !distinct.contains(product) {
            guard ProductID.isValid(product) else { throw .invalidProduct(product) }
            distinct.append(product)
        }
        switch distinct.count {
        case 0: return [Routed(product: nil, payload: frame)]
        case 1: return [Routed(product: distinct[0], payload: frame)]
        default: return try split(frame, products: distinct)
        }
    }

    /// Rewrites a multi-product Advanced Trade message into one message per product, in order of
    /// first appearance. Key order in the rewritten JSON is sorted; values are kept as sent.
    private func split(_ frame: [UInt8], products: [String]) throws(FeedParseError) -> [Routed] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(frame)) as? [String: Any],
            let events = object["events"] as? [[String: Any]]
        else { throw .malformed("multi-product message without an events array") }
        var result: [Routed] = []
        for product in products {
            var part = object
            part["events"] = events.compactMap { event -> [String: Any]? in
                if let owner = event["product_id"] as? String { return owner == product ? event : nil }
                // Tickers and trades name their product per entry: keep this product's.
                for list in ["tickers", "trades"] {
                    guard let entries = event[list] as? [[String: Any]] else { continue }
                    let mine = entries.filter { $0["product_id"] as? String == product }
                    guard !mine.isEmpty else { return nil }
                    var copy = event
                    copy[list] = mine
                    return copy
                }
                return nil
            }
            guard
                let data = try? JSONSerialization.data(
                    withJSONObject: part, options: [.sortedKeys, .withoutEscapingSlashes])
            else { throw .malformed("could not re-encode the part for \(product)") }
            result.append(Routed(product: product, payload: [UInt8](data)))
        }
        return result
    }
}
