import BookBusCore
public import CoinbaseFeed

/// Where the ingest's Coinbase messages come from.
public enum IngestSource: Sendable {
    /// Replay a recording; `speed` 0 is as fast as possible, otherwise the recorded pace × speed
    /// (timed recordings); `rate` above 0 instead paces any recording at that many messages a second.
    case replay(path: String, speed: Double, rate: Double, clock: ReplayClock = .now)
    /// Live WebSocket connections: the products are split over connections of at most
    /// `productsPerConnection` each (Coinbase refuses too many level-2 streams on one).
    case live(WebSocketFeedConfiguration, productsPerConnection: Int)
}

/// Which receive time a replayed frame carries on the bus.
public enum ReplayClock: String, Sendable, CaseIterable {
    /// When the replay read it: latency figures mean what they mean live.
    case now
    /// When the recording received it (timed recordings; rounded to the microsecond): interval
    /// streams (conflation, bars) then cut the recording as the live run did, at any speed.
    case recorded
}

/// Everything the ingest daemon needs.
public struct IngestConfiguration: Sendable {
    public var source: IngestSource
    /// Where the PUB side of the bus is (binds by default).
    public var publish: Endpoint
    /// Where the snapshot and worker-group service (ROUTER) listens, if anywhere.
    public var snapshots: Endpoint?
    /// A group member silent this long is expired and its products reassigned.
    public var groupExpiry: Duration = .seconds(3)
    public var sockets = SocketSettings()
    /// Wait for subscribers instead of dropping when their queue is full.
    public var lossless: Bool
    /// Before publishing, wait until this many BookBus subscribers are connected (0: don't wait).
    public var waitForSubscribers = 0
    /// Live events buffered between the WebSocket sessions and the publishing thread.
    public var queueCapacity = 10_000
    /// Most messages of one product published together as one bus message (1: one each).
    public var maxBatch = 64
    /// Show a replay's progress on standard error when it is a terminal.
    public var showsProgress = true
    /// Live only: a product with no book update this long while its connection delivers other
    /// products is stale, and its subscription is renewed (`nil`: never).
    public var staleAfter: Duration? = .seconds(60)
    /// Name used in control messages and logs.
    public var name: String
    /// Live only: write every received frame to rotating timed recordings.
    public var record: RecordingRotation?
    /// Touched while the publishing loop runs.
    public var health: HealthFile?
    /// Where `/metrics`, `/health` and `/ready` are served (off when `nil`).
    public var metrics: HostAndPort?
    /// Where the ingest's statistics are written while it runs and when it stops.
    public var stats: StatsFile?

    public init(source: IngestSource, publish: Endpoint, lossless: Bool, name: String) {
        self.source = source
        self.publish = publish
        self.lossless = lossless
        self.name = name
    }

    /// The live connections: a label and the products of each.
    var connections: [(label: String, feed: WebSocketFeedConfiguration)] {
        guard case .live(let feed, let perConnection) = source else { return [] }
        let chunk = max(1, perConnection)
        return stride(from: 0, to: feed.products.count, by: chunk).enumerated().map { index, start in
            var connection = feed
            connection.products = Array(feed.products[start..<min(start + chunk, feed.products.count)])
            return ("conn-\(index + 1)", connection)
        }
    }
}

extension IngestConfiguration {
    /// What the ingest's core decides with.
    var core: IngestCore.Configuration {
        IngestCore.Configuration(
            maxBatch: maxBatch, keepsBooks: snapshots != nil,
            connections: Dictionary(uniqueKeysWithValues: connections.map { ($0.label, $0.feed.products) }),
            staleAfter: staleAfter)
    }

    /// The products subscribed to live, known before any frame.
    var liveProducts: [String] {
        guard case .live(let feed, _) = source else { return [] }
        return feed.products
    }
}
