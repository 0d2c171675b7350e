import BusProtocol
import CoinbaseFeed
import OrderBook

/// A raw message kept while its product waits for a snapshot.
struct BufferedMessage {
    var header: FrameHeader
    /// The parsed book messages, or `nil` when the payload was refused (it still counts in sequence).
    var messages: [BookMessage]?
}

/// Where a product's book stands.
enum SyncPhase {
    /// The book is complete and current: events are published.
    case live
    /// The book is not trusted (never snapshotted, a gap, a new epoch): no events until a snapshot
    /// arrives, from the stream or from the ingest's snapshot service. Messages meanwhile are kept.
    case syncing(SyncWait)
}

/// A pending resynchronisation.
struct SyncWait {
    var reason: String
    /// When the last snapshot request went out (`nil`: not yet).
    var requestedAt: ContinuousClock.Instant?
    var buffer: [BufferedMessage] = []
    /// Messages were dropped from a full buffer: the snapshot must cover them.
    var overflowed = false
}

/// A worker's state for one product. A class: the worker changes it in place, message after
/// message, and a value copy would make its book copy itself on write.
final class ProductState {
    var book: OrderBook
    var phase: SyncPhase
    /// Epoch and sequence of the last message of `raw/<product>/` taken into account.
    var epoch: UInt64?
    var lastSequence: UInt64 = 0
    var lastPublishedTop: TopOfBook?
    var lastPublishedSpread: ExactDecimal??
    var lastResyncAt: ContinuousClock.Instant?
    /// A crossed book publishes nothing; this remembers that it was reported.
    var crossedReported = false
    /// The channels of `tob/<product>/` and `spread/<product>/`, from the first event on.
    private var topOfBookChannel: TopicChannel?
    private var spreadChannel: TopicChannel?

    init(product: String, reason: String) {
        book = OrderBook(product: product)
        phase = .syncing(SyncWait(reason: reason))
    }

    var product: String { book.product }

    /// The channel `kind` events of this product go out on.
    func channel(for kind: BookEvent.Kind, on publisher: BusPublisher) -> TopicChannel {
        if let cached = kind == .topOfBook ? topOfBookChannel : spreadChannel { return cached }
        let channel = publisher.channel(for: kind.topic(product: product))
        if kind == .topOfBook { topOfBookChannel = channel } else { spreadChannel = channel }
        return channel
    }

    var isLive: Bool {
        if case .live = phase { return true }
        return false
    }

    /// Keeps a message while resynchronising, dropping the older half of a full buffer first.
    /// The buffer is taken out of `phase` while it grows, so appending does not copy it.
    /// - Returns: `true` when older messages were dropped.
    func keep(_ message: BufferedMessage, limit: Int) -> Bool {
        guard case .syncing(var wait) = phase else { return false }
        phase = .live
        defer { phase = .syncing(wait) }
        var dropped = false
        if wait.buffer.count >= limit {
            wait.buffer.removeFirst(wait.buffer.count / 2)
            wait.overflowed = true
            dropped = true
        }
        wait.buffer.append(message)
        return dropped
    }

    /// Applies book messages to a live book, or loads a snapshot.
    /// - Returns: absent deletes, and the errors of refused messages.
    func apply(_ messages: [BookMessage]) -> (absentDeletes: Int, failures: [WorkerError]) {
        var absentDeletes = 0
        var failures: [WorkerError] = []
        for message in messages where message.product == book.product {
            do {
                absentDeletes += try book.apply(message.content).absentDeletes
            } catch {
                failures.append(.rejectedByBook(product: message.product, error))
            }
        }
        return (absentDeletes, failures)
    }

    /// The events to publish now under `policy` (top of book first), and remembers them as
    /// published. Two flags, not a list: this runs for every book message.
    func eventsToPublish(policy: EmitPolicy) -> (topOfBook: Bool, spread: Bool) {
        let top = book.topOfBook
        let spread = top.spread
        let kinds = (
            topOfBook: policy == .everyMessage || lastPublishedTop != top,
            spread: policy == .everyMessage || lastPublishedSpread.map { $0 != spread } ?? true
        )
        lastPublishedTop = top
        lastPublishedSpread = .some(spread)
        return kinds
    }
}

/// Why a worker refused a book message.
enum WorkerError: Error, CustomStringConvertible {
    case rejectedByBook(product: String, BookError)

    var description: String {
        switch self {
        case .rejectedByBook(let product, let error): "\(product) message rejected, book unchanged: \(error)"
        }
    }
}
