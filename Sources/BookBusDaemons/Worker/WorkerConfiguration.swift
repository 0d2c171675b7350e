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
    var knownProducts: [String] {
        switch self {
        case .products(let products): products
        case .shard(let shard, let known?): known.filter { shard.owns($0) }
        case .shard(_, nil), .group: []
        }
    }

    /// The topic prefixes to subscribe to on the ingest.
    var subscriptions: [String] {
        switch self {
        case .products(let products): products.map { Topic.raw(product: $0).description }
        case .shard(let shard, let known?): known.filter { shard.owns($0) }.map { Topic.raw(product: $0).description }
        case .shard(_, nil): [Topic.rawPrefix]
        case .group: []
        }
    }
}

/// When a worker publishes events.
public enum EmitPolicy: String, Sendable, CaseIterable {
    /// Top-of-book when best bid/ask price or size changed; spread when the spread changed.
    case onChange = "change"
    /// Both events after every book message (what the original tutorial printed).
    case everyMessage = "every-message"
}

/// Everything a book worker needs.
public struct WorkerConfiguration: Sendable {
    /// Where the ingest publishes (connects by default).
    public var ingest: [Endpoint]
    /// The ingest's snapshot service (connects by default); empty: wait for snapshots on the stream.
    public var snapshots: [Endpoint] = []
    /// Where this worker publishes its events (binds by default).
    public var publish: Endpoint
    public var ownership: ProductOwnership
    public var emit: EmitPolicy = .onChange
    public var sockets = SocketSettings()
    public var lossless = false
    /// Before subscribing upstream, wait until this many BookBus subscribers are connected.
    public var waitForSubscribers = 0
    /// Messages kept per product while it waits for a snapshot; beyond that the oldest are dropped
    /// and the snapshot has to cover them.
    public var resyncBufferLimit = 100_000
    /// How often a group member reports to the coordinator.
    public var groupHeartbeat: Duration = .milliseconds(500)
    /// Stop after relaying the ingest's end of stream.
    public var exitOnEnd = false
    public var name: String
    /// Touched while the worker's loop runs.
    public var health: HealthFile?

    public init(ingest: [Endpoint], publish: Endpoint, ownership: ProductOwnership, name: String) {
        self.ingest = ingest
        self.publish = publish
        self.ownership = ownership
        self.name = name
    }
}
