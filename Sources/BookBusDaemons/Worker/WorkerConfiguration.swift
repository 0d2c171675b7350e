public import BookBusCore
import BusProtocol

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
    /// Which event streams to publish, and how often.
    public var streams = StreamSettings()
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
    /// Where the worker's statistics are written while it runs and when it stops.
    public var stats: StatsFile?
    /// Where `/metrics`, `/health` and `/ready` are served (off when `nil`).
    public var metrics: HostAndPort?

    public init(ingest: [Endpoint], publish: Endpoint, ownership: ProductOwnership, name: String) {
        self.ingest = ingest
        self.publish = publish
        self.ownership = ownership
        self.name = name
    }
}

extension WorkerConfiguration {
    /// What the worker's core decides with.
    var core: WorkerCore.Configuration {
        WorkerCore.Configuration(
            name: name, ownership: ownership, emit: emit, streams: streams,
            clone: CloneClient.Settings(bufferLimit: resyncBufferLimit, asksForSnapshots: !snapshots.isEmpty),
            groupHeartbeat: groupHeartbeat)
    }
}
