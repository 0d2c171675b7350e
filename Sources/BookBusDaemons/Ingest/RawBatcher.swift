/// Gathers the ingest's product messages into batches: consecutive messages of one topic that are
/// at hand together go out as one bus message (protocol version 3), which spares libzmq and every
/// subscriber a message's fixed costs per Coinbase message.
///
/// Nothing waits for a batch to fill: the ingest adds what its source handed over at once (a burst
/// from the WebSocket, or a run of recording lines at full replay speed) and flushes before it
/// looks at anything else — the snapshot service, the heartbeat, a reconnect. One message at a time
/// (live traffic at ordinary rates, a paced replay that keeps its pace) goes out at once, alone, as
/// before.
struct RawBatcher {
    /// Most messages in one batch; 1 publishes every message on its own.
    let maxBatch: Int
    /// A batch holding this many bytes goes out at once: a snapshot (megabytes) leaves as soon as
    /// it is read, rather than with the rest of what came with it, so subscribers get snapshots one
    /// by one as before and never queue several at once.
    static let maxBatchBytes = 1 << 20
    /// Products with pending messages, in the order their first one arrived.
    private var waiting: [IngestProduct] = []

    init(maxBatch: Int) {
        self.maxBatch = max(1, maxBatch)
    }

    /// Queues `payload` on the product's channel, publishing the product's batch once it is full.
    /// - Returns: `false` when stop was requested while waiting to send.
    mutating func add(
        _ payload: [UInt8], to product: IngestProduct, receivedAtNanos: UInt64, publisher: BusPublisher, stop: StopFlag
    ) throws -> Bool {
        if product.pending.isEmpty {
            product.pendingSinceNanos = receivedAtNanos
            waiting.append(product)
        }
        product.pending.append(payload)
        guard product.pending.count >= maxBatch || product.pending.bytes.count >= Self.maxBatchBytes else {
            return true
        }
        return try publish(product, publisher: publisher, stop: stop)
    }

    /// Publishes every pending batch.
    /// - Returns: `false` when stop was requested while waiting to send.
    mutating func flush(publisher: BusPublisher, stop: StopFlag) throws -> Bool {
        defer { waiting.removeAll(keepingCapacity: true) }
        for product in waiting where !product.pending.isEmpty {
            guard try publish(product, publisher: publisher, stop: stop) else { return false }
        }
        return true
    }

    private func publish(_ product: IngestProduct, publisher: BusPublisher, stop: StopFlag) throws -> Bool {
        defer { product.pending.removeAll() }
        return try publisher.publish(
            on: product.channel, receivedAtNanos: product.pendingSinceNanos, payloads: product.pending, stop: stop)
    }
}
