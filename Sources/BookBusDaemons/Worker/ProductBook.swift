import BusProtocol
import CoinbaseFeed
import OrderBook

/// A worker's state for one product: the book and what it last published.
struct ProductBook {
    var book: OrderBook
    /// False until the first snapshot: updates before it cannot be applied.
    var hasSnapshot = false
    var lastPublishedTop: TopOfBook?
    var lastPublishedSpread: ExactDecimal??

    init(product: String) {
        book = OrderBook(product: product)
    }

    /// Applies one book message. Updates before the first snapshot are refused.
    mutating func apply(_ message: BookMessage) throws(WorkerError) -> UpdateOutcome {
        switch message.content {
        case .snapshot(let bids, let asks):
            do {
                try book.replace(bids: bids, asks: asks)
            } catch {
                throw .rejectedByBook(product: message.product, error)
            }
            hasSnapshot = true
            return UpdateOutcome()
        case .update(let changes):
            guard hasSnapshot else { throw .updateBeforeSnapshot(product: message.product) }
            do {
                return try book.apply(changes)
            } catch {
                throw .rejectedByBook(product: message.product, error)
            }
        }
    }

    /// The events to publish now under `policy`, and remembers them as published.
    mutating func eventsToPublish(policy: EmitPolicy) -> [BookEvent.Kind] {
        let top = book.topOfBook
        let spread = top.spread
        var kinds: [BookEvent.Kind] = []
        if policy == .everyMessage || lastPublishedTop != top { kinds.append(.topOfBook) }
        if policy == .everyMessage || lastPublishedSpread.map({ $0 != spread }) ?? true { kinds.append(.spread) }
        lastPublishedTop = top
        lastPublishedSpread = .some(spread)
        return kinds
    }
}

/// Why a worker refused a book message.
enum WorkerError: Error, CustomStringConvertible {
    case updateBeforeSnapshot(product: String)
    case rejectedByBook(product: String, BookError)

    var description: String {
        switch self {
        case .updateBeforeSnapshot(let product):
            "update for \(product) before its first snapshot: ignored until a snapshot arrives"
        case .rejectedByBook(let product, let error): "\(product) message rejected, book unchanged: \(error)"
        }
    }
}
