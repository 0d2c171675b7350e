/// What every kind of book does with Coinbase's level-2 messages: a snapshot replaces it, an update
/// sets levels, and its levels can be read back best first.
///
/// ``OrderBook`` keeps its levels sorted, for the roles that read the touch after every change;
/// ``SnapshotBook`` sorts only when read, for the ingest's snapshot service, which reads a book
/// only when a subscriber asks for one.
public protocol LevelBook: Sendable {
    /// The product the book belongs to, e.g. `BTC-USD`.
    var product: String { get }

    /// Replaces the whole book: no level from before survives. Levels with size zero are skipped; a
    /// price listed twice keeps its last size.
    mutating func replace(bids: [PriceLevel], asks: [PriceLevel]) throws(BookError)

    /// Applies every change of one update, in order. Either all changes apply or, when one is
    /// invalid, none does.
    mutating func apply(_ changes: [LevelChange]) throws(BookError) -> UpdateOutcome

    /// Calls `body` with the levels of one side, best first, while it returns true.
    func walkLevels(_ side: Side, _ body: (PriceLevel) -> Bool)

    /// How many levels one side holds.
    func levelCount(_ side: Side) -> Int
}

extension LevelBook {
    /// The levels of one side, best first, up to `limit`.
    @inlinable
    public func levels(_ side: Side, limit: Int = .max) -> [PriceLevel] {
        guard limit > 0 else { return [] }
        var levels: [PriceLevel] = []
        levels.reserveCapacity(Swift.min(limit, levelCount(side)))
        walkLevels(side) { level in
            levels.append(level)
            return levels.count < limit
        }
        return levels
    }
}
