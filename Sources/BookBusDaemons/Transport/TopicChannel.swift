import BusProtocol

/// One topic as a publisher sends it: the topic frame, built once, and the last sequence number
/// sent in the current epoch.
///
/// Callers that publish on a topic again and again (the ingest per product, the worker per event
/// kind and product) keep the channel ``BusPublisher/channel(for:)`` handed out, so each message
/// costs no topic lookup.
final class TopicChannel {
    let frame: [UInt8]
    /// The last sequence published in this epoch (0: none yet).
    var sequence: UInt64 = 0

    init(topic: Topic) {
        frame = topic.bytes
    }
}
