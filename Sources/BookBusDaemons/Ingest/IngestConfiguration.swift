public import CoinbaseFeed

/// Where the ingest's Coinbase messages come from.
public enum IngestSource: Sendable {
    /// Replay a recording; `speed` 0 is as fast as possible, otherwise the recorded pace × speed
    /// (timed recordings only; plain ones always go as fast as possible).
    case replay(path: String, speed: Double)
    /// A live WebSocket connection.
    case live(WebSocketFeedConfiguration)
}

/// Everything the ingest daemon needs.
public struct IngestConfiguration: Sendable {
    public var source: IngestSource
    /// Where the PUB side of the bus is (binds by default).
    public var publish: Endpoint
    public var sockets = SocketSettings()
    /// Wait for subscribers instead of dropping when their queue is full.
    public var lossless: Bool
    /// Before publishing, wait until this many BookBus subscribers are connected (0: don't wait).
    public var waitForSubscribers = 0
    /// Live frames buffered between the WebSocket and the publishing thread.
    public var queueCapacity = 10_000
    /// Name used in control messages and logs.
    public var name: String

    public init(source: IngestSource, publish: Endpoint, lossless: Bool, name: String) {
        self.source = source
        self.publish = publish
        self.lossless = lossless
        self.name = name
    }
}
