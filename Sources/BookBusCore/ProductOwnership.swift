public import BusProtocol

/// Which products a worker keeps.
public enum ProductOwnership: Sendable, Equatable {
    /// Exactly these products.
    case products([String])
    /// The products of shard `i/n`; with `knownProducts` the worker subscribes only to its own
    /// topics, without it it subscribes to all raw topics and keeps what the shard owns.
    case shard(ShardAssignment, knownProducts: [String]?)
    /// Whatever the ingest's group coordinator assigns to this worker, which changes as workers
    /// join and leave.
    case group

    /// True when the worker keeps `product` (in group mode: never, by itself; see the assignment).
    public func owns(_ product: String) -> Bool {
        switch self {
        case .products(let products): products.contains(product)
        case .shard(let shard, let known): shard.owns(product) && (known?.contains(product) ?? true)
        case .group: false
        }
    }

    /// The products known up front (to ask snapshots for at start).
    public var knownProducts: [String] {
        switch self {
        case .products(let products): products
        case .shard(let shard, let known?): known.filter { shard.owns($0) }
        case .shard(_, nil), .group: []
        }
    }

    /// The topic prefixes to subscribe to on the ingest: its parsed topics (``Topic/parsed(product:)``).
    public var subscriptions: [String] {
        switch self {
        case .products(let products): products.map { Topic.parsed(product: $0).description }
        case .shard(let shard, let known?):
            known.filter { shard.owns($0) }.map { Topic.parsed(product: $0).description }
        case .shard(_, nil): [Topic.parsedPrefix]
        case .group: []
        }
    }
}
