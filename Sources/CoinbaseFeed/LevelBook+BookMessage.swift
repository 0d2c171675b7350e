public import OrderBook

extension LevelBook {
    /// Applies one book message's content: a snapshot replaces the book, an update changes it.
    /// A refused message leaves the book as it was.
    @inlinable @discardableResult
    public mutating func apply(_ content: BookMessage.Content) throws(BookError) -> UpdateOutcome {
        switch content {
        case .snapshot(let bids, let asks):
            try replace(bids: bids, asks: asks)
            return UpdateOutcome()
        case .update(let changes):
            return try apply(changes)
        }
    }
}
