/// The event streams workers publish, one topic family each (`<family>/<PRODUCT>/`).
public enum EventFamily: String, Sendable, CaseIterable {
    case topOfBook = "tob"
    case spread
    case depth
    case trade
    case bar
    case analytics

    /// The family's topic for `product`.
    public func topic(product: String) -> Topic {
        switch self {
        case .topOfBook: .topOfBook(product: product)
        case .spread: .spread(product: product)
        case .depth: .depth(product: product)
        case .trade: .trade(product: product)
        case .bar: .bar(product: product)
        case .analytics: .analytics(product: product)
        }
    }

    /// The prefix every topic of the family starts with.
    public var prefix: String { rawValue + "/" }

    /// The family of an event topic; `nil` for the ingest's topics and control.
    public init?(of topic: Topic) {
        switch topic {
        case .topOfBook: self = .topOfBook
        case .spread: self = .spread
        case .depth: self = .depth
        case .trade: self = .trade
        case .bar: self = .bar
        case .analytics: self = .analytics
        case .raw, .rawUnrouted, .parsed, .control: return nil
        }
    }
}
