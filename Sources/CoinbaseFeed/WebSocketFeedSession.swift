import BusProtocol
import Foundation
public import Logging
import NIOCore
import Synchronization
import WSClient

/// Settings of a live connection to a Coinbase market-data WebSocket.
public struct WebSocketFeedConfiguration: Sendable {
    public var feed: CoinbaseFeedKind
    /// `wss://…` for Coinbase, or `ws://127.0.0.1:…` for a local server speaking the same protocol.
    public var url: String
    public var products: [String]
    /// Largest WebSocket message accepted, in bytes. A BTC-USD snapshot is one ~5 MB message.
    public var maxFrameBytes: Int
    /// First reconnect delay; doubles after each failed attempt up to ``maxReconnectDelay``.
    public var initialReconnectDelay: Duration
    public var maxReconnectDelay: Duration
    /// No message at all (heartbeats included) for this long: the connection is dead; reconnect.
    public var silenceTimeout: Duration
    /// Exchange only: `level2_batch` (public) or `level2` (needs ``credentials``).
    public var exchangeChannel: ExchangeChannel = .level2Batch
    /// Also subscribe to trades.
    public var trades = true
    /// API credentials, when configured (never logged).
    public var credentials: CoinbaseCredentials?

    /// What this connection subscribes to.
    public var subscription: SubscribeRequest {
        SubscribeRequest(
            feed: feed, exchangeChannel: exchangeChannel, products: products, trades: trades,
            credentials: credentials)
    }

    public init(
        feed: CoinbaseFeedKind, url: String? = nil, products: [String], maxFrameBytes: Int = 64 << 20,
        initialReconnectDelay: Duration = .milliseconds(500), maxReconnectDelay: Duration = .seconds(30),
        silenceTimeout: Duration = .seconds(10)
    ) {
        self.feed = feed
        self.url = url ?? feed.defaultURL
        self.products = products
        self.maxFrameBytes = maxFrameBytes
        self.initialReconnectDelay = initialReconnectDelay
        self.maxReconnectDelay = maxReconnectDelay
        self.silenceTimeout = silenceTimeout
    }
}

/// What a live session hands on.
public enum FeedSessionEvent: Sendable {
    /// A new connection is up and subscribed: a fresh snapshot per product follows, and whatever
    /// was received before may have missed messages.
    case connected(label: String)
    /// One WebSocket message, with its receive time (nanoseconds since the Unix epoch).
    case frame([UInt8], receivedAtNanos: UInt64)
    /// Advanced Trade's `sequence_num` skipped: messages were lost; the connection is renewed.
    case sequenceGap(expected: Int64, got: Int64)
}

/// The receive time of the last message, shared with the silence watchdog.
private final class Timestamp: Sendable {
    let nanos = Atomic<UInt64>(WallClock.nanosecondsSinceEpoch())
}

/// Why a live connection was abandoned (then re-established).
enum FeedSessionError: Error, CustomStringConvertible {
    case sequenceGap(expected: Int64, got: Int64)
    case silent(Duration)
    /// The ingest refused a message over `ingest.max_frame_bytes` (`bytes` is `nil` when the
    /// message came in fragments and was refused part-way).
    case messageTooLarge(bytes: Int?, limit: Int)

    var description: String {
        switch self {
        case .sequenceGap(let expected, let got):
            "Advanced Trade sequence_num jumped from \(expected - 1) to \(got): \(got - expected) message(s) lost on the way from Coinbase"
        case .silent(let timeout): "no message, not even a heartbeat, for \(timeout)"
        case .messageTooLarge(let bytes, let limit):
            "the ingest closed the connection: a Coinbase message \(bytes.map { "of \($0) bytes " } ?? "")exceeds --max-frame-bytes \(limit); raise ingest.max_frame_bytes in Config/ or with the flag"
        }
    }
}

/// A live Coinbase WebSocket connection: connects, subscribes, hands every message on with its
/// receive time, and reconnects with capped, jittered exponential backoff when the connection
/// ends, falls silent, or (Advanced Trade) skips a `sequence_num`.
public struct WebSocketFeedSession: Sendable {
    public let configuration: WebSocketFeedConfiguration
    /// Names this connection in logs, e.g. `conn-1`.
    public let label: String
    /// Products whose subscription the ingest asks this connection to renew.
    public let renewals: SubscriptionRenewals
    private let logger: Logger

    public init(
        configuration: WebSocketFeedConfiguration, label: String,
        renewals: SubscriptionRenewals = SubscriptionRenewals(),
        logger: Logger
    ) {
        self.configuration = configuration
        self.label = label
        self.renewals = renewals
        var logger = logger
        logger[metadataKey: "connection"] = "\(label)"
        self.logger = logger
    }

