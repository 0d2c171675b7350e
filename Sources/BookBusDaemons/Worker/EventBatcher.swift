import BookBusCore
import BusProtocol
import ZeroMQ

/// Gathers the events a worker makes while it takes one bus message into one bus message per
/// topic: a raw batch of several Coinbase messages makes several events of its product, and they
/// go out as one `tob/<PRODUCT>/` and one `spread/<PRODUCT>/` message (protocol version 3: one
/// payload frame per event, in order), which spares libzmq, the sink and every other subscriber a
/// message's fixed costs per event.
///
/// Nothing waits: the worker flushes after every bus message it took, so an event leaves as soon as
/// the message that made it is fully taken.
struct EventBatcher {
    private let publisher: BusPublisher
    private var topOfBook = PackedFrames()
    private var spread = PackedFrames()
    /// The product the pending events are about, its channels, and the ingest receive time of the
    /// first event.
    private var pending: (product: String, channels: Channels, receivedAtNanos: UInt64)?
    /// Each product's `tob/` and `spread/` channels, from its first event on.
    private var channels: [String: Channels] = [:]
    /// Ingest receive → publish, per bus message published, when measured (the metrics endpoint).
    private(set) var latency: LatencyRecorder?

    private struct Channels {
        var topOfBook: TopicChannel
        var spread: TopicChannel
    }

    init(publisher: BusPublisher, measuresLatency: Bool) {
        self.publisher = publisher
        if measuresLatency {
            latency = LatencyRecorder(name: "publish_latency", meaning: "Ingest receive to worker publish")
        }
    }

    /// Queues `event` for its topic; events of another product pending go out first.
    mutating func add(_ event: BookEvent) throws {
        if pending?.product != event.product {
            try flush()
            pending = (event.product, channels(of: event.product), event.ingestTimeNanos)
        }
        if event.kind == .topOfBook {
            topOfBook.append { event.encode(into: &$0) }
        } else {
            spread.append { event.encode(into: &$0) }
        }
    }

    /// Publishes what is pending, top of book first.
    mutating func flush() throws {
        guard let pending else { return }
        self.pending = nil
        defer {
            topOfBook.removeAll()
            spread.removeAll()
        }
        if !topOfBook.isEmpty {
            try publisher.publish(
                on: pending.channels.topOfBook, receivedAtNanos: pending.receivedAtNanos, payloads: topOfBook)
        }
        if !spread.isEmpty {
            try publisher.publish(
                on: pending.channels.spread, receivedAtNanos: pending.receivedAtNanos, payloads: spread)
        }
        latency?.record(from: pending.receivedAtNanos, to: WallClock.nanosecondsSinceEpoch())
    }

    private mutating func channels(of product: String) -> Channels {
        if let known = channels[product] { return known }
        let made = Channels(
            topOfBook: publisher.channel(for: .topOfBook(product: product)),
            spread: publisher.channel(for: .spread(product: product)))
        channels[product] = made
        return made
    }
}
