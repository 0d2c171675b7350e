import BookBusCore
import BusProtocol
import ZeroMQ

/// Gathers the events a worker makes while it takes one bus message into one bus message per
/// topic: a raw batch of several Coinbase messages makes several events of its product, and they
/// go out as one `tob/<PRODUCT>/`, one `spread/<PRODUCT>/` (and so on) message (protocol version
/// 3: one payload frame per event, in order), which spares libzmq, the sink and every other
/// subscriber a message's fixed costs per event.
///
/// Nothing waits: the worker flushes after every bus message it took, so an event leaves as soon as
/// the message that made it is fully taken.
struct EventBatcher {
    private let publisher: BusPublisher
    /// The pending payloads of each family, by ``EventFamily`` order.
    private var pendingPayloads = Array(repeating: PackedFrames(), count: EventFamily.allCases.count)
    /// The product the pending events are about, its channels, and the ingest receive time of the
    /// first event.
    private var pending: (product: String, channels: Channels, receivedAtNanos: UInt64)?
    /// Each product's channels, from its first event on.
    private var channels: [String: Channels] = [:]
    /// Ingest receive → publish, per bus message published, when measured (the metrics endpoint).
    private(set) var latency: LatencyRecorder?

    /// One product's topic channels, by ``EventFamily`` order, made on first use.
    private final class Channels {
        var byFamily: [TopicChannel?] = Array(repeating: nil, count: EventFamily.allCases.count)
    }

    init(publisher: BusPublisher, measuresLatency: Bool) {
        self.publisher = publisher
        if measuresLatency {
            latency = LatencyRecorder(name: "publish_latency", meaning: "Ingest receive to worker publish")
        }
    }

    /// Queues a top-of-book or spread event.
    mutating func add(_ event: BookEvent) throws {
        try add(
            event.kind == .topOfBook ? .topOfBook : .spread, product: event.product,
            receivedAtNanos: event.ingestTimeNanos
        ) { event.encode(into: &$0) }
    }

    mutating func add(_ event: DepthEvent) throws {
        try add(.depth, product: event.product, receivedAtNanos: event.ingestTimeNanos) { event.encode(into: &$0) }
    }

    mutating func add(_ event: TradeEvent) throws {
        try add(.trade, product: event.product, receivedAtNanos: event.ingestTimeNanos) { event.encode(into: &$0) }
    }

    mutating func add(_ event: AnalyticsEvent) throws {
        try add(.analytics, product: event.product, receivedAtNanos: event.ingestTimeNanos) {
            event.encode(into: &$0)
        }
    }

    /// Queues a bar; its bus header carries the bar's end as the receive time.
    mutating func add(_ event: BarEvent) throws {
        try add(.bar, product: event.product, receivedAtNanos: event.endNanos) { event.encode(into: &$0) }
    }

    /// Queues the payload `encode` writes for `family`; events of another product pending go out
    /// first.
    private mutating func add(
        _ family: EventFamily, product: String, receivedAtNanos: UInt64, encode: (inout [UInt8]) -> Void
    ) throws {
        if pending?.product != product {
            try flush()
            pending = (product, channels(of: product), receivedAtNanos)
        }
        pendingPayloads[family.index].append(writing: encode)
    }

    /// Publishes what is pending, family by family (top of book first).
    mutating func flush() throws {
        guard let pending else { return }
        self.pending = nil
        for family in EventFamily.allCases where !pendingPayloads[family.index].isEmpty {
            defer { pendingPayloads[family.index].removeAll() }
            let channel = pending.channels.byFamily[family.index] ?? makeChannel(family, pending)
            try publisher.publish(
                on: channel, receivedAtNanos: pending.receivedAtNanos, payloads: pendingPayloads[family.index])
        }
        latency?.record(from: pending.receivedAtNanos, to: WallClock.nanosecondsSinceEpoch())
    }

    private func makeChannel(
        _ family: EventFamily, _ pending: (product: String, channels: Channels, receivedAtNanos: UInt64)
    ) -> TopicChannel {
        let channel = publisher.channel(for: family.topic(product: pending.product))
        pending.channels.byFamily[family.index] = channel
        return channel
    }

    private mutating func channels(of product: String) -> Channels {
        if let known = channels[product] { return known }
        let made = Channels()
        channels[product] = made
        return made
    }
}

extension EventFamily {
    /// The family's place in ``allCases``.
    fileprivate var index: Int {
        switch self {
        case .topOfBook: 0
        case .spread: 1
        case .depth: 2
        case .trade: 3
        case .bar: 4
        case .analytics: 5
        }
    }
}
