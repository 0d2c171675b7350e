import Foundation
public import Logging
import NIOCore
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

    public init(
        feed: CoinbaseFeedKind, url: String? = nil, products: [String], maxFrameBytes: Int = 64 << 20,
        initialReconnectDelay: Duration = .milliseconds(500), maxReconnectDelay: Duration = .seconds(30)
    ) {
        self.feed = feed
        self.url = url ?? feed.defaultURL
        self.products = products
        self.maxFrameBytes = maxFrameBytes
        self.initialReconnectDelay = initialReconnectDelay
        self.maxReconnectDelay = maxReconnectDelay
    }
}

/// A live Coinbase WebSocket connection: connects, subscribes, hands every message on with its
/// receive time, and reconnects with capped, jittered exponential backoff when the connection ends.
public struct WebSocketFeedSession: Sendable {
    public let configuration: WebSocketFeedConfiguration
    private let logger: Logger

    public init(configuration: WebSocketFeedConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until the task is cancelled, calling `onFrame` for every message in arrival order.
    public func run(onFrame: @escaping @Sendable ([UInt8], _ receivedAtNanos: UInt64) async -> Void) async {
        var delay = configuration.initialReconnectDelay
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            let startedAt = ContinuousClock.now
            do {
                if let close = try await connectOnce(onFrame: onFrame) {
                    logger.warning(
                        "coinbase closed the connection",
                        metadata: [
                            "url": "\(configuration.url)", "code": "\(close.closeCode)", "reason": "\(close.reason ?? "")",
                        ])
                } else {
                    logger.warning(
                        """
                        connection ended without a close frame from the server; a message larger than \
                        --max-frame-bytes \(configuration.maxFrameBytes) also ends it this way: if this repeats \
                        right after subscribing, raise --max-frame-bytes
                        """,
                        metadata: ["url": "\(configuration.url)"])
                }
            } catch is CancellationError {
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
            logger.info(
                "reconnecting to coinbase",
                metadata: [
                    "in_ms":
                        "\(jittered.components.seconds * 1000 + jittered.components.attoseconds / 1_000_000_000_000_000)"
                ])
            try? await Task.sleep(for: jittered)
            delay = min(delay * 2, configuration.maxReconnectDelay)
        }
    }

    private func connectOnce(onFrame: @escaping @Sendable ([UInt8], UInt64) async -> Void) async throws
        -> WebSocketCloseFrame?
    {
        let configuration = self.configuration
        let logger = self.logger
        let client = WebSocketClient(
            url: configuration.url,
            configuration: WebSocketClientConfiguration(maxFrameSize: configuration.maxFrameBytes),
            logger: logger
        ) { inbound, outbound, _ in
            for message in configuration.feed.subscribeMessages(products: configuration.products) {
                try await outbound.write(.text(message))
            }
            logger.info(
                "subscribed",
                metadata: [
                    "url": "\(configuration.url)", "products": "\(configuration.products.joined(separator: ","))",
                ])
            for try await message in inbound.messages(maxSize: configuration.maxFrameBytes) {
                let receivedAt = WallClock.nanosecondsSinceEpoch()
                switch message {
                case .text(let text): await onFrame(Array(text.utf8), receivedAt)
                case .binary(let buffer): await onFrame(Array(buffer.readableBytesView), receivedAt)
                }
            }
        }
        return try await client.run()
    }
}
