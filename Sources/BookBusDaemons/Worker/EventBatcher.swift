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
    private var topOfBook = PackedFrames()
    private var spread = PackedFrames()
    /// The product the pending events are about, and the ingest receive time of the first.
    private var state: ProductState?
    private var receivedAtNanos: UInt64 = 0

    /// Queues `event` (about `state`'s product) for its topic; events of another product pending
    /// go out first.
    mutating func add(_ event: BookEvent, of state: ProductState, publisher: BusPublisher, stop: StopFlag) throws {
        if self.state !== state {
            try flush(publisher: publisher, stop: stop)
            self.state = state
            receivedAtNanos = event.ingestTimeNanos
        }
        if event.kind == .topOfBook {
            topOfBook.append { event.encode(into: &$0) }
        } else {
            spread.append { event.encode(into: &$0) }
        }
    }

    /// Publishes what is pending, top of book first (stop requested while waiting on a full queue:
    /// the rest is dropped with the worker).
    mutating func flush(publisher: BusPublisher, stop: StopFlag) throws {
        guard let state else { return }
        self.state = nil
        defer {
            topOfBook.removeAll()
            spread.removeAll()
        }
        for kind in BookEvent.Kind.allCases {
            let events = kind == .topOfBook ? topOfBook : spread
            guard !events.isEmpty else { continue }
            guard
                try publisher.publish(
                    on: state.channel(for: kind, on: publisher), receivedAtNanos: receivedAtNanos, payloads: events,
                    stop: stop)
            else { return }
        }
    }
}