    /// Runs until the task is cancelled, calling `onEvent` in arrival order.
    public func run(onEvent: @escaping @Sendable (FeedSessionEvent) async -> Void) async {
        var delay = configuration.initialReconnectDelay
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            let startedAt = ContinuousClock.now
            do {
                if let close = try await connectOnce(onEvent: onEvent) {
                    logger.warning(
                        "coinbase closed the connection",
                        metadata: [
                            "url": "\(configuration.url)", "code": "\(close.closeCode)",
                            "reason": "\(close.reason ?? "")",
                        ])
                } else {
                    logger.warning(
                        """
                        connection ended without a close frame from the server (a single frame over twice \
                        --max-frame-bytes \(configuration.maxFrameBytes) is also refused this way)
                        """,
                        metadata: ["url": "\(configuration.url)"])
                }
            } catch is CancellationError {
                return
            } catch let error as FeedSessionError {
                logger.error("\(error)", metadata: ["url": "\(configuration.url)"])
            } catch let error as WebSocketClientError where error == .serverSentMessageTooLarge {
                let error = FeedSessionError.messageTooLarge(bytes: nil, limit: configuration.maxFrameBytes)
                logger.error("\(error)", metadata: ["url": "\(configuration.url)"])
                return
            } catch {
                logger.warning(
                    "coinbase connection failed",
                    metadata: ["url": "\(configuration.url)", "error": "\(error)", "attempt": "\(attempt)"])
            }
            if Task.isCancelled { return }
            // A connection that lived a while starts the backoff over.
            if ContinuousClock.now - startedAt > .seconds(30) { delay = configuration.initialReconnectDelay }
            let jittered = delay * Double.random(in: 0.5...1.0)
            logger.info("reconnecting to coinbase", metadata: ["backoff": "\(jittered)"])
            try? await Task.sleep(for: jittered)
            delay = min(delay * 2, configuration.maxReconnectDelay)
        }
    }

    /// One connection, until it ends; the server's close frame, if it sent one.
    private func connectOnce(
        onEvent: @escaping @Sendable (FeedSessionEvent) async -> Void
    ) async throws -> WebSocketCloseFrame? {
        let configuration = self.configuration
        let logger = self.logger
        let label = self.label
        let renewals = self.renewals
        // The client's trace log shows the first bytes of every frame sent: keep it off, so no
        // part of a signed subscribe can reach a log.
        var clientLogger = logger
        clientLogger.logLevel = max(logger.logLevel, .debug)
        let client = WebSocketClient(
            url: configuration.url,
            configuration: WebSocketClientConfiguration(
                maxFrameSize: configuration.maxFrameBytes.multipliedReportingOverflow(by: 2).overflow
                    ? Int.max : configuration.maxFrameBytes * 2),
            logger: clientLogger
        ) { inbound, outbound, _ in
            for message in try configuration.subscription.messages() {
                try await outbound.write(.text(message))
            }
            logger.info(
                "subscribed",
                metadata: [
                    "url": "\(configuration.url)", "products": "\(configuration.products.joined(separator: ","))",
                ])
            await onEvent(.connected(label: label))
            let lastReceived = Timestamp()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    var expected: Int64?
                    for try await message in inbound.messages(maxSize: configuration.maxFrameBytes) {
                        let receivedAt = WallClock.nanosecondsSinceEpoch()
                        lastReceived.nanos.store(receivedAt, ordering: .relaxed)
                        let bytes: [UInt8]
                        switch message {
                        case .text(let text): bytes = Array(text.utf8)
                        case .binary(let buffer): bytes = Array(buffer.readableBytesView)
                        }
                        // The WebSocket layer accepts frames up to twice the limit, so that one just
                        // over it is refused here, with its size, rather than by a bare close.
                        guard bytes.count <= configuration.maxFrameBytes else {
                            throw FeedSessionError.messageTooLarge(
                                bytes: bytes.count, limit: configuration.maxFrameBytes)
                        }
                        if configuration.feed == .advancedTrade,
                            let sequence = AdvancedTradeSequence.extract(from: bytes)
                        {
                            if let expected, sequence != expected {
                                await onEvent(.sequenceGap(expected: expected, got: sequence))
                                throw FeedSessionError.sequenceGap(expected: expected, got: sequence)
                            }
                            expected = sequence + 1
                        }
                        await onEvent(.frame(bytes, receivedAtNanos: receivedAt))
                    }
                }
                group.addTask {
                    // The silence watchdog, which also sends the renewals the ingest asks for.
                    while true {
                        try await Task.sleep(for: .milliseconds(250))
                        for product in renewals.take() {
                            for message in try configuration.subscription.renewal(of: product) {
                                try await outbound.write(.text(message))
                            }
                            logger.info(
                                "renewed the subscription of a stale product", metadata: ["product": "\(product)"])
                        }
                        let silentNanos =
                            WallClock.nanosecondsSinceEpoch() &- lastReceived.nanos.load(ordering: .relaxed)
                        if Duration.nanoseconds(Int64(clamping: silentNanos)) > configuration.silenceTimeout {
                            throw FeedSessionError.silent(configuration.silenceTimeout)
                        }
                    }
                }
                defer { group.cancelAll() }
                try await group.next()
            }
        }
        return try await client.run()
    }
}
