public import CoinbaseFeed
public import OrderBook

/// One product's book as every BookBus role keeps it: the levels, the snapshot gate (an update
/// means nothing until a snapshot has made the book complete), and how many messages it includes.
///
/// The worker's clone client, the ingest's snapshot service, the benchmarks and the tests all
/// apply Coinbase messages through this one type, so they cannot disagree on what a message does.
/// Workers keep an ``OrderBook`` (they read the touch after every change); the ingest a
/// ``SnapshotBook`` (it reads a book only to serve a snapshot).
public struct ProductBook<Book: LevelBook>: Sendable {
    public private(set) var book: Book
    /// True once a snapshot loaded the book; false again after ``invalidate()``.
    public private(set) var isLoaded = false
    /// Book messages applied, snapshots included.
    public private(set) var updateCount = 0
    /// Deletes of levels that were not in the book, over every message applied.
    public private(set) var absentDeletes = 0
    /// Level changes of the updates applied (snapshots not counted).
    public private(set) var levelChanges = 0

    /// Keeps `book` (normally empty), gated: updates are skipped until a snapshot loads it.
    public init(_ book: Book) {
        self.book = book
    }

    public var product: String { book.product }

    /// Applies the messages about this product in order: a snapshot replaces the book and opens the
    /// gate; an update changes a loaded book and is skipped before that. A refused message leaves
    /// the book as it was and is reported in the outcome.
    @discardableResult
    public mutating func apply(_ messages: [BookMessage]) -> ApplyOutcome {
        var outcome = ApplyOutcome()
        for message in messages where message.product == book.product {
            if !isLoaded && !message.isSnapshot {
                outcome.skipped += 1
                continue
            }
            do {
                let absent = try book.apply(message.content).absentDeletes
                outcome.absentDeletes += absent
                absentDeletes += absent
                switch message.content {
                case .snapshot: isLoaded = true
                case .update(let changes): levelChanges += changes.count
                }
                updateCount += 1
                outcome.applied += 1
            } catch {
                outcome.failures.append(error)
            }
        }
        return outcome
    }

    /// Closes the gate: the book is kept but not trusted until the next snapshot (the upstream
    /// connection was renewed, so messages may have been missed).
    public mutating func invalidate() {
        isLoaded = false
    }
}

extension ProductBook where Book == OrderBook {
    /// - Parameter tracksSizeTotals: see ``OrderBook/init(product:tracksSizeTotals:)``.
    public init(product: String, tracksSizeTotals: Bool = false) {
        self.init(OrderBook(product: product, tracksSizeTotals: tracksSizeTotals))
    }
}

/// What ``ProductBook/apply(_:)`` did.
public struct ApplyOutcome: Sendable, Equatable {
    /// Messages applied.
    public var applied = 0
    /// Updates that arrived before any snapshot, and were left out.
    public var skipped = 0
    /// Deletes of levels that were not in the book (ignored, as Coinbase intends).
    public var absentDeletes = 0
    /// Why each refused message was refused.
    public var failures: [BookError] = []

    public init() {}
}
