import Synchronization

/// Products whose subscription a live connection should renew, handed from the ingest's publishing
/// thread to the connection's session, which sends the renewal on its open WebSocket.
public final class SubscriptionRenewals: Sendable {
    private let pending = Mutex<[String]>([])

    public init() {}

    /// Asks for `product`'s subscription to be renewed (once, however often asked before it is).
    public func request(_ product: String) {
        pending.withLock { if !$0.contains(product) { $0.append(product) } }
    }

    /// The products asked for since the last call.
    func take() -> [String] {
        pending.withLock { products in
            defer { products = [] }
            return products
        }
    }
}
