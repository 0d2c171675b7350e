/// One message received from the bus (or a snapshot reply, which has the same shape), checked.
///
/// Frames: topic, header, then the payloads. Messages on data topics (`raw/`, `tob/`, `spread/`) may
/// carry several payloads, consecutive messages of the topic (a batch); `bus/` carries exactly one.
public struct BusMessage: Sendable {
    public var topic: Topic
    /// The header of the first payload; payload `i` is ``header(ofPayload:)``.
    public var header: FrameHeader
    private var frames: [[UInt8]]

    /// Checks the frames: topic, header, payloads.
    public init(frames: [[UInt8]]) throws(BusProtocolError) {
        guard frames.count >= 3 else { throw .wrongFrameCount(frames.count) }
        guard let topic = Topic(bytes: frames[0]) else {
            throw .unknownTopic(String(decoding: frames[0], as: UTF8.self))
        }
        guard frames.count == 3 || topic.carriesBatches else { throw .wrongFrameCount(frames.count) }
        self.topic = topic
        header = try FrameHeader(bytes: frames[1])
        self.frames = frames
    }

    /// How many payloads the message carries (1 except for batches).
    public var payloadCount: Int { frames.count - 2 }

    /// The first (for `bus/`: the only) payload.
    public var payload: [UInt8] { frames[2] }

    /// Payload `index` (from 0).
    public func payload(_ index: Int) -> [UInt8] { frames[2 + index] }

    /// The header of payload `index`: its sequence counts on from the first's.
    public func header(ofPayload index: Int) -> FrameHeader { header.advanced(by: index) }
}
